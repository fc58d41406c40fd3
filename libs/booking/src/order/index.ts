export { OrderModule } from './order.module';
export { OrderTasks } from './order.tasks';
export { type Order, type OrderStatus, orderIdOf, orderKey } from './order.document';

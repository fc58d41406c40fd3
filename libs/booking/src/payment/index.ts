export { PaymentModule } from './payment.module';
export { PaymentTasks, UNIT_PRICE } from './payment.tasks';
export { type Payment, type PaymentStatus, paymentIdOf, paymentKey } from './payment.document';

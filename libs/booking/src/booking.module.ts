import { Module } from '@nestjs/common';
import { BookingSagaModule } from './booking-saga.module';
import { InventoryModule } from './inventory/inventory.module';
import { OrderModule } from './order/order.module';
import { PaymentModule } from './payment/payment.module';

/**
 * The whole booking domain in one module: the flow and the three domain modules that host its tasks. Apps
 * that split the topology import `BookingSagaModule` (orchestrator) or one domain module (a service).
 */
@Module({
  imports: [BookingSagaModule, OrderModule, PaymentModule, InventoryModule],
})
export class BookingModule {}

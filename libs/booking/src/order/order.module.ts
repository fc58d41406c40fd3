import { CompensationFaultModule } from '../compensation-fault.module';
import { Module } from '@nestjs/common';
import { BookingDocumentStore } from '../booking-document.store';
import { OrderTasks } from './order.tasks';

/** The order service's part of the booking: hosts create-order and confirm-order. */
@Module({
  imports: [CompensationFaultModule],
  providers: [BookingDocumentStore, OrderTasks],
})
export class OrderModule {}

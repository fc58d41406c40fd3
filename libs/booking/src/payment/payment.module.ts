import { CompensationFaultModule } from '../compensation-fault.module';
import { Module } from '@nestjs/common';
import { BookingDocumentStore } from '../booking-document.store';
import { PaymentTasks } from './payment.tasks';

/** The payment service's part of the booking: hosts charge-payment. */
@Module({
  imports: [CompensationFaultModule],
  providers: [BookingDocumentStore, PaymentTasks],
})
export class PaymentModule {}

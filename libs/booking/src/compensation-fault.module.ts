import { Module } from '@nestjs/common';
import { BookingDocumentStore } from './booking-document.store';
import { CompensationFaultFlags } from './compensation-fault.flags';

/** The `failCompensation` fault flags, for the services whose compensations honour them and the front door. */
@Module({
  providers: [BookingDocumentStore, CompensationFaultFlags],
  exports: [CompensationFaultFlags],
})
export class CompensationFaultModule {}

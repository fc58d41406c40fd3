/** @dta/booking: the example domain of DTA, a booking saga over order, payment and inventory services. */
export * from './booking.contract';
export { BookingSaga } from './booking.saga';
export { BookingModule } from './booking.module';
export { BookingSagaModule } from './booking-saga.module';
export { BookingDocumentStore, type DocumentChange } from './booking-document.store';
export { injectedFault } from './fault-injection';
export * from './compensation-fault.flags';
export { CompensationFaultModule } from './compensation-fault.module';
export * from './dto';
export * from './order';
export * from './payment';
export * from './inventory';
export * from './http';
export * from './grpc';
export * from './hosting';

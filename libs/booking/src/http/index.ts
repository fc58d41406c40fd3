export { BookingHttpModule } from './booking-http.module';
export { setupBookingHttp } from './booking-http.setup';
export { type BookingCompleted, BookingsController } from './bookings.controller';
export { FaultsController } from './faults.controller';
export { InventoryController } from './inventory.controller';
export { SagasController } from './sagas.controller';
export { TraceId } from './trace-id.decorator';
export { TRACE_ID_HEADER, traceIdMiddleware } from './trace-id.middleware';

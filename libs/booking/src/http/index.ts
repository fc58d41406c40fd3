export { BookingHttpModule } from './booking-http.module';
export { setupBookingHttp } from './booking-http.setup';
export { type BookingCompleted, BookingsController } from './bookings.controller';
export { FaultsController } from './faults.controller';
export { InventoryController } from './inventory.controller';

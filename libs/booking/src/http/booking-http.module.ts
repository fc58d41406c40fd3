import { Module } from '@nestjs/common';
import { StockModule } from '../inventory/stock.module';
import { BookingsController } from './bookings.controller';
import { InventoryController } from './inventory.controller';
import { SagasController } from './sagas.controller';

/**
 * The booking system's REST front door: `POST /bookings`, `GET /sagas/:id`, `GET /inventory/:productId`.
 * Hosts no task: it needs `SagaModule` (global) for `SagaClient`, and reads stock from the saga store.
 * Apply `setupBookingHttp(app)` before `listen` / `init`.
 */
@Module({
  imports: [StockModule],
  controllers: [BookingsController, SagasController, InventoryController],
})
export class BookingHttpModule {}

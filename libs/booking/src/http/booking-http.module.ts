import { Module } from '@nestjs/common';
import { SagaHttpModule } from '@dta/saga';
import { CompensationFaultModule } from '../compensation-fault.module';
import { StockModule } from '../inventory/stock.module';
import { BookingsController } from './bookings.controller';
import { FaultsController } from './faults.controller';
import { InventoryController } from './inventory.controller';

/**
 * The booking system's REST front door: `POST /bookings`, `GET /sagas/:id` (`SagaHttpModule`), `GET /inventory/:productId`,
 * `DELETE /faults/:sagaId` (clears a `failCompensation` fault).
 * Hosts no task: it needs `SagaModule` (global) for `SagaClient`, and reads stock from the saga store.
 * Apply `setupBookingHttp(app)` before `listen` / `init`.
 */
@Module({
  imports: [SagaHttpModule, StockModule, CompensationFaultModule],
  controllers: [BookingsController, InventoryController, FaultsController],
})
export class BookingHttpModule {}

import { CompensationFaultModule } from '../compensation-fault.module';
import { Module } from '@nestjs/common';
import { InventoryTasks } from './inventory.tasks';
import { StockModule } from './stock.module';

/** The inventory service's part of the booking: hosts reserve-stock. */
@Module({
  imports: [StockModule, CompensationFaultModule],
  providers: [InventoryTasks],
  exports: [StockModule],
})
export class InventoryModule {}

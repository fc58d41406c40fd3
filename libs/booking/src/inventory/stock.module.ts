import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { InventoryService } from './inventory.service';

/**
 * Stock levels of products (`InventoryService`) without the saga's tasks: what a front door needs to show
 * stock without becoming a reserve-stock worker.
 */
@Module({
  imports: [ConfigModule],
  providers: [InventoryService],
  exports: [InventoryService],
})
export class StockModule {}

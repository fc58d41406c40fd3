export { InventoryModule } from './inventory.module';
export { StockModule } from './stock.module';
export { InventoryService } from './inventory.service';
export { InventoryTasks } from './inventory.tasks';
export { DEFAULT_INITIAL_STOCK } from './inventory.config';
export { OutOfStockError } from './out-of-stock.error';
export { type StockLevel, stockKey } from './stock.document';

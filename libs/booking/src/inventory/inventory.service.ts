import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { type Counters, SAGA_STORE, type SagaStore } from '@dta/saga';
import { initialStockFrom } from './inventory.config';
import { OutOfStockError } from './out-of-stock.error';
import { type StockLevel, stockKey } from './stock.document';

/**
 * Stock per product, as the saga store's atomic counters (`available`, `reserved`) with one entry per
 * order: every reservation and release is one atomic step that touches the product's counters and that
 * order's entry only, so concurrent bookings of one product neither race nor wait for each other.
 */
@Injectable()
export class InventoryService {
  private readonly initialStock: number;

  constructor(
    @Inject(SAGA_STORE) private readonly store: SagaStore,
    config: ConfigService,
  ) {
    this.initialStock = initialStockFrom(config);
  }

  async stock(productId: string): Promise<StockLevel> {
    return this.level(productId, await this.store.readCounters(stockKey(productId)));
  }

  /**
   * Moves `quantity` from available to reserved for an order; a second call for the same order changes
   * nothing, and neither does a call for an order whose reservation was released. Throws
   * `OutOfStockError` when not enough is available (nothing is recorded: a later call may succeed).
   */
  async reserve(orderId: string, productId: string, quantity: number): Promise<StockLevel> {
    const adjusted = await this.store.adjustCounters({
      key: stockKey(productId),
      entryId: orderId,
      deltas: { available: -quantity, reserved: quantity },
      initial: { available: this.initialStock, reserved: 0 },
    });
    const stock = this.level(productId, adjusted.counters);
    if (adjusted.status === 'refused') throw new OutOfStockError(productId, quantity, stock.available);
    return stock;
  }

  /**
   * Moves an order's reservation back to available. Returns false when there was none (never made, or
   * released already).
   */
  async release(orderId: string, productId: string): Promise<boolean> {
    return (await this.store.revertCounters(stockKey(productId), orderId)).reverted;
  }

  private level(productId: string, counters: Counters | undefined): StockLevel {
    return {
      productId,
      available: counters?.available ?? this.initialStock,
      reserved: counters?.reserved ?? 0,
    };
  }
}

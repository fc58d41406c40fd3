import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { BookingDocumentStore } from '../booking-document.store';
import { initialStockFrom } from './inventory.config';
import { OutOfStockError } from './out-of-stock.error';
import { type StockDocument, type StockLevel, stockKey } from './stock.document';

/** Stock per product; every change is one compare-and-set of the product's document. */
@Injectable()
export class InventoryService {
  private readonly initialStock: number;

  constructor(
    private readonly documents: BookingDocumentStore,
    config: ConfigService,
  ) {
    this.initialStock = initialStockFrom(config);
  }

  async stock(productId: string): Promise<StockLevel> {
    return level((await this.documents.get<StockDocument>(stockKey(productId))) ?? this.initial(productId));
  }

  /**
   * Moves `quantity` from available to reserved for an order; a second call for the same order changes
   * nothing. Throws `OutOfStockError` when not enough is available.
   */
  async reserve(orderId: string, productId: string, quantity: number): Promise<StockLevel> {
    return this.documents.update<StockDocument, StockLevel>(stockKey(productId), (current) => {
      const stock = current ?? this.initial(productId);
      if (stock.reservations[orderId] !== undefined) return { result: level(stock) };
      if (stock.available < quantity) throw new OutOfStockError(productId, quantity, stock.available);
      const next: StockDocument = {
        productId,
        available: stock.available - quantity,
        reserved: stock.reserved + quantity,
        reservations: { ...stock.reservations, [orderId]: quantity },
      };
      return { next, result: level(next) };
    });
  }

  /** Moves an order's reservation back to available. Returns false when there was none (never made, or released). */
  async release(orderId: string, productId: string): Promise<boolean> {
    return this.documents.update<StockDocument, boolean>(stockKey(productId), (current) => {
      const quantity = current?.reservations[orderId];
      if (!current || quantity === undefined) return { result: false };
      const { [orderId]: _released, ...reservations } = current.reservations;
      const next: StockDocument = {
        productId,
        available: current.available + quantity,
        reserved: current.reserved - quantity,
        reservations,
      };
      return { next, result: true };
    });
  }

  private initial(productId: string): StockDocument {
    return { productId, available: this.initialStock, reserved: 0, reservations: {} };
  }
}

function level({ productId, available, reserved }: StockDocument): StockLevel {
  return { productId, available, reserved };
}

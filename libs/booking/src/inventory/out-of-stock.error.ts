/** A reservation asked for more than is available. */
export class OutOfStockError extends Error {
  override readonly name = 'OutOfStockError';

  constructor(
    readonly productId: string,
    readonly requested: number,
    readonly available: number,
  ) {
    super(`out of stock: ${requested} x ${productId} requested, ${available} available`);
  }
}

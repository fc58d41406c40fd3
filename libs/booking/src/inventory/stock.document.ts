/** What `GET /inventory/:productId` shows. */
export type StockLevel = { productId: string; available: number; reserved: number };

/**
 * The saga store's counter key of a product's stock: counters `available` and `reserved`, one counter
 * entry per order's reservation (`SagaStore.adjustCounters`), so that a reservation and its stock move in
 * one atomic step, a release is idempotent and a release of a reservation never made changes nothing.
 */
export const stockKey = (productId: string): string => `booking:stock:${productId}`;

/**
 * A product's stock, stored at {@link stockKey}. The reservations of each booking (by order id) live in the
 * same document, so that a reservation and its stock move in one compare-and-set: a release is idempotent
 * and a release of a reservation never made changes nothing.
 */
export type StockDocument = {
  productId: string;
  available: number;
  reserved: number;
  reservations: { [orderId: string]: number };
};

/** What `GET /inventory/:productId` shows. */
export type StockLevel = { productId: string; available: number; reserved: number };

export const stockKey = (productId: string): string => `booking:stock:${productId}`;

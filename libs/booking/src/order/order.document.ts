export type OrderStatus = 'pending' | 'confirmed' | 'cancelled';

/** An order, stored at {@link orderKey}. */
export type Order = { orderId: string; productId: string; quantity: number; status: OrderStatus };

export const orderKey = (orderId: string): string => `booking:order:${orderId}`;

/** One order per booking: its id derives from the saga id, so that a re-run finds the order it created. */
export const orderIdOf = (sagaId: string): string => `ord-${sagaId}`;

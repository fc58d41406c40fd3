export type PaymentStatus = 'charged' | 'refunded';

/** A payment, stored at {@link paymentKey}. */
export type Payment = { paymentId: string; orderId: string; amount: number; status: PaymentStatus };

export const paymentKey = (paymentId: string): string => `booking:payment:${paymentId}`;

/** One payment per booking: its id derives from the saga id, so that a re-run finds the payment it made. */
export const paymentIdOf = (sagaId: string): string => `pay-${sagaId}`;

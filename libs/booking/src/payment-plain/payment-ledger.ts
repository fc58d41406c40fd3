import { randomUUID } from 'node:crypto';

/** A card token the ledger declines, for fault tests. */
export const DECLINED_CARD = 'tok_declined';

/** A payment of one order; `void`: refunded before any charge, so that a late charge is refused. */
export type LedgerPayment = {
  orderId: string;
  paymentId?: string;
  amount: number;
  status: 'charged' | 'refunded' | 'void';
};

export type ChargeRequest = { orderId: string; amount: number; cardToken: string };
export type ChargeReply = { paymentId: string; amount: number };
export type RefundRequest = { orderId: string };
export type RefundReply = { paymentId: string; refunded: boolean };

/** A refusal, answered as a gRPC status by the server. */
export class LedgerRefusal extends Error {
  override readonly name = 'LedgerRefusal';

  constructor(
    readonly reason: 'invalid' | 'precondition',
    message: string,
  ) {
    super(message);
  }
}

/** What a call's idempotency key is bound to: its first answer. */
type Answer = { reply: unknown } | { refusal: LedgerRefusal };

/**
 * The plain payment service's books, in memory: payments by order and first answers by idempotency key.
 * Counts the effects it takes (`charges`, `refunds`), so that a test can tell a repeated call from a new one.
 */
export class PaymentLedger {
  private readonly payments = new Map<string, LedgerPayment>();
  private readonly answers = new Map<string, Answer>();
  private effects = { charges: 0, refunds: 0 };

  charge(key: string, request: ChargeRequest): ChargeReply {
    return this.once(key, () => {
      if (!request.orderId) throw new LedgerRefusal('invalid', 'order_id is required');
      if (!(request.amount > 0)) throw new LedgerRefusal('invalid', 'amount must be positive');
      const current = this.payments.get(request.orderId);
      if (current?.status === 'void')
        throw new LedgerRefusal('precondition', `order ${request.orderId} was voided by a refund`);
      if (current?.paymentId) return { paymentId: current.paymentId, amount: current.amount };
      if (request.cardToken === DECLINED_CARD) throw new LedgerRefusal('precondition', 'card declined');
      const payment: LedgerPayment = {
        orderId: request.orderId,
        paymentId: `plain-${randomUUID()}`,
        amount: request.amount,
        status: 'charged',
      };
      this.payments.set(request.orderId, payment);
      this.effects.charges++;
      return { paymentId: payment.paymentId!, amount: payment.amount };
    });
  }

  refund(key: string, request: RefundRequest): RefundReply {
    return this.once(key, () => {
      if (!request.orderId) throw new LedgerRefusal('invalid', 'order_id is required');
      const current = this.payments.get(request.orderId);
      if (!current) {
        this.payments.set(request.orderId, { orderId: request.orderId, amount: 0, status: 'void' });
        return { paymentId: '', refunded: false };
      }
      if (current.status === 'charged') {
        current.status = 'refunded';
        this.effects.refunds++;
      }
      return { paymentId: current.paymentId ?? '', refunded: current.status === 'refunded' };
    });
  }

  /** The order's payment, if any. */
  payment(orderId: string): Readonly<LedgerPayment> | undefined {
    const payment = this.payments.get(orderId);
    return payment && { ...payment };
  }

  /** Effects taken so far: a call repeated under its key adds none. */
  counts(): { charges: number; refunds: number } {
    return { ...this.effects };
  }

  private once<T>(key: string, decide: () => T): T {
    if (!key) throw new LedgerRefusal('invalid', 'the x-idempotency-key metadata is required');
    let answer = this.answers.get(key);
    if (!answer) {
      try {
        answer = { reply: decide() };
      } catch (error) {
        if (!(error instanceof LedgerRefusal)) throw error;
        answer = { refusal: error };
      }
      this.answers.set(key, answer);
    }
    if ('refusal' in answer) throw answer.refusal;
    return answer.reply as T;
  }
}

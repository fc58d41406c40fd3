import { DECLINED_CARD, LedgerRefusal, PaymentLedger } from './payment-ledger';

describe('PaymentLedger: the plain payment service, idempotent by key', () => {
  const charge = { orderId: 'o-1', amount: 20, cardToken: 'tok_visa' };

  it('answers a repeated key as the first call did, and takes the effect once', () => {
    const ledger = new PaymentLedger();
    const first = ledger.charge('k-1', charge);
    expect(ledger.charge('k-1', { ...charge, amount: 99 })).toEqual(first);
    expect(ledger.counts()).toEqual({ charges: 1, refunds: 0 });
    expect(ledger.refund('k-2', { orderId: 'o-1' })).toEqual({ paymentId: first.paymentId, refunded: true });
    expect(ledger.refund('k-2', { orderId: 'o-1' })).toEqual({ paymentId: first.paymentId, refunded: true });
    expect(ledger.refund('k-3', { orderId: 'o-1' })).toEqual({ paymentId: first.paymentId, refunded: true });
    expect(ledger.counts()).toEqual({ charges: 1, refunds: 1 });
  });

  it('repeats a refusal under its key', () => {
    const ledger = new PaymentLedger();
    const declined = { ...charge, cardToken: DECLINED_CARD };
    expect(() => ledger.charge('k-1', declined)).toThrow(new LedgerRefusal('precondition', 'card declined'));
    expect(() => ledger.charge('k-1', charge)).toThrow('card declined');
    expect(ledger.payment('o-1')).toBeUndefined();
  });

  it('a refund before any charge voids the order: a late charge is refused and takes no effect', () => {
    const ledger = new PaymentLedger();
    expect(ledger.refund('k-r', { orderId: 'o-1' })).toEqual({ paymentId: '', refunded: false });
    expect(() => ledger.charge('k-c', charge)).toThrow('order o-1 was voided by a refund');
    expect(ledger.counts()).toEqual({ charges: 0, refunds: 0 });
  });

  it('refuses a call without a key or an order, and an amount that is not positive', () => {
    const ledger = new PaymentLedger();
    expect(() => ledger.charge('', charge)).toThrow('x-idempotency-key');
    expect(() => ledger.charge('k-1', { ...charge, orderId: '' })).toThrow('order_id is required');
    expect(() => ledger.charge('k-2', { ...charge, amount: 0 })).toThrow('amount must be positive');
  });
});

import { deliverMessage, nestingDepth, resolveDeliveryLimits } from './message-delivery';
import { TransientFaultError } from '../vocabulary';

describe('nestingDepth', () => {
  it('counts nested arrays and objects, not brackets inside strings or escaped quotes', () => {
    expect(nestingDepth('"flat"', 10)).toBe(0);
    expect(nestingDepth('{"a":[1,{"b":[]}]}', 10)).toBe(4);
    expect(nestingDepth('{"a":"[[[{{{","b":"\\"[[["}', 10)).toBe(1);
  });

  it('stops past the bound, so that any depth is cheap to refuse', () => {
    expect(nestingDepth('['.repeat(1_000_000), 100)).toBe(101);
  });
});

describe('deliverMessage', () => {
  const limits = resolveDeliveryLimits({ maxDeliveries: 2, maxMessageBytes: 64, maxMessageDepth: 3 });
  const parse = (raw: unknown) => raw;

  it('dead-letters a message exactly one level deeper than the bound, and delivers one at it', async () => {
    const handled: unknown[] = [];
    const handler = async (m: unknown) => void handled.push(m);
    await expect(deliverMessage({ body: '[[[1]]]', delivery: 1 }, parse, handler, limits)).resolves.toEqual({
      kind: 'ack',
    });
    await expect(deliverMessage({ body: '[[[[1]]]]', delivery: 1 }, parse, handler, limits)).resolves.toEqual(
      {
        kind: 'dead-letter',
        reason: 'message nested deeper than maxMessageDepth (3)',
        deliveries: 1,
      },
    );
    expect(handled).toEqual([[[[1]]]]);
  });

  it('counts bytes, not characters', async () => {
    const body = JSON.stringify('é'.repeat(32)); // 66 bytes, 34 characters
    await expect(
      deliverMessage({ body, delivery: 1 }, parse, async () => undefined, limits),
    ).resolves.toEqual({
      kind: 'dead-letter',
      reason: 'message of 66 bytes exceeds maxMessageBytes (64)',
      deliveries: 1,
    });
  });

  it('retries a failed handler until its last allowed delivery; maxDeliveries 0 retries for ever', async () => {
    const failing = async () => Promise.reject(new Error('down'));
    const body = '{}';
    await expect(deliverMessage({ body, delivery: 1 }, parse, failing, limits)).resolves.toMatchObject({
      kind: 'retry',
      next: 2,
    });
    await expect(deliverMessage({ body, delivery: 2 }, parse, failing, limits)).resolves.toEqual({
      kind: 'dead-letter',
      reason: 'handler failed on 2 deliveries; last error: down',
      deliveries: 2,
    });
    const outage = async () => Promise.reject(new TransientFaultError('redis unavailable'));
    await expect(deliverMessage({ body, delivery: 2 }, parse, outage, limits)).resolves.toMatchObject({
      kind: 'retry',
      next: 2,
    });
    const unlimited = { ...limits, maxDeliveries: 0 };
    await expect(deliverMessage({ body, delivery: 99 }, parse, failing, unlimited)).resolves.toMatchObject({
      kind: 'retry',
      next: 100,
    });
  });
});

import type { TaskContext } from '../interfaces/task-context.interface';
import { relayHeaders, relayIdempotencyKey } from './relay-headers';

const ctx = (traceId: string): TaskContext => ({
  sagaId: 's-1',
  traceId,
  flow: 'booking',
  step: 'pay',
  task: 'charge-payment',
  attempt: 3,
});

describe('relay headers', () => {
  it('keys a task by saga and wire name, the same on every attempt, and its compensation apart', () => {
    expect(relayIdempotencyKey('s-1', 'charge-payment', 'run')).toBe('s-1:charge-payment');
    expect(relayIdempotencyKey('s-1', 'charge-payment', 'compensate')).toBe('s-1:charge-payment:compensate');
    expect(relayHeaders(ctx('t'), 'run')['x-idempotency-key']).toBe('s-1:charge-payment');
  });

  it('carries a UUID trace id as the W3C trace id, and derives one from any other', () => {
    const uuid = relayHeaders(ctx('0AF76519-16CD-43DD-8448-EB211C80319C'), 'run');
    expect(uuid.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    expect(uuid['x-request-id']).toBe('0AF76519-16CD-43DD-8448-EB211C80319C');
    const [a, b] = [relayHeaders(ctx('order-77'), 'run'), relayHeaders(ctx('order-77'), 'compensate')];
    expect(a.traceparent.split('-')[1]).toMatch(/^[0-9a-f]{32}$/);
    expect(a.traceparent.split('-')[1]).toBe(b.traceparent.split('-')[1]);
    expect(a.traceparent.split('-')[2]).not.toBe(b.traceparent.split('-')[2]);
  });
});

import { SagaIdempotencyConflictError } from '../errors/saga-idempotency-conflict.error';
import { MemorySagaStore } from '../store/memory-saga.store';
import { canonicalJson, idempotentSagaId } from './idempotency.record';

describe('idempotency record', () => {
  it('writes objects with sorted keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}',
    );
  });

  it('names one random saga per flow and key, whatever the key order of the input', async () => {
    const store = new MemorySagaStore();
    const first = await idempotentSagaId(store, 'booking', 'req-1', { a: 1, b: 2 }, 60_000);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    await expect(idempotentSagaId(store, 'booking', 'req-1', { b: 2, a: 1 }, 60_000)).resolves.toBe(first);
    await expect(idempotentSagaId(store, 'other', 'req-1', { a: 1, b: 2 }, 60_000)).resolves.not.toBe(first);
    // Random, not derived: another store gives another id for the same flow and key.
    await expect(
      idempotentSagaId(new MemorySagaStore(), 'booking', 'req-1', { a: 1, b: 2 }, 60_000),
    ).resolves.not.toBe(first);
  });

  it('refuses the same key with another input, naming the saga it belongs to', async () => {
    const store = new MemorySagaStore();
    const first = await idempotentSagaId(store, 'booking', 'req-1', { quantity: 1 }, 60_000);
    const error = await idempotentSagaId(store, 'booking', 'req-1', { quantity: 2 }, 60_000).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SagaIdempotencyConflictError);
    expect(error).toMatchObject({ flow: 'booking', sagaId: first });
  });

  it('agrees on one saga when two starts race with one key', async () => {
    const store = new MemorySagaStore();
    const ids = await Promise.all(
      Array.from({ length: 5 }, () => idempotentSagaId(store, 'booking', 'req-1', { q: 1 }, 60_000)),
    );
    expect(new Set(ids).size).toBe(1);
  });
});

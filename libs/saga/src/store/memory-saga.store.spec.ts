import { MemorySagaStore } from './memory-saga.store';
import { describeSagaStoreContract } from './saga-store.contract';
import { bareSaga } from './testing/bare-saga.fixture';

const RETENTION_MS = 60_000;

describeSagaStoreContract('MemorySagaStore', async () => {
  let shift = 0;
  const store = new MemorySagaStore({ retentionMs: RETENTION_MS, now: () => Date.now() + shift });
  return {
    store,
    retentionMs: RETENTION_MS,
    elapse: async (ms) => {
      shift += ms;
    },
    dispose: () => store.close(),
  };
});

describe('MemorySagaStore', () => {
  const state = bareSaga('s1');
  const runTask = { type: 'run-task', step: 'order', task: 'a', attempt: 1, input: null } as const;

  it('times outboxes with the injected clock', async () => {
    let now = 10_000;
    const store = new MemorySagaStore({ now: () => now });
    await store.create(state, [runTask]);
    now = 20_000;
    await expect(store.pendingOutboxes(10_000, 10)).resolves.toEqual([]);
    await expect(store.pendingOutboxes(10_001, 10)).resolves.toHaveLength(1);
  });

  it('expires a completed saga exactly at the end of the retention (24 h by default)', async () => {
    let now = 0;
    const store = new MemorySagaStore({ now: () => now });
    await store.create(state, []);
    await store.commit({ ...state, version: 2, status: 'completed' }, 1, []);
    now = 24 * 60 * 60 * 1000 - 1;
    await expect(store.load('s1')).resolves.toMatchObject({ status: 'completed' });
    now += 1;
    await expect(store.load('s1')).resolves.toBeUndefined();
    await expect(store.create(state, [])).resolves.toMatchObject({ created: true });
  });

  it('tells the time of its injected clock', async () => {
    const store = new MemorySagaStore({ now: () => 42_000 });
    await expect(store.time()).resolves.toBe(42_000);
  });
});

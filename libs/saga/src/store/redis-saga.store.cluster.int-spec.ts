import { Cluster } from 'ioredis';

import { RedisSagaStore } from './redis-saga.store';
import { describeSagaStoreContract } from './saga-store.contract';
import { bareSaga } from './testing/bare-saga.fixture';
import { deleteUnder, keysOn, keysUnder, redisStoreFixture, testPrefix } from './testing/redis-keys.fixture';

/** The test infra starts this cluster (three masters, no replicas) when it does not answer. */
const CLUSTER_NODES = (process.env.REDIS_CLUSTER_NODES || '127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003')
  .split(',')
  .map((node) => node.trim());
const RETENTION_MS = 60_000;

let cluster: Cluster;
beforeAll(async () => {
  cluster = new Cluster(CLUSTER_NODES);
  await cluster.ping();
});
afterAll(() => cluster.quit());

describeSagaStoreContract(
  'RedisSagaStore on a Redis Cluster',
  redisStoreFixture(() => cluster, RETENTION_MS),
);

describe('RedisSagaStore on a Redis Cluster', () => {
  const runTask = { type: 'run-task', step: 'order', task: 'a', attempt: 1, input: null } as const;
  const timer = (dueAt: number) => ({ kind: 'task-retry', task: 'a', attempt: 1, dueAt }) as const;
  const ids = Array.from({ length: 48 }, (_, i) => `saga-${String(i).padStart(2, '0')}`);
  let prefix: string;
  let store: RedisSagaStore;

  beforeEach(() => {
    prefix = testPrefix();
    store = new RedisSagaStore({ client: cluster, keyPrefix: prefix, retentionMs: RETENTION_MS });
  });
  afterEach(() => deleteUnder(cluster, prefix));

  const slotOf = async (key: string) => Number(await cluster.cluster('KEYSLOT', key));

  it("keeps a saga's keys and its shard's indexes in one slot", async () => {
    await store.create(bareSaga('saga-1'), [runTask, { type: 'schedule', timer: timer(1_000) }]);
    await store.commit(bareSaga('saga-1', { version: 2, status: 'completed' }), 1, [runTask]);
    const keys = await keysUnder(cluster, prefix);
    // state, outbox, outbox index, timers, saga index: all, flow, trace (any, completed) and expiry
    expect(keys).toHaveLength(10);
    const slots = new Set(await Promise.all(keys.map(slotOf)));
    expect(slots).toEqual(new Set([await slotOf(store.keys.state('saga-1'))]));
  });

  it('spreads the sagas over every master, with their indexes', async () => {
    for (const id of ids) await store.create(bareSaga(id), [runTask]);
    const masters = cluster.nodes('master');
    expect(masters).toHaveLength(CLUSTER_NODES.length);
    for (const master of masters) {
      await expect(keysOn(master, `${prefix}:*:saga:*:state`)).resolves.not.toHaveLength(0);
      await expect(keysOn(master, `${prefix}:*:outbox-index`)).resolves.not.toHaveLength(0);
    }
    expect((await store.list({ limit: 500 })).sagas).toHaveLength(ids.length);
  });

  it('claims the earliest due timers over every shard, at most `limit`, and each once', async () => {
    // Due times in an order unrelated to the shards: 1_000 + (i * 7 mod 48) * 10.
    const dueOf = (i: number) => 1_000 + ((i * 7) % ids.length) * 10;
    for (const [i, id] of ids.entries()) {
      await store.create(bareSaga(id), [{ type: 'schedule', timer: timer(dueOf(i)) }]);
    }
    const expected = ids.map((_, i) => dueOf(i)).sort((a, b) => a - b);
    const first = await store.claimDueTimers(10_000, 60_000, 10);
    expect(first.map((due) => due.timer.dueAt)).toEqual(expected.slice(0, 10));
    const rest = await store.claimDueTimers(10_000, 60_000, 100);
    expect(rest.map((due) => due.timer.dueAt)).toEqual(expected.slice(10));
    await expect(store.claimDueTimers(10_000, 60_000, 100)).resolves.toEqual([]);
    for (const due of [...first, ...rest]) await store.completeTimer(due);
    await expect(store.claimDueTimers(200_000, 60_000, 100)).resolves.toEqual([]);
  });

  it('hands out the oldest pending outboxes over every shard, at most `limit`', async () => {
    for (const id of ids) {
      await store.create(bareSaga(id), [runTask]);
      await new Promise((resolve) => setTimeout(resolve, 2)); // stored at distinct milliseconds
    }
    const [seconds] = await cluster.time();
    const before = (Number(seconds) + 60) * 1000;
    const firstTen = await store.pendingOutboxes(before, 10);
    expect(firstTen.map((outbox) => outbox.sagaId)).toEqual(ids.slice(0, 10));
    expect((await store.pendingOutboxes(before, 100)).map((outbox) => outbox.sagaId)).toEqual(ids);
    for (const id of ids.slice(0, 40)) await store.clearOutbox(id, 1);
    expect((await store.pendingOutboxes(before, 100)).map((outbox) => outbox.sagaId)).toEqual(ids.slice(40));
  });

  it('pages through sagas of every shard newest first, ties by id, without a repeat or a gap', async () => {
    // Six sagas per createdAt, so pages end inside a tie and across shards.
    for (const [i, id] of ids.entries()) {
      await store.create(bareSaga(id, { createdAt: 1_000 + Math.floor(i / 6) }), []);
    }
    const expected = [...ids].sort((a, b) => {
      const byTime = Math.floor(ids.indexOf(b) / 6) - Math.floor(ids.indexOf(a) / 6);
      return byTime || (a < b ? 1 : -1);
    });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list({ limit: 7, cursor });
      expect(page.sagas.length).toBeLessThanOrEqual(7);
      seen.push(...page.sagas.map((saga) => saga.id));
      cursor = page.next;
    } while (cursor);
    expect(seen).toEqual(expected);
    const flowPage = await store.list({ flow: 'booking', status: 'running', from: 1_002, to: 1_004 });
    expect(flowPage.sagas.map((saga) => saga.id)).toEqual(
      expected.filter((id) => {
        const at = 1_000 + Math.floor(ids.indexOf(id) / 6);
        return at >= 1_002 && at < 1_004;
      }),
    );
  });

  it('reads the eviction policy of every node at init and refuses a node that may evict', async () => {
    await expect(store.init()).resolves.toBeUndefined();
    const [node] = cluster.nodes('master');
    await node.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      await expect(store.init()).rejects.toMatchObject({
        name: 'UnsafeEvictionPolicyError',
        policy: 'allkeys-lru',
      });
    } finally {
      await node.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });

  it('reloads its scripts on every node after they forgot them (NOSCRIPT)', async () => {
    for (const id of ids.slice(0, 12)) await store.create(bareSaga(id), []);
    await Promise.all(cluster.nodes('master').map((node) => node.script('FLUSH')));
    for (const id of ids.slice(0, 12)) {
      await expect(store.commit(bareSaga(id, { version: 2 }), 1, [runTask])).resolves.toBe(true);
    }
    await expect(store.pendingOutboxes(Date.now() + 60_000, 100)).resolves.toHaveLength(12);
  });

  it('connects to the cluster from `clusterNodes`, and closes that connection', async () => {
    const own = new RedisSagaStore({ clusterNodes: CLUSTER_NODES.slice(0, 1), keyPrefix: prefix });
    await own.init();
    await expect(own.create(bareSaga('saga-1'), [runTask])).resolves.toMatchObject({ created: true });
    await expect(store.load('saga-1')).resolves.toMatchObject({ id: 'saga-1' });
    await own.close();
    await expect(own.load('saga-1')).rejects.toThrow();
  });

  it('sends the commands of one tick to each node in one write', async () => {
    const own = new RedisSagaStore({ clusterNodes: CLUSTER_NODES.slice(0, 1), keyPrefix: prefix });
    const masters = () => (own as unknown as { client: Cluster }).client.nodes('master');
    try {
      await own.init();
      expect(masters()).toHaveLength(3);
      const loads = Promise.all(ids.map((id) => own.load(id)));
      // Every master got some of the 48 sagas' reads, held back until the tick ends.
      expect(masters().map((node) => node.stream.writableCorked)).toEqual([1, 1, 1]);
      await expect(loads).resolves.toEqual(ids.map(() => undefined));
      expect(masters().map((node) => node.stream.writableCorked)).toEqual([0, 0, 0]);
    } finally {
      await own.close();
    }
  });
});

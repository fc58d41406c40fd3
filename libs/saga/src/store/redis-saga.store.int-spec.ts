import Redis from 'ioredis';

import { RedisSagaKeys, RedisSagaStore } from './redis-saga.store';
import { describeSagaStoreContract } from './saga-store.contract';
import { bareSaga } from './testing/bare-saga.fixture';
import { deleteUnder, keysUnder, redisStoreFixture, testPrefix } from './testing/redis-keys.fixture';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RETENTION_MS = 60_000;

let client: Redis;
beforeAll(() => {
  client = new Redis(REDIS_URL);
});
afterAll(() => client.quit());

describeSagaStoreContract(
  'RedisSagaStore',
  redisStoreFixture(() => client, RETENTION_MS),
);

describe('RedisSagaStore', () => {
  const state = bareSaga('saga-1');
  const runTask = { type: 'run-task', step: 'order', task: 'a', attempt: 1, input: null } as const;
  const timer = { kind: 'task-retry', task: 'a', attempt: 1, dueAt: 1_000 } as const;
  let prefix: string;
  const shardNumber = (sagaId: string) => new RedisSagaKeys(prefix).shardOf(sagaId);
  /** `<prefix>:{s<n>}` of a saga's shard (16 shards, the default). */
  const shardOf = (sagaId: string) => new RedisSagaKeys(prefix).shard(shardNumber(sagaId));
  const stateKey = (sagaId: string) => new RedisSagaKeys(prefix).state(sagaId);
  const outboxKey = (sagaId: string) => new RedisSagaKeys(prefix).outbox(sagaId);

  beforeEach(() => {
    prefix = testPrefix();
  });
  afterEach(() => deleteUnder(client, prefix));

  it("keeps the keys of one saga and the indexes of its shard under the shard's hash tag", async () => {
    const store = new RedisSagaStore({ client, keyPrefix: prefix });
    const shard = `${prefix}:{s${store.keys.shardOf('saga-1')}}`;
    await store.create(state, [runTask, { type: 'schedule', timer }]);
    await store.putDocument('barrier:{saga-1}:a', 'done', 0);
    expect((await keysUnder(client, prefix)).sort()).toEqual(
      [
        `${shard}:saga:saga-1:state`,
        `${shard}:saga:saga-1:outbox`,
        `${shard}:outbox-index`,
        `${shard}:timers`,
        `${shard}:saga-index:all:any`,
        `${shard}:saga-index:all:running`,
        `${shard}:saga-index:flow:booking:any`,
        `${shard}:saga-index:flow:booking:running`,
        `${shard}:saga-index:trace:t1`,
        `${prefix}:doc:barrier:{saga-1}:a`,
      ].sort(),
    );
  });

  it('keeps the counters of one key and their entries under one hash tag', async () => {
    const store = new RedisSagaStore({ client, keyPrefix: prefix });
    await store.adjustCounters({
      key: 'stock:p1',
      entryId: 'o1',
      deltas: { available: -1 },
      initial: { available: 5 },
    });
    expect((await keysUnder(client, prefix)).sort()).toEqual([
      `${prefix}:counter:{stock:p1}`,
      `${prefix}:counter:{stock:p1}:entry:o1`,
    ]);
    await expect(client.hgetall(`${prefix}:counter:{stock:p1}`)).resolves.toEqual({ available: '4' });
  });

  it("reads the real server's eviction policy at init, and accepts it only as noeviction", async () => {
    const [, policy] = (await client.config('GET', 'maxmemory-policy')) as [string, string];
    const init = new RedisSagaStore({ client, keyPrefix: prefix }).init();
    if (policy === 'noeviction') await expect(init).resolves.toBeUndefined();
    else await expect(init).rejects.toMatchObject({ name: 'UnsafeEvictionPolicyError', policy });
  });

  it("tells the Redis server's time", async () => {
    const store = new RedisSagaStore({ client, keyPrefix: prefix });
    const [seconds] = await client.time();
    const time = await store.time();
    expect(Math.floor(time / 1000)).toBeGreaterThanOrEqual(Number(seconds));
    expect(Math.floor(time / 1000)).toBeLessThanOrEqual(Number((await client.time())[0]));
  });

  it('sets the retention as the time to live of every key of a terminal saga', async () => {
    const store = new RedisSagaStore({ client, keyPrefix: prefix, retentionMs: RETENTION_MS });
    await store.create(state, [runTask]);
    expect(await client.pttl(stateKey('saga-1'))).toBe(-1);
    expect(await client.pttl(outboxKey('saga-1'))).toBe(-1);

    await store.commit({ ...state, version: 2, status: 'compensated' }, 1, [
      { type: 'finish', status: 'compensated' },
    ]);
    for (const key of [stateKey('saga-1'), outboxKey('saga-1')]) {
      const ttl = await client.pttl(key);
      expect(ttl).toBeGreaterThan(RETENTION_MS - 5_000);
      expect(ttl).toBeLessThanOrEqual(RETENTION_MS);
    }
  });

  it('reloads its scripts after the server forgot them (NOSCRIPT)', async () => {
    const store = new RedisSagaStore({ client, keyPrefix: prefix });
    await store.create(state, []);
    await client.script('FLUSH');
    await expect(store.commit({ ...state, version: 2 }, 1, [runTask])).resolves.toBe(true);
    await expect(store.pendingOutboxes(Date.now() + 60_000, 10)).resolves.toHaveLength(1);
  });

  it('works through a client that adds its own key prefix', async () => {
    const prefixed = new Redis(REDIS_URL, { keyPrefix: `${prefix}:client:` });
    try {
      const store = new RedisSagaStore({ client: prefixed, keyPrefix: 'dta' });
      await store.create(state, [runTask]);
      await expect(store.pendingOutboxes(Date.now() + 60_000, 10)).resolves.toEqual([
        { sagaId: 'saga-1', version: 1, commands: [runTask] },
      ]);
      await expect(
        client.exists(`${prefix}:client:${new RedisSagaKeys('dta').outbox('saga-1')}`),
      ).resolves.toBe(1);
    } finally {
      await prefixed.quit();
    }
  });

  it('indexes an outbox at the Redis time it was stored; `before` is exclusive', async () => {
    const store = new RedisSagaStore({ client, keyPrefix: prefix });
    const [seconds, micros] = await client.time();
    await store.create(state, [runTask]);
    const storedAt = Number(await client.zscore(`${shardOf('saga-1')}:outbox-index`, '1:saga-1'));
    expect(storedAt).toBeGreaterThanOrEqual(Number(seconds) * 1000 + Math.floor(Number(micros) / 1000));
    await expect(store.pendingOutboxes(storedAt, 10)).resolves.toEqual([]);
    await expect(store.pendingOutboxes(storedAt + 1, 10)).resolves.toHaveLength(1);
  });

  it('drops index entries of outboxes that expired with their saga', async () => {
    const store = new RedisSagaStore({ client, keyPrefix: prefix });
    await store.create(state, [runTask]);
    await store.create({ ...state, id: 'saga-2' }, [runTask]);
    await client.del(outboxKey('saga-1'));
    await expect(store.pendingOutboxes(Date.now() + 60_000, 1)).resolves.toEqual([
      { sagaId: 'saga-2', version: 1, commands: [runTask] },
    ]);
    await expect(client.zrange(`${shardOf('saga-1')}:outbox-index`, 0, -1)).resolves.toEqual([]);
    await expect(client.zrange(`${shardOf('saga-2')}:outbox-index`, 0, -1)).resolves.toEqual(['1:saga-2']);
  });

  it('moves a saga between status sets only when its status changes', async () => {
    const store = new RedisSagaStore({ client, keyPrefix: prefix });
    await store.create(state, []);
    await store.commit({ ...state, version: 2, status: 'stalled' }, 1, []);
    await store.commit({ ...state, version: 3, status: 'stalled', updatedAt: 5 }, 2, []);
    const index = (key: string) => client.zrange(`${shardOf('saga-1')}:saga-index:${key}`, 0, -1);
    await expect(index('all:running')).resolves.toEqual([]);
    await expect(index('flow:booking:running')).resolves.toEqual([]);
    await expect(index('all:stalled')).resolves.toEqual(['saga-1']);
    await expect(index('flow:booking:stalled')).resolves.toEqual(['saga-1']);
    await expect(client.hget(stateKey('saga-1'), 'status')).resolves.toBe('stalled');
    await expect(store.list({})).resolves.toMatchObject({ sagas: [{ id: 'saga-1', updatedAt: 5 }] });
  });

  it('drops every index entry of a saga once its retention ended, whatever set a list walks', async () => {
    const store = new RedisSagaStore({ client, keyPrefix: prefix, retentionMs: RETENTION_MS });
    await store.create(state, []);
    await store.commit({ ...state, version: 2, status: 'completed' }, 1, []);
    const [member, score] = await client.zrange(
      `${shardOf('saga-1')}:saga-index:expiry`,
      0,
      -1,
      'WITHSCORES',
    );
    expect(JSON.parse(member)).toEqual(['saga-1', 'booking', 'completed', 't1']);
    expect(Number(score)).toBeGreaterThan(Date.now() + RETENTION_MS - 5_000);

    // The state expires, and its index entries are due: a list of another flow drops them all.
    await client.del(stateKey('saga-1'), outboxKey('saga-1'));
    await client.zadd(`${shardOf('saga-1')}:saga-index:expiry`, 0, member);
    await expect(store.list({ flow: 'other' })).resolves.toEqual({ sagas: [] });
    await expect(keysUnder(client, prefix)).resolves.toEqual([]);
  });

  it('lists through a client that adds its own key prefix', async () => {
    const prefixed = new Redis(REDIS_URL, { keyPrefix: `${prefix}:client:` });
    try {
      const store = new RedisSagaStore({ client: prefixed, keyPrefix: 'dta', retentionMs: RETENTION_MS });
      await store.create(state, []);
      await store.commit({ ...state, version: 2, status: 'compensating' }, 1, []);
      await expect(store.list({ traceId: 't1', status: 'compensating' })).resolves.toMatchObject({
        sagas: [{ id: 'saga-1', status: 'compensating' }],
      });
      await expect(
        client.exists(
          `${prefix}:client:${new RedisSagaKeys('dta').sagaIndexOf(shardNumber('saga-1'), undefined, 'compensating')}`,
        ),
      ).resolves.toBe(1);
    } finally {
      await prefixed.quit();
    }
  });

  it('closes the connection it opened, and only that one', async () => {
    const shared = new RedisSagaStore({ client, keyPrefix: prefix });
    await shared.close();
    await expect(client.ping()).resolves.toBe('PONG');

    const own = new RedisSagaStore({ url: REDIS_URL, keyPrefix: prefix });
    await expect(own.load('saga-1')).resolves.toBeUndefined();
    await own.close();
    await expect(own.load('saga-1')).rejects.toThrow();
  });

  it('sends the commands of one tick on its own connection in one write, after a reconnection too', async () => {
    const own = new RedisSagaStore({ url: REDIS_URL, keyPrefix: prefix });
    const socket = () => (own as unknown as { client: Redis }).client.stream;
    try {
      await own.check();
      const loads = Promise.all(['a', 'b', 'c'].map((id) => own.load(id)));
      // Held back until the tick ends, then written at once.
      expect(socket().writableCorked).toBe(1);
      await expect(loads).resolves.toEqual([undefined, undefined, undefined]);
      expect(socket().writableCorked).toBe(0);

      const dropped = socket();
      dropped.destroy();
      await own.check();
      expect(socket()).not.toBe(dropped);
      const load = own.load('a');
      expect(socket().writableCorked).toBe(1);
      await expect(load).resolves.toBeUndefined();
    } finally {
      await own.close();
    }
  });
});

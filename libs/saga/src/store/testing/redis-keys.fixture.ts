import { randomUUID } from 'node:crypto';
import { Cluster, type Redis } from 'ioredis';
import { RedisSagaStore } from '../redis-saga.store';
import type { SagaStoreFixture } from '../saga-store.contract';

/** Helpers of the Redis store's integration specs, on one server or on a cluster. */
type Client = Redis | Cluster;

/** A key prefix of its own per test. */
export function testPrefix(): string {
  return `dta-test-${randomUUID()}`;
}

/** The keys of one server that match `pattern`. */
export async function keysOn(node: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/** Every key under `prefix`: on every master of a cluster, or on the one server. */
export async function keysUnder(client: Client, prefix: string): Promise<string[]> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  return (await Promise.all(nodes.map((node) => keysOn(node, `${prefix}:*`)))).flat();
}

/**
 * Lets `ms` pass for the keys under `prefix`: every time to live is shortened by `ms`, and so is every time
 * in a saga index's expiry set (scored by when its sagas expire).
 */
export async function elapse(client: Client, prefix: string, ms: number): Promise<void> {
  for (const key of await keysUnder(client, prefix)) {
    if (key.endsWith(':saga-index:expiry')) await advanceScores(client, key, ms);
    const ttl = await client.pttl(key);
    if (ttl < 0) continue;
    if (ttl > ms) await client.pexpire(key, ttl - ms);
    else await client.del(key);
  }
}

async function advanceScores(client: Client, key: string, ms: number): Promise<void> {
  const entries = await client.zrange(key, 0, -1, 'WITHSCORES');
  for (let i = 0; i < entries.length; i += 2) await client.zadd(key, Number(entries[i + 1]) - ms, entries[i]);
}

/** One DEL per key: a cluster refuses a DEL whose keys are in different slots. */
export async function deleteUnder(client: Client, prefix: string): Promise<void> {
  await Promise.all((await keysUnder(client, prefix)).map((key) => client.del(key)));
}

/** A store under a prefix of its own, for `describeSagaStoreContract`; `client()` is read when it runs. */
export function redisStoreFixture(client: () => Client, retentionMs: number) {
  return async (): Promise<SagaStoreFixture> => {
    const prefix = testPrefix();
    const store = new RedisSagaStore({ client: client(), keyPrefix: prefix, retentionMs });
    return {
      store,
      retentionMs,
      elapse: (ms) => elapse(client(), prefix, ms),
      dispose: async () => {
        await deleteUnder(client(), prefix);
        await store.close();
      },
    };
  };
}

import Redis from 'ioredis';

import { RedisSagaKeys, RedisSagaStore } from './redis-saga.store';

describe('RedisSagaKeys', () => {
  it('puts a saga in a shard that depends on its id only, the same for every store', () => {
    const keys = new RedisSagaKeys('dta');
    expect(keys.shardOf('saga-1')).toBe(15);
    expect(keys.shardOf('saga-2')).toBe(2);
    expect(new RedisSagaKeys('other', 16).shardOf('saga-1')).toBe(15);
    expect(new RedisSagaKeys('dta', 1).shardOf('saga-1')).toBe(0);
  });

  it('spreads ids over every shard', () => {
    const keys = new RedisSagaKeys('dta', 16);
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 1_600; i++) counts[keys.shardOf(`saga-${i}`)]++;
    expect(Math.min(...counts)).toBeGreaterThan(60);
    expect(Math.max(...counts)).toBeLessThan(140);
  });

  it("gives a saga's keys and its shard's indexes one hash tag, whatever braces the saga id holds", () => {
    const keys = new RedisSagaKeys('dta', 16);
    const id = 'a{b}c';
    const shard = keys.shardOf(id);
    const tag = `{s${shard}}`;
    const firstTag = (key: string) => /\{[^}]*\}/.exec(key)?.[0];
    for (const key of [
      keys.state(id),
      keys.outbox(id),
      keys.outboxIndex(shard),
      keys.timers(shard),
      keys.sagaIndexOf(shard, 'booking', 'running'),
      keys.sagaIndexOf(shard, undefined, undefined),
      keys.traceIndex(shard, 't{1}'),
      keys.expiryIndex(shard),
    ]) {
      expect(firstTag(key)).toBe(tag);
    }
    expect(keys.state(id)).toBe(`dta:${tag}:saga:a{b}c:state`);
    expect(keys.allShards).toEqual([...Array(16).keys()]);
  });
});

describe('RedisSagaStore options', () => {
  const client = new Redis({ lazyConnect: true });

  it.each([['dta{x}'], ['d}ta']])('refuses a key prefix with a brace: %s', (keyPrefix) => {
    expect(() => new RedisSagaStore({ client, keyPrefix })).toThrow(/keyPrefix .* contains a brace/);
  });

  it('refuses a client whose own key prefix has a brace', () => {
    const prefixed = new Redis({ lazyConnect: true, keyPrefix: 'app:{1}:' });
    expect(() => new RedisSagaStore({ client: prefixed })).toThrow(/client.options.keyPrefix/);
  });

  it.each([[0], [1.5], [16_385]])('refuses %p shards', (shards) => {
    expect(() => new RedisSagaStore({ client, shards })).toThrow(/shards must be a whole number/);
  });
});

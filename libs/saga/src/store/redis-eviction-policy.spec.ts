import { Test } from '@nestjs/testing';
import Redis from 'ioredis';
import { SagaModule } from '../saga.module';
import { checkEvictionPolicy, evictionPolicyOf } from './redis-eviction-policy';
import { RedisSagaStore } from './redis-saga.store';
import { UnsafeEvictionPolicyError } from './unsafe-eviction-policy.error';

/** The shape of a real `INFO memory` reply (CRLF line ends), with the given policy. */
function infoMemory(policy?: string): string {
  return [
    '# Memory',
    'used_memory:1034560',
    'maxmemory:0',
    'maxmemory_human:0B',
    ...(policy ? [`maxmemory_policy:${policy}`] : []),
    'allocator_frag_ratio:1.23',
    '',
  ].join('\r\n');
}

describe('checkEvictionPolicy', () => {
  it('reads the policy from INFO memory', () => {
    expect(evictionPolicyOf(infoMemory('volatile-ttl'))).toBe('volatile-ttl');
    expect(evictionPolicyOf(infoMemory())).toBeUndefined();
  });

  it('accepts noeviction', () => {
    expect(() => checkEvictionPolicy(infoMemory('noeviction'))).not.toThrow();
  });

  it.each([
    'allkeys-lru',
    'allkeys-lfu',
    'allkeys-random',
    'volatile-lru',
    'volatile-lfu',
    'volatile-random',
    'volatile-ttl',
  ])('refuses %s, naming the setting and the fix', (policy) => {
    const check = () => checkEvictionPolicy(infoMemory(policy));
    expect(check).toThrow(UnsafeEvictionPolicyError);
    expect(check).toThrow(`maxmemory-policy is '${policy}'`);
    expect(check).toThrow('CONFIG SET maxmemory-policy noeviction');
  });

  it('refuses a server that does not report its policy', () => {
    expect(() => checkEvictionPolicy(infoMemory())).toThrow(
      /maxmemory-policy is unknown.*checkEvictionPolicy: false/,
    );
  });
});

describe('RedisSagaStore.init', () => {
  let client: Redis;
  beforeEach(() => {
    client = new Redis({ lazyConnect: true });
  });
  afterEach(() => client.disconnect());

  function serverWith(policy: string): Redis {
    jest.spyOn(client, 'info').mockResolvedValue(infoMemory(policy));
    return client;
  }

  it('refuses a server that may evict keys', async () => {
    const store = new RedisSagaStore({ client: serverWith('allkeys-lru') });
    await expect(store.init()).rejects.toMatchObject({
      name: 'UnsafeEvictionPolicyError',
      policy: 'allkeys-lru',
    });
  });

  it('does not ask the server when checkEvictionPolicy is false', async () => {
    const store = new RedisSagaStore({ client: serverWith('allkeys-lru'), checkEvictionPolicy: false });
    await expect(store.init()).resolves.toBeUndefined();
    expect(client.info).not.toHaveBeenCalled();
  });

  it('fails the SagaModule bootstrap', async () => {
    const store = new RedisSagaStore({ client: serverWith('volatile-lru') });
    await expect(
      Test.createTestingModule({ imports: [SagaModule.forRoot({ store })] }).compile(),
    ).rejects.toThrow(UnsafeEvictionPolicyError);
  });
});

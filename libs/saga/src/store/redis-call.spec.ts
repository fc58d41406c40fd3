import Redis from 'ioredis';
import { isTransientFault } from '../vocabulary';
import { redisCall } from './redis-saga.scripts';
import { RedisSagaStore } from './redis-saga.store';

function replyError(message: string): Error {
  const error = new Error(message);
  error.name = 'ReplyError';
  return error;
}

describe('redisCall: Redis unavailable is an outage, not a failed delivery', () => {
  it.each(['LOADING Redis is loading the dataset in memory', 'OOM command not allowed', 'READONLY replica'])(
    'turns the error reply "%s" into a TransientFaultError',
    async (message) => {
      const error = await redisCall(() => Promise.reject(replyError(message))).catch((e: unknown) => e);
      expect(isTransientFault(error)).toBe(true);
      expect((error as Error).cause).toMatchObject({ message });
    },
  );

  it('keeps any other error reply as it is: a wrong key type is a bug, not an outage', async () => {
    const wrongType = replyError('WRONGTYPE Operation against a key holding the wrong kind of value');
    await expect(redisCall(() => Promise.reject(wrongType))).rejects.toBe(wrongType);
  });

  it('makes every call of a store whose Redis cannot be reached fail with a TransientFaultError', async () => {
    const client = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const store = new RedisSagaStore({ client });
    try {
      const calls = [
        store.load('s1'),
        store.getDocument('d1'),
        store.putDocument('d1', 1, 0),
        store.time(),
        store.readCounters('c1'),
      ];
      for (const outcome of await Promise.allSettled(calls)) {
        expect(outcome.status).toBe('rejected');
        if (outcome.status === 'rejected') expect(isTransientFault(outcome.reason)).toBe(true);
      }
    } finally {
      client.disconnect();
    }
  });
});

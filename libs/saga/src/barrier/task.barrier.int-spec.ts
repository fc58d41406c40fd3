import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { RedisSagaStore } from '../store/redis-saga.store';
import { TaskBarrier } from './task.barrier';

/** The barrier's races, against a real Redis: many workers take the same task at the same moment. */
describe('TaskBarrier on Redis', () => {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `dta-test-${randomUUID()}`;
  const stores: RedisSagaStore[] = [];
  let barriers: TaskBarrier[];

  beforeAll(() => {
    // Separate connections, as separate worker processes would have.
    for (let i = 0; i < 8; i++)
      stores.push(new RedisSagaStore({ url, keyPrefix: prefix, retentionMs: 60_000 }));
    barriers = stores.map((store) => new TaskBarrier(store, 60_000));
  });

  afterAll(async () => {
    const redis = new Redis(url);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await Promise.all(stores.map((store) => store.close()));
  });

  it('lets exactly one of many concurrent deliveries run a task', async () => {
    const entries = await Promise.all(
      barriers.flatMap((b) => [b.enterTask('s1', 'pay', 5_000), b.enterTask('s1', 'pay', 5_000)]),
    );
    expect(entries.filter((e) => e.kind === 'run')).toHaveLength(1);
    expect(entries.filter((e) => e.kind === 'busy')).toHaveLength(15);
  });

  it('lets a task run or be null-compensated, never both, when both race', async () => {
    const [run, compensation] = await Promise.all([
      barriers[0].enterTask('s2', 'pay', 5_000),
      barriers[1].enterCompensation('s2', 'pay', 5_000),
    ]);
    if (run.kind === 'run') expect(compensation).toEqual({ kind: 'busy', holder: 'run' });
    else expect([run.kind, compensation.kind]).toEqual(['refused', 'skip']);
  });

  it('runs one of two compensations of a done task delivered together; the other waits', async () => {
    const run = await barriers[0].enterTask('s3', 'pay', 5_000);
    if (run.kind !== 'run') throw new Error(`expected to run, got ${run.kind}`);
    await barriers[0].taskDone(run.hold, 'p1');
    const entries = await Promise.all(barriers.map((b) => b.enterCompensation('s3', 'pay', 5_000)));
    expect(entries.filter((e) => e.kind === 'compensate')).toHaveLength(1);
    expect(entries.filter((e) => e.kind === 'busy')).toHaveLength(barriers.length - 1);
  });
});

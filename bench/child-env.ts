/** What the bench parent tells each child through its environment. */
export interface ChildEnv {
  /** Prefix of this run's queues, exchanges and Redis keys. */
  prefix: string;
  amqpUrl: string;
  redisUrl: string;
  /** Unacknowledged messages per consumer, the same for DTA and the ceiling. */
  prefetch: number;
}

export function childEnv(env: NodeJS.ProcessEnv = process.env): ChildEnv {
  const { BENCH_PREFIX, AMQP_URL, REDIS_URL, BENCH_PREFETCH } = env;
  if (!BENCH_PREFIX || !AMQP_URL || !REDIS_URL || !BENCH_PREFETCH) {
    throw new Error('BENCH_PREFIX, AMQP_URL, REDIS_URL and BENCH_PREFETCH are set by `npm run bench`');
  }
  return { prefix: BENCH_PREFIX, amqpUrl: AMQP_URL, redisUrl: REDIS_URL, prefetch: Number(BENCH_PREFETCH) };
}

import type { Broker } from './systems';

/** What the bench parent tells each child through its environment. */
export interface ChildEnv {
  /** Prefix of this run's queues, exchanges or streams and Redis keys. */
  prefix: string;
  /** The broker of the child's system (`BENCH_TRANSPORT`): DTA's `transport`; `redis` for BullMQ. */
  transport: Broker;
  amqpUrl: string;
  redisUrl: string;
  natsUrl: string;
  /** Unacknowledged messages per consumer, the same for DTA and the ceiling. */
  prefetch: number;
  /** Which of a system's orchestrator replicas this is (`BENCH_REPLICA`, from 1); 0 for every other process. */
  replica: number;
}

export function childEnv(env: NodeJS.ProcessEnv = process.env): ChildEnv {
  const { BENCH_PREFIX, BENCH_TRANSPORT, AMQP_URL, REDIS_URL, NATS_URL, BENCH_PREFETCH, BENCH_REPLICA } = env;
  if (!BENCH_PREFIX || !AMQP_URL || !REDIS_URL || !NATS_URL || !BENCH_PREFETCH) {
    throw new Error(
      'BENCH_PREFIX, AMQP_URL, REDIS_URL, NATS_URL and BENCH_PREFETCH are set by `npm run bench`',
    );
  }
  if (BENCH_TRANSPORT !== 'rabbitmq' && BENCH_TRANSPORT !== 'nats' && BENCH_TRANSPORT !== 'redis') {
    throw new Error(
      `BENCH_TRANSPORT=${BENCH_TRANSPORT}: expected rabbitmq, nats or redis (set by \`npm run bench\`)`,
    );
  }
  return {
    prefix: BENCH_PREFIX,
    transport: BENCH_TRANSPORT,
    amqpUrl: AMQP_URL,
    redisUrl: REDIS_URL,
    natsUrl: NATS_URL,
    prefetch: Number(BENCH_PREFETCH),
    replica: Number(BENCH_REPLICA ?? 0),
  };
}

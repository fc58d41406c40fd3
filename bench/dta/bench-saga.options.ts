import type { SagaModuleOptions } from '@dta/saga';
import { childEnv } from '../child-env';
import type { Role } from '../systems';
import { BenchBooking } from './bench-booking.contract';

/**
 * `SagaModule` options of one bench process: RabbitMQ or NATS JetStream (`BENCH_TRANSPORT`) + Redis under the
 * run's prefix, library defaults else.
 */
export function benchSagaOptions(role: Role, extra: SagaModuleOptions = {}): SagaModuleOptions {
  const { prefix, transport, amqpUrl, natsUrl, redisUrl, prefetch, replica } = childEnv();
  if (transport === 'redis') throw new Error("BENCH_TRANSPORT=redis is BullMQ's, not a DTA transport");
  return {
    transport,
    store: 'redis',
    ...(transport === 'nats' ? { natsUrl } : { amqpUrl }),
    redisUrl,
    prefix,
    prefetch,
    // Its result queue's name: under the prefix, so the bench deletes it afterwards; one per replica.
    instanceId: `${prefix}-${role}${replica > 0 ? `-${replica}` : ''}`,
    contracts: [BenchBooking],
    ...extra,
  };
}

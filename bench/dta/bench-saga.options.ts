import type { SagaModuleOptions } from '@dta/saga';
import { childEnv } from '../child-env';
import type { Role } from '../systems';
import { BenchBooking } from './bench-booking.contract';

/** `SagaModule` options of one bench process: RabbitMQ + Redis under the run's prefix, library defaults else. */
export function benchSagaOptions(role: Role, extra: SagaModuleOptions = {}): SagaModuleOptions {
  const { prefix, amqpUrl, redisUrl, prefetch } = childEnv();
  return {
    transport: 'rabbitmq',
    store: 'redis',
    amqpUrl,
    redisUrl,
    prefix,
    prefetch,
    // Its result queue's name: under the prefix, so the bench deletes it afterwards.
    instanceId: `${prefix}-${role}`,
    contracts: [BenchBooking],
    ...extra,
  };
}

import type { SagaTransportName } from '@dta/saga';

/** Servers the e2e suites run against (set by the global setup; these defaults match it). */
export const AMQP_URL = process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
export const NATS_URL = process.env.NATS_URL || 'nats://127.0.0.1:4222';
/** Masters of the Redis Cluster, comma-separated (`SAGA_STORE=redis-cluster`). */
export const REDIS_CLUSTER_NODES =
  process.env.REDIS_CLUSTER_NODES || '127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The field messages of the booking DTO, as a caller sees them. */
export const PRODUCT_ID_MESSAGE =
  "productId must be a non-empty string of at most 64 letters, digits, '.', '_' or '-'";
export const QUANTITY_MESSAGE = 'quantity must be an integer from 1 to 1000';
export const FAULT_INJECT_MESSAGE =
  "faultInject must be a boolean or one of 'payment', 'inventory', 'confirm'";

export interface Infra {
  name: string;
  transport: SagaTransportName;
  store: 'memory' | 'redis' | 'redis-cluster';
}

/** Every suite that boots the standalone app runs once on each. */
export const INFRAS: Infra[] = [
  { name: 'memory transport + memory store', transport: 'memory', store: 'memory' },
  { name: 'RabbitMQ + Redis', transport: 'rabbitmq', store: 'redis' },
];

/** Suites that prove a broker end to end (the booking over REST, the cross-process suite) also run on this. */
export const NATS_INFRA: Infra = { name: 'NATS JetStream + Redis', transport: 'nats', store: 'redis' };

/** The booking over REST also runs on a Redis Cluster store (sharded keys, one slot per script). */
export const REDIS_CLUSTER_INFRA: Infra = {
  name: 'RabbitMQ + Redis Cluster',
  transport: 'rabbitmq',
  store: 'redis-cluster',
};

export { freePort } from './distributed/free-port';

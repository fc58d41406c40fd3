import { MissingTransportClientError } from './errors/saga-definition.error';
import type { ResolvedSagaModuleOptions } from './interfaces/saga-module-options.interface';
import { SAGA_MESSAGES } from './saga.messages';
import { MemorySagaStore } from './store/memory-saga.store';
import { RedisSagaStore } from './store/redis-saga.store';
import type { SagaStore } from './store/saga-store.interface';
import { MemoryTransport } from './transport/memory/memory.transport';
import { NatsTransport } from './transport/nats/nats.transport';
import type { SagaTransport } from './transport/saga-transport.interface';

/**
 * The RabbitMQ transport, loaded when a module asks for it: its client (`@golevelup/nestjs-rabbitmq`, which
 * pins Nest's major version, and `amqplib`) is an optional peer dependency, so an app on another transport
 * installs neither.
 */
function rabbitMq(): typeof import('./rabbitmq') {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, see above
    return require('./rabbitmq') as typeof import('./rabbitmq');
  } catch (error) {
    if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND') throw error;
    throw new MissingTransportClientError(SAGA_MESSAGES.MISSING_TRANSPORT_CLIENT('rabbitmq', error as Error));
  }
}

/** Everything an adapter needs from the module's options (names, limits, URLs). */
type AdapterFactory<T> = (options: ResolvedSagaModuleOptions) => T;

function brokerSettings(options: ResolvedSagaModuleOptions) {
  const { prefix, prefetch, maxDeliveries, maxMessageBytes, maxMessageDepth } = options;
  return { prefix, prefetch, maxDeliveries, maxMessageBytes, maxMessageDepth };
}

/**
 * The transports `SagaModule` builds from a name (`transport: 'rabbitmq'`, or `SAGA_TRANSPORT=rabbitmq`). Any
 * other `SagaTransport` is passed as an instance (`transport: new MyTransport(...)`); a broker shipped with DTA
 * is its folder under `transport/` plus one line here.
 */
export const SAGA_TRANSPORT_ADAPTERS = {
  memory: (options) => new MemoryTransport(brokerSettings(options)),
  rabbitmq: (options) =>
    new (rabbitMq().RabbitMqTransport)({
      ...brokerSettings(options),
      url: options.amqpUrl,
      quorumQueues: options.quorumQueues,
      connectionName: `dta-${options.instanceId}`,
    }),
  nats: (options) =>
    new NatsTransport({
      ...brokerSettings(options),
      url: options.natsUrl,
      name: `dta-${options.instanceId}`,
    }),
} satisfies Record<string, AdapterFactory<SagaTransport>>;

/**
 * The stores `SagaModule` builds from a name (`store: 'redis'`, or `SAGA_STORE=redis`): `redis` connects to one
 * Redis at `redisUrl`, `redis-cluster` to a Redis Cluster through `redisClusterNodes`; both are `RedisSagaStore`
 * with one key layout.
 */
export const SAGA_STORE_ADAPTERS = {
  memory: ({ retentionMs }) => new MemorySagaStore({ retentionMs }),
  redis: ({ redisUrl, prefix, retentionMs }) =>
    new RedisSagaStore({ url: redisUrl, keyPrefix: prefix, retentionMs }),
  'redis-cluster': ({ redisClusterNodes, prefix, retentionMs }) =>
    new RedisSagaStore({ clusterNodes: redisClusterNodes, keyPrefix: prefix, retentionMs }),
} satisfies Record<string, AdapterFactory<SagaStore>>;

/** A transport `SagaModule` can build by name. */
export type SagaTransportName = keyof typeof SAGA_TRANSPORT_ADAPTERS;
/** A store `SagaModule` can build by name. */
export type SagaStoreName = keyof typeof SAGA_STORE_ADAPTERS;

export const SAGA_TRANSPORT_NAMES = Object.keys(SAGA_TRANSPORT_ADAPTERS) as SagaTransportName[];
export const SAGA_STORE_NAMES = Object.keys(SAGA_STORE_ADAPTERS) as SagaStoreName[];

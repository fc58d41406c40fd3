import type { ConfigService } from '@nestjs/config';
import { InvalidSagaOptionError } from './errors/saga-definition.error';
import type { SagaModuleOptions } from './interfaces/saga-module-options.interface';
import {
  SAGA_STORE_NAMES,
  SAGA_TRANSPORT_NAMES,
  type SagaStoreName,
  type SagaTransportName,
} from './saga.adapters';
import { SAGA_MESSAGES } from './saga.messages';

function oneOf<T extends string>(config: ConfigService, name: string, allowed: readonly T[], fallback: T): T {
  const value = config.get<string>(name) ?? fallback;
  if (!allowed.includes(value as T)) {
    throw new InvalidSagaOptionError(
      SAGA_MESSAGES.INVALID_OPTION('environment', name, value, allowed.join(' | ')),
    );
  }
  return value as T;
}

function integer(config: ConfigService, name: string, min: 0 | 1): number | undefined {
  const raw = config.get<string>(name);
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    const expected = min === 0 ? 'an integer >= 0 (0: no limit)' : 'a positive integer';
    throw new InvalidSagaOptionError(SAGA_MESSAGES.INVALID_OPTION('environment', name, raw, expected));
  }
  return value;
}

/** A comma-separated list, without blanks; undefined when unset or empty. */
function listOf(config: ConfigService, name: string): string[] | undefined {
  const items = (config.get<string>(name) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}

const positiveInt = (config: ConfigService, name: string) => integer(config, name, 1);
/** An integer where `0` means "no limit". */
const limit = (config: ConfigService, name: string) => integer(config, name, 0);

/**
 * Reads `SagaModule` options from the environment through `@nestjs/config` (see `.env.example`):
 * `SAGA_TRANSPORT` (memory | rabbitmq | nats, default memory), `SAGA_STORE` (memory | redis | redis-cluster, default
 * memory), `AMQP_URL`, `SAGA_QUORUM_QUEUES` (true | false), `NATS_URL`, `REDIS_URL`, `REDIS_CLUSTER_NODES` (comma-separated
 * `host:port`), `SAGA_PREFIX`, `SAGA_PREFETCH`, `SAGA_MAX_CONCURRENT`, `SAGA_RETENTION_MS`, `SAGA_WAIT_TIMEOUT_MS`,
 * `SAGA_MAX_DELIVERIES`, `SAGA_MAX_MESSAGE_BYTES`, `SAGA_MAX_MESSAGE_DEPTH`, `SAGA_MAX_QUEUED_STARTS`, `SAGA_INSTANCE_ID`,
 * `SAGA_CALLBACK_HOSTS` (comma-separated), `SAGA_CALLBACK_ALLOW_PRIVATE` (true | false), `SAGA_CALLBACK_SECRET`,
 * `SAGA_CALLBACK_TIMEOUT_MS`, `SAGA_LOG_FORMAT` (text | json). A bad value fails the bootstrap with a message naming the variable. `defaults` sets the
 * transport and store used when their variables are unset (distributed apps default to RabbitMQ and Redis).
 */
export function sagaOptionsFromConfig(
  config: ConfigService,
  defaults: { transport?: SagaTransportName; store?: SagaStoreName } = {},
): SagaModuleOptions {
  const options: SagaModuleOptions = {
    transport: oneOf(config, 'SAGA_TRANSPORT', SAGA_TRANSPORT_NAMES, defaults.transport ?? 'memory'),
    store: oneOf(config, 'SAGA_STORE', SAGA_STORE_NAMES, defaults.store ?? 'memory'),
    amqpUrl: config.get<string>('AMQP_URL'),
    natsUrl: config.get<string>('NATS_URL'),
    quorumQueues: oneOf(config, 'SAGA_QUORUM_QUEUES', ['true', 'false'] as const, 'false') === 'true',
    redisUrl: config.get<string>('REDIS_URL'),
    redisClusterNodes: listOf(config, 'REDIS_CLUSTER_NODES'),
    prefix: config.get<string>('SAGA_PREFIX'),
    prefetch: positiveInt(config, 'SAGA_PREFETCH'),
    maxConcurrent: positiveInt(config, 'SAGA_MAX_CONCURRENT'),
    retentionMs: positiveInt(config, 'SAGA_RETENTION_MS'),
    waitMs: positiveInt(config, 'SAGA_WAIT_TIMEOUT_MS'),
    maxDeliveries: limit(config, 'SAGA_MAX_DELIVERIES'),
    maxMessageBytes: positiveInt(config, 'SAGA_MAX_MESSAGE_BYTES'),
    maxMessageDepth: positiveInt(config, 'SAGA_MAX_MESSAGE_DEPTH'),
    maxQueuedStarts: limit(config, 'SAGA_MAX_QUEUED_STARTS'),
    instanceId: config.get<string>('SAGA_INSTANCE_ID'),
    callbackHosts: config.get<string>('SAGA_CALLBACK_HOSTS')?.split(','),
    callbackAllowPrivate:
      oneOf(config, 'SAGA_CALLBACK_ALLOW_PRIVATE', ['true', 'false'] as const, 'false') === 'true',
    callbackSecret: config.get<string>('SAGA_CALLBACK_SECRET'),
    callbackTimeoutMs: positiveInt(config, 'SAGA_CALLBACK_TIMEOUT_MS'),
    logFormat: oneOf(config, 'SAGA_LOG_FORMAT', ['text', 'json'] as const, 'text'),
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined && v !== ''));
}

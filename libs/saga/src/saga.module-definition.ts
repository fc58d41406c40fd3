import { ConfigurableModuleBuilder } from '@nestjs/common';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type {
  ResolvedSagaModuleOptions,
  SagaModuleOptions,
} from './interfaces/saga-module-options.interface';
import { InvalidSagaOptionError } from './errors/saga-definition.error';
import { SAGA_MESSAGES } from './saga.messages';
import { resolveDeliveryLimits } from './transport/message-delivery';
import { resolveTaskPolicy } from './definition/task-policy';

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: SAGA_MODULE_OPTIONS_INPUT,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<SagaModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/** Merges the defaults, in this one place. */
export function resolveSagaOptions(options: SagaModuleOptions): ResolvedSagaModuleOptions {
  // Checked here, once, so that a bad value names the option rather than every task it would apply to.
  if (options.overrideTaskOptions)
    resolveTaskPolicy('SagaModule.forRoot overrideTaskOptions', options.overrideTaskOptions);
  const callbackHosts = (options.callbackHosts ?? []).map((h) => h.trim().toLowerCase()).filter(Boolean);
  if (callbackHosts.length > 0 && !options.callbackSecret) {
    throw new InvalidSagaOptionError(
      SAGA_MESSAGES.INVALID_OPTION(
        'SagaModule.forRoot',
        'callbackSecret',
        undefined,
        SAGA_MESSAGES.CALLBACK_SECRET_NEEDED,
      ),
    );
  }
  return {
    transport: options.transport ?? 'memory',
    oneProcess: options.oneProcess ?? (options.transport ?? 'memory') === 'memory',
    overrideTaskOptions: options.overrideTaskOptions ?? {},
    store: options.store ?? 'memory',
    amqpUrl: options.amqpUrl ?? 'amqp://guest:guest@localhost:5672',
    natsUrl: options.natsUrl ?? 'nats://localhost:4222',
    quorumQueues: options.quorumQueues ?? false,
    redisUrl: options.redisUrl ?? 'redis://localhost:6379',
    redisClusterNodes: options.redisClusterNodes?.length ? options.redisClusterNodes : ['localhost:6379'],
    prefix: options.prefix ?? 'dta',
    contracts: options.contracts ?? [],
    orchestrate: options.orchestrate ?? true,
    workers: options.workers ?? true,
    prefetch: options.prefetch ?? 32,
    maxConcurrent: options.maxConcurrent ?? 10,
    retentionMs: options.retentionMs ?? 86_400_000,
    sweepIntervalMs: options.sweepIntervalMs ?? 100,
    waitMs: options.waitMs ?? 30_000,
    ...resolveDeliveryLimits(options),
    maxQueuedStarts: options.maxQueuedStarts ?? 10_000,
    ...(options.barrierStore ? { barrierStore: options.barrierStore } : {}),
    callbackHosts,
    callbackAllowPrivate: options.callbackAllowPrivate ?? false,
    ...(options.callbackSecret ? { callbackSecret: options.callbackSecret } : {}),
    callbackTimeoutMs: options.callbackTimeoutMs ?? 5_000,
    logFormat: options.logFormat ?? 'text',
    instanceId: options.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
  };
}

/** Injection token of the options with defaults applied (`ResolvedSagaModuleOptions`). */
export const SAGA_MODULE_OPTIONS = Symbol('dta:SagaModuleOptions');

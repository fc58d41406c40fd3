import { ConfigurableModuleBuilder } from '@nestjs/common';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type {
  ResolvedSagaModuleOptions,
  SagaModuleOptions,
} from './interfaces/saga-module-options.interface';
import { resolveDeliveryLimits } from './transport/message-delivery';

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
  return {
    transport: options.transport ?? 'memory',
    store: options.store ?? 'memory',
    amqpUrl: options.amqpUrl ?? 'amqp://guest:guest@localhost:5672',
    redisUrl: options.redisUrl ?? 'redis://localhost:6379',
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
    instanceId: options.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
  };
}

/** Injection token of the options with defaults applied (`ResolvedSagaModuleOptions`). */
export const SAGA_MODULE_OPTIONS = Symbol('dta:SagaModuleOptions');

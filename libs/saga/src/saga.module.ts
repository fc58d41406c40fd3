import { Inject, Module, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { SagaAdmin } from './admin/saga-admin';
import { TaskBarrier } from './barrier/task.barrier';
import { SagaMetadataAccessor } from './decorators/saga-metadata.accessor';
import type {
  ResolvedSagaModuleOptions,
  SagaModuleOptions,
} from './interfaces/saga-module-options.interface';
import { SagaClient } from './runtime/saga.client';
import { SagaClock } from './runtime/saga.clock';
import { SagaCallbackDispatcher } from './runtime/saga-callback.dispatcher';
import { SagaResultWaiters } from './runtime/saga-result.waiters';
import { SagaExplorer } from './runtime/saga.explorer';
import { SagaEventSubscribers } from './runtime/saga-event.subscribers';
import { SagaObservers } from './runtime/saga-observers';
import { SagaOrchestrator } from './runtime/saga.orchestrator';
import { SagaRegistry } from './runtime/saga.registry';
import { SAGA_BARRIER } from './runtime/saga-runtime.tokens';
import { SagaTimerSweeper } from './runtime/saga-timer.sweeper';
import { TaskWorker } from './runtime/task.worker';
import { TaskHandlerPipeline } from './runtime/task-handler.pipeline';
import { SAGA_STORE, SAGA_TRANSPORT } from './saga.constants';
import {
  ConfigurableModuleClass,
  SAGA_MODULE_OPTIONS,
  SAGA_MODULE_OPTIONS_INPUT,
  resolveSagaOptions,
} from './saga.module-definition';
import { SAGA_STORE_ADAPTERS, SAGA_TRANSPORT_ADAPTERS } from './saga.adapters';
import type { SagaStore } from './store/saga-store.interface';
import type { SagaTransport } from './transport/saga-transport.interface';
import { setSagaLogFormat } from './runtime/saga-log';

async function createTransport(options: ResolvedSagaModuleOptions): Promise<SagaTransport> {
  const { transport } = options;
  const instance = typeof transport === 'object' ? transport : SAGA_TRANSPORT_ADAPTERS[transport](options);
  await instance.init();
  return instance;
}

/** The store, checked (`init`) before anything uses it: a Redis that may evict keys fails the bootstrap. */
async function createStore(options: ResolvedSagaModuleOptions): Promise<SagaStore> {
  const { store } = options;
  const instance = typeof store === 'object' ? store : SAGA_STORE_ADAPTERS[store](options);
  try {
    await instance.init();
  } catch (error) {
    if (typeof store !== 'object') await instance.close();
    throw error;
  }
  return instance;
}

const providers: Provider[] = [
  {
    provide: SAGA_MODULE_OPTIONS,
    inject: [SAGA_MODULE_OPTIONS_INPUT],
    useFactory: (options: SagaModuleOptions) => resolveSagaOptions(options),
  },
  { provide: SAGA_TRANSPORT, inject: [SAGA_MODULE_OPTIONS], useFactory: createTransport },
  { provide: SAGA_STORE, inject: [SAGA_MODULE_OPTIONS], useFactory: createStore },
  SagaClock,
  SagaObservers,
  {
    provide: SAGA_BARRIER,
    inject: [SAGA_STORE, SAGA_MODULE_OPTIONS, SagaClock],
    useFactory: (store: SagaStore, options: ResolvedSagaModuleOptions, clock: SagaClock) =>
      new TaskBarrier(options.barrierStore ?? store, options.retentionMs, () => clock.now()),
  },
  SagaMetadataAccessor,
  SagaRegistry,
  TaskHandlerPipeline,
  SagaExplorer,
  SagaOrchestrator,
  TaskWorker,
  SagaEventSubscribers,
  SagaTimerSweeper,
  SagaResultWaiters,
  SagaCallbackDispatcher,
  SagaClient,
  SagaAdmin,
];

/**
 * DTA's module: discovers `@Saga`, `@Step`, `@Task` and `@Compensate` in the application, runs the
 * aggregators, the task workers and the timer sweeper, and provides `SagaClient` and `SagaAdmin`. Global by default.
 *
 * @example
 * SagaModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => sagaOptionsFromConfig(config),
 * })
 */
@Module({
  imports: [DiscoveryModule],
  providers,
  // The registry for the library's own controllers (SagaHttpModule reads the plans) and the observers for
  // @dta/saga/metrics; neither is part of the public API.
  exports: [
    SagaClient,
    SagaAdmin,
    SagaRegistry,
    SagaObservers,
    SAGA_STORE,
    SAGA_TRANSPORT,
    SAGA_MODULE_OPTIONS,
  ],
})
export class SagaModule extends ConfigurableModuleClass implements OnApplicationShutdown {
  constructor(
    @Inject(SAGA_TRANSPORT) private readonly transport: SagaTransport,
    @Inject(SAGA_STORE) private readonly store: SagaStore,
    @Inject(SAGA_MODULE_OPTIONS) private readonly options: ResolvedSagaModuleOptions,
  ) {
    super();
    setSagaLogFormat(options.logFormat);
  }

  /** Closes what this module opened: consumers first (in-flight handlers finish), then the store. */
  async onApplicationShutdown(): Promise<void> {
    if (typeof this.options.transport !== 'object') await this.transport.close();
    if (typeof this.options.store !== 'object') await this.store.close();
  }
}

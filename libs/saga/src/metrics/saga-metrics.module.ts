import { type DynamicModule, Module } from '@nestjs/common';
import { SagaMetrics } from './saga-metrics';
import { SagaMetricsController } from './saga-metrics.controller';
import {
  resolveSagaMetricsOptions,
  SAGA_METRICS_OPTIONS,
  SAGA_METRICS_OPTIONS_INPUT,
  SAGA_METRICS_OPTIONS_TYPE,
  SagaMetricsConfigurableModule,
} from './saga-metrics.module-definition';
import type { SagaMetricsModuleOptions } from './saga-metrics.options';

/**
 * Prometheus metrics of the sagas at `GET /metrics` (docs/METRICS.md): sagas started, completed, compensated
 * and stalled, step, saga and task durations, failed callbacks, and the sagas in each open status. Import it
 * beside `SagaModule` (which it needs) in each app that serves HTTP; global itself. Loads `prom-client`, an
 * optional peer dependency of `@dta/saga`: only this entry point does.
 *
 * @example
 * imports: [SagaModule.forRoot(), SagaMetricsModule.forRoot()]
 */
@Module({
  controllers: [SagaMetricsController],
  providers: [
    {
      provide: SAGA_METRICS_OPTIONS,
      inject: [SAGA_METRICS_OPTIONS_INPUT],
      useFactory: (options: SagaMetricsModuleOptions) => resolveSagaMetricsOptions(options),
    },
    SagaMetrics,
  ],
  exports: [SagaMetrics],
})
export class SagaMetricsModule extends SagaMetricsConfigurableModule {
  /** The module with `options` (every one has a default, so `forRoot()` will do). */
  static override forRoot(options: typeof SAGA_METRICS_OPTIONS_TYPE = {}): DynamicModule {
    return super.forRoot(options);
  }
}

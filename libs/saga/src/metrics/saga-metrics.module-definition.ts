import { ConfigurableModuleBuilder } from '@nestjs/common';
import { Registry } from 'prom-client';
import type { ResolvedSagaMetricsOptions, SagaMetricsModuleOptions } from './saga-metrics.options';

export const {
  ConfigurableModuleClass: SagaMetricsConfigurableModule,
  MODULE_OPTIONS_TOKEN: SAGA_METRICS_OPTIONS_INPUT,
  OPTIONS_TYPE: SAGA_METRICS_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<SagaMetricsModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/** The resolved options (`ResolvedSagaMetricsOptions`). */
export const SAGA_METRICS_OPTIONS = Symbol('dta:SagaMetricsOptions');

/** Merges the defaults, in this one place. */
export function resolveSagaMetricsOptions(options: SagaMetricsModuleOptions): ResolvedSagaMetricsOptions {
  return {
    prefix: options.prefix ?? 'dta_',
    registry: options.registry ?? new Registry(),
    defaultMetrics: options.defaultMetrics ?? true,
  };
}

/**
 * `@dta/saga/metrics`: Prometheus metrics of the sagas at `GET /metrics` (`SagaMetricsModule`), apart so that
 * only an app that serves them loads `prom-client` (an optional peer dependency of the package).
 */
export { SagaMetricsModule } from './saga-metrics.module';
export { SagaMetrics, SAGA_DURATION_BUCKETS } from './saga-metrics';
export { SagaMetricsController } from './saga-metrics.controller';
export type { SagaMetricsModuleOptions } from './saga-metrics.options';

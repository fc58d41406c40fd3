import type { Registry } from 'prom-client';

/** Options of `SagaMetricsModule`. */
export interface SagaMetricsModuleOptions {
  /**
   * Put before every metric name of DTA (`dta_saga_started_total`); not before the default metrics.
   * @default 'dta_'
   */
  prefix?: string;
  /**
   * The registry the metrics are registered in and `GET /metrics` answers from. Pass prom-client's global
   * `register` to serve your own metrics beside DTA's (and set `defaultMetrics: false` if it already
   * collects them).
   * @default a new `Registry`
   */
  registry?: Registry;
  /**
   * Collect prom-client's default metrics (process CPU, memory, event loop lag, GC) in `registry`.
   * @default true
   */
  defaultMetrics?: boolean;
}

/** The options with their defaults merged. */
export type ResolvedSagaMetricsOptions = Required<SagaMetricsModuleOptions>;

/** Options of `SagaHealthModule.forRoot`. */
export interface SagaHealthOptions {
  /**
   * How long the readiness check waits for the broker and for the store to answer before it calls them down.
   * @default 2000
   */
  timeoutMs?: number;
}

/** Injection token of the resolved {@link SagaHealthOptions}. */
export const SAGA_HEALTH_OPTIONS = Symbol('dta:saga-health-options');

export const DEFAULT_HEALTH_TIMEOUT_MS = 2_000;

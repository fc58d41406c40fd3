import type { RelayFailureKind } from '../relay-call.interface';

/**
 * How a relay counts an HTTP answer other than 2xx (see {@link RelayFailureKind}):
 * - `retryable`: 408 (the request did not arrive whole), 429 (throttled), 503 (no server took it);
 * - `unknown`: 409 (a call with the same `Idempotency-Key` is still in progress, as the IETF idempotency-key
 *   draft answers), every other 5xx, and a call that got no answer (timed out, connection reset);
 * - `rejected`: every other 4xx, and 3xx (the relay follows no redirect: give it the final URL).
 * A connection refused is `retryable`: nothing was sent.
 */
export function httpFailureKind(status: number): RelayFailureKind {
  if (status === 408 || status === 429 || status === 503) return 'retryable';
  if (status === 409 || status >= 500) return 'unknown';
  return 'rejected';
}

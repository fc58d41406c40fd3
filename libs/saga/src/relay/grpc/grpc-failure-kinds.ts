import { status } from '@grpc/grpc-js';
import type { RelayFailureKind } from '../relay-call.interface';

/**
 * How a relay counts each gRPC status other than `OK` (see {@link RelayFailureKind}); a code not listed
 * counts as `unknown`.
 *
 * - `rejected`: `INVALID_ARGUMENT`, `FAILED_PRECONDITION`, `OUT_OF_RANGE`, `PERMISSION_DENIED`, `NOT_FOUND`,
 *   `ALREADY_EXISTS`, `UNAUTHENTICATED`, `UNIMPLEMENTED`: asking again cannot change the answer.
 * - `retryable`: `RESOURCE_EXHAUSTED`, `ABORTED`: the server sheds or aborts the call before it acts.
 * - `unknown`: `DEADLINE_EXCEEDED`, `CANCELLED`, `UNKNOWN`, `INTERNAL`, `DATA_LOSS`, and `UNAVAILABLE`, which
 *   grpc-js also reports for a connection lost after the request was sent. The relay asks again with the same
 *   idempotency key, so these are retried too; they differ from `retryable` only in that an attempt never
 *   ends on them, since a task that failed by a reply is never compensated.
 */
export const GRPC_FAILURE_KINDS: Readonly<Partial<Record<status, RelayFailureKind>>> = Object.freeze({
  [status.INVALID_ARGUMENT]: 'rejected',
  [status.FAILED_PRECONDITION]: 'rejected',
  [status.OUT_OF_RANGE]: 'rejected',
  [status.PERMISSION_DENIED]: 'rejected',
  [status.NOT_FOUND]: 'rejected',
  [status.ALREADY_EXISTS]: 'rejected',
  [status.UNAUTHENTICATED]: 'rejected',
  [status.UNIMPLEMENTED]: 'rejected',
  [status.RESOURCE_EXHAUSTED]: 'retryable',
  [status.ABORTED]: 'retryable',
  [status.UNAVAILABLE]: 'unknown',
  [status.DEADLINE_EXCEEDED]: 'unknown',
  [status.CANCELLED]: 'unknown',
  [status.UNKNOWN]: 'unknown',
  [status.INTERNAL]: 'unknown',
  [status.DATA_LOSS]: 'unknown',
});

/** The kind of a failed call's status under `overrides` (merged over {@link GRPC_FAILURE_KINDS}). */
export function grpcFailureKind(
  code: status,
  overrides: Partial<Record<status, RelayFailureKind>> = {},
): RelayFailureKind {
  return overrides[code] ?? GRPC_FAILURE_KINDS[code] ?? 'unknown';
}

import type { RelayHeaders } from './relay-headers';

/**
 * How a failed call counts:
 * - `rejected`: the service refused and took no effect (a business refusal, a bad request): the task fails
 *   for good and is not compensated;
 * - `retryable`: the service says it did not act (overloaded, aborted a conflict): the attempt fails and the
 *   task's policy retries it;
 * - `unknown`: the call may have taken effect (deadline exceeded, cancelled, connection lost, internal
 *   error): the relay asks again with the same idempotency key until the service gives a definite answer.
 */
export type RelayFailureKind = 'rejected' | 'retryable' | 'unknown';

/** The answer of one call to the served method. */
export type RelayAnswer<Res = unknown> =
  | { kind: 'ok'; response: Res }
  | {
      kind: RelayFailureKind;
      /** What the service answered, e.g. `PaymentService/Charge answered FAILED_PRECONDITION: card declined`. */
      message: string;
      /** Status code and text, kept in the saga's error for a refusal. */
      details: Record<string, string | number>;
    };

/** One method of a service that knows nothing of DTA, as a relay calls it (gRPC, HTTP). */
export interface RelayCall {
  /** `service/method at address`, for logs and messages. */
  readonly describe: string;
  /**
   * Calls the method once. `deadlineAt` (epoch ms) bounds the call; `signal` cancels it. Never rejects: a
   * failure is an answer with its kind.
   */
  call(
    request: unknown,
    headers: RelayHeaders,
    deadlineAt: number,
    signal: AbortSignal,
  ): Promise<RelayAnswer>;
}

/** The connection a relay's calls share, opened at bootstrap and closed at shutdown. */
export interface RelayChannel {
  open(): void;
  close(): void;
}

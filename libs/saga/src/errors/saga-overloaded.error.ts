/**
 * A start was refused because too many starts of its flow already wait for an orchestrator (more than
 * `maxQueuedStarts`); nothing was published. Retry after `retryAfterMs` (HTTP 429 with `Retry-After`, gRPC
 * `RESOURCE_EXHAUSTED` with `grpc-retry-pushback-ms`). Starts accepted before are not affected.
 */
export class SagaOverloadedError extends Error {
  override readonly name = 'SagaOverloadedError';

  constructor(
    message: string,
    readonly flow: string,
    /** Starts of the flow waiting in the broker when this one was refused. */
    readonly queuedStarts: number,
    /** The bound that was reached (`maxQueuedStarts`). */
    readonly maxQueuedStarts: number,
    /** How long to wait before trying again: when the queue length is next read. */
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

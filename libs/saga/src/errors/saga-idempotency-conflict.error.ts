/**
 * An idempotent start reused a key that an earlier start of the same flow sent with another input (HTTP 422,
 * gRPC ALREADY_EXISTS). Nothing was started; the earlier saga is untouched. Send a new key for a new request.
 */
export class SagaIdempotencyConflictError extends Error {
  override readonly name = 'SagaIdempotencyConflictError';

  constructor(
    message: string,
    readonly flow: string,
    /** The saga the key names. */
    readonly sagaId: string,
  ) {
    super(message);
  }
}

/**
 * A relayed call failed in a way that says the service did not act (for gRPC: `RESOURCE_EXHAUSTED`,
 * `ABORTED`; for HTTP: 408, 429, 503, a refused connection). The attempt fails and the task's policy retries
 * it; a compensation that throws it is retried until its horizon.
 */
export class RelayCallFailedError extends Error {
  override readonly name: string = 'RelayCallFailedError';

  constructor(
    message: string,
    /** The status the service answered. */
    readonly details: Record<string, string | number>,
  ) {
    super(message);
  }
}

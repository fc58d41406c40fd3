/** Thrown by a transport method called after `close()`. */
export class TransportClosedError extends Error {
  override readonly name = 'TransportClosedError';

  constructor(readonly operation: string) {
    super(
      `Cannot ${operation}: the saga transport is closed. Create a new transport instead of reusing a closed one.`,
    );
  }
}

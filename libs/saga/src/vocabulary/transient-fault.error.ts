/**
 * A failure that says nothing about the message being handled: the store or the broker is unavailable, or a
 * publish was not confirmed in time. A message handler that throws it (or an error whose `cause` is one) gets
 * its message delivered again after the pause without using one of its `maxDeliveries`, so an outage delays
 * work and never dead-letters it. `RabbitMqTransport` throws it when a publish gives up, `RedisSagaStore`
 * when Redis cannot be reached or answers that it cannot serve now (loading, out of memory, read-only).
 *
 * @example
 * catch (error) { if (isConnectionLost(error)) throw new TransientFaultError('Redis unavailable', { cause: error }); throw error; }
 */
export class TransientFaultError extends Error {
  override readonly name = 'TransientFaultError';
}

/** Whether `error`, or an error in its `cause` chain, is a {@link TransientFaultError}. */
export function isTransientFault(error: unknown): boolean {
  for (let depth = 0; error instanceof Error && depth < 10; depth++) {
    if (error instanceof TransientFaultError) return true;
    error = error.cause;
  }
  return false;
}

/**
 * This run's hold on its task lapsed and another delivery holds the task now (or recorded it first):
 * thrown by `TaskContext.recordDoneWithin` so that the handler's transaction rolls back. The run is
 * retried and meets the other delivery's result.
 */
export class BarrierHoldLostError extends Error {
  override readonly name = 'BarrierHoldLostError';
}

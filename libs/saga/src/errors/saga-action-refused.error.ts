import type { SagaStatus } from '../engine/saga-state';

/**
 * An operator action that does not apply to the saga as it stands (HTTP 409, gRPC FAILED_PRECONDITION): its
 * message names the saga's status, and the task's when the action named one. Nothing was changed.
 */
export class SagaActionRefusedError extends Error {
  override readonly name = 'SagaActionRefusedError';

  constructor(
    message: string,
    readonly sagaId: string,
    readonly action: string,
    readonly status: SagaStatus,
  ) {
    super(message);
  }
}

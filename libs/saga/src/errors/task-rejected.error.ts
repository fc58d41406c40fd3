import type { SagaErrorDetails } from '../vocabulary/saga-vocabulary';

/**
 * Thrown by a `@Task` handler to fail its task for good, without retries: a business refusal such as
 * "card declined". The task counts as having taken no effect, so it is not compensated; earlier steps are.
 * Any other error thrown by a handler is retried under the task's policy.
 *
 * @example
 * if (!account.canPay(cmd.amount)) throw new TaskRejectedError('insufficient funds', { code: 'NSF' });
 */
export class TaskRejectedError extends Error {
  override readonly name: string = 'TaskRejectedError';

  constructor(
    message: string,
    /**
     * Optional facts for the caller, kept with the error: in the saga status (`failure.error.details`), the
     * 409 body (`details`) and the gRPC `x-failure-details` trailer (JSON). @default none
     */
    readonly details?: SagaErrorDetails,
  ) {
    super(message);
  }
}

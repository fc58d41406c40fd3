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
    /** Optional details, returned in the saga status. */
    readonly details?: Record<string, string | number | boolean>,
  ) {
    super(message);
  }
}

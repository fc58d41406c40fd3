import { TaskRejectedError } from './task-rejected.error';

/**
 * A compensation claimed the task before this run could record its effect: thrown by
 * `TaskContext.recordDoneWithin` so that the handler's transaction rolls back and the effect never lands.
 * The task then counts as having taken no effect here.
 */
export class TaskCompensatedError extends TaskRejectedError {
  override readonly name: string = 'TaskCompensatedError';
}

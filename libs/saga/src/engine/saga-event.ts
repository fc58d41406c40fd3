import type { SagaOperatorAction } from './saga-operator-action';
import type { Json, SagaError } from './saga-state';

/**
 * - `task-retry`, `compensation-retry`: the backoff before the next attempt is over;
 * - `task-deadline`: the task's `deadline` (from its first dispatch) is reached;
 * - `saga-deadline`: the saga's `deadline` (from its start) is reached.
 *
 * There is no timer per attempt: a worker bounds its handler's run itself (see `TaskWorker`), so waiting in
 * a queue or for a service that is down uses no attempt.
 */
export type TimerKind = 'task-retry' | 'compensation-retry' | 'task-deadline' | 'saga-deadline';

/** A timer the engine asked for; it fires as a `timer` event, and the engine ignores it if it is stale. */
export interface SagaTimer {
  kind: TimerKind;
  /** The task it is about; absent for `saga-deadline`. */
  task?: string;
  attempt: number;
  dueAt: number;
}

/** Something that happened to a saga. `now` is epoch milliseconds: the engine has no clock. */
export type SagaEvent =
  | { type: 'task-succeeded'; task: string; attempt: number; output: Json; now: number }
  | {
      type: 'task-failed';
      task: string;
      attempt: number;
      error: SagaError;
      retryable: boolean;
      /** `unknown`: the attempt may have taken effect (it outran its timeout, or its output was unusable). */
      outcome?: 'unknown';
      now: number;
    }
  | { type: 'compensation-succeeded'; task: string; attempt: number; now: number }
  | {
      type: 'compensation-failed';
      task: string;
      attempt: number;
      error: SagaError;
      /** False when the handler refused (`TaskRejectedError`): retrying cannot help, the saga stalls now. @default true */
      retryable?: boolean;
      now: number;
    }
  /** An operator acts on the saga (`SagaAdmin`); refused with a reason when it does not apply. */
  | {
      type: 'operator';
      action: SagaOperatorAction;
      /** Names the action, so that a repeated delivery of it is applied once. */
      id?: string;
      now: number;
    }
  | { type: 'timer'; timer: SagaTimer; now: number };

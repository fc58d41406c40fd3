/**
 * The words the engine, the wire format and the stores share, and nothing else: each layer may import these
 * without importing another layer, so a change to the engine's internal types cannot change a message or a
 * stored key (the lint rule in `eslint.config.mjs` holds it).
 */

/** JSON value: what task inputs, outputs and saga results are made of. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Where a saga stands.
 * - `running`: a step's tasks are out; `compensating`: a step failed and effects are being undone;
 * - `stalled`: stopped at one step until an operator acts (see {@link SagaStall}); never expires;
 * - `completed`, `compensated`: terminal.
 */
export type SagaStatus = 'running' | 'compensating' | 'stalled' | 'completed' | 'compensated';

/** Every saga status, in the order a saga may reach them. */
export const SAGA_STATUSES: readonly SagaStatus[] = [
  'running',
  'compensating',
  'stalled',
  'completed',
  'compensated',
];

/** What the orchestrator knows of a task's effect when it asks to undo it. */
export type TaskOutcome = 'succeeded' | 'unknown';

/** An error as it travels and is stored: its message, its class name, and whether it was a refusal. */
export interface SagaError {
  message: string;
  name?: string;
  /**
   * A handler refused the task on purpose (`TaskRejectedError`): its message is written for the caller.
   * Any other error (a bug, a timeout, an outage) is shown to callers without its text.
   */
  rejected?: boolean;
  /** What a refusal added for its caller (`TaskRejectedError.details`): shown in the status and the 409 body. */
  details?: SagaErrorDetails;
}

/** Scalar facts a refusal carries for its caller, e.g. `{ code: 'NSF' }`. */
export type SagaErrorDetails = Record<string, string | number | boolean>;

/** Where a saga failed: the step, the task and its error. */
export interface SagaFailure {
  step: string;
  task: string;
  error: SagaError;
}

/** What a saga announces on the events exchange (routing key `<flow>.<event>`). */
export type SagaLifecycle =
  'started' | 'step-completed' | 'rollback' | 'completed' | 'compensated' | 'stalled';

/** Every lifecycle event, in the order a saga may announce them. */
export const SAGA_LIFECYCLE: readonly SagaLifecycle[] = [
  'started',
  'step-completed',
  'rollback',
  'completed',
  'compensated',
  'stalled',
];

/** Who acts on a saga and why; both land in the saga's history. */
export interface OperatorNote {
  /** Who acts (a user name, a service account). */
  by: string;
  /** Why, in a sentence: kept with the action in the saga's history. */
  reason: string;
}

/**
 * What an operator can do to a saga (`SagaAdmin`). Each is an engine event, applied with compare-and-set like
 * any other; one that does not apply to the saga's state is refused (`SagaActionRefusedError`, HTTP 409).
 * - `retry`: run a task (or, while compensating, its compensation) again now, with a fresh attempt budget;
 * - `resume`: a stalled saga runs again from where it stopped (its failed tasks or compensations, again);
 * - `skip`: mark a task succeeded with `output` (forward), or its compensation done by hand (compensating);
 * - `compensate`: roll a running or stalled saga back now;
 * - `cancel`: a running saga stops and undoes what took effect.
 */
export type SagaOperatorAction =
  | ({ type: 'retry'; task: string } & OperatorNote)
  | ({ type: 'resume' } & OperatorNote)
  | ({ type: 'skip'; task: string; output?: Json } & OperatorNote)
  | ({ type: 'compensate' } & OperatorNote)
  | ({ type: 'cancel' } & OperatorNote);

export type SagaOperatorActionType = SagaOperatorAction['type'];

export const SAGA_OPERATOR_ACTIONS: readonly SagaOperatorActionType[] = [
  'retry',
  'resume',
  'skip',
  'compensate',
  'cancel',
];

import type { Json } from './saga-state';

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

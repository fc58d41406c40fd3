import type { Json, SagaError, SagaFailure, SagaStatus, TaskOutcome } from '../vocabulary/saga-vocabulary';

export { SAGA_STATUSES } from '../vocabulary/saga-vocabulary';
export type {
  Json,
  SagaError,
  SagaErrorDetails,
  SagaFailure,
  SagaStatus,
  TaskOutcome,
} from '../vocabulary/saga-vocabulary';

/**
 * State of one task.
 * - `pending`: not dispatched yet; `running`: an attempt is out; `waiting`: backing off before the next attempt;
 * - `succeeded`; `failed`: a reply said it failed for good (no effect, never compensated);
 * - `unknown`: the last attempt may have taken effect (it outran its timeout, its output was unusable, or a
 *   deadline passed while it ran): compensated with outcome `unknown`;
 * - `cancelled`: its step failed while it waited to retry (no attempt out, no effect).
 */
export type TaskStatus = 'pending' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'unknown' | 'cancelled';

export type CompensationStatus = 'running' | 'waiting' | 'succeeded' | 'failed';

export interface CompensationState {
  status: CompensationStatus;
  attempt: number;
  outcome: TaskOutcome;
  error?: SagaError;
  /** When the current round of attempts began (first dispatch, or the operator's retry): the horizon counts from it. */
  since?: number;
  /** An operator marked it done by hand (`skip`); its handler did not undo anything. */
  skipped?: boolean;
}

export interface TaskState {
  name: string;
  status: TaskStatus;
  /** Attempts dispatched so far (the first one counts). */
  attempts: number;
  input?: Json;
  output?: Json;
  error?: SagaError;
  /** The last attempt failed but may have taken effect (its outcome is unknown). */
  uncertain?: boolean;
  /** Attempts dispatched before the operator's last `retry`: the attempt budget counts from there. */
  retriedAfter?: number;
  /** An operator marked it succeeded by hand (`skip`) with the output given; no handler ran for it. */
  skipped?: boolean;
  compensation?: CompensationState;
}

export interface StepState {
  name: string;
  tasks: TaskState[];
}

/**
 * Where and why a saga stopped: set while its status is `stalled`.
 * - `forward`: a step with `onFailure: 'stall'`, or after the pivot, failed; the step's other tasks keep
 *   their outputs, and `retry`, `skip`, `resume` or `compensate` moves it on;
 * - `compensation`: a compensation kept failing past its horizon, or refused (`TaskRejectedError`): `retry`,
 *   `skip` or `resume` moves it on.
 */
export interface SagaStall {
  phase: 'forward' | 'compensation';
  step: string;
  task: string;
  error: SagaError;
  /** When it stalled (epoch ms). */
  at: number;
}

/** What a timeline entry records. */
export type SagaTimelineEvent =
  | 'step-started'
  | 'step-completed'
  | 'step-failed'
  | 'attempt-started'
  | 'attempt-succeeded'
  | 'attempt-failed'
  | 'compensation-started'
  | 'compensation-succeeded'
  | 'compensation-failed'
  | 'stalled'
  | 'completed'
  | 'compensated'
  | 'action';

/**
 * One moment of a saga's life, appended by the engine with the transition that decided it: each step, task
 * attempt and compensation attempt has an entry when it began and one when it ended; operator actions say
 * who acted and why.
 */
export interface SagaTimelineEntry {
  /** Epoch ms. */
  at: number;
  event: SagaTimelineEvent;
  step?: string;
  task?: string;
  attempt?: number;
  error?: SagaError;
  /** `action`: which one, who, and why. */
  action?: 'retry' | 'resume' | 'skip' | 'compensate' | 'cancel';
  by?: string;
  reason?: string;
  /** `action`: the id it was sent with, so that a repeated delivery is applied once. */
  actionId?: string;
}

export interface SagaState {
  id: string;
  flow: string;
  traceId: string;
  status: SagaStatus;
  input: Json;
  /** Index of the step running, or being compensated. */
  step: number;
  steps: StepState[];
  failure?: SagaFailure;
  /** Set while `status` is `stalled`. */
  stall?: SagaStall;
  /** What the flow's `result` composed, once completed (absent when the flow answers with its outputs). */
  result?: Json;
  /** What happened when, oldest first (absent in sagas stored before it existed). */
  timeline?: SagaTimelineEntry[];
  /** Instances the terminal result goes to (callers, and the orchestrator holding a throttled start). */
  replyTo?: string[];
  /** URL the terminal result is POSTed to (async mode). */
  callbackUrl?: string;
  createdAt: number;
  updatedAt: number;
  /** Bumped by every transition; the store compares it on write. */
  version: number;
}

export const TERMINAL_STATUSES: readonly SagaStatus[] = ['completed', 'compensated'];

/** Completed or compensated: nothing can change the saga any more. */
export function isTerminal(status: SagaStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Terminal or stalled: the saga makes no progress on its own, so its callers get their answer. */
export function isSettled(status: SagaStatus): boolean {
  return status === 'stalled' || isTerminal(status);
}

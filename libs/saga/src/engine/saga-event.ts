import type { Json, SagaError } from './saga-state';

export type TimerKind = 'task-timeout' | 'task-retry' | 'compensation-timeout' | 'compensation-retry';

/** A timer the engine asked for; it fires as a `timer` event, and the engine ignores it if it is stale. */
export interface SagaTimer {
  kind: TimerKind;
  task: string;
  attempt: number;
  dueAt: number;
}

/** Something that happened to a saga. `now` is epoch milliseconds: the engine has no clock. */
export type SagaEvent =
  | { type: 'task-succeeded'; task: string; attempt: number; output: Json; now: number }
  | { type: 'task-failed'; task: string; attempt: number; error: SagaError; retryable: boolean; now: number }
  | { type: 'compensation-succeeded'; task: string; attempt: number; now: number }
  | { type: 'compensation-failed'; task: string; attempt: number; error: SagaError; now: number }
  | { type: 'timer'; timer: SagaTimer; now: number };

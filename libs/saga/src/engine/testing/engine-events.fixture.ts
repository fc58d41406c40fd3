import { applySagaEvent, startSaga, TASK_TIMEOUT_ERROR } from '../saga.engine';
import type { SagaCommand } from '../saga-command';
import type { SagaEvent } from '../saga-event';
import type { SagaPlan } from '../saga-plan';
import type { Json, SagaState } from '../saga-state';

// Events and command views shared by the engine's example-based specs.

export const start = (plan: SagaPlan, input: Json = { n: 1 }) =>
  startSaga(plan, { id: 's1', traceId: 't1', input, now: 0 });

export function runTasks(commands: SagaCommand[]) {
  return commands.filter((c) => c.type === 'run-task').map((c) => `${c.task}#${c.attempt}`);
}
export function compensations(commands: SagaCommand[]) {
  return commands.filter((c) => c.type === 'compensate-task').map((c) => `${c.task}:${c.outcome}`);
}
export function finish(commands: SagaCommand[]) {
  return commands.find((c) => c.type === 'finish');
}

/** Applies events in order, expecting each to change the state. */
export function feed(plan: SagaPlan, state: SagaState, ...events: SagaEvent[]) {
  let commands: SagaCommand[] = [];
  for (const event of events) {
    const t = applySagaEvent(plan, state, event);
    expect(t.changed).toBe(true);
    state = t.state;
    commands = t.commands;
  }
  return { state, commands };
}

export const ok = (task: string, output: Json = { task }, attempt = 1): SagaEvent => ({
  type: 'task-succeeded',
  task,
  attempt,
  output,
  now: 10,
});
export const fail = (task: string, retryable: boolean, attempt = 1): SagaEvent => ({
  type: 'task-failed',
  task,
  attempt,
  retryable,
  error: { message: `${task} broke` },
  now: 10,
});
/** A worker's answer that the attempt outran its timeout: it may have taken effect. */
export const outran = (task: string, attempt = 1): SagaEvent => ({
  type: 'task-failed',
  task,
  attempt,
  retryable: true,
  outcome: 'unknown',
  error: { name: TASK_TIMEOUT_ERROR, message: `${task} too slow` },
  now: 10,
});
export const timer = (
  kind: 'task-retry' | 'task-deadline' | 'saga-deadline',
  at: number,
  task?: string,
): SagaEvent => ({
  type: 'timer',
  timer: { kind, ...(task ? { task } : {}), attempt: 1, dueAt: at },
  now: at,
});
export const undone = (task: string, attempt = 1): SagaEvent => ({
  type: 'compensation-succeeded',
  task,
  attempt,
  now: 20,
});

import { SAGA_LIFECYCLE } from '../saga-command';
import type { PlannedTask, SagaPlan, StepMapper, TaskPolicy } from '../saga-plan';

export const POLICY: TaskPolicy = {
  timeoutMs: 1000,
  attempts: 3,
  backoff: { delayMs: 100, factor: 2, maxMs: 1000, jitter: 0.2 },
  compensable: true,
  compensationHorizonMs: 1000,
};

export function plannedTask(name: string, policy: Partial<TaskPolicy> = {}): PlannedTask {
  return { name, key: name, policy: { ...POLICY, ...policy } };
}

/**
 * A plan from step specs: `[['a'], ['b', 'c']]` is step-1 = a, step-2 = b and c in parallel. It announces
 * every lifecycle event (a flow publishes none unless its contract names them).
 */
export function planOf(steps: (string | PlannedTask)[][], flow = 'test'): SagaPlan {
  return {
    flow,
    events: SAGA_LIFECYCLE,
    steps: steps.map((tasks, i) => ({
      name: `step-${i + 1}`,
      tasks: tasks.map((t) => (typeof t === 'string' ? plannedTask(t) : t)),
      map: sagaInputToEach(tasks.map((t) => (typeof t === 'string' ? t : t.key))),
    })),
  };
}

/** A step mapper giving each of the tasks (by key) the saga input. */
export function sagaInputToEach(keys: readonly string[]): StepMapper {
  return (s) => Object.fromEntries(keys.map((key) => [key, s.input]));
}

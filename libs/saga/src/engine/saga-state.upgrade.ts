import type { SagaState } from './saga-state';

/**
 * Reads a state stored by an earlier version as this version's: a saga whose compensation gave up was stored
 * as `failed`, which is now `stalled` at the step of that compensation, so an operator can resume it. Returns
 * the state itself when there is nothing to upgrade.
 */
export function upgradeSagaState(state: SagaState): SagaState {
  if ((state.status as string) !== 'failed') return state;
  const step = state.steps[state.step];
  const task = step.tasks.find((t) => t.compensation?.status === 'failed') ?? step.tasks[0];
  const error = task.compensation?.error ?? state.failure?.error ?? { message: 'compensation gave up' };
  return {
    ...state,
    status: 'stalled',
    stall: { phase: 'compensation', step: step.name, task: task.name, error, at: state.updatedAt },
  };
}

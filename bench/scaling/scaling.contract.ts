import { defineSaga, type SagaContract, task, type TaskSpec } from '@dta/saga';
import { sagaTasks, type SagaShape } from './saga-shape';

/** What each task receives from its step's mapper: its number in the saga, nothing of earlier outputs. */
export type ScalingTaskInput = { i: number };

/** The saga input: the saga's number in its run. */
export type ScalingInput = { n: number };

export type ScalingContract = SagaContract<ScalingInput, Record<string, TaskSpec<ScalingTaskInput, string>>>;

/**
 * The generated flow's contract: tasks `t0`..`tK` (see {@link sagaTasks}), each with the bench booking
 * flow's short timeout (so that its timer fires in the pause after a run and is counted) and no lifecycle
 * events: nobody subscribes to them, and they cost per saga and per step, not per task.
 */
export function scalingContract(shape: SagaShape): ScalingContract {
  const tasks: Record<string, TaskSpec<ScalingTaskInput, string>> = {};
  for (const key of sagaTasks(shape))
    tasks[key] = task<ScalingTaskInput, string>({ timeout: '2s', attempts: 3 });
  return defineSaga<ScalingInput, Record<string, TaskSpec<ScalingTaskInput, string>>>('scaling', {
    tasks,
    events: [],
  });
}

/** The size of a generated saga: how many steps, tasks per step, and how large each task's output is. */
export interface SagaShape {
  steps: number;
  tasksPerStep: number;
  /** Length of each task's output, a JSON string of this many characters. */
  outputBytes: number;
}

/** The environment variable that tells the scaling children their saga's shape, e.g. `3x2x100`. */
export const SAGA_SHAPE_ENV = 'BENCH_SAGA_SHAPE';

export const tasksPerSaga = (shape: SagaShape): number => shape.steps * shape.tasksPerStep;

/** `3x2x100`: steps x tasks per step x output bytes. */
export function formatShape({ steps, tasksPerStep, outputBytes }: SagaShape): string {
  return `${steps}x${tasksPerStep}x${outputBytes}`;
}

/** The shape the bench parent passed in {@link SAGA_SHAPE_ENV}. */
export function shapeFromEnv(env: NodeJS.ProcessEnv = process.env): SagaShape {
  const raw = env[SAGA_SHAPE_ENV] ?? '';
  const match = /^(\d+)x(\d+)x(\d+)$/.exec(raw);
  const [steps, tasksPerStep, outputBytes] = (match ?? []).slice(1).map(Number);
  if (!match || steps < 1 || tasksPerStep < 1) {
    throw new Error(
      `${SAGA_SHAPE_ENV}=${raw}: expected <steps>x<tasks per step>x<output bytes>, e.g. 3x2x100`,
    );
  }
  return { steps, tasksPerStep, outputBytes };
}

/** Property (and wire) names of the tasks of step `step` (from 0): `t0`, `t1`, ... numbered across the saga. */
export function stepTasks(shape: SagaShape, step: number): string[] {
  return Array.from({ length: shape.tasksPerStep }, (_, j) => `t${step * shape.tasksPerStep + j}`);
}

/** Every task of the saga, in step order. */
export function sagaTasks(shape: SagaShape): string[] {
  return Array.from({ length: shape.steps }, (_, step) => stepTasks(shape, step)).flat();
}

import { formatShape, type SagaShape } from './saga-shape';

/** What a group of rows of the scaling table varies, from the base shape. */
export type ScalingDimension = 'steps' | 'tasks' | 'output';

/** 3 steps of 2 tasks, outputs of 100 B: the row every other is compared with. */
export const BASE_SHAPE: SagaShape = { steps: 3, tasksPerStep: 2, outputBytes: 100 };

/** The rows of the scaling table: one dimension varied at a time from {@link BASE_SHAPE}, which heads each group. */
export const SCALING_ROWS: Record<ScalingDimension, SagaShape[]> = {
  steps: [3, 10, 30].map((steps) => ({ ...BASE_SHAPE, steps })),
  tasks: [2, 8, 32].map((tasksPerStep) => ({ ...BASE_SHAPE, tasksPerStep })),
  output: [100, 10_000, 100_000].map((outputBytes) => ({ ...BASE_SHAPE, outputBytes })),
};

/** Each shape of the table once (the base shape heads every group, and runs once). */
export function scalingShapes(): SagaShape[] {
  const shapes = new Map<string, SagaShape>();
  for (const shape of Object.values(SCALING_ROWS).flat()) shapes.set(formatShape(shape), shape);
  return [...shapes.values()];
}

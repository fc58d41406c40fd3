import type { Type } from '@nestjs/common';
import { Saga, Step } from '@dta/saga';
import type { ScalingContract, ScalingTaskInput } from './scaling.contract';
import { stepTasks, type SagaShape } from './saga-shape';

type StepMapper = () => Record<string, ScalingTaskInput>;

/**
 * The `@Saga` class of the generated flow: one `@Step` method per step (`step0`, `step1`, ...), decorated here
 * as the compiler would decorate a written one. Each gives each of its tasks `{ i }`, its number in the saga,
 * and reads no earlier output.
 */
export function scalingSagaClass(contract: ScalingContract, shape: SagaShape): Type<unknown> {
  class ScalingSaga {}
  const proto = ScalingSaga.prototype;
  for (let step = 0; step < shape.steps; step++) {
    const tasks = stepTasks(shape, step);
    const first = step * shape.tasksPerStep;
    const mapper: StepMapper = () => Object.fromEntries(tasks.map((t, j) => [t, { i: first + j }]));
    const key = `step${step}`;
    const descriptor: TypedPropertyDescriptor<StepMapper> = {
      value: mapper,
      writable: true,
      configurable: true,
      enumerable: false,
    };
    Object.defineProperty(proto, key, descriptor);
    Step(step + 1, tasks)(proto, key, descriptor);
  }
  Saga(contract)(ScalingSaga);
  return ScalingSaga;
}

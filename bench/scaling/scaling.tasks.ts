import { Injectable, type Type } from '@nestjs/common';
import { Compensate, Task } from '@dta/saga';
import type { ScalingContract } from './scaling.contract';
import { sagaTasks, type SagaShape } from './saga-shape';

type Method<M> = TypedPropertyDescriptor<M>;

function method<M>(proto: object, key: string, value: M): Method<M> {
  const descriptor: Method<M> = { value, writable: true, configurable: true, enumerable: false };
  Object.defineProperty(proto, key, descriptor);
  return descriptor;
}

/**
 * The worker's handlers of the generated flow: per task a no-op `@Task` (`run_t0`, ...) returning an output of
 * `shape.outputBytes` characters, and a no-op `@Compensate` (`undo_t0`, ...). They read nothing of the saga
 * input or of earlier outputs.
 */
export function scalingTasksClass(contract: ScalingContract, shape: SagaShape): Type<unknown> {
  class ScalingTasks {}
  const proto = ScalingTasks.prototype;
  const output = 'x'.repeat(shape.outputBytes);
  for (const key of sagaTasks(shape)) {
    const ref = contract.task[key];
    const run = (): string => output;
    const undo = (): void => undefined;
    Task(ref)(proto, `run_${key}`, method(proto, `run_${key}`, run));
    Compensate(ref)(proto, `undo_${key}`, method(proto, `undo_${key}`, undo));
  }
  Injectable()(ScalingTasks);
  return ScalingTasks;
}

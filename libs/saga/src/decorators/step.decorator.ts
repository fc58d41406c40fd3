import { SetMetadata } from '@nestjs/common';
import type { StepFailurePolicy } from '../engine/saga-plan';
import { STEP_METADATA } from '../saga.constants';

export interface StepOptions {
  /** Step name in status and logs. @default the method name in kebab-case (`paymentAndStock` -> `payment-and-stock`) */
  name?: string;
  /**
   * What a task of this step ending without success does (its attempts used up, refused, or its deadline
   * passed):
   * - `'compensate'`: the saga rolls back at once, newest step first;
   * - `'stall'`: the saga stops at this step with status `stalled`, keeps every output so far (the step's other
   *   tasks finish and keep theirs), announces `<flow>.stalled` and waits for an operator: `SagaAdmin` can
   *   `retry` the faulty task, `skip` it with an output, `resume`, or `compensate`.
   * @default 'compensate'
   */
  onFailure?: StepFailurePolicy;
}

export interface StepMetadata extends StepOptions {
  kind: 'step';
  order: number;
  tasks: string[];
}

/**
 * Declares a step of a `@Saga` class: its tasks run in parallel, and the next step starts when all of them
 * succeeded. The method receives the saga so far (`SagaView`: input, and `out(task)` for earlier outputs) and
 * returns the input of each task by property name; a task left out receives the saga input.
 *
 * @param order position of the step; steps run by ascending order.
 * @param tasks property names (or wire names) of contract tasks.
 *
 * @example
 * @Step(2, ['chargePayment', 'reserveStock'])
 * paymentAndStock(s: SagaView) {
 *   const { orderId } = s.out('createOrder') as OrderCreated;
 *   return { chargePayment: { orderId }, reserveStock: { orderId } };
 * }
 */
export function Step(order: number, tasks: string[], options: StepOptions = {}): MethodDecorator {
  const metadata: StepMetadata = { kind: 'step', order, tasks: [...tasks], ...options };
  return SetMetadata(STEP_METADATA, metadata);
}

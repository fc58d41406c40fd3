import { SetMetadata } from '@nestjs/common';
import type { SagaView, StepAggregator, StepFailurePolicy } from '../engine/saga-plan';
import type { AnyTaskSpec, SagaContract, TaskInput } from '../definition/saga-contract';
import type { SagaState } from '../definition/saga-view';
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
   * A step after the pivot cannot compensate: it always stalls.
   * @default 'compensate' ('stall' after the pivot)
   */
  onFailure?: StepFailurePolicy;
  /**
   * How the step's aggregator decides from its tasks' outcomes:
   * - `'all'`: every task must succeed; on a failure the rollback waits for the tasks still running;
   * - `'failFast'`: every task must succeed; on a failure the rollback does not wait for the tasks still running:
   *   they count as unknown and are compensated at once (the barrier refuses their late attempts);
   * - `quorum(k)`: the step succeeds once `k` of its tasks succeeded and fails once fewer than `k` still can;
   *   tasks still running then finish in the background (a later rollback compensates them), tasks waiting to
   *   retry are cancelled;
   * - `'bestEffort'`: the tasks are optional: the step succeeds once each one ended, whatever its outcome (a
   *   failed task has no effect; one whose outcome is unknown is compensated if the saga rolls back).
   *
   * The saga's `deadline` fails the step whatever its aggregator.
   * @default 'all'
   */
  aggregator?: StepAggregator;
  /**
   * The saga's point of no return (at most one step of a flow): once this step succeeded, the saga only goes
   * forward. A later step that fails stalls for an operator (`retry`, `skip`, `resume`) instead of rolling the
   * saga back, and `compensate` / `cancel` are refused. Put the steps that can always be retried after it.
   * @default false
   */
  pivot?: boolean;
}

/** The aggregator of a step that succeeds once `k` of its tasks succeeded: `@Step(2, [...], { aggregator: quorum(2) })`. */
export function quorum(k: number): StepAggregator {
  return { quorum: k };
}

export interface StepMetadata extends StepOptions {
  kind: 'step';
  order: number;
  tasks: string[];
}

/** What a step method returns: the input of each task of the step, by property name, typed by the contract. */
export type StepInputs<C extends SagaContract, K extends keyof C['tasks']> = {
  [P in K]: TaskInput<C['tasks'][P]>;
};

/**
 * A step method: it returns an input for each task `K` of its step. Its contract `C` is read from the type of
 * its parameter (`SagaState<typeof Booking>`), and must have every task `K`; with the untyped `SagaView`
 * only the keys are checked.
 */
export type StepMethod<C extends SagaContract, K extends keyof C['tasks']> =
  ((s: SagaState<C>) => StepInputs<C, K>) | ((s: SagaView) => StepInputs<C, K>);

/** What `@Step(order, tasks)` returns: a decorator of a {@link StepMethod} of tasks `K`. */
export type StepMethodDecorator<K extends string> = <
  C extends SagaContract & { tasks: Record<K, AnyTaskSpec> },
>(
  target: object,
  method: string | symbol,
  descriptor: { value?: StepMethod<C, K> },
) => void;

/**
 * Declares a step of a `@Saga` class: its tasks run in parallel, and the next step starts when all of them
 * succeeded (or as its `aggregator` says). The method receives the saga so far (`SagaState<typeof Contract>`: input, and `out(task)` for
 * earlier outputs) and returns the input of each of the step's tasks by property name.
 *
 * Typed by its parameter's contract: a task name the contract lacks, or a task the method gives no input,
 * does not compile. At run time (a method typed loosely, e.g. `SagaView`), a task name the contract lacks
 * fails at bootstrap, and a returned object without an input for a task, or with a key that is not a task of
 * the step, fails the step (`StepMapperError`), which compensates like a failed task.
 *
 * @param order position of the step; steps run by ascending order.
 * @param tasks property names of contract tasks (wire names are accepted when the method is not typed).
 *
 * @example
 * @Step(2, ['chargePayment', 'reserveStock'])
 * paymentAndStock(s: SagaState<typeof Booking>) {
 *   const { orderId } = s.out('createOrder');
 *   return { chargePayment: { orderId }, reserveStock: { orderId } };
 * }
 */
export function Step<const K extends string>(
  order: number,
  tasks: readonly K[],
  options: StepOptions = {},
): StepMethodDecorator<K> {
  const metadata: StepMetadata = { kind: 'step', order, tasks: [...tasks], ...options };
  return SetMetadata(STEP_METADATA, metadata);
}

import type { SagaLifecycle } from './saga-command';
import type { Json } from './saga-state';

/** Policies of a task with every default applied, durations in milliseconds. */
export interface TaskPolicy {
  /** How long one attempt's handler may run, counted by the worker from when it begins the attempt. */
  timeoutMs: number;
  /** Longest wait for the task's outcome from its first dispatch; none when undefined. */
  deadlineMs?: number;
  attempts: number;
  backoff: { delayMs: number; factor: number; maxMs: number; jitter: number };
  compensable: boolean;
  /** How long a compensation keeps retrying (capped exponential backoff) before the saga stalls. */
  compensationHorizonMs: number;
}

export interface PlannedTask {
  /** Wire name, e.g. `charge-payment`. */
  name: string;
  /** Property name in the contract, e.g. `chargePayment`. */
  key: string;
  policy: TaskPolicy;
}

/** What a step mapper sees: the saga input and the outputs of earlier tasks, by task. */
export interface SagaView {
  readonly sagaId: string;
  readonly traceId: string;
  readonly input: Json;
  /** Output of an earlier task, by property or wire name; throws if that task has not succeeded. */
  out(task: string): Json;
}

/**
 * Maps the saga so far to the inputs of a step's tasks, one per task keyed by property (or wire) name; a
 * missing or unknown key fails the step.
 */
export type StepMapper = (view: SagaView) => unknown;

/** What a definitive failure of one of a step's tasks does: roll the saga back, or stop there for an operator. */
export type StepFailurePolicy = 'compensate' | 'stall';

/**
 * How a step's aggregator reads the outcomes of its tasks:
 * - `'all'`: the step succeeds once every task succeeded, and fails once one ended without success; the rollback
 *   waits for the tasks still running;
 * - `'failFast'`: as `'all'`, but a rollback gives up at once on the tasks still running (their outcome counts as
 *   unknown, so they are compensated, and the barrier refuses their late attempts);
 * - `{ quorum: k }`: the step succeeds once `k` tasks succeeded, and fails once fewer than `k` still can; tasks
 *   still running then go on in the background (a rollback compensates them), tasks waiting to retry are
 *   cancelled;
 * - `'bestEffort'`: every task is optional: the step succeeds once each one ended, whatever its outcome.
 */
export type StepAggregator = 'all' | 'failFast' | 'bestEffort' | { quorum: number };

export interface PlannedStep {
  name: string;
  tasks: PlannedTask[];
  map: StepMapper;
  /** @default 'compensate' ('stall' for every step after the pivot) */
  onFailure?: StepFailurePolicy;
  /** @default 'all' */
  aggregator?: StepAggregator;
  /** Once this step succeeded the saga can only go forward: a later failure stalls it, never compensates. */
  pivot?: boolean;
}

/** A validated flow as the engine runs it. */
export interface SagaPlan {
  flow: string;
  steps: PlannedStep[];
  /** Longest run of a saga from its start before its open tasks count as unknown; none when undefined. */
  deadlineMs?: number;
  /** Lifecycle events the flow publishes; none when undefined. */
  events?: readonly SagaLifecycle[];
  /** Composes a completed saga's result; the outputs by task wire name when undefined. */
  result?: (view: SagaView) => unknown;
}

import type { Json, TaskOutcome } from '../engine/saga-state';

/** What a `@Task` handler is told besides its input. */
export interface TaskContext {
  readonly sagaId: string;
  readonly traceId: string;
  readonly flow: string;
  readonly step: string;
  readonly task: string;
  /** 1 for the first try. */
  readonly attempt: number;
  /** The input the saga was started with. */
  readonly sagaInput: Json;
  /** Outputs of the tasks of earlier steps, by wire name (never merged). */
  readonly outputs: Readonly<Record<string, Json>>;
}

/** What a `@Compensate` handler is told. */
export interface CompensationContext<I = unknown, O = unknown> extends TaskContext {
  /** The input the task was dispatched with. */
  readonly input: I;
  /** The task's output, if it replied with success. */
  readonly output?: O;
  /**
   * `succeeded`: the task replied with success; `unknown`: it may have taken effect (it outran its timeout,
   * its output was unusable, or a deadline passed while it ran). Compensations must be idempotent.
   */
  readonly outcome: TaskOutcome;
}

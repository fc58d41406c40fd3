import type { BarrierStore } from '../barrier/barrier-store.interface';
import type { TaskOutcome } from '../engine/saga-state';

/** What a `@Task` handler is told besides its input. */
export interface TaskContext {
  readonly sagaId: string;
  readonly traceId: string;
  readonly flow: string;
  readonly step: string;
  readonly task: string;
  /** 1 for the first try. */
  readonly attempt: number;
}

/** What a `@Task` handler is told besides its input. */
export interface TaskRunContext extends TaskContext {
  /**
   * Records this run as done, with `output` (what the handler will return), through `store`: a
   * `BarrierStore` bound to the handler's own database transaction, so that the effect and the barrier
   * record commit or roll back together (see `BarrierStore`). Call it last inside the transaction. Throws
   * `TaskCompensatedError` (a compensation came first) or `BarrierHoldLostError` (another delivery took
   * over): let the transaction roll back. Needs `SagaModule`'s `barrierStore` to read the same records.
   */
  readonly recordDoneWithin: (store: BarrierStore, output: unknown) => Promise<void>;
}

/** What a `@Compensate` handler is told. */
export interface CompensationContext<I = unknown, O = unknown> extends TaskContext {
  /**
   * Records this compensation as done through `store`, bound to the compensation's own transaction (see
   * `TaskRunContext.recordDoneWithin`). Optional to call; absent when the worker undoes a late run itself.
   */
  readonly recordUndoneWithin?: (store: BarrierStore) => Promise<void>;
  /** The input the task was dispatched with. */
  readonly input: I;
  /** The task's output, if a run of it finished here (its output stored by the barrier). */
  readonly output?: O;
  /**
   * What this service's barrier knows of the task: `succeeded` when a run of it finished here (even if its
   * reply was lost or came too late), `unknown` when one may have taken effect without finishing (it outran its
   * timeout, its output was unusable, or a deadline passed while it ran). Compensations must be idempotent.
   */
  readonly outcome: TaskOutcome;
}

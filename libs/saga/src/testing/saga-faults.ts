import type { AnyTaskRef } from '../definition/saga-contract';
import type { SagaErrorDetails } from '../vocabulary/saga-vocabulary';

/**
 * What a fault does to an attempt of its task:
 * - `reject`: the worker answers a refusal (`TaskRejectedError`) without running the handler: the task failed
 *   for good, took no effect, and the saga compensates what came before;
 * - `timeout`: the handler runs, but the worker answers that the attempt outran its timeout (outcome
 *   unknown): the saga retries, and the retry gets the stored output from the barrier; on the last attempt
 *   the task ends `unknown` and is compensated;
 * - `loseReply`: the handler runs and its reply is lost; the broker delivers the task again, as it would
 *   after a worker crashed before acknowledging, and the barrier answers with the stored output;
 * - `duplicate`: the task is delivered twice at once; the handler runs once (barrier).
 */
export type TaskFaultKind = 'reject' | 'timeout' | 'loseReply' | 'duplicate';

export interface ArmedFault {
  kind: TaskFaultKind;
  /** Attempts (deliveries, for `duplicate`) left to fault; `Infinity` for every one. */
  left: number;
  message: string;
  details?: SagaErrorDetails;
}

export interface TaskFaultOptions {
  /** How many attempts of the task (counted over every saga) the fault applies to. @default every attempt */
  times?: number;
}

/** The faults of one task: `faults.fault(Booking.task.chargePayment).reject('card declined')`. */
export class TaskFault {
  constructor(
    private readonly arm: (fault: ArmedFault) => void,
    private readonly task: string,
  ) {}

  /** The worker refuses the task without running its handler (see {@link TaskFaultKind}). */
  reject(message = `${this.task} rejected by a test fault`, details?: SagaErrorDetails): void {
    this.arm({ kind: 'reject', left: Infinity, message, ...(details ? { details } : {}) });
  }

  /** The handler runs, the attempt is answered as outrun (outcome unknown). */
  timeout(options: TaskFaultOptions = {}): void {
    this.arm({
      kind: 'timeout',
      left: options.times ?? Infinity,
      message: `${this.task} outran its timeout`,
    });
  }

  /** The handler runs, its reply is lost, and the task is delivered again. */
  loseReply(options: TaskFaultOptions = {}): void {
    this.arm({ kind: 'loseReply', left: options.times ?? Infinity, message: 'reply lost' });
  }

  /** The task is delivered twice at once. */
  duplicate(options: TaskFaultOptions = {}): void {
    this.arm({ kind: 'duplicate', left: options.times ?? Infinity, message: 'delivered twice' });
  }
}

/**
 * The faults armed in a {@link SagaTestingModule}, by task, typed by the contract's task references. Each
 * applies to the task's attempts (not to its compensation) until it is used up or `clear()`ed.
 *
 * @example
 * moduleRef.get(SagaFaults).fault(Booking.task.reserveStock).timeout({ times: 1 });
 */
export class SagaFaults {
  private readonly armed = new Map<string, ArmedFault>();

  /** The faults of task `ref`; arming one replaces the task's earlier fault. */
  fault(ref: AnyTaskRef): TaskFault {
    return new TaskFault((fault) => this.armed.set(faultKey(ref.flow, ref.name), fault), ref.name);
  }

  /** Disarms every fault. */
  clear(): void {
    this.armed.clear();
  }

  /** The fault for the next attempt of `flow`/`task`, counted as used; none when unarmed or used up. */
  take(flow: string, task: string): ArmedFault | undefined {
    const key = faultKey(flow, task);
    const fault = this.armed.get(key);
    if (!fault) return undefined;
    if (--fault.left <= 0) this.armed.delete(key);
    return fault;
  }
}

function faultKey(flow: string, task: string): string {
  return `${flow}/${task}`;
}

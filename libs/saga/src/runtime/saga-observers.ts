import { Injectable, Logger } from '@nestjs/common';
import type { SagaError, SagaState, SagaTimelineEntry } from '../engine/saga-state';
import { TaskRejectedError } from '../errors/task-rejected.error';

/** How a saga ended. */
export type SagaEndStatus = 'completed' | 'compensated';

/** How a step ended: its aggregator's verdict. */
export type StepEndStatus = 'succeeded' | 'failed';

/**
 * How a task handler's invocation ended: it returned, it threw, or it refused with a `TaskRejectedError`.
 * What the saga makes of it (a retry, a timeout answered as outcome unknown) is in the saga's timeline.
 */
export type TaskAttemptOutcome = 'succeeded' | 'failed' | 'rejected';

/** The task attempt an observer is told about: a run, or a compensation. */
export interface ObservedTaskAttempt {
  flow: string;
  step: string;
  task: string;
  kind: 'run' | 'compensate';
}

/**
 * Listens to what sagas do in this process, for metrics or tracing (`SagaMetrics` of `@dta/saga/metrics` is
 * one); register it with {@link SagaObservers.add}. Each method is told once per fact, after the write that
 * made it succeeded: a replica that lost a compare-and-set tells nothing, so the counts of all replicas add
 * up. Times are in milliseconds. Every method is optional, and should return quickly; one that throws is
 * logged and the saga goes on.
 */
export interface SagaObserver {
  /** This replica created a saga of `flow` (a repeated start of the same id is not a new saga). */
  sagaStarted?(flow: string): void;
  /** A saga ended, `durationMs` after it was created (store time, so replicas agree). */
  sagaEnded?(flow: string, status: SagaEndStatus, durationMs: number): void;
  /** A saga stopped at `step` for an operator; a saga that is resumed and stalls again is told again. */
  sagaStalled?(flow: string, step: string): void;
  /** A step's aggregator decided, `durationMs` after the step started. */
  stepEnded?(flow: string, step: string, status: StepEndStatus, durationMs: number): void;
  /** A task or compensation handler run by this process's worker returned or threw, after `durationMs`. */
  taskAttemptEnded?(attempt: ObservedTaskAttempt, outcome: TaskAttemptOutcome, durationMs: number): void;
  /** A callback of `flow` was given up after its last attempt (dead-lettered). */
  callbackFailed?(flow: string): void;
}

/**
 * The observers of this process, told by the runtime what sagas do. An observer's error is logged and
 * swallowed: metrics can never break a saga. Provided and exported by `SagaModule`.
 *
 * @example
 * constructor(observers: SagaObservers) {
 *   observers.add({ sagaEnded: (flow, status) => console.log(flow, status) });
 * }
 */
@Injectable()
export class SagaObservers {
  private readonly logger = new Logger(SagaObservers.name);
  private readonly observers: SagaObserver[] = [];

  /** Adds an observer; it is told from then on. */
  add(observer: SagaObserver): void {
    this.observers.push(observer);
  }

  /** The saga was created (after `SagaStore.create` stored it). */
  started(state: SagaState): void {
    this.tell((o) => o.sagaStarted?.(state.flow));
  }

  /**
   * A transition from `before` to `after` was committed: tells what the timeline entries it appended say
   * (the timeline only grows, so they are the ones past `before`'s).
   */
  transitioned(before: SagaState, after: SagaState): void {
    if (this.observers.length === 0) return;
    const { flow } = after;
    for (const ending of transitionEndings(before, after)) {
      if (ending.of === 'step') {
        const { step, status, at, startedAt } = ending;
        this.tell((o) => o.stepEnded?.(flow, step, status, at - startedAt));
      } else if (ending.status === 'stalled') {
        this.tell((o) => o.sagaStalled?.(flow, ending.step));
      } else {
        const { status, at } = ending;
        this.tell((o) => o.sagaEnded?.(flow, status, at - after.createdAt));
      }
    }
  }

  /** Runs a task or compensation handler, telling how it ended and how long it took; rethrows its error. */
  async attempt<T>(attempt: ObservedTaskAttempt, handler: () => Promise<T>): Promise<T> {
    const begun = Date.now();
    const ended = (outcome: TaskAttemptOutcome) => {
      const { flow, step, task, kind } = attempt;
      this.tell((o) => o.taskAttemptEnded?.({ flow, step, task, kind }, outcome, Date.now() - begun));
    };
    try {
      const value = await handler();
      ended('succeeded');
      return value;
    } catch (error) {
      ended(error instanceof TaskRejectedError ? 'rejected' : 'failed');
      throw error;
    }
  }

  /** A callback was given up after its last attempt. */
  callbackFailed(flow: string): void {
    this.tell((o) => o.callbackFailed?.(flow));
  }

  private tell(call: (observer: SagaObserver) => void): void {
    for (const observer of this.observers) {
      try {
        call(observer);
      } catch (error) {
        this.logger.warn(`observer ${observer.constructor.name} threw, ignored: ${String(error)}`);
      }
    }
  }
}

/** What a committed transition ended: a step (its verdict, since it last started), or the saga (or its run). */
export type TransitionEnding =
  | { of: 'step'; step: string; status: StepEndStatus; startedAt: number; at: number; error?: SagaError }
  | { of: 'saga'; step: string; status: SagaEndStatus | 'stalled'; at: number; error?: SagaError };

/**
 * What the timeline entries a transition from `before` to `after` appended say ended (the timeline only
 * grows, so they are the ones past `before`'s): read once here for the observers and for the tracer.
 */
export function transitionEndings(before: SagaState, after: SagaState): TransitionEnding[] {
  const timeline = after.timeline ?? [];
  const endings: TransitionEnding[] = [];
  for (let n = before.timeline?.length ?? 0; n < timeline.length; n++) {
    const { event, step = '', at, error } = timeline[n];
    if (event === 'step-completed' || event === 'step-failed') {
      const startedAt = stepStart(timeline, n, step);
      const status = event === 'step-completed' ? 'succeeded' : 'failed';
      if (startedAt !== undefined) endings.push({ of: 'step', step, status, startedAt, at, error });
    } else if (event === 'completed' || event === 'compensated' || event === 'stalled') {
      endings.push({ of: 'saga', step, status: event, at, error });
    }
  }
  return endings;
}

/** When the step ending at `timeline[end]` last started. */
function stepStart(timeline: SagaTimelineEntry[], end: number, step: string): number | undefined {
  for (let n = end - 1; n >= 0; n--) {
    const entry = timeline[n];
    if (entry.event === 'step-started' && entry.step === step) return entry.at;
  }
  return undefined;
}

import { randomUUID } from 'node:crypto';
import type { Json, SagaError, TaskOutcome } from '../engine/saga-state';
import { BarrierHoldLostError } from '../errors/barrier-hold-lost.error';
import { TaskCompensatedError } from '../errors/task-compensated.error';
import type { BarrierStore } from './barrier-store.interface';

/** What the barrier remembers of one task of one saga, on the participant's side. */
interface BarrierRecord {
  /**
   * - `running`: a run holds the task (until `leaseUntil`; 0: it failed without effect and let go);
   * - `done`: a run finished; its `output`, or the `error` that made its output unusable (outcome unknown);
   * - `compensating`: a compensation claimed the task (until `leaseUntil`); no run may begin any more;
   * - `compensated`: undone, or compensated before any run began here.
   */
  state: 'running' | 'done' | 'compensating' | 'compensated';
  output?: Json;
  error?: SagaError;
  /** While `running` or `compensating`: until when its holder holds it (epoch ms). */
  leaseUntil?: number;
  /** Who holds it: the fencing token of one entry, so that only its holder renews or lets go. */
  holder?: string;
  /** Whether a run ever began here. */
  started?: boolean;
  /** While `compensating`: what the compensation is told of the task's effect. */
  outcome?: TaskOutcome;
  /** While `running`: the attempt that holds (or, with lease 0, failed without effect). */
  attempt?: number;
  /**
   * While `compensating` or `compensated`: the effect of a run that finished after a compensation claimed the
   * task, not undone yet. The next entry of the task, a run's or a compensation's, claims it to undo it.
   */
  late?: LateEffect;
}

/** What a late run left: its `output` (outcome `succeeded`), or none when its output was unusable (`unknown`). */
interface LateEffect {
  outcome: TaskOutcome;
  output?: Json;
  /** The compensation that claimed the task to undo it: its end, and only its, clears the late effect. */
  holder?: string;
}

interface Versioned {
  record?: BarrierRecord;
  version: number;
}

/** One entry's hold on a task: pass it back to renew the lease and to record how the work ended. */
export interface BarrierHold {
  readonly sagaId: string;
  readonly task: string;
  /** Fencing token written into the record. */
  readonly holder: string;
  /** What this hold last wrote: the guess of its next write. */
  last?: Versioned;
}

export type TaskEntry =
  /** Run the handler, renew the hold while it runs, then call `taskDone`, `taskUnusable` or `taskAbandoned`. */
  | { kind: 'run'; hold: BarrierHold }
  /** Already done: reply with the stored output, do not run again. */
  | { kind: 'done'; output: Json }
  /** Already ran, but its output was unusable: the outcome is unknown, do not run again. */
  | { kind: 'unusable'; error: SagaError }
  /** A compensation claimed the task before this run (a hanging request): refuse, never run. */
  | { kind: 'refused' }
  /**
   * A run finished after the compensation claimed the task and its effect is not undone yet: run the
   * compensation handler on it (it holds the task as a compensation would), then call `compensationDone` or
   * `compensationAbandoned`; never run the task.
   */
  | { kind: 'undo'; hold: BarrierHold; outcome: TaskOutcome; output?: Json }
  /** This attempt already failed without effect (this is a repeated delivery of it): fail again, never run. */
  | { kind: 'failed' }
  /** Another delivery of the task is running right now: ask again later. */
  | { kind: 'busy' };

export type CompensationEntry =
  /** Run the compensation handler, then call `compensationDone` or `compensationAbandoned`. */
  | { kind: 'compensate'; hold: BarrierHold; outcome: TaskOutcome; output?: Json }
  /** Nothing ran here, or it was undone already: reply success without running anything. */
  | { kind: 'skip' }
  /** A run (`holder: 'run'`) or another compensation holds the task right now: ask again later. */
  | { kind: 'busy'; holder: 'run' | 'compensation' };

/**
 * Participant-side guard (as in DTM's barrier), fenced by holder:
 * - a task's handler runs at most once to success per saga; a redelivery waits while a run holds the task,
 *   then gets the stored output (a late completion is recorded, never lost);
 * - a compensation claims the task before it runs, so a run that arrives after it is refused and a run that
 *   finishes after it is told to undo its effect, which is kept as `late` until a compensation handler ran on
 *   it (the late run's worker, or the next delivery of the task); two compensations of one task run the
 *   handler once;
 * - a compensation of a task that never ran here is recorded as done without running (null compensation).
 *
 * A hold lapses at `leaseUntil` unless its holder renews it: a worker that died lets go by itself.
 */
export class TaskBarrier {
  constructor(
    private readonly store: BarrierStore,
    private readonly retentionMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * `leaseMs`: how long this run holds the task unless it renews the hold. `attempt`: the attempt this
   * delivery carries; a repeated delivery of an attempt that already failed is not run again, since the
   * orchestrator may have taken that failure as final (default: any attempt may run).
   */
  async enterTask(
    sagaId: string,
    task: string,
    leaseMs: number,
    attempt = Number.POSITIVE_INFINITY,
  ): Promise<TaskEntry> {
    const hold = this.newHold(sagaId, task);
    // Most tasks arrive once: guess that nothing is stored yet.
    return this.update<TaskEntry>(
      hold,
      (record) => {
        if (record?.state === 'done') {
          return {
            entry: record.error
              ? { kind: 'unusable', error: record.error }
              : { kind: 'done', output: record.output ?? null },
          };
        }
        if (record?.late) {
          if (record.state === 'compensating' && this.held(record)) return { entry: { kind: 'busy' } };
          return this.claimCompensation(record, hold, leaseMs, 'undo');
        }
        if (record?.state === 'compensating' || record?.state === 'compensated')
          return { entry: { kind: 'refused' } };
        if (record?.state === 'running' && this.held(record)) return { entry: { kind: 'busy' } };
        if (record?.state === 'running' && record.leaseUntil === 0 && (record.attempt ?? 0) >= attempt)
          return { entry: { kind: 'failed' } };
        return {
          entry: { kind: 'run', hold },
          next: {
            state: 'running',
            leaseUntil: this.now() + leaseMs,
            holder: hold.holder,
            started: true,
            ...(Number.isFinite(attempt) ? { attempt } : {}),
          },
        };
      },
      { version: 0 },
    );
  }

  /**
   * Records the output of a run. The first completion wins: a later one (of an attempt that took over a
   * lapsed hold) keeps the stored output. Returns false if a compensation claimed the task meanwhile: the
   * effect just taken is then kept as late, and must be undone (`enterTask` hands it out as `undo`).
   */
  taskDone(hold: BarrierHold, output: Json): Promise<boolean> {
    return this.finishRun(hold, { state: 'done', output, started: true });
  }

  /**
   * Records the output of a run through `within`, a {@link BarrierStore} bound to the handler's own
   * transaction, so that the record and the effect commit or roll back together. Throws
   * {@link TaskCompensatedError} when a compensation claimed the task first and {@link BarrierHoldLostError}
   * when another delivery took it over: either way the transaction must roll back.
   */
  async taskDoneWithin(hold: BarrierHold, within: BarrierStore, output: Json): Promise<void> {
    await this.update(
      hold,
      (record) => {
        if (record?.state === 'compensating' || record?.state === 'compensated')
          throw new TaskCompensatedError('a compensation claimed the task before its effect was recorded');
        if (record?.state !== 'running' || record.holder !== hold.holder)
          throw new BarrierHoldLostError('another delivery of the task holds it, or recorded it first');
        return { entry: undefined, next: { state: 'done', output, started: true } };
      },
      hold.last,
      within,
    );
  }

  /**
   * Records a compensation as done through `within` (bound to the compensation's own transaction). Throws
   * {@link BarrierHoldLostError} when another delivery of the compensation took the task over.
   */
  async compensationDoneWithin(hold: BarrierHold, within: BarrierStore): Promise<void> {
    await this.update(
      hold,
      (record) => {
        if (record?.state === 'compensated') return { entry: undefined };
        if (record?.state !== 'compensating' || record.holder !== hold.holder)
          throw new BarrierHoldLostError('another delivery of the compensation holds the task');
        return { entry: undefined, next: compensated(record, hold) };
      },
      hold.last,
      within,
    );
  }

  /** Records a run whose output cannot be used (not JSON, too large): its outcome is unknown. */
  taskUnusable(hold: BarrierHold, error: SagaError): Promise<boolean> {
    return this.finishRun(hold, { state: 'done', error, started: true });
  }

  /** The handler failed without effect: the next attempt may run at once. */
  async taskAbandoned(hold: BarrierHold): Promise<void> {
    await this.update(hold, (record) =>
      record?.state === 'running' && record.holder === hold.holder
        ? { entry: undefined, next: { ...record, leaseUntil: 0 } }
        : { entry: undefined },
    );
  }

  /**
   * Claims the task for its compensation. A run that holds the task makes it `busy` unless `force`: a
   * compensation that waited long enough for a run presumes it hung, claims the task, and the run undoes its
   * own effect if it ever finishes (see {@link taskDone}).
   */
  async enterCompensation(
    sagaId: string,
    task: string,
    leaseMs: number,
    force = false,
  ): Promise<CompensationEntry> {
    const hold = this.newHold(sagaId, task);
    return this.update<CompensationEntry>(hold, (record) => {
      if (!record) return { entry: { kind: 'skip' }, next: { state: 'compensated', started: false } };
      if (record.state === 'compensated' && !record.late) return { entry: { kind: 'skip' } };
      if (record.state === 'compensating' && this.held(record))
        return { entry: { kind: 'busy', holder: 'compensation' } };
      if (record.state === 'running' && record.leaseUntil === 0) {
        // Its last run failed without effect, and no run may begin any more.
        return { entry: { kind: 'skip' }, next: { state: 'compensated', started: true } };
      }
      if (record.state === 'running' && this.held(record) && !force)
        return { entry: { kind: 'busy', holder: 'run' } };
      return this.claimCompensation(record, hold, leaseMs, 'compensate');
    });
  }

  /** Records the compensation as done; a late effect that arrived meanwhile stays to be undone. */
  async compensationDone(hold: BarrierHold): Promise<void> {
    await this.update(hold, (record) =>
      record?.state === 'compensated'
        ? { entry: undefined }
        : { entry: undefined, next: compensated(record, hold) },
    );
  }

  /** The compensation handler failed: the next attempt may claim the task at once. */
  async compensationAbandoned(hold: BarrierHold): Promise<void> {
    await this.update(hold, (record) =>
      record?.state === 'compensating' && record.holder === hold.holder
        ? { entry: undefined, next: { ...record, leaseUntil: 0 } }
        : { entry: undefined },
    );
  }

  /** Extends a hold that is still this holder's; returns false if it is not (lapsed and taken, or ended). */
  async renew(hold: BarrierHold, leaseMs: number): Promise<boolean> {
    return this.update(hold, (record) =>
      record?.holder === hold.holder && (record.state === 'running' || record.state === 'compensating')
        ? { entry: true, next: { ...record, leaseUntil: this.now() + leaseMs } }
        : { entry: false },
    );
  }

  /**
   * Claims the task for a compensation handler, told what is known of the effect: a late run's, else the
   * outcome a claim before this one was told, else what the record says.
   */
  private claimCompensation<K extends 'compensate' | 'undo'>(
    record: BarrierRecord,
    hold: BarrierHold,
    leaseMs: number,
    kind: K,
  ) {
    const outcome: TaskOutcome =
      record.late?.outcome ??
      record.outcome ??
      (record.state === 'done' && !record.error ? 'succeeded' : 'unknown');
    const output = record.late ? record.late.output : record.output;
    return {
      entry: { kind, hold, outcome, ...(output !== undefined ? { output } : {}) },
      next: {
        state: 'compensating',
        leaseUntil: this.now() + leaseMs,
        holder: hold.holder,
        started: record.started ?? true,
        outcome,
        ...(output !== undefined ? { output } : {}),
        ...(record.late ? { late: { ...record.late, holder: hold.holder } } : {}),
      } satisfies BarrierRecord,
    };
  }

  private finishRun(hold: BarrierHold, done: BarrierRecord): Promise<boolean> {
    return this.update(hold, (record) => {
      if (record?.state === 'compensating' || record?.state === 'compensated') {
        if (record.late) return { entry: false };
        const late: LateEffect = done.error
          ? { outcome: 'unknown' }
          : { outcome: 'succeeded', output: done.output ?? null };
        return { entry: false, next: { ...record, late } };
      }
      if (record?.state === 'done') return { entry: true };
      return { entry: true, next: done };
    });
  }

  private held(record: BarrierRecord): boolean {
    return (record.leaseUntil ?? 0) > this.now();
  }

  private newHold(sagaId: string, task: string): BarrierHold {
    return { sagaId, task, holder: randomUUID() };
  }

  private key(hold: BarrierHold): string {
    return `barrier:{${hold.sagaId}}:${hold.task}`;
  }

  /**
   * Read, decide, compare-and-set; again on a lost race. With a guess of the stored document (what this
   * hold last wrote, or nothing for a task seen for the first time) it writes first and reads only when the
   * guess was wrong: one round trip instead of two on the usual path.
   */
  private async update<T>(
    hold: BarrierHold,
    decide: (record: BarrierRecord | undefined) => { entry: T; next?: BarrierRecord },
    guess: Versioned | undefined = hold.last,
    store: BarrierStore = this.store,
  ): Promise<T> {
    const key = this.key(hold);
    let current = guess;
    for (;;) {
      if (!current) {
        const stored = await store.getDocument(key);
        current = { record: stored?.value as BarrierRecord | undefined, version: stored?.version ?? 0 };
      }
      const { entry, next } = decide(current.record);
      if (!next) return entry;
      if (await store.putDocument(key, next as unknown as Json, current.version, this.retentionMs)) {
        hold.last = { record: next, version: current.version + 1 };
        return entry;
      }
      current = undefined;
    }
  }
}

/** The record once `hold`'s compensation is done; a late effect that another claim is to undo stays. */
function compensated(record: BarrierRecord | undefined, hold: BarrierHold): BarrierRecord {
  const late = record?.late && record.late.holder !== hold.holder ? record.late : undefined;
  return { state: 'compensated', started: record?.started ?? true, ...(late ? { late } : {}) };
}

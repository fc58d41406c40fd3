import type { Json, TaskOutcome } from '../engine/saga-state';
import type { SagaStore } from '../store/saga-store.interface';

/** What the barrier remembers of one task of one saga, on the participant's side. */
interface BarrierRecord {
  state: 'running' | 'done' | 'compensated';
  output?: Json;
  /** While `running`: until when the runner holds it (epoch ms). */
  leaseUntil?: number;
  /** Whether the task ever started here before it was compensated. */
  started?: boolean;
}

export type TaskEntry =
  /** Run the handler, then call `taskDone` or `taskAbandoned`. */
  | { kind: 'run' }
  /** Already done: reply with the stored output, do not run again. */
  | { kind: 'done'; output: Json }
  /** Compensated before it ran (a hanging request): refuse, never run. */
  | { kind: 'refused' }
  /** Another attempt is running right now: answer later. */
  | { kind: 'busy' };

export type CompensationEntry =
  /** Run the compensation handler, then call `compensationDone`. */
  | { kind: 'compensate'; outcome: TaskOutcome; output?: Json }
  /** Nothing ran here, or it was undone already: reply success without running anything. */
  | { kind: 'skip' }
  | { kind: 'busy' };

/**
 * Participant-side guard (as in DTM's barrier): a task's handler runs at most once to success per saga, a
 * redelivered task gets the stored output, a compensation for a task that never ran here is recorded as
 * done without running (null compensation) and blocks the task from running later (hanging).
 */
export class TaskBarrier {
  /** What `enterTask` wrote for the runs under way in this process (removed when the run ends). */
  private readonly written = new Map<string, { record?: BarrierRecord; version: number }>();

  constructor(
    private readonly store: SagaStore,
    private readonly retentionMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** `leaseMs`: how long this run may hold the task before another attempt may take over. */
  async enterTask(sagaId: string, task: string, leaseMs: number): Promise<TaskEntry> {
    // Most tasks arrive once: guess that nothing is stored yet.
    return this.update<TaskEntry>(
      sagaId,
      task,
      (record) => {
        if (record?.state === 'done') return { entry: { kind: 'done', output: record.output ?? null } };
        if (record?.state === 'compensated') return { entry: { kind: 'refused' } };
        if (record?.state === 'running' && (record.leaseUntil ?? 0) > this.now())
          return { entry: { kind: 'busy' } };
        return {
          entry: { kind: 'run' },
          next: { state: 'running', leaseUntil: this.now() + leaseMs, started: true },
        };
      },
      { version: 0 },
      true,
    );
  }

  /** Records success. Returns false if the task was compensated meanwhile (its effect must then be undone). */
  async taskDone(sagaId: string, task: string, output: Json): Promise<boolean> {
    return this.update(
      sagaId,
      task,
      (record) =>
        record?.state === 'compensated'
          ? { entry: false }
          : { entry: true, next: { state: 'done', output, started: true } },
      this.takeWritten(sagaId, task),
    );
  }

  /** The handler failed without effect: the next attempt may run at once. */
  async taskAbandoned(sagaId: string, task: string): Promise<void> {
    const guess = this.takeWritten(sagaId, task);
    await this.update(
      sagaId,
      task,
      (record) =>
        record?.state === 'running'
          ? { entry: undefined, next: { ...record, leaseUntil: 0 } }
          : { entry: undefined },
      guess,
    );
  }

  async enterCompensation(sagaId: string, task: string): Promise<CompensationEntry> {
    return this.update<CompensationEntry>(sagaId, task, (record) => {
      if (!record) return { entry: { kind: 'skip' }, next: { state: 'compensated', started: false } };
      if (record.state === 'compensated') return { entry: { kind: 'skip' } };
      if (record.state === 'running' && (record.leaseUntil ?? 0) > this.now())
        return { entry: { kind: 'busy' } };
      if (record.state === 'running' && record.leaseUntil === 0) {
        // Its last run failed without effect.
        return { entry: { kind: 'skip' }, next: { state: 'compensated', started: true } };
      }
      const outcome: TaskOutcome = record.state === 'done' ? 'succeeded' : 'unknown';
      return {
        entry: {
          kind: 'compensate',
          outcome,
          ...(record.output !== undefined ? { output: record.output } : {}),
        },
      };
    });
  }

  async compensationDone(sagaId: string, task: string): Promise<void> {
    await this.update(sagaId, task, (record) => ({
      entry: undefined,
      next: { state: 'compensated', started: record?.started ?? true },
    }));
  }

  /** What this process last wrote for a task it is running, as the guess of its next write. */
  private takeWritten(sagaId: string, task: string): { record?: BarrierRecord; version: number } | undefined {
    const key = this.key(sagaId, task);
    const written = this.written.get(key);
    this.written.delete(key);
    return written;
  }

  private key(sagaId: string, task: string): string {
    return `barrier:{${sagaId}}:${task}`;
  }

  /** Read, decide, compare-and-set; again on a lost race. */
  /**
   * Read, decide, compare-and-set; again on a lost race. With a `guess` of the stored document (what this
   * process last wrote, or nothing for a task seen for the first time) it writes first and reads only when
   * the guess was wrong: one round trip instead of two on the usual path.
   */
  private async update<T>(
    sagaId: string,
    task: string,
    decide: (record: BarrierRecord | undefined) => { entry: T; next?: BarrierRecord },
    guess?: { record?: BarrierRecord; version: number },
    remember = false,
  ): Promise<T> {
    const key = this.key(sagaId, task);
    let current: { record?: BarrierRecord; version: number } | undefined = guess;
    for (;;) {
      if (!current) {
        const stored = await this.store.getDocument(key);
        current = { record: stored?.value as BarrierRecord | undefined, version: stored?.version ?? 0 };
      }
      const { entry, next } = decide(current.record);
      if (!next) return entry;
      if (await this.store.putDocument(key, next as unknown as Json, current.version, this.retentionMs)) {
        if (remember) this.written.set(key, { record: next, version: current.version + 1 });
        return entry;
      }
      current = undefined;
    }
  }
}

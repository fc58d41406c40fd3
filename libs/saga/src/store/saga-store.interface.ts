import type { SagaCommand } from '../engine/saga-command';
import type { SagaTimer } from '../engine/saga-event';
import type { Json, SagaState } from '../engine/saga-state';

/** Commands stored with a transition and not yet published (the outbox). */
export interface SagaOutbox {
  sagaId: string;
  version: number;
  commands: SagaCommand[];
}

/** A timer that came due, claimed by one sweeper for a lease. */
export interface DueTimer {
  sagaId: string;
  timer: SagaTimer;
}

/** A participant-side document with the version its next write must name. */
export interface VersionedDocument {
  value: Json;
  version: number;
}

/**
 * Where saga state lives. Every write is one atomic step: the state, the outbox of the commands to publish
 * and the timers the commands ask for (`schedule` commands) are stored together or not at all.
 */
export interface SagaStore {
  /**
   * Stores a new saga unless one with the same id exists (saga ids of idempotent starts are derived from
   * the idempotency key). Returns the stored saga either way.
   */
  create(state: SagaState, commands: SagaCommand[]): Promise<{ created: boolean; state: SagaState }>;

  load(sagaId: string): Promise<SagaState | undefined>;

  /**
   * Replaces the saga if its stored version is still `expectedVersion` (compare-and-set). Stores the
   * commands as the outbox of `next.version` and schedules its timers. Returns false on a lost race.
   * A terminal saga's keys expire after the retention.
   */
  commit(next: SagaState, expectedVersion: number, commands: SagaCommand[]): Promise<boolean>;

  /** Drops the outbox of `version` once its commands are published; a newer outbox stays. Safe to repeat. */
  clearOutbox(sagaId: string, version: number): Promise<void>;

  /** Outboxes stored before `before` (epoch ms) and still not cleared: a publisher died. */
  pendingOutboxes(before: number, limit: number): Promise<SagaOutbox[]>;

  /**
   * Claims timers due at `now`: each claimed timer is hidden for `leaseMs`, then due again unless
   * {@link completeTimer} removed it, so a sweeper that dies loses nothing.
   */
  claimDueTimers(now: number, leaseMs: number, limit: number): Promise<DueTimer[]>;

  completeTimer(due: DueTimer): Promise<void>;

  /** Reads a participant document (barriers, example domains). */
  getDocument(key: string): Promise<VersionedDocument | undefined>;

  /**
   * Writes a participant document if its version is still `expectedVersion` (0: it must not exist yet).
   * The new version is `expectedVersion + 1`. `ttlMs` makes it expire. Returns false on a lost race.
   */
  putDocument(key: string, value: Json, expectedVersion: number, ttlMs?: number): Promise<boolean>;

  /** Releases connections. */
  close(): Promise<void>;
}

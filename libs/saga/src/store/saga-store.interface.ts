import type { SagaCommand } from '../engine/saga-command';
import type { SagaTimer } from '../engine/saga-event';
import type { Json, SagaState } from '../engine/saga-state';
import type { SagaCounts, SagaListPage, SagaListQuery } from './saga-list.interface';
import type {
  CounterAdjustment,
  CounterAdjustResult,
  CounterRevertResult,
  Counters,
} from './saga-counters.interface';

/** Commands stored with one transition (one saga version) and not yet published: an outbox. */
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

/** What a {@link SagaStore.commit} may be told besides the saga. */
export interface SagaCommitOptions {
  /**
   * Versions of this saga whose commands all went out: their outboxes are dropped in the same write, whether
   * or not the compare-and-set succeeds, so an orchestrator clears what it published with its next write
   * instead of one write each.
   */
  published?: readonly number[];
  /**
   * The saga at `expectedVersion`, as the transition to `next` started from: a store may then write only
   * what differs (`RedisSagaStore` does). It must be exactly that version's state; without it the whole
   * saga is written.
   */
  previous?: SagaState;
}

/**
 * Where saga state lives. Every write is one atomic step: the state, the outbox of the commands to publish
 * and the timers the commands ask for (`schedule` commands) are stored together or not at all. The same
 * write keeps the saga index that {@link SagaStore.list} reads for operators (by flow, status, trace id and
 * creation time), so a list never scans the store.
 */
export interface SagaStore {
  /**
   * Checks that the store can keep what it is given, before anything is stored; `SagaModule` calls it
   * once when it creates the store. `RedisSagaStore` refuses a server whose `maxmemory-policy` may evict
   * saga keys. Safe to call again.
   */
  init(): Promise<void>;

  /**
   * Stores a new saga unless one with the same id exists (saga ids of idempotent starts are derived from
   * the idempotency key). Returns the stored saga either way.
   */
  create(state: SagaState, commands: SagaCommand[]): Promise<{ created: boolean; state: SagaState }>;

  load(sagaId: string): Promise<SagaState | undefined>;

  /**
   * Replaces the saga if its stored version is still `expectedVersion` (compare-and-set). Stores the
   * commands as the outbox of `next.version` and schedules its timers. Returns false on a lost race.
   * Outboxes of earlier versions stay until {@link clearOutbox} drops them, or a commit names them in
   * `options.published`. A `completed` or `compensated` saga's keys expire after the retention; a `stalled`
   * saga waits for an operator and never expires.
   */
  commit(
    next: SagaState,
    expectedVersion: number,
    commands: SagaCommand[],
    options?: SagaCommitOptions,
  ): Promise<boolean>;

  /**
   * One page of the sagas that match `query`, newest first (by `createdAt`, ties by id); every filter is
   * optional and they combine with AND; `from` is inclusive, `to` exclusive. Pass the page's `next` as
   * `cursor` for the following page: a walk neither repeats nor skips a saga that exists for all of it
   * (a saga whose status changes meanwhile may leave or enter a status filter). Sagas forgotten after the
   * retention are not listed. The index behind it is kept by `create` and `commit` in the same atomic write,
   * at O(log N) per write that changes the status, so a page costs about its size, however many sagas
   * ended. Throws a `RangeError` for a `limit` outside 1..500 (default 50) or a cursor it did not hand out.
   *
   * @example
   * const page = await store.list({ flow: 'booking', status: 'stalled', limit: 20 });
   * const more = page.next && (await store.list({ flow: 'booking', status: 'stalled', cursor: page.next }));
   */
  list(query: SagaListQuery): Promise<SagaListPage>;

  /**
   * How many sagas of `flow` (or of every flow) are in each status, from the same index as `list`, at O(1)
   * per status and shard. Sagas forgotten after the retention stop counting when `list` stops showing them.
   *
   * @example
   * const { stalled } = await store.count('booking');
   */
  count(flow?: string): Promise<SagaCounts>;

  /** Drops the outbox of `version` once its commands are published; other versions stay. Safe to repeat. */
  clearOutbox(sagaId: string, version: number): Promise<void>;

  /**
   * Outboxes stored before `before` (epoch ms, store time) and still not cleared (a publisher died), oldest
   * first, at most `limit`: every pending version of a saga is one outbox of its own.
   */
  pendingOutboxes(before: number, limit: number): Promise<SagaOutbox[]>;

  /**
   * When the oldest outbox still pending was stored (epoch ms, store time), or undefined when none is: an
   * outbox is cleared once its commands are published, so an old one is a publisher that died or a broker
   * that refuses (metrics: `dta_outbox_oldest_age_seconds`).
   */
  oldestOutboxAt(): Promise<number | undefined>;

  /**
   * Claims timers due at `now`: each claimed timer is hidden for `leaseMs`, then due again unless
   * {@link completeTimer} removed it, so a sweeper that dies loses nothing.
   */
  claimDueTimers(now: number, leaseMs: number, limit: number): Promise<DueTimer[]>;

  completeTimer(due: DueTimer): Promise<void>;

  /**
   * The store's clock (epoch ms): the Redis server's `TIME` on Redis, the injected clock (`Date.now` by
   * default) in memory. Every replica that asks one store reads one clock, so times compared across
   * processes (due timers, outbox ages) do not depend on each host's clock. Non-decreasing from call to
   * call unless the server's clock is set back.
   */
  time(): Promise<number>;

  /** Reads a participant document (barriers, example domains). */
  getDocument(key: string): Promise<VersionedDocument | undefined>;

  /**
   * Writes a participant document if its version is still `expectedVersion` (0: it must not exist yet).
   * The new version is `expectedVersion + 1`. `ttlMs` makes it expire (default: never). Returns false on a
   * lost race.
   *
   * A read-decide-write loop over this compare-and-set is the right tool for a document that few writers
   * change (a barrier record, an order, a payment): a lost race is rare and costs one more read. It is the
   * wrong tool for a value many writers change at once (the stock of a popular product): every writer
   * rewrites the whole document, lost races grow with the concurrency and the writes run one after the
   * other. Use {@link adjustCounters} there.
   */
  putDocument(key: string, value: Json, expectedVersion: number, ttlMs?: number): Promise<boolean>;

  /**
   * Applies `adjustment.deltas` to the counters under `adjustment.key` in one atomic step, once per
   * `adjustment.entryId`: a repeated call with the same entry id changes nothing (`duplicate`). Refuses
   * without any change (`refused`) when a counter it lowers would end below `floor`. Each call touches the
   * counters and its own entry only (O(1), whatever the number of entries), so concurrent adjustments of
   * one hot key never lose a race and never retry: the right tool for stock, seats or quotas that many
   * sagas change at once. Counters and deltas are safe integers; anything else throws a `RangeError`.
   *
   * @example
   * await store.adjustCounters({
   *   key: 'stock:p1', entryId: orderId,
   *   deltas: { available: -2, reserved: 2 }, initial: { available: 100 },
   * });
   */
  adjustCounters(adjustment: CounterAdjustment): Promise<CounterAdjustResult>;

  /**
   * Takes back the deltas of entry `entryId` under `key` in one atomic step, once: the entry stays
   * recorded as reverted, so a later revert returns `reverted: false` and a later {@link adjustCounters}
   * with the same entry id is a `duplicate`. A revert is never refused by the floor. A revert of an entry
   * never applied changes nothing (and records nothing).
   */
  revertCounters(key: string, entryId: string): Promise<CounterRevertResult>;

  /** The counters under `key`, or undefined when it was never adjusted. */
  readCounters(key: string): Promise<Counters | undefined>;

  /**
   * Resolves once the store answers one round trip (health checks: `@dta/saga/health`); rejects naming why
   * when it cannot. It may wait while the connection is being re-established: the caller bounds it.
   */
  check(): Promise<void>;

  /** Releases connections. */
  close(): Promise<void>;
}

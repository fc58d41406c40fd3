import type { SagaCommand } from '../engine/saga-command';
import type { SagaTimer } from '../engine/saga-event';
import type { Json, SagaState } from '../engine/saga-state';
import { checkCounterAdjustment } from './counter-adjustment';
import type { SagaCounts, SagaListPage, SagaListQuery } from './saga-list.interface';
import {
  checkSagaListQuery,
  compareListOrder,
  noSagaCounts,
  sagaListCursor,
  summarizeSaga,
} from './saga-list-query';
import { expiresWithRetention } from './saga-retention';
import type {
  CounterAdjustment,
  CounterAdjustResult,
  CounterRevertResult,
  Counters,
} from './saga-counters.interface';
import type {
  DueTimer,
  SagaCommitOptions,
  SagaOutbox,
  SagaStore,
  VersionedDocument,
} from './saga-store.interface';

/** Options of {@link MemorySagaStore}. */
export interface MemorySagaStoreOptions {
  /**
   * How long a completed or compensated saga stays readable before it is forgotten (a failed one stays).
   * @default 86_400_000 (24 h)
   */
  retentionMs?: number;
  /**
   * The clock retention and outbox times are measured with, and {@link MemorySagaStore.time} reads (epoch
   * ms); tests inject a manual one.
   * @default Date.now
   */
  now?: () => number;
}

const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000;

/** A stored value and the time it expires at (`undefined`: never). */
interface Expiring<T> {
  value: T;
  expiresAt?: number;
}

interface StoredOutbox {
  outbox: SagaOutbox;
  storedAt: number;
}

/** A counter adjustment as recorded: its deltas, and whether they were taken back. */
interface CounterEntry {
  deltas: Counters;
  reverted: boolean;
}

/**
 * {@link SagaStore} in process memory, for the standalone topology and tests: the same behaviour as
 * RedisSagaStore (one shared contract spec), without durability. Values are copied in and out, so callers
 * never share objects with the store.
 *
 * @example
 * let now = 0;
 * const store = new MemorySagaStore({ retentionMs: 1000, now: () => now });
 */
export class MemorySagaStore implements SagaStore {
  private readonly sagas = new Map<string, Expiring<SagaState>>();
  /** Pending outboxes of each saga, by version. */
  private readonly outboxes = new Map<string, Expiring<Map<number, StoredOutbox>>>();
  /** Timers by their identity (see {@link timerMember}), with their due time or lease end. */
  private readonly timers = new Map<string, { due: DueTimer; score: number }>();
  private readonly documents = new Map<string, Expiring<VersionedDocument>>();
  private readonly counters = new Map<string, Record<string, number>>();
  /** Counter entries by {@link entryMember}. */
  private readonly counterEntries = new Map<string, Expiring<CounterEntry>>();
  private readonly retentionMs: number;
  private readonly now: () => number;

  constructor(options: MemorySagaStoreOptions = {}) {
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.now = options.now ?? Date.now;
  }

  async init(): Promise<void> {
    // Memory keeps everything it is given.
  }

  async create(state: SagaState, commands: SagaCommand[]): Promise<{ created: boolean; state: SagaState }> {
    const existing = this.live(this.sagas, state.id);
    if (existing) return { created: false, state: structuredClone(existing) };
    this.write(state, commands);
    return { created: true, state: structuredClone(state) };
  }

  async load(sagaId: string): Promise<SagaState | undefined> {
    const state = this.live(this.sagas, sagaId);
    return state && structuredClone(state);
  }

  async commit(
    next: SagaState,
    expectedVersion: number,
    commands: SagaCommand[],
    { published = [] }: SagaCommitOptions = {},
  ): Promise<boolean> {
    for (const version of published) await this.clearOutbox(next.id, version);
    const stored = this.live(this.sagas, next.id);
    if (!stored || stored.version !== expectedVersion) return false;
    this.write(next, commands);
    return true;
  }

  /**
   * Walks every saga in memory, which is right for the standalone topology and tests it serves; the
   * order, filters, cursor and errors are RedisSagaStore's (one contract spec).
   */
  async list(query: SagaListQuery): Promise<SagaListPage> {
    const { limit, after } = checkSagaListQuery('MemorySagaStore.list', query);
    const { flow, status, traceId, from = -Infinity, to = Infinity } = query;
    const matching: SagaState[] = [];
    for (const sagaId of [...this.sagas.keys()]) {
      const state = this.live(this.sagas, sagaId);
      if (!state || state.createdAt < from || state.createdAt >= to) continue;
      if ((flow !== undefined && state.flow !== flow) || (status !== undefined && state.status !== status))
        continue;
      if (traceId !== undefined && state.traceId !== traceId) continue;
      if (after && compareListOrder(state, after) <= 0) continue;
      matching.push(state);
    }
    const page = matching.sort(compareListOrder).slice(0, limit).map(summarizeSaga);
    return matching.length > limit
      ? { sagas: page, next: sagaListCursor(page[page.length - 1]) }
      : { sagas: page };
  }

  /** Walks every saga in memory, as `list` does. */
  async count(flow?: string): Promise<SagaCounts> {
    const counts = noSagaCounts();
    for (const sagaId of [...this.sagas.keys()]) {
      const state = this.live(this.sagas, sagaId);
      if (state && (flow === undefined || state.flow === flow)) counts[state.status] += 1;
    }
    return counts;
  }

  async clearOutbox(sagaId: string, version: number): Promise<void> {
    const versions = this.live(this.outboxes, sagaId);
    versions?.delete(version);
    if (versions?.size === 0) this.outboxes.delete(sagaId);
  }

  async pendingOutboxes(before: number, limit: number): Promise<SagaOutbox[]> {
    const pending: StoredOutbox[] = [];
    for (const sagaId of [...this.outboxes.keys()]) {
      for (const stored of this.live(this.outboxes, sagaId)?.values() ?? []) {
        if (stored.storedAt < before) pending.push(stored);
      }
    }
    return pending
      .sort((a, b) => a.storedAt - b.storedAt)
      .slice(0, Math.max(0, limit))
      .map((stored) => structuredClone(stored.outbox));
  }

  async oldestOutboxAt(): Promise<number | undefined> {
    let oldest: number | undefined;
    for (const sagaId of [...this.outboxes.keys()]) {
      for (const { storedAt } of this.live(this.outboxes, sagaId)?.values() ?? []) {
        if (oldest === undefined || storedAt < oldest) oldest = storedAt;
      }
    }
    return oldest;
  }

  async claimDueTimers(now: number, leaseMs: number, limit: number): Promise<DueTimer[]> {
    const due = [...this.timers.entries()]
      .filter(([, entry]) => entry.score <= now)
      .sort(([memberA, a], [memberB, b]) => a.score - b.score || (memberA < memberB ? -1 : 1))
      .slice(0, Math.max(0, limit));
    for (const [, entry] of due) entry.score = now + leaseMs;
    return due.map(([, entry]) => structuredClone(entry.due));
  }

  async completeTimer(due: DueTimer): Promise<void> {
    this.timers.delete(timerMember(due.sagaId, due.timer));
  }

  async time(): Promise<number> {
    return this.now();
  }

  async getDocument(key: string): Promise<VersionedDocument | undefined> {
    const document = this.live(this.documents, key);
    return document && structuredClone(document);
  }

  async putDocument(key: string, value: Json, expectedVersion: number, ttlMs?: number): Promise<boolean> {
    const version = this.live(this.documents, key)?.version ?? 0;
    if (version !== expectedVersion) return false;
    this.documents.set(key, {
      value: { value: structuredClone(value), version: version + 1 },
      expiresAt: ttlMs && ttlMs > 0 ? this.now() + ttlMs : undefined,
    });
    return true;
  }

  async adjustCounters(adjustment: CounterAdjustment): Promise<CounterAdjustResult> {
    checkCounterAdjustment(adjustment);
    const { key, entryId, deltas, initial = {}, floor = 0, entryTtlMs } = adjustment;
    const stored = this.counters.get(key);
    const current = stored ?? { ...initial };
    if (this.live(this.counterEntries, entryMember(key, entryId))) {
      return { status: 'duplicate', counters: { ...current } };
    }
    for (const [counter, delta] of Object.entries(deltas)) {
      if (delta < 0 && (current[counter] ?? 0) + delta < floor) {
        return { status: 'refused', counter, counters: { ...current } };
      }
    }
    for (const [counter, delta] of Object.entries(deltas)) current[counter] = (current[counter] ?? 0) + delta;
    this.counters.set(key, current);
    this.counterEntries.set(entryMember(key, entryId), {
      value: { deltas: { ...deltas }, reverted: false },
      expiresAt: entryTtlMs && entryTtlMs > 0 ? this.now() + entryTtlMs : undefined,
    });
    return { status: 'applied', counters: { ...current } };
  }

  async revertCounters(key: string, entryId: string): Promise<CounterRevertResult> {
    const entry = this.live(this.counterEntries, entryMember(key, entryId));
    const current = this.counters.get(key);
    if (!entry || entry.reverted || !current) return { reverted: false, counters: { ...current } };
    for (const [counter, delta] of Object.entries(entry.deltas))
      current[counter] = (current[counter] ?? 0) - delta;
    entry.reverted = true;
    return { reverted: true, counters: { ...current } };
  }

  async readCounters(key: string): Promise<Counters | undefined> {
    const current = this.counters.get(key);
    return current && { ...current };
  }

  /** Always answers: the store is this process's memory. */
  async check(): Promise<void> {}

  async close(): Promise<void> {
    // Nothing to release; the data stays for whoever still holds the store.
  }

  /**
   * Stores the saga, the outbox of its version and its timers, as RedisSagaStore's scripts do; completed
   * and compensated sagas expire, with every outbox they still hold.
   */
  private write(state: SagaState, commands: SagaCommand[]): void {
    const expiresAt = expiresWithRetention(state.status) ? this.now() + this.retentionMs : undefined;
    this.sagas.set(state.id, { value: structuredClone(state), expiresAt });
    const published = commands.filter((command) => command.type !== 'schedule');
    const versions = this.live(this.outboxes, state.id) ?? new Map<number, StoredOutbox>();
    if (published.length > 0) {
      const outbox: SagaOutbox = {
        sagaId: state.id,
        version: state.version,
        commands: structuredClone(published),
      };
      versions.set(state.version, { outbox, storedAt: this.now() });
    }
    if (versions.size > 0) this.outboxes.set(state.id, { value: versions, expiresAt });
    for (const command of commands) {
      if (command.type !== 'schedule') continue;
      const due: DueTimer = { sagaId: state.id, timer: structuredClone(command.timer) };
      this.timers.set(timerMember(state.id, command.timer), { due, score: command.timer.dueAt });
    }
  }

  /** The value under `key` unless it expired (then it is dropped). */
  private live<T>(map: Map<string, Expiring<T>>, key: string): T | undefined {
    const entry = map.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      map.delete(key);
      return undefined;
    }
    return entry?.value;
  }
}

/** A counter entry's identity. */
function entryMember(key: string, entryId: string): string {
  return JSON.stringify([key, entryId]);
}

/** A timer's identity: the same timer scheduled twice is one timer. */
function timerMember(sagaId: string, timer: SagaTimer): string {
  const { kind, task, attempt, dueAt } = timer;
  return JSON.stringify({ sagaId, timer: { kind, task, attempt, dueAt } });
}

import Redis from 'ioredis';

import type { SagaCommand } from '../engine/saga-command';
import type { SagaTimer } from '../engine/saga-event';
import type { Json, SagaState } from '../engine/saga-state';
import { checkCounterAdjustment } from './counter-adjustment';
import { checkEvictionPolicy } from './redis-eviction-policy';
import {
  ADJUST_COUNTERS,
  CLAIM_TIMERS,
  CLEAR_OUTBOX,
  COMMIT_SAGA,
  CREATE_SAGA,
  LIST_SAGAS,
  PENDING_OUTBOXES,
  PUT_DOCUMENT,
  redisCall,
  REVERT_COUNTERS,
} from './redis-saga.scripts';
import type { SagaListPage, SagaListQuery, SagaSummary } from './saga-list.interface';
import { checkSagaListQuery, sagaListCursor, summarizeSaga } from './saga-list-query';
import { expiresWithRetention } from './saga-retention';
import type {
  CounterAdjustment,
  CounterAdjustResult,
  CounterRevertResult,
  Counters,
} from './saga-counters.interface';
import type { DueTimer, SagaOutbox, SagaStore, VersionedDocument } from './saga-store.interface';

/** Options of {@link RedisSagaStore}. */
export interface RedisSagaStoreOptions {
  /**
   * Where to connect when no `client` is given.
   * @default 'redis://127.0.0.1:6379'
   */
  url?: string;
  /** A client to use instead of connecting; the store never closes it. */
  client?: Redis;
  /**
   * First segment of every key.
   * @default 'dta'
   */
  keyPrefix?: string;
  /**
   * How long a completed or compensated saga's keys stay readable (status, late replies) before they
   * expire. A stalled saga's keys never expire.
   * @default 86_400_000 (24 h)
   */
  retentionMs?: number;
  /**
   * Whether {@link RedisSagaStore.init} refuses a server whose `maxmemory-policy` is not `noeviction`.
   * Turn it off only where the policy cannot be read and is known to be `noeviction`.
   * @default true
   */
  checkEvictionPolicy?: boolean;
}

const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000;

/** Index entries of sagas past their retention that one `list` call drops before it reads. */
const PRUNED_PER_LIST = 100;

/**
 * The key layout, with prefix `dta`:
 *
 * | key | type | what |
 * |---|---|---|
 * | `dta:{<sagaId>}:state` | hash `version`, `state`, `status`, `summary` | the saga (JSON), its status and list summary (JSON) |
 * | `dta:{<sagaId>}:outbox` | hash `<version>` -> outbox JSON | commands of each version not yet published |
 * | `dta:outbox-index` | sorted set | `<version>:<sagaId>` of each pending outbox, scored by the time it was stored |
 * | `dta:timers` | sorted set | `{"sagaId","timer"}` JSON members, scored by due time (or lease end) |
 * | `dta:saga-index:flow:<flow>:<status>` | sorted set | ids of the flow's sagas in that status, scored by `createdAt` |
 * | `dta:saga-index:flow:<flow>:any` | sorted set | ids of the flow's sagas, scored by `createdAt` |
 * | `dta:saga-index:all:<status>`, `dta:saga-index:all:any` | sorted set | the same over every flow |
 * | `dta:saga-index:trace:<traceId>` | sorted set | ids of the sagas of one trace, scored by `createdAt` |
 * | `dta:saga-index:expiry` | sorted set | `[id, flow, status, traceId]` JSON of each saga that expires, scored by when |
 * | `dta:doc:<key>` | hash `version`, `value` | participant documents; put a `{hash tag}` in `key` to pin a slot |
 * | `dta:counter:{<key>}` | hash `<counter>` -> integer | counters of {@link RedisSagaStore.adjustCounters} |
 * | `dta:counter:{<key>}:entry:<entryId>` | hash `state`, `d:<counter>` -> delta | one adjustment, applied or reverted |
 *
 * A status is never `any`, and the last segment of a `flow:` key is always a status or `any`, so no flow
 * name makes two index keys meet. `create` adds a saga to the flow, all-sagas and trace sets and to its
 * status sets; `commit` moves it between status sets only when the status changes (O(log N)), and scores a
 * completed or compensated saga in the expiry set; {@link RedisSagaStore.list} drops the entries of expired
 * sagas, a bounded number per call, and any entry whose saga is gone.
 *
 * The keys of one counter share the hash tag `{<key>}`, the keys of one saga the hash tag `{<sagaId>}`, so they live in one Redis Cluster slot. The
 * global indexes (outbox index, timers, saga index) do not: `create` and `commit` write them in the same script as the saga keys, and
 * `pendingOutboxes` and `list` read saga keys they derive from an index, which only a non-cluster Redis (single
 * node, replicated or Sentinel) allows. Cluster support needs indexes sharded by hash tag.
 */
export class RedisSagaKeys {
  constructor(readonly prefix: string) {}

  state(sagaId: string): string {
    return `${this.prefix}:{${sagaId}}:state`;
  }
  outbox(sagaId: string): string {
    return `${this.prefix}:{${sagaId}}:outbox`;
  }
  get outboxIndex(): string {
    return `${this.prefix}:outbox-index`;
  }
  get timers(): string {
    return `${this.prefix}:timers`;
  }
  /** Prefix of the saga index keys (`list`). */
  get sagaIndex(): string {
    return `${this.prefix}:saga-index`;
  }
  /** The index set `list` walks for one flow (or all) and one status (or any). */
  sagaIndexOf(flow: string | undefined, status: string | undefined): string {
    const scope = flow === undefined ? 'all' : `flow:${flow}`;
    return `${this.sagaIndex}:${scope}:${status ?? 'any'}`;
  }
  traceIndex(traceId: string): string {
    return `${this.sagaIndex}:trace:${traceId}`;
  }
  get expiryIndex(): string {
    return `${this.sagaIndex}:expiry`;
  }
  document(key: string): string {
    return `${this.prefix}:doc:${key}`;
  }
  counters(key: string): string {
    return `${this.prefix}:counter:{${key}}`;
  }
  counterEntry(key: string, entryId: string): string {
    return `${this.counters(key)}:entry:${entryId}`;
  }
}

/**
 * {@link SagaStore} on Redis. Every write is one Lua script, so state, outbox and timers change together;
 * versions make every write a compare-and-set, safe for any number of orchestrator replicas.
 *
 * @example
 * const store = new RedisSagaStore({ url: 'redis://redis:6379', retentionMs: 3_600_000 });
 */
export class RedisSagaStore implements SagaStore {
  /** The key names this store uses (for operators and tests). */
  readonly keys: RedisSagaKeys;
  private readonly client: Redis;
  private readonly ownsClient: boolean;
  private readonly retentionMs: number;
  private readonly checksEvictionPolicy: boolean;

  constructor(options: RedisSagaStoreOptions = {}) {
    // Commands issued in the same tick share one write: at 200 sagas in flight most do.
    this.client =
      options.client ?? new Redis(options.url ?? 'redis://127.0.0.1:6379', { enableAutoPipelining: true });
    this.ownsClient = !options.client;
    this.keys = new RedisSagaKeys(options.keyPrefix ?? 'dta');
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.checksEvictionPolicy = options.checkEvictionPolicy ?? true;
  }

  /**
   * Refuses (`UnsafeEvictionPolicyError`) a server whose `maxmemory-policy` may evict keys: read from
   * `INFO memory`, which managed servers that disable `CONFIG` still answer.
   */
  async init(): Promise<void> {
    if (this.checksEvictionPolicy) checkEvictionPolicy(await redisCall(() => this.client.info('memory')));
  }

  async create(state: SagaState, commands: SagaCommand[]): Promise<{ created: boolean; state: SagaState }> {
    const reply = await CREATE_SAGA.run(this.client, this.sagaKeys(state.id), [
      state.id,
      ...this.effectArgs(state, commands),
      ...this.indexArgs(state),
    ]);
    if (!Array.isArray(reply) || reply.length !== 2 || typeof reply[1] !== 'string') {
      throw unexpectedReply('create', reply);
    }
    return { created: reply[0] === 1, state: parseJson<SagaState>(reply[1], this.keys.state(state.id)) };
  }

  async load(sagaId: string): Promise<SagaState | undefined> {
    const raw = await redisCall(() => this.client.hget(this.keys.state(sagaId), 'state'));
    return raw === null ? undefined : parseJson<SagaState>(raw, this.keys.state(sagaId));
  }

  async commit(
    next: SagaState,
    expectedVersion: number,
    commands: SagaCommand[],
    published: readonly number[] = [],
  ): Promise<boolean> {
    const reply = await COMMIT_SAGA.run(this.client, this.sagaKeys(next.id), [
      next.id,
      expectedVersion,
      ...this.effectArgs(next, commands),
      published.length,
      ...published,
      ...this.indexArgs(next),
    ]);
    return reply === 1;
  }

  /**
   * One script call: walks the smallest index set that covers the filters (the trace set when `traceId` is
   * given, else the flow/status set) from the cursor, newest first; `from`/`to` bound the scores.
   */
  async list(query: SagaListQuery): Promise<SagaListPage> {
    const { limit, after } = checkSagaListQuery('RedisSagaStore.list', query);
    const { flow, status, traceId, from, to } = query;
    const walked =
      traceId === undefined ? this.keys.sagaIndexOf(flow, status) : this.keys.traceIndex(traceId);
    // The cursor's own score stays in range (its later ids are on the next page); `to` is exclusive.
    const cursorBound = after && (to === undefined || after.createdAt < to);
    const max = cursorBound ? String(after.createdAt) : to === undefined ? '+inf' : `(${to}`;
    const clientPrefix = this.client.options.keyPrefix ?? '';
    const reply = await LIST_SAGAS.run(
      this.client,
      [walked, this.keys.expiryIndex],
      [
        `${clientPrefix}${this.keys.sagaIndex}`,
        `${clientPrefix}${this.keys.prefix}`,
        max,
        from === undefined ? '-inf' : String(from),
        after ? String(after.createdAt) : '',
        after?.id ?? '',
        limit + 1,
        status ?? '',
        flow ?? '',
        traceId ?? '',
        PRUNED_PER_LIST,
      ],
    );
    const found = stringsOf(reply, 'list').map((raw) => parseJson<SagaSummary>(raw, walked));
    const sagas = found.slice(0, limit);
    return found.length > limit ? { sagas, next: sagaListCursor(sagas[sagas.length - 1]) } : { sagas };
  }

  async clearOutbox(sagaId: string, version: number): Promise<void> {
    await CLEAR_OUTBOX.run(this.client, [this.keys.outbox(sagaId), this.keys.outboxIndex], [version, sagaId]);
  }

  async pendingOutboxes(before: number, limit: number): Promise<SagaOutbox[]> {
    if (limit <= 0) return [];
    // Lua builds outbox keys itself, so it needs the prefix a shared client adds to KEYS on its own.
    const clientPrefix = this.client.options.keyPrefix ?? '';
    const reply = await PENDING_OUTBOXES.run(
      this.client,
      [this.keys.outboxIndex],
      [before, limit, `${clientPrefix}${this.keys.prefix}`],
    );
    return stringsOf(reply, 'pendingOutboxes').map((raw) =>
      parseJson<SagaOutbox>(raw, this.keys.outboxIndex),
    );
  }

  async claimDueTimers(now: number, leaseMs: number, limit: number): Promise<DueTimer[]> {
    if (limit <= 0) return [];
    const reply = await CLAIM_TIMERS.run(this.client, [this.keys.timers], [now, now + leaseMs, limit]);
    return stringsOf(reply, 'claimDueTimers').map((raw) => parseJson<DueTimer>(raw, this.keys.timers));
  }

  async completeTimer(due: DueTimer): Promise<void> {
    await redisCall(() => this.client.zrem(this.keys.timers, timerMember(due.sagaId, due.timer)));
  }

  /** The Redis server's clock (`TIME`), in epoch ms. */
  async time(): Promise<number> {
    const [seconds, micros] = await redisCall(() => this.client.time());
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }

  async getDocument(key: string): Promise<VersionedDocument | undefined> {
    const [version, value] = await redisCall(() =>
      this.client.hmget(this.keys.document(key), 'version', 'value'),
    );
    if (version === null || value === null) return undefined;
    return { value: parseJson<Json>(value, this.keys.document(key)), version: Number(version) };
  }

  async putDocument(key: string, value: Json, expectedVersion: number, ttlMs?: number): Promise<boolean> {
    const reply = await PUT_DOCUMENT.run(
      this.client,
      [this.keys.document(key)],
      [expectedVersion, JSON.stringify(value), ttlMs && ttlMs > 0 ? Math.ceil(ttlMs) : 0],
    );
    return reply === 1;
  }

  async adjustCounters(adjustment: CounterAdjustment): Promise<CounterAdjustResult> {
    checkCounterAdjustment(adjustment);
    const { key, entryId, deltas, initial = {}, floor = 0, entryTtlMs } = adjustment;
    const deltaPairs = Object.entries(deltas);
    const reply = await ADJUST_COUNTERS.run(
      this.client,
      [this.keys.counters(key), this.keys.counterEntry(key, entryId)],
      [
        floor,
        entryTtlMs && entryTtlMs > 0 ? Math.ceil(entryTtlMs) : 0,
        deltaPairs.length,
        ...deltaPairs.flat(),
        ...Object.entries(initial).flat(),
      ],
    );
    if (!Array.isArray(reply) || reply.length !== 3) throw unexpectedReply('adjustCounters', reply);
    const [status, counter, pairs] = reply as [unknown, unknown, unknown];
    const counters = countersOf(pairs, 'adjustCounters');
    if (status === 'refused' && typeof counter === 'string') return { status, counter, counters };
    if (status === 'applied' || status === 'duplicate') return { status, counters };
    throw unexpectedReply('adjustCounters', reply);
  }

  async revertCounters(key: string, entryId: string): Promise<CounterRevertResult> {
    const reply = await REVERT_COUNTERS.run(
      this.client,
      [this.keys.counters(key), this.keys.counterEntry(key, entryId)],
      [],
    );
    if (!Array.isArray(reply) || reply.length !== 2) throw unexpectedReply('revertCounters', reply);
    return { reverted: reply[0] === 1, counters: countersOf(reply[1], 'revertCounters') };
  }

  async readCounters(key: string): Promise<Counters | undefined> {
    const stored = await redisCall(() => this.client.hgetall(this.keys.counters(key)));
    return Object.keys(stored).length === 0
      ? undefined
      : countersOf(Object.entries(stored).flat(), 'readCounters');
  }

  async close(): Promise<void> {
    if (this.ownsClient && this.client.status !== 'end') await this.client.quit();
  }

  private sagaKeys(sagaId: string): string[] {
    return [this.keys.state(sagaId), this.keys.outbox(sagaId), this.keys.outboxIndex, this.keys.timers];
  }

  /** The index values the scripts' shared `indexSaga` reads, state JSON last (see `INDEX_SAGA`). */
  private indexArgs(state: SagaState): (string | number)[] {
    const clientPrefix = this.client.options.keyPrefix ?? '';
    return [
      `${clientPrefix}${this.keys.sagaIndex}`,
      state.flow,
      state.status,
      state.traceId,
      String(state.createdAt),
      JSON.stringify(summarizeSaga(state)),
      JSON.stringify(state),
    ];
  }

  /** Version, outbox JSON, retention and timers, as the scripts' shared `writeEffects` reads them. */
  private effectArgs(state: SagaState, commands: SagaCommand[]): (string | number)[] {
    const published = commands.filter((command) => command.type !== 'schedule');
    const outbox: SagaOutbox = { sagaId: state.id, version: state.version, commands: published };
    const timers = commands.flatMap((command) => (command.type === 'schedule' ? [command.timer] : []));
    return [
      state.version,
      published.length > 0 ? JSON.stringify(outbox) : '',
      expiresWithRetention(state.status) ? this.retentionMs : 0,
      timers.length,
      ...timers.flatMap((timer) => [String(timer.dueAt), timerMember(state.id, timer)]),
    ];
  }
}

/**
 * The sorted-set member of a timer: JSON with a fixed key order, so scheduling the same timer twice adds
 * one member, and {@link RedisSagaStore.completeTimer} finds it from a {@link DueTimer}.
 */
function timerMember(sagaId: string, timer: SagaTimer): string {
  const { kind, task, attempt, dueAt } = timer;
  return JSON.stringify({ sagaId, timer: { kind, task, attempt, dueAt } });
}

function parseJson<T>(raw: string, key: string): T {
  try {
    return JSON.parse(raw) as T;
  } catch (error) {
    throw new SyntaxError(`Unreadable JSON at Redis key ${key}: ${(error as Error).message}`);
  }
}

/** Counters from a flat `name, value, ...` reply (HGETALL's shape). */
function countersOf(reply: unknown, command: string): Counters {
  const pairs = stringsOf(reply, command);
  const counters: Record<string, number> = {};
  for (let i = 0; i < pairs.length; i += 2) counters[pairs[i]] = Number(pairs[i + 1]);
  return counters;
}

function stringsOf(reply: unknown, command: string): string[] {
  if (!Array.isArray(reply) || !reply.every((item): item is string => typeof item === 'string')) {
    throw unexpectedReply(command, reply);
  }
  return reply;
}

function unexpectedReply(command: string, reply: unknown): TypeError {
  return new TypeError(`RedisSagaStore.${command}: unexpected reply from Redis: ${JSON.stringify(reply)}`);
}

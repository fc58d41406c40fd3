import Redis, { Cluster } from 'ioredis';

import type { SagaCommand } from '../engine/saga-command';
import { coalesceWrites } from '../io/coalesced-writes';
import type { SagaTimer } from '../engine/saga-event';
import type { Json, SagaState } from '../engine/saga-state';
import { SAGA_STATUSES } from '../vocabulary';
import { checkCounterAdjustment } from './counter-adjustment';
import { checkEvictionPolicy } from './redis-eviction-policy';
import {
  ADJUST_COUNTERS,
  CLAIM_TIMERS,
  CLEAR_OUTBOX,
  COMMIT_SAGA,
  CREATE_SAGA,
  COUNT_SAGAS,
  LIST_SAGAS,
  PENDING_OUTBOXES,
  PUT_DOCUMENT,
  redisCall,
  REVERT_COUNTERS,
} from './redis-saga.scripts';
import type { SagaCounts, SagaListPage, SagaListQuery, SagaSummary } from './saga-list.interface';
import { checkSagaListQuery, compareListOrder, sagaListCursor, summarizeSaga } from './saga-list-query';
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
import { hashOf, sagaFields, sagaFromFields } from './redis-saga-fields';

/** A connection {@link RedisSagaStore} works through: one Redis (single node, replicated, Sentinel) or a Redis Cluster. */
export type RedisSagaClient = Redis | Cluster;

/** Options of {@link RedisSagaStore}. */
export interface RedisSagaStoreOptions {
  /**
   * Where to connect when neither `client` nor `clusterNodes` is given.
   * @default 'redis://127.0.0.1:6379'
   */
  url?: string;
  /**
   * Nodes of a Redis Cluster to connect to when no `client` is given (`host:port` or
   * `redis://[[user]:password@]host:port`; a few are enough, the client learns the others from them). Credentials in
   * the first one are used for every node. Takes precedence over `url`.
   * @default none: connect to `url`
   */
  clusterNodes?: string[];
  /**
   * A client to use instead of connecting (an ioredis `Redis` or `Cluster`); the store never closes it, and uses
   * it as it is configured. The connection the store opens itself sends the commands of one tick in one write;
   * for a client of your own, `enableAutoPipelining: true` batches them too, at some CPU cost.
   * @default none: the store connects to `clusterNodes` or `url`
   */
  client?: RedisSagaClient;
  /**
   * First segment of every key. Must not contain `{` or `}`: the store's keys carry their own hash tags.
   * @default 'dta'
   */
  keyPrefix?: string;
  /**
   * How many shards the sagas are spread over: each saga belongs to one (a hash of its id), and its keys and the
   * indexes of its shard share one hash tag, so one Redis Cluster slot. More shards spread the sagas over more
   * cluster nodes; the readers that walk every index (`claimDueTimers`, `pendingOutboxes`, `list`) pay one call
   * per shard. Changing it moves every saga to another key: set it before the first saga and keep it (a store
   * with another count does not see the sagas stored under the old one).
   * @default 16
   */
  shards?: number;
  /**
   * How long a completed or compensated saga's keys stay readable (status, late replies) before they
   * expire. A stalled saga's keys never expire.
   * @default 86_400_000 (24 h)
   */
  retentionMs?: number;
  /**
   * Whether {@link RedisSagaStore.init} refuses a server whose `maxmemory-policy` is not `noeviction` (on a
   * cluster: any node that is). Turn it off only where the policy cannot be read and is known to be `noeviction`.
   * @default true
   */
  checkEvictionPolicy?: boolean;
}

const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000;
const DEFAULT_SHARDS = 16;
/** A Redis Cluster has this many slots: more shards could not land in more places. */
const MAX_SHARDS = 16_384;

/** Index entries of sagas past their retention that one `list` call drops per shard before it reads. */
const PRUNED_PER_LIST = 100;

/**
 * The key layout, with prefix `dta`; `<n>` is the saga's shard, {@link RedisSagaKeys.shardOf} its id:
 *
 * | key | type | what |
 * |---|---|---|
 * | `dta:{s<n>}:saga:<sagaId>:state` | hash `version`, `status`, `summary`, `head`, `input`, `t:<step>:<task>`, `l:<n>` | the saga as fields (see `redis-saga-fields.ts`), its status and list summary (JSON) |
 * | `dta:{s<n>}:saga:<sagaId>:outbox` | hash `<version>` -> outbox JSON | commands of each version not yet published |
 * | `dta:{s<n>}:outbox-index` | sorted set | `<version>:<sagaId>` of each pending outbox of the shard, scored by the time it was stored |
 * | `dta:{s<n>}:timers` | sorted set | `{"sagaId","timer"}` JSON members, scored by due time (or lease end) |
 * | `dta:{s<n>}:saga-index:flow:<flow>:<status>` | sorted set | ids of the shard's sagas of that flow in that status, scored by `createdAt` |
 * | `dta:{s<n>}:saga-index:flow:<flow>:any` | sorted set | ids of the shard's sagas of the flow, scored by `createdAt` |
 * | `dta:{s<n>}:saga-index:all:<status>`, `dta:{s<n>}:saga-index:all:any` | sorted set | the same over every flow |
 * | `dta:{s<n>}:saga-index:trace:<traceId>` | sorted set | ids of the shard's sagas of one trace, scored by `createdAt` |
 * | `dta:{s<n>}:saga-index:expiry` | sorted set | `[id, flow, status, traceId]` JSON of each saga of the shard that expires, scored by when |
 * | `dta:doc:<key>` | hash `version`, `value` | participant documents; put a `{hash tag}` in `key` to pin a slot |
 * | `dta:counter:{<key>}` | hash `<counter>` -> integer | counters of {@link RedisSagaStore.adjustCounters} |
 * | `dta:counter:{<key>}:entry:<entryId>` | hash `state`, `d:<counter>` -> delta | one adjustment, applied or reverted |
 *
 * A status is never `any`, and the last segment of a `flow:` key is always a status or `any`, so no flow
 * name makes two index keys meet. `create` adds a saga to the flow, all-sagas and trace sets and to its
 * status sets; `commit` moves it between status sets only when the status changes (O(log N)), and scores a
 * completed or compensated saga in the expiry set; {@link RedisSagaStore.list} drops the entries of expired
 * sagas, a bounded number per shard and call, and any entry whose saga is gone.
 *
 * Every key of a shard carries the hash tag `{s<n>}`, the keys of one counter the tag `{<key>}`: every script
 * touches one Redis Cluster slot, and a script that reads keys it derives from an index (`pendingOutboxes`,
 * `list`) reads them in that slot. So the layout is the same on a single Redis and on a cluster, where the
 * shards are spread over the masters by their slots. The readers of indexes walk every shard and merge.
 */
export class RedisSagaKeys {
  constructor(
    readonly prefix: string,
    /** How many shards the sagas are spread over (see {@link RedisSagaStoreOptions.shards}). */
    readonly shards = DEFAULT_SHARDS,
  ) {}

  /**
   * The shard of a saga: the 32-bit FNV-1a hash of its id's UTF-16 code units, modulo the shard count. Every
   * store call derives several keys from it, so it is a cheap hash, not a digest (SHA-1 was 3 % of the
   * orchestrator's busy time).
   */
  shardOf(sagaId: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < sagaId.length; i++) hash = Math.imul(hash ^ sagaId.charCodeAt(i), 0x01000193);
    return (hash >>> 0) % this.shards;
  }
  /** Every shard number, 0 to `shards - 1`. */
  get allShards(): number[] {
    return Array.from({ length: this.shards }, (_, shard) => shard);
  }
  /** `dta:{s<n>}`: the start of every key of shard `n`, hash tag included. */
  shard(shard: number): string {
    return `${this.prefix}:{s${shard}}`;
  }
  state(sagaId: string): string {
    return `${this.shard(this.shardOf(sagaId))}:saga:${sagaId}:state`;
  }
  outbox(sagaId: string): string {
    return `${this.shard(this.shardOf(sagaId))}:saga:${sagaId}:outbox`;
  }
  outboxIndex(shard: number): string {
    return `${this.shard(shard)}:outbox-index`;
  }
  timers(shard: number): string {
    return `${this.shard(shard)}:timers`;
  }
  /** Prefix of the saga index keys of a shard (`list`). */
  sagaIndex(shard: number): string {
    return `${this.shard(shard)}:saga-index`;
  }
  /** The index set `list` walks in a shard for one flow (or all) and one status (or any). */
  sagaIndexOf(shard: number, flow: string | undefined, status: string | undefined): string {
    const scope = flow === undefined ? 'all' : `flow:${flow}`;
    return `${this.sagaIndex(shard)}:${scope}:${status ?? 'any'}`;
  }
  traceIndex(shard: number, traceId: string): string {
    return `${this.sagaIndex(shard)}:trace:${traceId}`;
  }
  expiryIndex(shard: number): string {
    return `${this.sagaIndex(shard)}:expiry`;
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
 * {@link SagaStore} on Redis or Redis Cluster. Every write is one Lua script, so state, outbox and timers change
 * together; versions make every write a compare-and-set, safe for any number of orchestrator replicas.
 *
 * @example
 * const store = new RedisSagaStore({ url: 'redis://redis:6379', retentionMs: 3_600_000 });
 * const clustered = new RedisSagaStore({ clusterNodes: ['redis-0:6379', 'redis-1:6379', 'redis-2:6379'] });
 */
export class RedisSagaStore implements SagaStore {
  /** The key names this store uses (for operators and tests). */
  readonly keys: RedisSagaKeys;
  private readonly client: RedisSagaClient;
  private readonly ownsClient: boolean;
  private readonly retentionMs: number;
  private readonly checksEvictionPolicy: boolean;

  constructor(options: RedisSagaStoreOptions = {}) {
    const keyPrefix = options.keyPrefix ?? 'dta';
    const shards = options.shards ?? DEFAULT_SHARDS;
    checkLayoutOptions(keyPrefix, shards, options.client?.options.keyPrefix);
    this.client = options.client ?? connect(options);
    this.ownsClient = !options.client;
    this.keys = new RedisSagaKeys(keyPrefix, shards);
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.checksEvictionPolicy = options.checkEvictionPolicy ?? true;
  }

  /**
   * Refuses (`UnsafeEvictionPolicyError`) a server whose `maxmemory-policy` may evict keys: read from
   * `INFO memory`, which managed servers that disable `CONFIG` still answer. On a cluster every node the client
   * knows is asked, replicas too (a failover makes one a master); a node added later is not.
   */
  async init(): Promise<void> {
    if (!this.checksEvictionPolicy) return;
    for (const node of await this.serverNodes()) {
      checkEvictionPolicy(await redisCall(() => node.info('memory')));
    }
  }

  async create(state: SagaState, commands: SagaCommand[]): Promise<{ created: boolean; state: SagaState }> {
    const reply = await CREATE_SAGA.run(this.client, this.sagaKeys(state.id), [
      state.id,
      ...this.effectArgs(state, commands),
      ...this.stateArgs(state),
    ]);
    if (!Array.isArray(reply)) throw unexpectedReply('create', reply);
    if (reply[0] === 1) return { created: true, state };
    const stored = sagaFromFields(hashOf(stringsOf(reply[1], 'create')), this.keys.state(state.id));
    if (!stored) throw unexpectedReply('create', reply);
    return { created: false, state: stored };
  }

  async load(sagaId: string): Promise<SagaState | undefined> {
    const hash = await redisCall(() => this.client.hgetall(this.keys.state(sagaId)));
    return sagaFromFields(hash, this.keys.state(sagaId));
  }

  async commit(
    next: SagaState,
    expectedVersion: number,
    commands: SagaCommand[],
    { published = [], previous }: SagaCommitOptions = {},
  ): Promise<boolean> {
    const reply = await COMMIT_SAGA.run(this.client, this.sagaKeys(next.id), [
      next.id,
      expectedVersion,
      ...this.effectArgs(next, commands),
      published.length,
      ...published,
      ...this.stateArgs(next, previous?.version === expectedVersion ? previous : undefined),
    ]);
    return reply === 1;
  }

  /**
   * One script call per shard, all at once: each walks the smallest index set of its shard that covers the
   * filters (the trace set when `traceId` is given, else the flow/status set) from the cursor, newest first, for
   * one more than a page; `from`/`to` bound the scores. The pages are merged in list order, so the page and its
   * cursor are those of one index over every shard.
   */
  async list(query: SagaListQuery): Promise<SagaListPage> {
    const { limit, after } = checkSagaListQuery('RedisSagaStore.list', query);
    const { flow, status, traceId, from, to } = query;
    // The cursor's own score stays in range (its later ids are on the next page); `to` is exclusive.
    const cursorBound = after && (to === undefined || after.createdAt < to);
    const max = cursorBound ? String(after.createdAt) : to === undefined ? '+inf' : `(${to}`;
    const pages = await Promise.all(
      this.keys.allShards.map(async (shard) => {
        const walked =
          traceId === undefined
            ? this.keys.sagaIndexOf(shard, flow, status)
            : this.keys.traceIndex(shard, traceId);
        const reply = await LIST_SAGAS.run(
          this.client,
          [walked, this.keys.expiryIndex(shard)],
          [
            this.prefixed(this.keys.shard(shard)),
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
        return stringsOf(reply, 'list').map((raw) => parseJson<SagaSummary>(raw, walked));
      }),
    );
    const found = pages
      .flat()
      .sort(compareListOrder)
      .slice(0, limit + 1);
    const sagas = found.slice(0, limit);
    return found.length > limit ? { sagas, next: sagaListCursor(sagas[sagas.length - 1]) } : { sagas };
  }

  /** One script call per shard, all at once, each pruning expired entries first as `list` does. */
  async count(flow?: string): Promise<SagaCounts> {
    const perShard = await Promise.all(
      this.keys.allShards.map(async (shard) => {
        const reply = await COUNT_SAGAS.run(
          this.client,
          [this.keys.expiryIndex(shard)],
          [this.prefixed(this.keys.shard(shard)), flow ?? '', PRUNED_PER_LIST, ...SAGA_STATUSES],
        );
        return numbersOf(reply, 'count');
      }),
    );
    const total = (i: number) => perShard.reduce((sum, shard) => sum + (shard[i] ?? 0), 0);
    return Object.fromEntries(SAGA_STATUSES.map((status, i) => [status, total(i)])) as SagaCounts;
  }

  async clearOutbox(sagaId: string, version: number): Promise<void> {
    const shard = this.keys.shardOf(sagaId);
    await CLEAR_OUTBOX.run(
      this.client,
      [this.keys.outbox(sagaId), this.keys.outboxIndex(shard)],
      [version, sagaId],
    );
  }

  /** One script call per shard, all at once, each for up to `limit` outboxes; the oldest `limit` of them win. */
  async pendingOutboxes(before: number, limit: number): Promise<SagaOutbox[]> {
    if (limit <= 0) return [];
    const pending = await Promise.all(
      this.keys.allShards.map(async (shard) => {
        const index = this.keys.outboxIndex(shard);
        // Lua builds outbox keys itself, so it needs the prefix a shared client adds to KEYS on its own.
        const reply = await PENDING_OUTBOXES.run(
          this.client,
          [index],
          [before, limit, this.prefixed(this.keys.shard(shard))],
        );
        return scoredOf(reply, 'pendingOutboxes').map(({ member, score }) => ({
          outbox: parseJson<SagaOutbox>(member, index),
          score,
        }));
      }),
    );
    return earliest(pending, limit).map(({ outbox }) => outbox);
  }

  /** The lowest score of every shard's outbox index (one `ZRANGE … 0 0 WITHSCORES` per shard, at once). */
  async oldestOutboxAt(): Promise<number | undefined> {
    const oldest = await Promise.all(
      this.keys.allShards.map(async (shard) => {
        const index = this.keys.outboxIndex(shard);
        return scoredOf(
          await redisCall(() => this.client.zrange(index, 0, 0, 'WITHSCORES')),
          'oldestOutboxAt',
        );
      }),
    );
    return earliest(oldest)[0]?.score;
  }

  /**
   * Reads the due timers of every shard at once (up to `limit` each), then claims, in the shards that have
   * them, as many as the earliest `limit` overall hold there. An idle sweep costs one read per shard.
   */
  async claimDueTimers(now: number, leaseMs: number, limit: number): Promise<DueTimer[]> {
    if (limit <= 0) return [];
    const due = await Promise.all(
      this.keys.allShards.map(async (shard) => {
        const reply = await redisCall(() =>
          this.client.zrangebyscore(this.keys.timers(shard), '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit),
        );
        return scoredOf(reply, 'claimDueTimers').map(({ score }) => ({ shard, score }));
      }),
    );
    const perShard = new Map<number, number>();
    for (const { shard } of earliest(due, limit)) perShard.set(shard, (perShard.get(shard) ?? 0) + 1);
    const claimed = await Promise.all(
      [...perShard].map(async ([shard, count]) => {
        const timers = this.keys.timers(shard);
        const reply = await CLAIM_TIMERS.run(this.client, [timers], [now, now + leaseMs, count]);
        return scoredOf(reply, 'claimDueTimers').map(({ member, score }) => ({
          timer: parseJson<DueTimer>(member, timers),
          score,
        }));
      }),
    );
    return earliest(claimed).map(({ timer }) => timer);
  }

  async completeTimer(due: DueTimer): Promise<void> {
    const timers = this.keys.timers(this.keys.shardOf(due.sagaId));
    await redisCall(() => this.client.zrem(timers, timerMember(due.sagaId, due.timer)));
  }

  /**
   * The Redis server's clock (`TIME`), in epoch ms. On a cluster, any node's: keep their clocks synchronised
   * (NTP); the sweeper's 5 s grace for unpublished outboxes absorbs a smaller skew.
   */
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

  /** `PING` (on a cluster, to a node the client picks); an unreachable server rejects with a TransientFaultError. */
  async check(): Promise<void> {
    await redisCall(() => this.client.ping());
  }

  async close(): Promise<void> {
    if (this.ownsClient && this.client.status !== 'end') await this.client.quit();
  }

  /** Every node to ask about the server's settings: the one Redis, or each node the cluster client knows. */
  private async serverNodes(): Promise<Redis[]> {
    if (!(this.client instanceof Cluster)) return [this.client];
    // The node list is known once the client has read the slots: any command waits for that.
    if (this.client.status !== 'ready') await redisCall(() => this.client.ping());
    return this.client.nodes('all');
  }

  /** `key` as the server stores it: with the prefix a shared client adds to KEYS (Lua builds some keys itself). */
  private prefixed(key: string): string {
    return `${this.client.options.keyPrefix ?? ''}${key}`;
  }

  /** State, outbox, then the outbox index and timers of the saga's shard: one slot. */
  private sagaKeys(sagaId: string): string[] {
    const shard = this.keys.shardOf(sagaId);
    return [
      this.keys.state(sagaId),
      this.keys.outbox(sagaId),
      this.keys.outboxIndex(shard),
      this.keys.timers(shard),
    ];
  }

  /**
   * The saga's fields (all of them, or what differs from `previous`) and index values, as the scripts'
   * shared `indexSaga` reads them (see `INDEX_SAGA`).
   */
  private stateArgs(state: SagaState, previous?: SagaState): (string | number)[] {
    const { replace, pairs } = sagaFields(state, previous);
    return [
      ...pairs,
      replace ? '1' : '0',
      pairs.length / 2,
      this.prefixed(this.keys.sagaIndex(this.keys.shardOf(state.id))),
      state.flow,
      state.status,
      state.traceId,
      String(state.createdAt),
      JSON.stringify(summarizeSaga(state)),
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

/** Refuses a layout whose hash tags would not hold: a brace in a prefix, a shard count no slot count fits. */
function checkLayoutOptions(keyPrefix: string, shards: number, clientPrefix: string | undefined): void {
  for (const [name, prefix] of [
    ['keyPrefix', keyPrefix],
    ['client.options.keyPrefix', clientPrefix ?? ''],
  ]) {
    if (/[{}]/.test(prefix)) {
      throw new RangeError(
        `RedisSagaStore: ${name} ${JSON.stringify(prefix)} contains a brace; the store puts its own hash tags in ` +
          'its keys and a brace before them would move keys of one saga to different slots. Remove it.',
      );
    }
  }
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_SHARDS) {
    throw new RangeError(
      `RedisSagaStore: shards must be a whole number from 1 to ${MAX_SHARDS}, got ${String(shards)}`,
    );
  }
}

/**
 * The client the store opens itself: a cluster client over `clusterNodes`, else one connection to `url`. The
 * commands one tick issues on a connection leave in one write ({@link coalesceWrites}): at 200 sagas in flight
 * most share it. That replaced ioredis's auto-pipelining, which builds a pipeline object per batch and
 * sends it a phase of the event loop later: without it the bench's worker and orchestrator spend 10-20 % less
 * CPU per saga.
 */
function connect({ url, clusterNodes }: RedisSagaStoreOptions): RedisSagaClient {
  if (!clusterNodes?.length) return coalescing(new Redis(url ?? 'redis://127.0.0.1:6379'));
  const cluster = new Cluster(clusterNodes, { redisOptions: credentialsOf(clusterNodes[0]) });
  cluster.on('+node', coalescing);
  return cluster;
}

/** Coalesces the writes of every socket `client` connects (again after each reconnection). */
function coalescing(client: Redis): Redis {
  client.on('connect', () => coalesceWrites(client.stream));
  return client;
}

/** User name and password of a `redis://` node URL (a discovered node is reached with these too). */
function credentialsOf(node: string): { username?: string; password?: string } {
  if (!/^rediss?:\/\//.test(node)) return {};
  const { username, password } = new URL(node);
  return {
    ...(username ? { username: decodeURIComponent(username) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
  };
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

/** The per-shard answers merged, lowest score first, at most `limit` of them. */
function earliest<T extends { score: number }>(perShard: T[][], limit = Infinity): T[] {
  return perShard
    .flat()
    .sort((a, b) => a.score - b.score)
    .slice(0, limit);
}

/** Members and scores from a flat `member, score, ...` reply (WITHSCORES' shape). */
function scoredOf(reply: unknown, command: string): { member: string; score: number }[] {
  const flat = stringsOf(reply, command);
  const scored: { member: string; score: number }[] = [];
  for (let i = 0; i < flat.length; i += 2) scored.push({ member: flat[i], score: Number(flat[i + 1]) });
  return scored;
}

function numbersOf(reply: unknown, command: string): number[] {
  if (!Array.isArray(reply) || !reply.every((item): item is number => typeof item === 'number')) {
    throw unexpectedReply(command, reply);
  }
  return reply;
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

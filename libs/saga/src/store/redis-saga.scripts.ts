import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { TransientFaultError } from '../vocabulary';

/** Error replies of a server that cannot serve now but will: after a restart, a failover, a full memory. */
const UNAVAILABLE_REPLIES = /^(LOADING|OOM|READONLY|MASTERDOWN|BUSY|TRYAGAIN|CLUSTERDOWN|NOREPLICAS)\b/;

/**
 * Runs one Redis call; an unreachable server (no connection, retries used up) or one that answers it cannot
 * serve now becomes a {@link TransientFaultError}, so that the message under way waits for Redis instead of
 * using up its deliveries. Any other error reply (a bug, a bad key type) stays as it is.
 */
export async function redisCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const replied = error instanceof Error && error.name === 'ReplyError';
    if (replied && !UNAVAILABLE_REPLIES.test(message)) throw error;
    throw new TransientFaultError(`Redis unavailable: ${message}`, { cause: error });
  }
}

/**
 * A Lua script run with EVALSHA, falling back to EVAL (which caches it) when the server answers NOSCRIPT:
 * after a restart, a failover or SCRIPT FLUSH. Every script is safe to run again after a lost reply: a
 * repeated write fails its version check, a repeated claim or clear finds nothing left to do. On a cluster
 * client both go to the node of the first key's slot (each node caches scripts on its own, so the first call
 * on each node, and after a failover or a slot moving, takes the EVAL path); every key a script touches, given
 * or derived, is in that slot.
 */
export class RedisScript {
  private readonly sha: string;

  constructor(
    /** Label for error messages. */
    readonly name: string,
    private readonly lua: string,
  ) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(
    client: Redis | Cluster,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    return redisCall(async () => {
      try {
        return await client.evalsha(this.sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return client.eval(this.lua, keys.length, ...keys, ...args);
      }
    });
  }
}

/**
 * Shared tail of `create` and `commit`: store the outbox of this version beside those of earlier versions
 * still pending, add the timers, and start the retention of a completed or compensated saga. Expects
 * KEYS[1..4] = state, outbox, and the outbox index and timers of the saga's shard, and ARGV[1] = saga id, then (from `first`) version,
 * outbox JSON ('' for none), retention ms ('0': keep), timer count, then timer score/member pairs. Index
 * members are `<version>:<sagaId>`. Scores and times are formatted with `%.0f`: Lua's default number
 * format would turn epoch milliseconds into exponent notation past 14 digits.
 */
const WRITE_EFFECTS = `
local function writeEffects(first)
  local version, outbox, retention = ARGV[first], ARGV[first + 1], tonumber(ARGV[first + 2])
  if outbox ~= '' then
    local t = redis.call('TIME')
    local now = string.format('%.0f', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
    redis.call('HSET', KEYS[2], version, outbox)
    redis.call('ZADD', KEYS[3], now, version .. ':' .. ARGV[1])
  end
  local timers = tonumber(ARGV[first + 3])
  for i = 1, timers do
    local at = first + 3 + (i - 1) * 2
    redis.call('ZADD', KEYS[4], ARGV[at + 1], ARGV[at + 2])
  end
  if retention > 0 then
    redis.call('PEXPIRE', KEYS[1], retention)
    redis.call('PEXPIRE', KEYS[2], retention)
  end
end
`;

/**
 * Shared by `create` and `commit`: writes the saga into its state hash and keeps the saga index (see
 * {@link RedisSagaKeys}) in the same script. Expects KEYS[1] = state, ARGV[1] = saga id and, as the last ARGV:
 * the saga's fields (`redis-saga-fields.ts`) as field/value pairs, '1' to replace the whole hash or '0' to
 * update it, the number of pairs, then the index key prefix of the saga's shard (with any client prefix; the
 * sets are built from it, in the shard's slot), flow, status, trace id, createdAt and summary JSON. Writes
 * the fields with `version`, `status` and `summary` in one HSET. Sorted sets change only when the status does
 * (`previous`, the stored status, false on create): out of the old status sets, into the new ones; a create
 * also joins the flow, all-sagas and trace sets. A saga that expires (ARGV retention > 0) is scored in the
 * expiry set at the time its keys go, so {@link LIST_SAGAS} can drop its entries then.
 */
const INDEX_SAGA = `
local function indexSaga(version, previous, retention)
  local n = #ARGV
  local index, flow, status, trace, createdAt = ARGV[n - 5], ARGV[n - 4], ARGV[n - 3], ARGV[n - 2], ARGV[n - 1]
  local id = ARGV[1]
  local pairs = tonumber(ARGV[n - 6])
  if ARGV[n - 7] == '1' then redis.call('DEL', KEYS[1]) end
  redis.call('HSET', KEYS[1], 'version', version, 'status', status, 'summary', ARGV[n])
  -- In slices: unpack() of a big saga's fields would overflow Lua's stack.
  local first, last = n - 7 - 2 * pairs, n - 8
  for from = first, last, 200 do
    redis.call('HSET', KEYS[1], unpack(ARGV, from, math.min(from + 199, last)))
  end
  if previous ~= status then
    if previous then
      redis.call('ZREM', index .. ':flow:' .. flow .. ':' .. previous, id)
      redis.call('ZREM', index .. ':all:' .. previous, id)
    else
      redis.call('ZADD', index .. ':flow:' .. flow .. ':any', createdAt, id)
      redis.call('ZADD', index .. ':all:any', createdAt, id)
      redis.call('ZADD', index .. ':trace:' .. trace, createdAt, id)
    end
    redis.call('ZADD', index .. ':flow:' .. flow .. ':' .. status, createdAt, id)
    redis.call('ZADD', index .. ':all:' .. status, createdAt, id)
  end
  if retention > 0 then
    local t = redis.call('TIME')
    local at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + retention
    redis.call('ZADD', index .. ':expiry', string.format('%.0f', at), cjson.encode({id, flow, status, trace}))
  end
end
`;

/**
 * Creates the saga unless its state key exists. ARGV: saga id, version, outbox, retention, timer count,
 * timers, then the saga's fields and index values of {@link INDEX_SAGA}. Returns `{1}` when created, `{0,
 * stored hash}` (HGETALL's reply) otherwise.
 */
export const CREATE_SAGA = new RedisScript(
  'create',
  `${WRITE_EFFECTS}${INDEX_SAGA}
if redis.call('EXISTS', KEYS[1]) == 1 then return {0, redis.call('HGETALL', KEYS[1])} end
indexSaga(ARGV[2], false, tonumber(ARGV[4]))
writeEffects(2)
return {1}
`,
);

/**
 * Compare-and-set of the saga. ARGV: saga id, expected version, then as for create (the next version, ...,
 * the timers), then the count of published versions and those versions, then the saga's fields and index
 * values of {@link INDEX_SAGA}. First drops the outboxes of the published versions (as {@link CLEAR_OUTBOX}), whatever the
 * version check says. Returns 1 when written, 0 when the saga is missing or its version moved on. A saga
 * stored before the index existed has no `status` field and joins the index now.
 */
export const COMMIT_SAGA = new RedisScript(
  'commit',
  `${WRITE_EFFECTS}${INDEX_SAGA}
local clears = 7 + tonumber(ARGV[6]) * 2
for i = clears + 1, clears + tonumber(ARGV[clears]) do
  redis.call('HDEL', KEYS[2], ARGV[i])
  redis.call('ZREM', KEYS[3], ARGV[i] .. ':' .. ARGV[1])
end
local stored = redis.call('HMGET', KEYS[1], 'version', 'status')
if not stored[1] or tonumber(stored[1]) ~= tonumber(ARGV[2]) then return 0 end
indexSaga(ARGV[3], stored[2], tonumber(ARGV[5]))
writeEffects(3)
return 1
`,
);

/**
 * `pruneExpired(shard, expiry, limit)`: drops the index entries of up to `limit` sagas of the shard whose
 * retention ended (the `expiry` set), keeping the entries that still describe a saga created again under the
 * same id. Shared by {@link LIST_SAGAS} and {@link COUNT_SAGAS}, so that neither shows a forgotten saga.
 */
const PRUNE_EXPIRED = `
local function pruneExpired(shard, expiry, limit)
  local index = shard .. ':saga-index'
  local t = redis.call('TIME')
  local now = string.format('%.0f', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
  for _, member in ipairs(redis.call('ZRANGEBYSCORE', expiry, '-inf', now, 'LIMIT', 0, limit)) do
    local id, flow, status, trace = unpack(cjson.decode(member))
    local current = redis.call('HMGET', shard .. ':saga:' .. id .. ':state', 'status', 'summary')
    local summary = current[2] and cjson.decode(current[2])
    if not summary or summary.status ~= status then
      redis.call('ZREM', index .. ':flow:' .. flow .. ':' .. status, id)
      redis.call('ZREM', index .. ':all:' .. status, id)
    end
    if not summary or summary.traceId ~= trace then redis.call('ZREM', index .. ':trace:' .. trace, id) end
    if not summary then
      redis.call('ZREM', index .. ':flow:' .. flow .. ':any', id)
      redis.call('ZREM', index .. ':all:any', id)
    end
    redis.call('ZREM', expiry, member)
  end
end
`;

/**
 * One page of the saga index. KEYS[1]: the sorted set to walk (scored by createdAt, members saga ids),
 * KEYS[2]: the expiry set, both of one shard. ARGV: the shard's key prefix `<prefix>:{s<n>}` (with any
 * client prefix; the index and state keys are built from it, in the shard's slot), max and min score (ZREVRANGEBYSCORE syntax), cursor score and id ('' for none: members at the cursor score are
 * skipped up to and including the cursor id), how many to return, then the status, flow and trace id a
 * listed saga must have ('' for any), how many expired entries to prune first.
 *
 * First drops the index entries of up to that many sagas whose retention ended (a saga created again under
 * the same id keeps the entries that still describe it). Then walks newest first and returns the summaries
 * of live sagas that match; an entry whose state key is gone, or that names a status or trace id the saga
 * no longer has (it was forgotten and created again), is removed from the walked set as it is met.
 */
export const LIST_SAGAS = new RedisScript(
  'list-sagas',
  `${PRUNE_EXPIRED}
local shard = ARGV[1]
local max, min, cursorScore, cursorId = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local limit, wantStatus, wantFlow, wantTrace = tonumber(ARGV[6]), ARGV[7], ARGV[8], ARGV[9]
local function stateOf(id)
  return redis.call('HMGET', shard .. ':saga:' .. id .. ':state', 'status', 'summary')
end

pruneExpired(shard, KEYS[2], tonumber(ARGV[10]))

-- Members of one score come in descending byte order (Redis compares them with memcmp; Lua's < follows the
-- server's locale), so the cursor's own score skips ids at or after the cursor id that way.
local function atOrAfterCursor(id, score)
  if cursorId == '' or tonumber(score) ~= cursorScore then return false end
  for i = 1, math.min(#id, #cursorId) do
    local a, b = string.byte(id, i), string.byte(cursorId, i)
    if a ~= b then return a > b end
  end
  return #id >= #cursorId
end

local found, offset = {}, 0
while #found < limit do
  local batch = redis.call('ZREVRANGEBYSCORE', KEYS[1], max, min, 'WITHSCORES', 'LIMIT', offset, limit - #found)
  if #batch == 0 then break end
  for i = 1, #batch, 2 do
    local id = batch[i]
    local current = not atOrAfterCursor(id, batch[i + 1]) and stateOf(id)
    local summary = current and current[2] and wantTrace ~= '' and cjson.decode(current[2])
    local stale = current and (not current[2] or (summary and summary.traceId ~= wantTrace)
      or (not summary and wantStatus ~= '' and current[1] ~= wantStatus))
    if stale then
      redis.call('ZREM', KEYS[1], id)
    else
      offset = offset + 1
      local matches = current and (not summary or ((wantStatus == '' or summary.status == wantStatus)
        and (wantFlow == '' or summary.flow == wantFlow)))
      if matches then found[#found + 1] = current[2] end
    end
  end
end
return found
`,
);

/**
 * How many sagas of one shard are in each status. KEYS[1]: the shard's expiry set. ARGV: the shard's key
 * prefix (as {@link LIST_SAGAS}), the flow ('' for every flow), how many expired entries to prune first, then
 * the statuses. Returns one count per status, in their order: the size of each status's index set, after
 * the prune, so a saga past its retention stops counting when it stops being listed.
 */
export const COUNT_SAGAS = new RedisScript(
  'count-sagas',
  `${PRUNE_EXPIRED}
local shard, flow = ARGV[1], ARGV[2]
pruneExpired(shard, KEYS[1], tonumber(ARGV[3]))
local scope = flow == '' and ':all:' or (':flow:' .. flow .. ':')
local counts = {}
for i = 4, #ARGV do
  counts[#counts + 1] = redis.call('ZCARD', shard .. ':saga-index' .. scope .. ARGV[i])
end
return counts
`,
);

/** Drops version ARGV[1] of the outbox (KEYS[1]) and its index entry (KEYS[2]); ARGV[2]: saga id. */
export const CLEAR_OUTBOX = new RedisScript(
  'clear-outbox',
  `
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1] .. ':' .. ARGV[2])
return 0
`,
);

/**
 * Outboxes (one per pending version) indexed in a shard's outbox index (KEYS[1]) before ARGV[1] (exclusive),
 * oldest first, at most ARGV[2], as `outbox JSON, score` pairs. ARGV[3] is the shard's key prefix
 * `<prefix>:{s<n>}` the outbox keys are built from: keys the script was not given, in the slot of KEYS[1] (see
 * {@link RedisSagaKeys}). Index entries whose outbox expired with its saga are dropped.
 */
export const PENDING_OUTBOXES = new RedisScript(
  'pending-outboxes',
  `
local limit = tonumber(ARGV[2])
local found, count, offset = {}, 0, 0
while count < limit do
  local batch = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'WITHSCORES', 'LIMIT', offset, limit - count)
  if #batch == 0 then break end
  for i = 1, #batch, 2 do
    local member = batch[i]
    local version, id = string.match(member, '^(%d+):(.*)$')
    local outbox = version and redis.call('HGET', ARGV[3] .. ':saga:' .. id .. ':outbox', version)
    if outbox then
      found[#found + 1] = outbox
      found[#found + 1] = batch[i + 1]
      count = count + 1
      offset = offset + 1
    else
      redis.call('ZREM', KEYS[1], member)
    end
  end
end
return found
`,
);

/**
 * Claims up to ARGV[3] timers of KEYS[1] (one shard's) due at ARGV[1], earliest first: each is re-scored to
 * ARGV[2] (the end of the lease), so it comes back if the claimer dies before completing it. Returns
 * `member, score` pairs, with the scores they had before the claim.
 */
export const CLAIM_TIMERS = new RedisScript(
  'claim-timers',
  `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[3]))
for i = 1, #due, 2 do
  redis.call('ZADD', KEYS[1], 'XX', ARGV[2], due[i])
end
return due
`,
);

/**
 * Writes document KEYS[1] if its version is still ARGV[1] (0: absent). ARGV[2]: value JSON; ARGV[3]: time
 * to live in ms ('0': none, and any earlier expiry is removed). Returns 1 when written.
 */
export const PUT_DOCUMENT = new RedisScript(
  'put-document',
  `
local stored = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if stored ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'version', stored + 1, 'value', ARGV[2])
local ttl = tonumber(ARGV[3])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) else redis.call('PERSIST', KEYS[1]) end
return 1
`,
);

/**
 * Applies the deltas to counters KEYS[1] once per entry KEYS[2] (same hash tag). ARGV: floor, entry time to
 * live in ms ('0': none), delta count n, n name/delta pairs, then name/value pairs of the initial values
 * (used when KEYS[1] does not exist). Returns `{status, refused counter or '', counters as name/value
 * pairs}`, status `applied`, `duplicate` or `refused`. The entry is a hash `state` (`applied` |
 * `reverted`) + `d:<counter>` = delta, so a revert needs nothing but the entry.
 */
export const ADJUST_COUNTERS = new RedisScript(
  'adjust-counters',
  `
local n = tonumber(ARGV[3])
local fresh = redis.call('EXISTS', KEYS[1]) == 0
local initial = {}
for i = 4 + 2 * n, #ARGV, 2 do initial[#initial + 1] = ARGV[i]; initial[#initial + 1] = ARGV[i + 1] end
local function counters()
  if fresh then return initial end
  return redis.call('HGETALL', KEYS[1])
end
if redis.call('EXISTS', KEYS[2]) == 1 then return {'duplicate', '', counters()} end
local floor = tonumber(ARGV[1])
for i = 4, 3 + 2 * n, 2 do
  local delta = tonumber(ARGV[i + 1])
  if delta < 0 then
    local value = 0
    if fresh then
      for j = 1, #initial, 2 do if initial[j] == ARGV[i] then value = tonumber(initial[j + 1]) end end
    else
      value = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
    end
    if value + delta < floor then return {'refused', ARGV[i], counters()} end
  end
end
if fresh and #initial > 0 then redis.call('HSET', KEYS[1], unpack(initial)) end
fresh = false
redis.call('HSET', KEYS[2], 'state', 'applied')
for i = 4, 3 + 2 * n, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
  redis.call('HSET', KEYS[2], 'd:' .. ARGV[i], ARGV[i + 1])
end
local ttl = tonumber(ARGV[2])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return {'applied', '', counters()}
`,
);

/**
 * Takes back the deltas of entry KEYS[2] from counters KEYS[1] if the entry is still `applied`, and marks it
 * `reverted` (its time to live stays). Returns `{1 or 0, counters as name/value pairs}`.
 */
export const REVERT_COUNTERS = new RedisScript(
  'revert-counters',
  `
if redis.call('HGET', KEYS[2], 'state') ~= 'applied' then return {0, redis.call('HGETALL', KEYS[1])} end
local entry = redis.call('HGETALL', KEYS[2])
for i = 1, #entry, 2 do
  local delta = tonumber(entry[i + 1])
  if string.sub(entry[i], 1, 2) == 'd:' and delta ~= 0 then
    redis.call('HINCRBY', KEYS[1], string.sub(entry[i], 3), string.format('%.0f', -delta))
  end
end
redis.call('HSET', KEYS[2], 'state', 'reverted')
return {1, redis.call('HGETALL', KEYS[1])}
`,
);

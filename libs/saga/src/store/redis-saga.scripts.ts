import { createHash } from 'node:crypto';
import type Redis from 'ioredis';

/**
 * A Lua script run with EVALSHA, falling back to EVAL (which caches it) when the server answers NOSCRIPT:
 * after a restart, a failover or SCRIPT FLUSH. Every script is safe to run again after a lost reply: a
 * repeated write fails its version check, a repeated claim or clear finds nothing left to do.
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

  async run(client: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}

/**
 * Shared tail of `create` and `commit`: store the outbox (or drop the previous one), add the timers, and
 * start the retention of a terminal saga. Expects KEYS[1..4] = state, outbox, outbox index, timers and
 * ARGV[1] = saga id, then (from `first`) version, outbox JSON ('' for none), retention ms ('0': keep),
 * timer count, then timer score/member pairs. Scores and times are formatted with `%.0f`: Lua's default
 * number format would turn epoch milliseconds into exponent notation past 14 digits.
 */
const WRITE_EFFECTS = `
local function writeEffects(first)
  local version, outbox, retention = ARGV[first], ARGV[first + 1], tonumber(ARGV[first + 2])
  if outbox ~= '' then
    local t = redis.call('TIME')
    local now = string.format('%.0f', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
    redis.call('DEL', KEYS[2])
    redis.call('HSET', KEYS[2], 'version', version, 'outbox', outbox)
    redis.call('ZADD', KEYS[3], now, ARGV[1])
  else
    redis.call('DEL', KEYS[2])
    redis.call('ZREM', KEYS[3], ARGV[1])
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
 * Creates the saga unless its state key exists. ARGV: saga id, version, outbox, retention, timer count,
 * timers, state JSON (last). Returns `{1, state}` when created, `{0, stored state}` otherwise.
 */
export const CREATE_SAGA = new RedisScript(
  'create',
  `${WRITE_EFFECTS}
local existing = redis.call('HGET', KEYS[1], 'state')
if existing then return {0, existing} end
local state = ARGV[#ARGV]
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'state', state)
writeEffects(2)
return {1, state}
`,
);

/**
 * Compare-and-set of the saga. ARGV: saga id, expected version, then as for create (the next version, ...),
 * state JSON last. Returns 1 when written, 0 when the saga is missing or its version moved on.
 */
export const COMMIT_SAGA = new RedisScript(
  'commit',
  `${WRITE_EFFECTS}
local stored = redis.call('HGET', KEYS[1], 'version')
if not stored or tonumber(stored) ~= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[3], 'state', ARGV[#ARGV])
writeEffects(3)
return 1
`,
);

/** Drops the outbox (KEYS[1]) and its index entry (KEYS[2]) if it is still version ARGV[1]; ARGV[2]: saga id. */
export const CLEAR_OUTBOX = new RedisScript(
  'clear-outbox',
  `
local stored = redis.call('HGET', KEYS[1], 'version')
if stored and tonumber(stored) == tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[2])
end
return 0
`,
);

/**
 * Outboxes indexed (KEYS[1]) before ARGV[1] (exclusive), oldest first, at most ARGV[2]. ARGV[3] is the key
 * prefix the outbox keys are built from: this script reads keys it was not given, which only a non-cluster
 * Redis allows (see {@link RedisSagaKeys}). Index entries whose outbox expired with its saga are dropped.
 */
export const PENDING_OUTBOXES = new RedisScript(
  'pending-outboxes',
  `
local limit = tonumber(ARGV[2])
local found, offset = {}, 0
while #found < limit do
  local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', offset, limit - #found)
  if #ids == 0 then break end
  for _, id in ipairs(ids) do
    local outbox = redis.call('HGET', ARGV[3] .. ':{' .. id .. '}:outbox', 'outbox')
    if outbox then
      found[#found + 1] = outbox
      offset = offset + 1
    else
      redis.call('ZREM', KEYS[1], id)
    end
  end
end
return found
`,
);

/**
 * Claims up to ARGV[3] timers of KEYS[1] due at ARGV[1]: each is re-scored to ARGV[2] (the end of the
 * lease), so it comes back if the claimer dies before completing it. Returns the members.
 */
export const CLAIM_TIMERS = new RedisScript(
  'claim-timers',
  `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, member in ipairs(due) do
  redis.call('ZADD', KEYS[1], 'XX', ARGV[2], member)
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

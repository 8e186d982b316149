import { createHash } from "node:crypto";

/** A Lua script run by EVALSHA (and EVAL when Redis does not know it). */
export interface Script {
  readonly name: string;
  readonly source: string;
  /** SHA1 of the source, as EVALSHA wants it. */
  readonly sha: string;
}

function script(name: string, source: string): Script {
  return { name, source, sha: createHash("sha1").update(source).digest("hex") };
}

// Helpers shared by the stream scripts. Time comes from Redis (TIME), so every node stamps and
// ages events with one clock. Stream entry ids are `<offset>-0`; field 1 is `t` (timestamp).
const STREAM_HELPERS = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function offset_of(id)
  return tonumber(string.match(id, '^(%d+)'))
end

-- Drops the kept events stamped at or before cutoff, oldest first.
local function trim_age(stream, cutoff)
  local first = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
  if #first == 0 or tonumber(first[1][2][2]) > cutoff then return end
  while true do
    local batch = redis.call('XRANGE', stream, '-', '+', 'COUNT', 128)
    local n = #batch
    if n == 0 then return end
    for i = 1, n do
      if tonumber(batch[i][2][2]) > cutoff then
        redis.call('XTRIM', stream, 'MINID', batch[i][1])
        return
      end
    end
    redis.call('XTRIM', stream, 'MINID', string.format('%d-0', offset_of(batch[n][1]) + 1))
    if n < 128 then return end
  end
end

-- The channel's epoch and newest offset. Without them the channel's history is gone (never
-- made, expired, flushed, evicted, or Redis restarted without persistence): a new epoch
-- starts, and the stream of an older lifetime is dropped with it. Keys written by another
-- Redis server process (\`boot\` is its run_id; empty to skip the check) may have lost their
-- newest writes (restored from a snapshot, promoted replica): they start a new epoch too.
local function ensure_meta(meta, stream, candidate, boot)
  local found = redis.call('HMGET', meta, 'epoch', 'offset', 'boot')
  if found[1] and found[2] and (boot == '' or found[3] == boot) then
    return found[1], tonumber(found[2])
  end
  redis.call('DEL', meta, stream)
  redis.call('HSET', meta, 'epoch', candidate, 'offset', 0, 'boot', boot)
  return candidate, 0
end

-- Keeps the channel's keys for max(retention ttl, idle) more milliseconds; the stream never
-- outlives its epoch. Returns the retention ttl, or nil before the first publish with history.
local function keep_alive(meta, stream, idle)
  local ttl = redis.call('HGET', meta, 'ttl')
  if ttl then ttl = tonumber(ttl) end
  local keep = math.max(ttl or 0, idle)
  redis.call('PEXPIRE', meta, keep)
  redis.call('PEXPIRE', stream, keep)
  return ttl
end
`;

/**
 * Publishes one event. KEYS: meta, stream[, idempotency]. ARGV: pub/sub channel, payload,
 * history ('1'/'0'), size, ttl, candidate epoch, idle ttl, dedup window, boot.
 * Returns {duplicate (0/1), stamp}; the stamp is `<timestamp>,<offset>,<epoch>` (offset -1 and
 * no epoch without history). Offset assignment, append, trim and PUBLISH happen in one script,
 * so the order of the pub/sub messages is the order of the offsets.
 */
export const PUBLISH = script(
  "publish",
  `${STREAM_HELPERS}
local now = now_ms()
if KEYS[3] then
  local first = redis.call('GET', KEYS[3])
  if first then return {1, first} end
end
local stamp
if ARGV[3] == '1' then
  local size, ttl = tonumber(ARGV[4]), tonumber(ARGV[5])
  local epoch = ensure_meta(KEYS[1], KEYS[2], ARGV[6], ARGV[9])
  local offset = redis.call('HINCRBY', KEYS[1], 'offset', 1)
  redis.call('HSET', KEYS[1], 'ttl', ARGV[5])
  redis.call('XADD', KEYS[2], 'MAXLEN', size, string.format('%d-0', offset),
    't', string.format('%d', now), 'p', ARGV[2])
  trim_age(KEYS[2], now - ttl)
  keep_alive(KEYS[1], KEYS[2], tonumber(ARGV[7]))
  stamp = string.format('%d,%d,%s', now, offset, epoch)
else
  stamp = string.format('%d,-1,', now)
end
if KEYS[3] then redis.call('SET', KEYS[3], stamp, 'NX', 'PX', ARGV[8]) end
redis.call('PUBLISH', ARGV[1], stamp .. '|' .. ARGV[2])
return {0, stamp}
`,
);

/**
 * Reads a channel's stream. KEYS: meta, stream. ARGV: candidate epoch, idle ttl, mode
 * ('position' | 'after' | 'newest' | 'recover'), offset (after / since), count, since epoch,
 * boot.
 * Returns {epoch, offset, recovered (0/1), entries}; `newest` entries are newest first.
 */
export const READ = script(
  "read",
  `${STREAM_HELPERS}
local now = now_ms()
local epoch, offset = ensure_meta(KEYS[1], KEYS[2], ARGV[1], ARGV[7])
local ttl = keep_alive(KEYS[1], KEYS[2], tonumber(ARGV[2]))
if ttl then trim_age(KEYS[2], now - ttl) end
local mode, at, count = ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local entries = {}
if mode == 'recover' then
  local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
  local oldest = offset + 1
  if #first > 0 then oldest = offset_of(first[1][1]) end
  if ARGV[6] ~= epoch or at > offset or at < oldest - 1 then
    return {epoch, offset, 0, entries}
  end
  entries = redis.call('XRANGE', KEYS[2], string.format('%d-0', at + 1), '+')
elseif mode == 'after' then
  if count > 0 and at < offset then
    entries = redis.call('XRANGE', KEYS[2], string.format('%d-0', at + 1), '+', 'COUNT', count)
  end
elseif mode == 'newest' then
  if count > 0 then entries = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', count) end
end
return {epoch, offset, 1, entries}
`,
);

/**
 * Keeps an existing channel's keys alive (a subscribed or touched channel is not idle).
 * KEYS: meta, stream. ARGV: idle ttl.
 */
export const TOUCH = script(
  "touch",
  `${STREAM_HELPERS}
if redis.call('EXISTS', KEYS[1]) == 1 then keep_alive(KEYS[1], KEYS[2], tonumber(ARGV[1])) end
return 0
`,
);

// Presence and node entries live in a sorted set member → expiry time; the keys holding them
// expire with their longest-lived entry, so a crashed node leaves nothing behind for long.
const EXPIRY_HELPERS = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function expire_with_last(zset, other, now)
  local last = redis.call('ZRANGE', zset, -1, -1, 'WITHSCORES')
  if #last == 0 then return end
  local keep = math.max(1, math.ceil(tonumber(last[2]) - now))
  redis.call('PEXPIRE', zset, keep)
  if other then redis.call('PEXPIRE', other, keep) end
end

-- Drops expired members of zset (and their fields in hash); returns the live members with
-- their expiry, flat.
local function live(zset, hash, now)
  local gone = redis.call('ZRANGEBYSCORE', zset, '-inf', now)
  if #gone > 0 then
    redis.call('ZREMRANGEBYSCORE', zset, '-inf', now)
    if hash then
      for i = 1, #gone, 500 do
        redis.call('HDEL', hash, unpack(gone, i, math.min(i + 499, #gone)))
      end
    end
  end
  return redis.call('ZRANGE', zset, 0, -1, 'WITHSCORES')
end
`;

// A channel's presence is four keys (KEYS[1..4]): a sorted set clientId → expiry time; a hash
// clientId → "<member key>\0<info>"; a sorted set of "<member key>\0<clientId>" all scored 0,
// read in lexical order, so a member's connections sit together and pages follow member keys;
// and a hash member key → its connections. Member keys and client ids hold no "\0" (ids are
// [A-Za-z0-9_.@|:-]), so "<key>\1" is past every connection of <key>.
const PRESENCE_HELPERS = `${EXPIRY_HELPERS}
local function key_of(value)
  return string.sub(value, 1, string.find(value, '\\0', 1, true) - 1)
end

-- Takes one connection out of all four keys; returns {clientId, expiry, value} or nil.
local function take(id)
  local value = redis.call('HGET', KEYS[2], id)
  if not value then return nil end
  local expires = redis.call('ZSCORE', KEYS[1], id)
  local key = key_of(value)
  redis.call('HDEL', KEYS[2], id)
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[3], key .. '\\0' .. id)
  if redis.call('HINCRBY', KEYS[4], key, -1) <= 0 then redis.call('HDEL', KEYS[4], key) end
  return {id, expires, value}
end

-- Takes every expired connection out; returns them flat {clientId, expiry, value, ...}.
local function take_expired(now)
  local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
  local out = {}
  for i = 1, #gone do
    local entry = take(gone[i])
    if entry then
      out[#out + 1] = entry[1]
      out[#out + 1] = entry[2]
      out[#out + 1] = entry[3]
    end
  end
  return out
end

local function counts()
  return {redis.call('ZCARD', KEYS[1]), redis.call('HLEN', KEYS[4])}
end
`;

/**
 * KEYS: the channel's four presence keys. ARGV: clientId, member key, info, ttl.
 * Returns the expiry time.
 */
export const PRESENCE_SET = script(
  "presence-set",
  `${PRESENCE_HELPERS}
local now = now_ms()
local id, key = ARGV[1], ARGV[2]
local expires = now + tonumber(ARGV[4])
local old = redis.call('HGET', KEYS[2], id)
if old and key_of(old) ~= key then take(id) old = nil end
if not old then
  redis.call('ZADD', KEYS[3], 0, key .. '\\0' .. id)
  redis.call('HINCRBY', KEYS[4], key, 1)
end
redis.call('ZADD', KEYS[1], expires, id)
redis.call('HSET', KEYS[2], id, key .. '\\0' .. ARGV[3])
expire_with_last(KEYS[1], KEYS[2], now)
expire_with_last(KEYS[1], KEYS[3], now)
expire_with_last(KEYS[1], KEYS[4], now)
return expires
`,
);

/** KEYS: the channel's four presence keys. ARGV: clientId. Returns {clientId, expiry, value} or nil. */
export const PRESENCE_REMOVE = script(
  "presence-remove",
  `${PRESENCE_HELPERS}
return take(ARGV[1])
`,
);

/** KEYS: the channel's four presence keys. Returns {{connections, members}, expired}. */
export const PRESENCE_COUNT = script(
  "presence-count",
  `${PRESENCE_HELPERS}
local expired = take_expired(now_ms())
return {counts(), expired}
`,
);

/**
 * KEYS: the channel's four presence keys. ARGV: cursor (a member key, or empty), limit.
 * Returns {{connections, members}, expired, cursor (empty on the last page), {clientId, value,
 * ...} of the page's connections in member order}.
 */
export const PRESENCE_PAGE = script(
  "presence-page",
  `${PRESENCE_HELPERS}
local expired = take_expired(now_ms())
local limit = tonumber(ARGV[2])
local start = '-'
if ARGV[1] ~= '' then start = '[' .. ARGV[1] .. '\\1' end
local out, members, last, more, offset = {}, 0, nil, false, 0
while not more do
  local batch = redis.call('ZRANGEBYLEX', KEYS[3], start, '+', 'LIMIT', offset, 256)
  for i = 1, #batch do
    local sep = string.find(batch[i], '\\0', 1, true)
    local key = string.sub(batch[i], 1, sep - 1)
    if key ~= last then
      if members == limit then more = true break end
      members = members + 1
      last = key
    end
    local id = string.sub(batch[i], sep + 1)
    out[#out + 1] = id
    out[#out + 1] = redis.call('HGET', KEYS[2], id) or ''
  end
  if #batch < 256 then break end
  offset = offset + 256
end
local cursor = ''
if more then cursor = last end
return {counts(), expired, cursor, out}
`,
);

/** KEYS: the channel's four presence keys. Returns the expired entries, flat. */
export const PRESENCE_EXPIRE = script(
  "presence-expire",
  `${PRESENCE_HELPERS}
return take_expired(now_ms())
`,
);

/** KEYS: nodes zset, node key. ARGV: nodeId, stats (JSON), ttl. */
export const NODE_WRITE = script(
  "node-write",
  `${EXPIRY_HELPERS}
local now = now_ms()
local ttl = tonumber(ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ttl)
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
expire_with_last(KEYS[1], nil, now)
return now
`,
);

/** KEYS: nodes zset. Returns flat {nodeId, expiry, ...} of the nodes whose stats are live. */
export const NODE_LIST = script(
  "node-list",
  `${EXPIRY_HELPERS}
return live(KEYS[1], nil, now_ms())
`,
);

/**
 * Claims a key-value entry. KEYS: the value's key. ARGV: the encoded value, ttl in ms ('' for
 * none). Stores the value when the key is absent, renews the expiry when it holds the same
 * bytes already, leaves any other value alone. Returns what the key held before (nil: absent).
 */
export const KV_CLAIM = script(
  "kv-claim",
  `
local before = redis.call('GET', KEYS[1])
if not before then
  if ARGV[2] == '' then
    redis.call('SET', KEYS[1], ARGV[1])
  else
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  end
elseif before == ARGV[1] then
  if ARGV[2] == '' then
    redis.call('PERSIST', KEYS[1])
  else
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
  end
end
return before
`,
);

/**
 * KEYS: the versioned entry's hash. ARGV: value, expected revision, ttl ms ('' for none).
 * Writes `v` and `r + 1` when `r` (0 when absent) is the expected revision; returns the new
 * revision, or 0 when another write came first.
 */
export const KV_SET_VERSIONED = script(
  "kv-set-versioned",
  `
local revision = tonumber(redis.call('HGET', KEYS[1], 'r') or '0')
if revision ~= tonumber(ARGV[2]) then
  return 0
end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'r', revision + 1)
if ARGV[3] == '' then
  redis.call('PERSIST', KEYS[1])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return revision + 1
`,
);

/** Every script, loaded into Redis on each (re)connect. */
export const SCRIPTS: readonly Script[] = [
  PUBLISH,
  READ,
  TOUCH,
  PRESENCE_SET,
  PRESENCE_REMOVE,
  PRESENCE_COUNT,
  PRESENCE_PAGE,
  PRESENCE_EXPIRE,
  NODE_WRITE,
  NODE_LIST,
  KV_CLAIM,
  KV_SET_VERSIONED,
];

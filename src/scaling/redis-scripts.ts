import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script run atomically on Redis: by hash once loaded, by text the first time. */
export interface RedisScript {
  readonly source: string;
  readonly sha: string;
}

const script = (source: string): RedisScript => ({ source, sha: createHash('sha1').update(source).digest('hex') });

/** Runs `s`, sending its text only when Redis does not know its hash yet (after a restart, say). */
export async function runScript(redis: Redis, s: RedisScript, keys: string[], args: string[]): Promise<unknown> {
  try {
    return await redis.evalsha(s.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(s.source, keys.length, ...keys, ...args);
  }
}

/**
 * KEYS: subscriptions hash, app channel index, this node's socket set.
 * ARGV: socket id, node id, channel, socket entry. Returns {count, first}.
 */
export const JOIN = script(`
local added = redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local count = redis.call('HLEN', KEYS[1])
redis.call('SADD', KEYS[2], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[4])
local first = 0
if added == 1 and count == 1 then first = 1 end
return {count, first}
`);

/**
 * KEYS: subscriptions hash, app channel index, this node's socket set.
 * ARGV: socket id, channel, socket entry. Returns {count, last}.
 */
export const LEAVE = script(`
local removed = redis.call('HDEL', KEYS[1], ARGV[1])
local count = redis.call('HLEN', KEYS[1])
if count == 0 then redis.call('SREM', KEYS[2], ARGV[2]) end
redis.call('SREM', KEYS[3], ARGV[3])
local last = 0
if removed == 1 and count == 0 then last = 1 end
return {count, last}
`);

/**
 * KEYS: presence hash, this node's socket set.
 * ARGV: socket id, user id, stored entry JSON {n, u, m}, socket entry, most users.
 * Returns 1 when first for the user, 0 when not, -1 when a new user found the roster full (nothing stored).
 */
export const ADD_MEMBER = script(`
local entries = redis.call('HGETALL', KEYS[1])
local first = 1
local users = {}
local count = 0
for i = 2, #entries, 2 do
  local user = cjson.decode(entries[i]).u
  if user == ARGV[2] then first = 0 end
  if not users[user] then
    users[user] = true
    count = count + 1
  end
end
if first == 1 and count >= tonumber(ARGV[5]) then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('SADD', KEYS[2], ARGV[4])
return first
`);

/**
 * KEYS: presence hash, this node's socket set.
 * ARGV: socket id, socket entry. Returns {stored entry or '', lastForUser}.
 */
export const REMOVE_MEMBER = script(`
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {'', 0} end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[2])
local user = cjson.decode(raw).u
local entries = redis.call('HVALS', KEYS[1])
for _, entry in ipairs(entries) do
  if cjson.decode(entry).u == user then return {raw, 0} end
end
return {raw, 1}
`);

/**
 * Replaces every entry a node holds with `wanted`, and reports what that changed for the cluster.
 * Sweep (ARGV[3] = '1'): a node whose heartbeat expired, `wanted` empty; a no-op returning -1 while
 * the heartbeat lives. Resync (ARGV[3] = '0'): this node after a Redis outage, `wanted` being what
 * it really holds; its heartbeat is renewed. One script, so other nodes never see a half-done state.
 * KEYS: node registry set, the node's heartbeat key, the node's socket set.
 * ARGV: node id, key prefix, '1' sweep | '0' resync, heartbeat expiry ms, JSON array of wanted
 * entries [kind, app, channel, socket, socket entry, stored member JSON or ''].
 * Returns a list of changes {what, app, channel, stored member JSON or ''}, what being
 * occupied | vacated | member_added | member_removed.
 */
export const RECONCILE = script(`
local node, prefix = ARGV[1], ARGV[2]
if ARGV[3] == '1' and redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
local wanted = cjson.decode(ARGV[5])
local touched = {}
local function users(k)
  local found = {}
  for _, v in ipairs(redis.call('HVALS', k)) do found[cjson.decode(v).u] = v end
  return found
end
local function target(kind, app, channel)
  local name = (kind == 's' and 'subs:' or 'presence:') .. app .. ':' .. channel
  local t = touched[name]
  if not t then
    local key = prefix .. name
    local before
    if kind == 's' then before = redis.call('HLEN', key) else before = users(key) end
    t = {kind = kind, app = app, channel = channel, key = key, before = before}
    touched[name] = t
  end
  return t
end
local held = redis.call('SMEMBERS', KEYS[3])
for _, e in ipairs(held) do
  local d = cjson.decode(e)
  local t = target(d[1], d[2], d[3])
  local raw = redis.call('HGET', t.key, d[4])
  if raw and (raw == node or (d[1] == 'p' and cjson.decode(raw).n == node)) then redis.call('HDEL', t.key, d[4]) end
end
redis.call('DEL', KEYS[3])
for _, d in ipairs(wanted) do
  local t = target(d[1], d[2], d[3])
  if d[1] == 's' then redis.call('HSET', t.key, d[4], node) else redis.call('HSET', t.key, d[4], d[6]) end
  redis.call('SADD', KEYS[3], d[5])
end
local changes = {}
for _, t in pairs(touched) do
  if t.kind == 's' then
    local after = redis.call('HLEN', t.key)
    if after == 0 then redis.call('SREM', prefix .. 'channels:' .. t.app, t.channel) else redis.call('SADD', prefix .. 'channels:' .. t.app, t.channel) end
    if t.before > 0 and after == 0 then table.insert(changes, {'vacated', t.app, t.channel, ''}) end
    if t.before == 0 and after > 0 then table.insert(changes, {'occupied', t.app, t.channel, ''}) end
  else
    local after = users(t.key)
    for u, v in pairs(t.before) do if not after[u] then table.insert(changes, {'member_removed', t.app, t.channel, v}) end end
    for u, v in pairs(after) do if not t.before[u] then table.insert(changes, {'member_added', t.app, t.channel, v}) end end
  end
end
if ARGV[3] == '1' then
  redis.call('SREM', KEYS[1], node)
else
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[4])
  redis.call('SADD', KEYS[1], node)
end
return changes
`);

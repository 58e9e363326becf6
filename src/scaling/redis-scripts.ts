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
 * ARGV: socket id, user id, stored entry JSON {n, u, m}, socket entry. Returns 1 when first for the user.
 */
export const ADD_MEMBER = script(`
local entries = redis.call('HGETALL', KEYS[1])
local first = 1
for i = 2, #entries, 2 do
  if cjson.decode(entries[i]).u == ARGV[2] then
    first = 0
    break
  end
end
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
 * Removes what a node whose heartbeat expired left behind; a no-op while the heartbeat lives.
 * KEYS: node registry set, the node's heartbeat key, the node's socket set.
 * ARGV: node id, key prefix. Returns the number of entries swept, or -1 when the node is alive.
 */
export const SWEEP_NODE = script(`
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
local entries = redis.call('SMEMBERS', KEYS[3])
for _, e in ipairs(entries) do
  local d = cjson.decode(e)
  if d[1] == 's' then
    local k = ARGV[2] .. 'subs:' .. d[2] .. ':' .. d[3]
    if redis.call('HGET', k, d[4]) == ARGV[1] then
      redis.call('HDEL', k, d[4])
      if redis.call('HLEN', k) == 0 then redis.call('SREM', ARGV[2] .. 'channels:' .. d[2], d[3]) end
    end
  else
    local k = ARGV[2] .. 'presence:' .. d[2] .. ':' .. d[3]
    local raw = redis.call('HGET', k, d[4])
    if raw and cjson.decode(raw).n == ARGV[1] then redis.call('HDEL', k, d[4]) end
  end
end
redis.call('DEL', KEYS[3])
redis.call('SREM', KEYS[1], ARGV[1])
return #entries
`);

/**
 * The Lua scripts of CONTRACT §10's webhooks on Redis: one node of the cluster holds the delivery lease, and only
 * it moves an endpoint's cursor ("<stream entry id> <seq>", in one hash) through the transitions stream.
 */

/** Takes the lease, or keeps it for ARGV[2] ms more when this node (ARGV[1]) holds it. KEYS: lease. Returns 1 or 0. */
export const HOLD_WEBHOOK_LEASE = `
local holder = redis.call('GET', KEYS[1])
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/** Lets go of the lease if this node (ARGV[1]) holds it, so that another takes over at once. KEYS: lease. */
export const DROP_WEBHOOK_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * Gives each endpoint (ARGV) not heard of yet a cursor at the stream's end: what is in the stream already is not
 * sent to it. KEYS: cursors, transitions.
 */
export const START_WEBHOOK_CURSORS = `
local cursor = '0-0 0'
local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
if last[1] then
  local fields = last[1][2]
  for i = 1, #fields, 2 do
    if fields[i] == 'seq' then cursor = last[1][1] .. ' ' .. fields[i + 1] end
  end
end
for i = 1, #ARGV do redis.call('HSETNX', KEYS[1], ARGV[i], cursor) end
return 0
`;

/**
 * Moves endpoint ARGV[2]'s cursor to ARGV[3] (entry id) and ARGV[4] (seq), forward only, if this node (ARGV[1]) still
 * holds the lease: a node that lost it (paused past it) cannot move the cursor of the node that took over.
 * KEYS: lease, cursors. Returns 1, or 0 when the lease is not this node's.
 */
export const ACKNOWLEDGE_WEBHOOK = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local current = redis.call('HGET', KEYS[2], ARGV[2])
if current then
  local seq = tonumber(string.match(current, ' (%d+)$'))
  if seq and seq >= tonumber(ARGV[4]) then return 1 end
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3] .. ' ' .. ARGV[4])
return 1
`;

/**
 * Trims the transitions stream to what the replay keeps (ARGV[1] entries) or, when an endpoint (ARGV[2..]) is further
 * behind, to what it has not acknowledged: each entry has the next seq, so that is the last seq less its cursor's.
 * The commit script's own bound is then only the most the outbox holds. KEYS: transitions, cursors, seq.
 */
export const TRIM_WEBHOOK_OUTBOX = `
local last = tonumber(redis.call('GET', KEYS[3]) or '0')
local oldest = last
for i = 2, #ARGV do
  local cursor = redis.call('HGET', KEYS[2], ARGV[i])
  if not cursor then return 0 end
  local seq = tonumber(string.match(cursor, ' (%d+)$')) or 0
  if seq < oldest then oldest = seq end
end
return redis.call('XTRIM', KEYS[1], 'MAXLEN', '~', math.max(tonumber(ARGV[1]), last - oldest))
`;

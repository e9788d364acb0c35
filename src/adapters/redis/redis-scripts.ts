/**
 * Lua scripts: each runs atomically in Redis. Keys other than KEYS[] (type and node indexes) are derived inside,
 * which a single Redis (or a primary with replicas) allows; Redis Cluster is not supported.
 */

/**
 * Commits one user's decided presence if nobody changed it since it was read (its version), with the user's
 * indexes, and numbers and appends the transition in the same step.
 * Versions come from one counter, so that a user removed and stored again never gets back a version a stale reader
 * saw (a per-user count restarting at 1 would let that reader commit onto a presence it never saw).
 * KEYS: user, deadlines, users, seq, transitions, versions, tenants (users online per tenant).
 * ARGV: key, expectedVersion, presenceJson ('' removes), deadline, oldType, newType, typePrefix, nodeUsersPrefix,
 *       addedNodes (comma-separated), removedNodes, transitionJson ('' none), transitionsMaxLen, tenant ('' none),
 *       newAvailability, availabilityPrefix.
 * A user is in the index of its availability (CONTRACT §8) and in that of its availability and type, so that a page
 * filtered by both reads one range per pair. The pair it is indexed under is kept in its hash (field `a`), so that
 * it leaves exactly those indexes, whatever changed the user in between: a 0.13 node rewrites `v` and `p` only (the
 * field stays), and a user that 0.13 removed is a key its pages prune (PRUNE_AVAILABILITY).
 * Returns {0} on a conflict, or {1, seq} (seq 0 when there was no transition).
 */
export const COMMIT_PRESENCE = `
local version = redis.call('HGET', KEYS[1], 'v') or '0'
if version ~= ARGV[2] then return {0} end
local key = ARGV[1]
local tenant = ARGV[13]
local newA, ap = ARGV[14], ARGV[15]
local indexed = redis.call('HGET', KEYS[1], 'a')
local wanted = ''
if ARGV[3] ~= '' then wanted = newA .. '\\n' .. ARGV[6] end
if indexed ~= wanted then
  if indexed then
    local cut = string.find(indexed, '\\n', 1, true)
    local a, t = string.sub(indexed, 1, cut - 1), string.sub(indexed, cut + 1)
    redis.call('ZREM', ap .. a, key)
    if t ~= '' then redis.call('ZREM', ap .. a .. ':' .. t, key) end
  end
  if wanted ~= '' then
    redis.call('ZADD', ap .. newA, 0, key)
    if ARGV[6] ~= '' then redis.call('ZADD', ap .. newA .. ':' .. ARGV[6], 0, key) end
  end
end
if ARGV[3] == '' then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], key)
  if redis.call('ZREM', KEYS[3], key) == 1 and tenant ~= '' then
    if redis.call('HINCRBY', KEYS[7], tenant, -1) <= 0 then redis.call('HDEL', KEYS[7], tenant) end
  end
else
  redis.call('HSET', KEYS[1], 'v', tostring(redis.call('INCR', KEYS[6])), 'p', ARGV[3], 'a', wanted)
  redis.call('ZADD', KEYS[2], ARGV[4], key)
  if redis.call('ZADD', KEYS[3], 0, key) == 1 and tenant ~= '' then redis.call('HINCRBY', KEYS[7], tenant, 1) end
end
if ARGV[5] ~= '' and (ARGV[5] ~= ARGV[6] or ARGV[3] == '') then redis.call('ZREM', ARGV[7] .. ARGV[5], key) end
if ARGV[6] ~= '' and ARGV[3] ~= '' then redis.call('ZADD', ARGV[7] .. ARGV[6], 0, key) end
for node in string.gmatch(ARGV[9], '[^,]+') do redis.call('SADD', ARGV[8] .. node, key) end
for node in string.gmatch(ARGV[10], '[^,]+') do redis.call('SREM', ARGV[8] .. node, key) end
local seq = 0
if ARGV[11] ~= '' then
  seq = redis.call('INCR', KEYS[4])
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[12], '*', 'seq', seq, 'transition', ARGV[11])
end
return {1, seq}
`;

/**
 * Claims the nodes whose lease lapsed. KEYS: nodes. ARGV: now, claimUntil, limit. Returns the claimed node ids.
 */
export const CLAIM_LAPSED_NODES = `
local lapsed = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, node in ipairs(lapsed) do redis.call('ZADD', KEYS[1], ARGV[2], node) end
return lapsed
`;

/** Raises the seq counter to at least ARGV[1] (after Redis lost its data). KEYS: seq. */
export const RAISE_SEQ = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) return tonumber(ARGV[1]) end
return current
`;

/**
 * Takes keys out of availability indexes they should not be in (their user removed by a 0.13 node, which does not
 * keep these indexes, or changed by one), each only if its user's presence is still what the caller read: a user
 * committed meanwhile keeps its place. ARGV: userPrefix, then (key, index, presence read: '' for none) triples.
 */
export const PRUNE_AVAILABILITY = `
local pruned = 0
for i = 2, #ARGV, 3 do
  local key, index, seen = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local now = redis.call('HGET', ARGV[1] .. key, 'p') or ''
  if now == seen then pruned = pruned + redis.call('ZREM', index, key) end
end
return pruned
`;

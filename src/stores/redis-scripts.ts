/**
 * Lua scripts RedisStore runs server-side so that an entry and its tag-set memberships change
 * together. Each script touches keys of one namespace only (one hash tag, so one cluster slot);
 * the tag-set keys are derived from the namespace base passed in ARGV, which Redis Cluster allows
 * because they share the slot of the declared key.
 */
import { luaScript } from "./redis-connection.js";
import { HEADER_BYTES, RECORD_VERSION } from "./redis-record.js";

/** `read_header(key)` -> exists, expiresAt, tags: reads only the header, never the value. */
const READ_HEADER = `
local function read_header(key)
  local h = redis.call('GETRANGE', key, 0, ${HEADER_BYTES - 1})
  if h == '' then return false, 0, {} end
  if string.byte(h, 1) ~= ${RECORD_VERSION} or string.len(h) < ${HEADER_BYTES} then return true, 0, {} end
  local expires_at = struct.unpack('>d', h, 2)
  local tag_len = struct.unpack('>I4', h, 19)
  local tags = {}
  if tag_len > 0 then
    tags = cjson.decode(redis.call('GETRANGE', key, ${HEADER_BYTES}, ${HEADER_BYTES} + tag_len - 1))
  end
  return true, expires_at, tags
end
local function is_live(expires_at, now)
  return expires_at == 0 or expires_at > now
end
`;

/**
 * Adds a member to a set whose lifetime must cover the entry's: a new set takes the entry's TTL;
 * an existing one only ever grows its TTL; a TTL of 0 (entry never expires) makes it persistent.
 */
const ADD_WITH_TTL = `
local function add_with_ttl(key, member, px)
  local existed = redis.call('EXISTS', key)
  redis.call('SADD', key, member)
  if px == 0 then
    redis.call('PERSIST', key)
  elseif existed == 0 then
    redis.call('PEXPIRE', key, px)
  else
    local ttl = redis.call('PTTL', key)
    if ttl >= 0 and ttl < px then redis.call('PEXPIRE', key, px) end
  end
end
`;

/**
 * KEYS[1] entry key. ARGV: record, px (0 = no expiry), namespace base, member key, tags...
 * Stores the entry and adds it to the namespace's set of each tag.
 */
export const SET_TAGGED = luaScript(`${ADD_WITH_TTL}
local px = tonumber(ARGV[2])
if px > 0 then redis.call('SET', KEYS[1], ARGV[1], 'PX', px) else redis.call('SET', KEYS[1], ARGV[1]) end
for i = 5, #ARGV do add_with_ttl(ARGV[3] .. 't:' .. ARGV[i], ARGV[4], px) end
return 1
`);

/** KEYS[1] any set. ARGV: member, px (0 = none). */
export const ADD_TO_SET = luaScript(`${ADD_WITH_TTL}
add_with_ttl(KEYS[1], ARGV[1], tonumber(ARGV[2]))
return 1
`);

/**
 * KEYS[1] entry key. ARGV: namespace base, member key, now (epoch ms).
 * Removes the entry and its tag-set memberships; returns 1 when the entry was live.
 */
export const DELETE_ENTRY = luaScript(`${READ_HEADER}
local exists, expires_at, tags = read_header(KEYS[1])
if not exists then return 0 end
redis.call('UNLINK', KEYS[1])
for _, tag in ipairs(tags) do redis.call('SREM', ARGV[1] .. 't:' .. tag, ARGV[2]) end
if is_live(expires_at, tonumber(ARGV[3])) then return 1 end
return 0
`);

/**
 * KEYS[1] the namespace's set for a tag. ARGV: namespace base, tag, now (epoch ms).
 * Removes every entry of the set that still carries the tag (members are verified against the
 * entry's header: an entry overwritten without the tag stays), drops the set, and returns the
 * number of live entries removed.
 */
export const DELETE_TAG = luaScript(`${READ_HEADER}
local base, wanted, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local removed = 0
for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = base .. 'e:' .. member
  local exists, expires_at, tags = read_header(key)
  local carries = false
  for _, tag in ipairs(tags) do if tag == wanted then carries = true end end
  if exists and carries then
    redis.call('UNLINK', key)
    for _, tag in ipairs(tags) do
      if tag ~= wanted then redis.call('SREM', base .. 't:' .. tag, member) end
    end
    if is_live(expires_at, now) then removed = removed + 1 end
  end
end
redis.call('UNLINK', KEYS[1])
return removed
`);

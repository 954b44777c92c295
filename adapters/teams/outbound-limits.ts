import { randomUUID } from 'node:crypto';
import type { Redis } from '../../src/core/redis.js';
import { redisScript } from '../../src/core/redis-script.js';

/** Teams' documented per-conversation limits for bots: (window, messages). */
export const TEAMS_CONVERSATION_LIMITS: readonly { windowMs: number; max: number }[] = [
  { windowMs: 1_000, max: 7 },
  { windowMs: 2_000, max: 8 },
  { windowMs: 30_000, max: 60 },
  { windowMs: 3_600_000, max: 1_800 },
];

/**
 * Teams' documented global limit per app per tenant: 50 requests per second. Kept per tenant, so
 * one busy organisation never uses up another's budget.
 */
export const TEAMS_TENANT_LIMITS: readonly { windowMs: number; max: number }[] = [{ windowMs: 1_000, max: 50 }];

/** One conversation of one tenant: what a send is counted against. */
export interface TeamsConversation {
  conversationId: string;
  /** Absent in emulator mode and for activities without a tenant: only the conversation is counted. */
  tenantId?: string;
}

// One sorted set per counted thing (the conversation, its tenant) holds the send times of its
// longest window. The script admits a send only if every window of every set has room, and
// otherwise answers how long to wait; atomic in Redis, so every bot instance shares the counts.
// ARGV: now, member, then per key: the number of windows, then (window ms, max) pairs.
const ADMIT = `
local now = tonumber(ARGV[1])
local wait = 0
local longest = {}
local at = 3
for k = 1, #KEYS do
  local windows = tonumber(ARGV[at])
  at = at + 1
  longest[k] = 0
  for i = 1, windows do
    local window = tonumber(ARGV[at])
    local limit = tonumber(ARGV[at + 1])
    at = at + 2
    if window > longest[k] then longest[k] = window end
    local count = redis.call('ZCOUNT', KEYS[k], now - window + 1, '+inf')
    if count >= limit then
      local entry = redis.call('ZRANGEBYSCORE', KEYS[k], now - window + 1, '+inf', 'WITHSCORES', 'LIMIT', count - limit, 1)
      local w = tonumber(entry[2]) + window - now
      if w > wait then wait = w end
    end
  end
end
if wait > 0 then return wait end
for k = 1, #KEYS do
  redis.call('ZADD', KEYS[k], now, ARGV[2])
  redis.call('ZREMRANGEBYSCORE', KEYS[k], '-inf', now - longest[k])
  redis.call('PEXPIRE', KEYS[k], longest[k])
end
return 0
`;
const admit = redisScript(ADMIT);

/**
 * Keeps every conversation under Teams' limits, and every tenant under its global limit, across
 * all bot instances, through Redis. Keys carry the tenant, so each organisation's counts are its
 * own. `tryAcquire` never waits: it says how long to wait, so callers decide (sleep, or give up
 * and let the job retry later).
 */
export class ConversationRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly now: () => number = Date.now,
    private readonly limits = TEAMS_CONVERSATION_LIMITS,
    private readonly tenantLimits = TEAMS_TENANT_LIMITS,
  ) {}

  /** Records one send and returns 0, or returns the milliseconds to wait and records nothing. */
  async tryAcquire(where: string | TeamsConversation): Promise<number> {
    const { conversationId, tenantId } = typeof where === 'string' ? { conversationId: where, tenantId: undefined } : where;
    const windows = (limits: readonly { windowMs: number; max: number }[]) => [String(limits.length), ...limits.flatMap((l) => [String(l.windowMs), String(l.max)])];
    const keys = [`${this.prefix}:teams:rate:${tenantId ?? '-'}:${conversationId}`];
    const args = [String(this.now()), randomUUID(), ...windows(this.limits)];
    if (tenantId) {
      keys.push(`${this.prefix}:teams:tenant-rate:${tenantId}`);
      args.push(...windows(this.tenantLimits));
    }
    return Number(await admit(this.redis, keys, args));
  }
}

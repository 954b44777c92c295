import { randomUUID } from 'node:crypto';
import type { Redis } from '../../src/core/redis.js';

/** Teams' documented per-conversation limits for bots: (window, messages). */
export const TEAMS_CONVERSATION_LIMITS: readonly { windowMs: number; max: number }[] = [
  { windowMs: 1_000, max: 7 },
  { windowMs: 2_000, max: 8 },
  { windowMs: 30_000, max: 60 },
  { windowMs: 3_600_000, max: 1_800 },
];

// One sorted set per conversation holds the send times of the last hour. The script admits a send
// only if every window has room, and otherwise answers how long to wait; atomic in Redis, so every
// bot instance shares the same count.
const ADMIT = `
local now = tonumber(ARGV[1])
local longest = 0
local wait = 0
for i = 3, #ARGV, 2 do
  local window = tonumber(ARGV[i])
  local limit = tonumber(ARGV[i + 1])
  if window > longest then longest = window end
  local count = redis.call('ZCOUNT', KEYS[1], now - window + 1, '+inf')
  if count >= limit then
    local entry = redis.call('ZRANGEBYSCORE', KEYS[1], now - window + 1, '+inf', 'WITHSCORES', 'LIMIT', count - limit, 1)
    local w = tonumber(entry[2]) + window - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)
redis.call('PEXPIRE', KEYS[1], longest)
return 0
`;

/**
 * Keeps every conversation under Teams' limits across all bot instances, through Redis.
 * `tryAcquire` never waits: it says how long to wait, so callers decide (sleep, or give up and let
 * the job retry later).
 */
export class ConversationRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly now: () => number = Date.now,
    private readonly limits = TEAMS_CONVERSATION_LIMITS,
  ) {}

  /** Records one send and returns 0, or returns the milliseconds to wait and records nothing. */
  async tryAcquire(conversationId: string): Promise<number> {
    const args = [String(this.now()), randomUUID(), ...this.limits.flatMap((l) => [String(l.windowMs), String(l.max)])];
    const wait = await this.redis.eval(ADMIT, 1, `${this.prefix}:teams:rate:${conversationId}`, ...args);
    return Number(wait);
  }
}

import type { Redis } from '../../src/core/redis.js';
import { redisScript } from '../../src/core/redis-script.js';

/**
 * Reserves the next free send slot of a channel atomically: a slot is at least `interval` ms after
 * the previous one. Returns how long the caller must wait before using its slot.
 */
const RESERVE = `
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local now = tonumber(ARGV[1])
local at = math.max(now, last + tonumber(ARGV[2]))
redis.call('SET', KEYS[1], at, 'PX', at - now + 60000)
return at - now`;
const reserve = redisScript(RESERVE);

/** Moves a channel's next slot to at least `until` (after a 429 with Retry-After). */
const PUSH_BACK = `
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local untilMs = tonumber(ARGV[1])
if untilMs > last then redis.call('SET', KEYS[1], untilMs, 'PX', untilMs - tonumber(ARGV[2]) + 60000) end
return 1`;
const pushBack = redisScript(PUSH_BACK);

/**
 * Where a channel's last reserved slot lives (shared with PostClaims, which reserves in the same
 * script as its claim). Keyed by workspace too: Slack counts limits per workspace, so one busy
 * workspace's slots never delay another's.
 */
export function channelSlotKey(prefix: string, teamId: string, channel: string): string {
  return `${prefix}:slack:slot:${teamId}:${channel}`;
}

/**
 * Slack allows about one message per second per channel. The slots live in Redis, not in a
 * process timer, so several bot instances and workers share one budget per channel (of a workspace).
 */
export class ChannelRateLimit {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly intervalMs = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reserves a slot in a workspace's channel; resolves with the milliseconds to wait before sending in it. */
  async reserve(teamId: string, channel: string): Promise<number> {
    return Number(await reserve(this.redis, [channelSlotKey(this.prefix, teamId, channel)], [this.now(), this.intervalMs]));
  }

  /** Slack said 429: nobody sends to this channel again before Retry-After has passed. */
  async pushBack(teamId: string, channel: string, retryAfterSeconds: number): Promise<void> {
    const now = this.now();
    // Stored as "the last slot", so the next reservation lands exactly at Retry-After.
    await pushBack(this.redis, [channelSlotKey(this.prefix, teamId, channel)], [now + retryAfterSeconds * 1000 - this.intervalMs, now]);
  }
}

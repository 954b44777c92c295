import type { Redis } from '../../src/core/redis.js';
import { redisScript } from '../../src/core/redis-script.js';
import { channelSlotKey } from './channel-rate-limit.js';

/**
 * Everything the sender checks before a post, in one Redis round trip:
 * 1. the message's sent-key: "sent" means it was posted already; another claim means another
 *    worker is posting it right now;
 * 2. its channel's next free slot (ChannelRateLimit's key): a slot this message kept earlier (its
 *    job came back for it) is used unless it passed more than a twentieth of the interval ago (the
 *    next slot's post would then come too soon after it); otherwise the next free one is reserved;
 * 3. if that slot is further away than the caller is willing to wait, the slot is kept for this
 *    message and nothing is claimed ("later"); else the message is claimed for `claimMs` ("go").
 *
 * KEYS: sent-key, channel slot, kept slot. ARGV: now, interval, claim ms, wait at most (-1: any).
 */
const CLAIM_AND_RESERVE = `
local state = redis.call('GET', KEYS[1])
if state == 'sent' then return {'sent', 0} end
if state then return {'busy', 0} end
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local at
local kept = tonumber(redis.call('GET', KEYS[3]) or '')
if kept then redis.call('DEL', KEYS[3]) end
if kept and now <= kept + interval / 20 then
  at = math.max(now, kept)
else
  local last = tonumber(redis.call('GET', KEYS[2]) or '0')
  at = math.max(now, last + interval)
  redis.call('SET', KEYS[2], at, 'PX', at - now + 60000)
end
local waitAtMost = tonumber(ARGV[4])
if waitAtMost >= 0 and at - now > waitAtMost then
  redis.call('SET', KEYS[3], at, 'PX', at - now + 60000)
  return {'later', at}
end
redis.call('SET', KEYS[1], 'sending', 'PX', ARGV[3])
return {'go', at - now}`;
const claimAndReserve = redisScript(CLAIM_AND_RESERVE);

/** What the sender may do with a message now. */
export type PostVerdict =
  | { verdict: 'sent' }
  | { verdict: 'busy' }
  /** Its slot is kept at `at` (epoch ms): come back then. Nothing was claimed. */
  | { verdict: 'later'; at: number }
  /** Claimed: post after waiting `waitMs`. */
  | { verdict: 'go'; waitMs: number };

/** The sent-key claim and the channel's slot of one post, taken together (see CLAIM_AND_RESERVE). */
export class PostClaims {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly intervalMs: number,
    private readonly now: () => number,
  ) {}

  async claim(post: { sentKey: string; teamId: string; channel: string; claimMs: number; waitAtMostMs?: number }): Promise<PostVerdict> {
    const keptKey = `${post.sentKey}:slot`;
    const [verdict, ms] = (await claimAndReserve(this.redis, [post.sentKey, channelSlotKey(this.prefix, post.teamId, post.channel), keptKey], [this.now(), this.intervalMs, post.claimMs, post.waitAtMostMs ?? -1])) as [string, number];
    if (verdict === 'later') return { verdict, at: Number(ms) };
    if (verdict === 'go') return { verdict, waitMs: Number(ms) };
    return { verdict: verdict as 'sent' | 'busy' };
  }
}

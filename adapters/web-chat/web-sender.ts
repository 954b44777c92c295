import type { Redis } from '../../src/core/redis.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import type { PlatformSender } from '../../src/core/notifier.js';

/** How many undelivered messages a web-chat inbox keeps, and for how long. */
const INBOX_LIMIT = 200;
const INBOX_TTL_SECONDS = 7 * 24 * 3600;

export function inboxKey(prefix: string, externalId: string): string {
  return `${prefix}:web:inbox:${externalId}`;
}

/**
 * Proactive messages for web-chat users (nudges, invitations) wait in a Redis list until the page
 * polls for them. Redis, not memory, so any bot instance can fill or drain an inbox.
 */
export class WebSender implements PlatformSender {
  readonly platform = 'WEB' as const;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async send(target: { externalId: string }, message: OutboundMessage): Promise<void> {
    const key = inboxKey(this.prefix, target.externalId);
    await this.redis.multi().rpush(key, JSON.stringify(message)).ltrim(key, -INBOX_LIMIT, -1).expire(key, INBOX_TTL_SECONDS).exec();
  }

  /** Takes every waiting message, oldest first. */
  async drain(externalId: string): Promise<OutboundMessage[]> {
    const key = inboxKey(this.prefix, externalId);
    const [[, items]] = (await this.redis.multi().lrange(key, 0, -1).del(key).exec()) as [[unknown, string[]], unknown];
    return items.map((item) => JSON.parse(item) as OutboundMessage);
  }
}

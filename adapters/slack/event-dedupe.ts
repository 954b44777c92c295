import type { Redis } from '../../src/core/redis.js';

/** How long an event id is remembered: Slack retries within about an hour at most. */
const EVENT_TTL_SECONDS = 2 * 3600;

/**
 * Remembers Slack event ids in Redis (SET NX with a TTL), so an event Slack delivers again
 * (X-Slack-Retry-Num) has one effect, whichever bot instance each delivery reaches.
 */
export class EventDedupe {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** True the first time an event id is seen; false for every later delivery of it. */
  async firstDelivery(eventId: string): Promise<boolean> {
    const set = await this.redis.set(`${this.prefix}:slack:event:${eventId}`, '1', 'EX', EVENT_TTL_SECONDS, 'NX');
    return set === 'OK';
  }
}

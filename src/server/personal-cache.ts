import type { Logger } from '../core/logger.js';
import type { CachedAccount, PersonalCachePort } from '../core/personal-cache.js';
import type { Redis } from '../core/redis.js';
import { dmCacheKey } from '../../adapters/slack/sender.js';
import { bullPrefix } from '../scheduler/queue.js';
import { QUESTIONS_QUEUE } from '../scheduler/question-deadlines.js';

/**
 * What Redis holds about one person, deleted on `/lc forget-me` (issue 15, item 9): the cached Slack DM
 * channel (`slack:dm:<account>`), that channel's rate slot, forms waiting behind an "Open the form"
 * button and modal sessions (`slack:form:*`, `slack:modal:*`, whose JSON names the Slack user), a Teams
 * conversation's rate window, and any key a later feature names after one of the person's ids.
 *
 * The whole prefix is scanned (forget-me is rare; a scan of a few hundred thousand keys takes about a
 * second), so keys written before this existed are found too. A key goes when one of its `:`-separated
 * parts is one of the person's ids, or when its JSON value holds one as a whole string. The job queues
 * are left alone: their jobs carry person and question ids only, no name or text, and a job whose person
 * was erased finds nothing to send.
 */
export class PersonalCache implements PersonalCachePort {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly logger?: Logger,
  ) {}

  async forget(accounts: CachedAccount[]): Promise<number> {
    const needles = await this.idsOf(accounts);
    if (needles.size === 0) return 0;
    const queues = [`${bullPrefix(this.prefix)}:`, `${this.prefix}:${QUESTIONS_QUEUE}:`];
    const parts = [...needles].map((id) => `:${id}:`);
    const quoted = [...needles].map((id) => JSON.stringify(id));
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 1000);
      cursor = next;
      const candidates = keys.filter((key) => !queues.some((q) => key.startsWith(q)));
      const named = candidates.filter((key) => parts.some((part) => `${key}:`.includes(part)));
      // Values are read only where they may hold a person's data (the Slack form stash).
      const stashed = candidates.filter((key) => !named.includes(key) && /:slack:(form|modal):/.test(key));
      const values = stashed.length ? await this.redis.mget(...stashed) : [];
      const holding = stashed.filter((_, i) => quoted.some((q) => values[i]?.includes(q)));
      const doomed = [...named, ...holding];
      if (doomed.length) deleted += await this.redis.del(...doomed);
    } while (cursor !== '0');
    this.logger?.info({ deleted }, 'forget-me: Redis keys about the person deleted');
    return deleted;
  }

  /** The person's ids that Redis keys and values may carry: account ids, platform user ids, DM and conversation ids. */
  private async idsOf(accounts: CachedAccount[]): Promise<Set<string>> {
    const ids = new Set<string>();
    const add = (value: unknown) => {
      if (typeof value === 'string' && value.trim().length >= 2) ids.add(value);
    };
    for (const account of accounts) {
      add(account.externalId);
      const ref = (account.conversationRef ?? {}) as Record<string, unknown>;
      if (account.platform === 'SLACK') {
        // "T123:U456" (or "E1:T123:U456"): the user id is the last part; the team is shared, never a needle.
        add(account.externalId.split(':').pop());
        add(ref.user);
        // Only a DM channel is theirs alone (the adapter stores no other), never a shared channel.
        if (typeof ref.channel === 'string' && ref.channel.startsWith('D')) add(ref.channel);
        add(await this.redis.get(dmCacheKey(this.prefix, account.externalId)));
      } else if (account.platform === 'TEAMS') {
        const user = (ref.user ?? {}) as Record<string, unknown>;
        const conversation = (ref.conversation ?? {}) as Record<string, unknown>;
        add(user.id);
        add(user.aadObjectId);
        add(conversation.id);
        add(account.externalId.split(':').pop());
      }
    }
    return ids;
  }
}

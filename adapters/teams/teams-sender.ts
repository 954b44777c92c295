import { createHash } from 'node:crypto';
import type { CloudAdapter, ConversationParameters, ConversationReference, TurnContext } from 'botbuilder';
import { translator } from '../../src/core/i18n.js';
import type { Logger } from '../../src/core/logger.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import { UnreachableError, type PlatformSender } from '../../src/core/notifier.js';
import type { Redis } from '../../src/core/redis.js';
import { disableHiddenRetries } from './bot-framework.js';
import { parseThreadKey, referenceFor, storedRefSchema } from './conversation-ref.js';
import { statusOf, type ActivityDelivery } from './delivery.js';
import { activitiesFor, tenantOf } from './outbound.js';

/** How long the parts delivered of a half-sent proactive message are remembered, so a retry skips them. */
const PROGRESS_TTL_SECONDS = 10 * 60;

/**
 * Proactive messages to Teams (nudges, invitations, answers) from the conversation reference stored
 * at first contact, via continueConversationAsync. A 403 (the person blocked or removed the app)
 * becomes UnreachableError, so the notifier marks them unreachable and never retries forever.
 * A message split over several cards is sent part by part; the parts already delivered are noted
 * in Redis, so when the caller retries after a failure, no part reaches the person twice.
 */
export class TeamsSender implements PlatformSender {
  readonly platform = 'TEAMS' as const;

  constructor(
    private readonly deps: {
      adapter: CloudAdapter;
      appId: string;
      delivery: ActivityDelivery;
      redis: Redis;
      prefix: string;
      defaultLocale: string;
      logger: Logger;
      /** Whether the bot may call a service URL (emulator mode: only this machine). */
      reachable: (serviceUrl: string) => boolean;
    },
  ) {}

  async send(target: { externalId: string; conversationRef: unknown }, message: OutboundMessage): Promise<void> {
    const stored = storedRefSchema.safeParse(target.conversationRef);
    if (!stored.success) throw new UnreachableError('TEAMS', 'no usable conversation reference stored');
    const ref = stored.data;
    const serviceUrl = ref.kind === 'conversation' ? ref.reference.serviceUrl : ref.serviceUrl;
    if (!this.deps.reachable(serviceUrl)) throw new UnreachableError('TEAMS', 'emulator mode sends only to service URLs on this machine');
    const { activities } = activitiesFor(message, translator(message.locale ?? ref.locale ?? this.deps.defaultLocale));
    const progressKey = `${this.deps.prefix}:teams:sent:${createHash('sha256').update(`${target.externalId}\n${JSON.stringify(message)}`).digest('hex')}`;
    const done = Number((await this.deps.redis.get(progressKey)) ?? 0);

    const thread = message.threadKey ? parseThreadKey(message.threadKey) : null;
    const logic = async (context: TurnContext) => {
      disableHiddenRetries(context);
      // The SDK replies to the (random) id of its continuation event; a proactive message is a new
      // message, or a reply in the thread the core named.
      context.activity.id = thread?.activityId as string;
      const conversation = { conversationId: context.activity.conversation.id, tenantId: tenantOf(context.activity) ?? ('tenantId' in ref ? ref.tenantId : undefined) };
      for (const [index, activity] of activities.entries()) {
        if (index < done) continue;
        await this.deps.delivery.send(conversation, () => context.sendActivity(activity));
        await this.deps.redis.set(progressKey, String(index + 1), 'EX', PROGRESS_TTL_SECONDS);
      }
      // Delivered in full: the same words sent again later are a new message, not a retry.
      await this.deps.redis.del(progressKey);
    };
    try {
      if (ref.kind === 'conversation') {
        await this.deps.adapter.continueConversationAsync(this.deps.appId, referenceFor(ref, message.threadKey), logic);
      } else if (thread) {
        const reference = { serviceUrl: ref.serviceUrl, channelId: ref.channelId, bot: ref.bot, user: ref.user, conversation: { id: thread.conversationId, isGroup: true, conversationType: 'channel', tenantId: ref.tenantId, name: '' }, activityId: thread.activityId } as unknown as Partial<ConversationReference>;
        await this.deps.adapter.continueConversationAsync(this.deps.appId, reference, logic);
      } else {
        // Only met in a channel so far: open (or find again, Teams keeps one per person) the personal chat.
        const parameters = { isGroup: false, bot: ref.bot, members: [ref.user], tenantId: ref.tenantId, channelData: ref.tenantId ? { tenant: { id: ref.tenantId } } : undefined } as ConversationParameters;
        await this.deps.adapter.createConversationAsync(this.deps.appId, ref.channelId, ref.serviceUrl, undefined as unknown as string, parameters, logic);
      }
    } catch (error) {
      if (statusOf(error) === 403) throw new UnreachableError('TEAMS', 'Teams answered 403: the person blocked or removed the app');
      throw error;
    }
  }
}

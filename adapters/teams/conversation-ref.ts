import type { Activity, ConversationReference } from 'botbuilder';
import { TurnContext } from 'botbuilder';
import { z } from 'zod';

/**
 * What the Teams adapter stores in PlatformIdentity.conversationRef to reach a person later:
 * either the personal chat's conversation reference, or (when we only met them in a channel)
 * what is needed to open a personal chat with them. Versioned and validated when loaded.
 */
export const storedRefSchema = z.discriminatedUnion('kind', [
  z.object({
    v: z.literal(1),
    kind: z.literal('conversation'),
    locale: z.string().optional(),
    reference: z
      .object({
        serviceUrl: z.string().url(),
        channelId: z.string(),
        conversation: z.object({ id: z.string() }).passthrough(),
        bot: z.object({ id: z.string() }).passthrough().optional(),
        user: z.object({ id: z.string() }).passthrough().optional(),
      })
      .passthrough(),
  }),
  z.object({
    v: z.literal(1),
    kind: z.literal('open-personal'),
    locale: z.string().optional(),
    serviceUrl: z.string().url(),
    channelId: z.string(),
    tenantId: z.string().optional(),
    bot: z.object({ id: z.string(), name: z.string().optional() }),
    user: z.object({ id: z.string(), name: z.string().optional() }),
  }),
]);
/** A validated stored reference (see storedRefSchema). */
export type StoredRef = z.infer<typeof storedRefSchema>;

/** The reference to keep from an incoming activity. Proactive messages start new messages, not replies. */
export function refFromActivity(activity: Partial<Activity>): StoredRef | null {
  if (!activity.serviceUrl || !activity.conversation?.id || !activity.from?.id) return null;
  const personal = !activity.conversation?.conversationType || activity.conversation.conversationType === 'personal';
  if (personal) {
    const { activityId: _replyTo, ...reference } = TurnContext.getConversationReference(activity);
    return { v: 1, kind: 'conversation', locale: activity.locale, reference: JSON.parse(JSON.stringify(reference)) };
  }
  if (!activity.recipient?.id) return null;
  return {
    v: 1,
    kind: 'open-personal',
    locale: activity.locale,
    serviceUrl: activity.serviceUrl,
    channelId: activity.channelId ?? 'msteams',
    tenantId: activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id,
    bot: { id: activity.recipient.id, name: activity.recipient?.name },
    user: { id: activity.from.id, name: activity.from?.name },
  };
}

/** The core's thread key for a Teams message: "TEAMS:<conversationId>:<activityId>". */
export function threadKeyOf(conversationId: string, activityId: string): string {
  return `TEAMS:${conversationId}:${activityId}`;
}

/** Splits a thread key; conversation ids contain colons ("19:…@thread.tacv2"), activity ids do not. */
export function parseThreadKey(key: string): { conversationId: string; activityId: string } | null {
  if (!key.startsWith('TEAMS:')) return null;
  const rest = key.slice('TEAMS:'.length);
  const cut = rest.lastIndexOf(':');
  if (cut <= 0 || cut === rest.length - 1) return null;
  return { conversationId: rest.slice(0, cut), activityId: rest.slice(cut + 1) };
}

/** The conversation reference to continue: the stored one, or a thread in the same tenant. */
export function referenceFor(stored: Extract<StoredRef, { kind: 'conversation' }>, threadKey?: string): Partial<ConversationReference> {
  const thread = threadKey ? parseThreadKey(threadKey) : null;
  const reference = stored.reference as unknown as Partial<ConversationReference>;
  if (!thread) return reference;
  return { ...reference, conversation: { ...reference.conversation!, id: thread.conversationId, conversationType: 'channel' } as ConversationReference['conversation'], activityId: thread.activityId };
}

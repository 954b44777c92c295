import type { Activity, TurnContext } from 'botbuilder';
import type { Translate } from '../../src/core/i18n.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import { renderMessage, type Card } from './cards.js';
import type { ActivityDelivery } from './delivery.js';

/** The tenant an activity belongs to (Teams puts it on the conversation and in channelData). */
export function tenantOf(activity: Partial<Activity>): string | undefined {
  return activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ?? undefined;
}

/** A card as a message activity. The summary is what notifications and screen readers show. */
export function cardActivity(card: Card, summary: string): Partial<Activity> {
  return { type: 'message', summary, attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] };
}

/** The activities one core message becomes, in order (several when it was split to fit). */
export function activitiesFor(message: OutboundMessage, t: Translate): { activities: Partial<Activity>[]; formIds: string[] } {
  const rendered = renderMessage(message, t);
  return { activities: rendered.cards.map((card) => cardActivity(card, rendered.summary)), formIds: rendered.formIds };
}

/**
 * Sends the replies of one turn into its conversation, through the rate limiter and retries.
 * `replaceId` is the card a button was pressed on (or a dialog launched from): a reply that asks to
 * replace it (or the same form shown again with its validation messages) updates that card in place.
 * In a shared conversation (a channel, a group chat) the card is everyone's, so it is left as it
 * was: the outcome comes as a new message, and the core's short "done by you" note is not posted.
 * With no card to replace (a dialog opened from a command), that note is not posted either.
 */
export async function sendReplies(
  context: TurnContext,
  messages: OutboundMessage[],
  t: Translate,
  delivery: ActivityDelivery,
  options: { replaceId?: string; submittedFormId?: string; shared?: boolean } = {},
): Promise<void> {
  // Counted per conversation and per tenant (Teams' global limit is per app per tenant).
  const conversation = { conversationId: context.activity.conversation.id, tenantId: tenantOf(context.activity) };
  let replaceId = options.shared ? undefined : options.replaceId;
  for (const message of messages) {
    if (message.receipt && !replaceId) continue;
    const { activities, formIds } = activitiesFor(message, t);
    const inPlace = replaceId && (message.replaceOriginal || (options.submittedFormId && formIds.includes(options.submittedFormId)));
    for (const [index, activity] of activities.entries()) {
      if (inPlace && index === 0) {
        const id = replaceId!;
        await delivery.send(conversation, () => context.updateActivity({ ...activity, id }));
        // Only one message can take the place of the card that was pressed.
        replaceId = undefined;
      } else {
        await delivery.send(conversation, () => context.sendActivity(activity));
      }
    }
  }
}

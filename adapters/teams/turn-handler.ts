import { ActivityTypes, TeamsInfo, TurnContext, type Activity } from 'botbuilder';
import type { Bot } from '../../src/core/bot.js';
import type { Config } from '../../src/core/config.js';
import type { Db } from '../../src/core/db.js';
import { translator, type Translate } from '../../src/core/i18n.js';
import type { Logger } from '../../src/core/logger.js';
import { ui, type Form, type InboundEvent, type OutboundMessage } from '../../src/core/messages.js';
import { resolvePerson, type IdentityInput, type ProfileInput } from '../../src/domain/people.js';
import { formCard } from './cards.js';
import { toTeamsPlain } from './markup.js';
import { refFromActivity } from './conversation-ref.js';
import { disableHiddenRetries } from './bot-framework.js';
import type { ActivityDelivery } from './delivery.js';
import { dialogFormOf, originOf, submissionToEvent, textToEvent } from './inbound.js';
import { sendReplies } from './outbound.js';

/** How long first contact may wait for Teams' member lookup (name, email) before going on without it. */
const PROFILE_TIMEOUT_MS = 800;

/** What a Teams turn needs from the rest of the bot. */
export interface TurnDeps {
  bot: Bot;
  db: Db;
  config: Config;
  logger: Logger;
  delivery: ActivityDelivery;
}

/** The tenant an activity comes from. */
function tenantOf(activity: Partial<Activity>): string | undefined {
  return activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
}

/** The Teams identity of the sender: "<tenantId>:<aadObjectId>", or the channel account id without AAD. */
export function externalIdOf(activity: Partial<Activity>): string {
  const tenant = tenantOf(activity);
  const aad = activity.from?.aadObjectId;
  return tenant && aad ? `${tenant}:${aad}` : activity.from!.id;
}

/**
 * One Teams turn, translated: message text and card submissions become core events for the Bot,
 * dialogs (task modules) open and submit forms, and an install says welcome and remembers where to
 * reach the person. Holds no business rules.
 */
export class TeamsTurnHandler {
  private readonly verbs: Set<string>;

  constructor(private readonly deps: TurnDeps) {
    this.verbs = new Set(deps.bot.commands.map((c) => c.verb));
  }

  async onTurn(context: TurnContext): Promise<void> {
    disableHiddenRetries(context);
    const activity = context.activity;
    switch (activity.type) {
      case ActivityTypes.Message:
        return this.onMessage(context);
      case ActivityTypes.Invoke:
        return this.onInvoke(context);
      case ActivityTypes.ConversationUpdate:
        return this.onConversationUpdate(context);
      default:
        return;
    }
  }

  private async onMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    if (activity.value !== undefined && activity.value !== null) {
      const event = submissionToEvent(activity.value);
      if (!event) return;
      const { replies, t } = await this.handle(context, event);
      await sendReplies(context, replies, t, this.deps.delivery, {
        replaceId: activity.replyToId,
        submittedFormId: event.type === 'form' ? event.formId : undefined,
        shared: !originOf(activity).direct,
      });
      return;
    }
    const direct = originOf(activity).direct;
    const mentioned = (activity.entities ?? []).some((e) => e.type === 'mention' && (e as { mentioned?: { id?: string } }).mentioned?.id === activity.recipient?.id);
    // In channels and group chats the bot answers only when it is @mentioned.
    if (!direct && !mentioned) return;
    // The SDK's mention removal assumes text; a card submission in a channel can carry a mention and no text.
    const text = mentioned && typeof activity.text === 'string' ? TurnContext.removeRecipientMention(activity) ?? '' : (activity.text ?? '');
    const event = textToEvent(text ?? '', this.verbs);
    if (!event) return;
    const { replies, t } = await this.handle(context, event);
    await sendReplies(context, replies, t, this.deps.delivery);
  }

  private async onInvoke(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const t = this.t(context);
    if (activity.name === 'task/fetch') {
      const form = dialogFormOf(activity.value);
      if (!form) return this.invokeResponse(context, 400, { error: 'not a form of this bot' });
      return this.invokeResponse(context, 200, dialogContinue(form, t));
    }
    if (activity.name === 'task/submit') {
      const event = submissionToEvent((activity.value as { data?: unknown } | undefined)?.data);
      if (!event) return this.invokeResponse(context, 200, {});
      const { replies, t: own } = await this.handle(context, event);
      // The same form with errors, or the next form of a multi-step form, stays in the dialog.
      const next = replies.flatMap((m) => m.blocks).find((b): b is Extract<typeof b, { type: 'form' }> => b.type === 'form')?.form;
      const rest = replies.filter((m) => !m.blocks.some((b) => b.type === 'form'));
      // The dialog was opened from a card ("Open the form"): that card is what the outcome replaces.
      await sendReplies(context, rest, own, this.deps.delivery, { replaceId: next ? undefined : activity.replyToId, shared: !originOf(activity).direct });
      return this.invokeResponse(context, 200, next ? dialogContinue(next, own) : {});
    }
    if (activity.name === 'adaptiveCard/action') {
      const event = submissionToEvent((activity.value as { action?: { data?: unknown } } | undefined)?.action?.data);
      if (event) {
        const { replies, t: own } = await this.handle(context, event);
        await sendReplies(context, replies, own, this.deps.delivery, { replaceId: activity.replyToId, submittedFormId: event.type === 'form' ? event.formId : undefined, shared: !originOf(activity).direct });
      }
      return this.invokeResponse(context, 200, { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: '' });
    }
    return this.invokeResponse(context, 200, {});
  }

  private async onConversationUpdate(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const botAdded = (activity.membersAdded ?? []).some((m) => m.id === activity.recipient?.id);
    if (!botAdded || !activity.from?.id) return;
    // The person who installed the app: remember where to reach them, then say hello.
    await resolvePerson(this.deps.db, this.identity(context), { locale: this.deps.config.DEFAULT_LOCALE, timeZone: this.deps.config.DEFAULT_TIMEZONE });
    const t = this.t(context);
    const welcome = ui.message(t('teams:welcome'), [
      ui.paragraph(t('teams:welcome')),
      ui.paragraph(t('teams:welcomeHowTo')),
      ui.context(t('teams:welcomeLink')),
      ui.actions(ui.commandButton(t('help.button'), 'help', 'primary')),
    ]);
    await sendReplies(context, [welcome], t, this.deps.delivery);
  }

  /** The bot's replies, and the translator of the person's language (their choice over Teams' locale) for the cards' own words. */
  private async handle(context: TurnContext, event: InboundEvent): Promise<{ replies: OutboundMessage[]; t: Translate }> {
    const response = await this.deps.bot.handle({ identity: this.identity(context), event, origin: originOf(context.activity) });
    return { replies: response.messages, t: response.locale ? translator(response.locale) : this.t(context) };
  }

  private identity(context: TurnContext): IdentityInput {
    const activity = context.activity;
    const ref = refFromActivity(activity);
    return {
      platform: 'TEAMS',
      externalId: externalIdOf(activity),
      conversationRef: ref ?? undefined,
      // Met in a channel: keep the personal chat we may already have, else remember how to open one.
      keepExistingRef: ref?.kind === 'open-personal',
      // Teams says the person's language with every activity; it counts until they choose their own.
      platformLocale: activity.locale ?? undefined,
      loadProfile: () => this.profile(context),
    };
  }

  private async profile(context: TurnContext): Promise<ProfileInput> {
    const activity = context.activity;
    const profile: ProfileInput = { displayName: activity.from.name, locale: activity.locale, timeZone: activity.localTimezone };
    // The member lookup goes to the activity's serviceUrl. Only a token that vouches for that URL
    // (authenticated mode, bot-framework.ts) makes its answer Teams' word; without one nothing is asked.
    if (activity.channelId !== 'msteams' || this.deps.config.teamsMode !== 'authenticated') return profile;
    try {
      const member = await withTimeout(TeamsInfo.getMember(context, activity.from.id), PROFILE_TIMEOUT_MS);
      // Teams vouches for the email of a member of a tenant we trust (any tenant's admin can set any
      // address, TEAMS_TRUSTED_TENANTS): resolvePerson links by it. Elsewhere people link with /lc link.
      const tenant = tenantOf(activity);
      const trusted = tenant !== undefined && this.deps.config.TEAMS_TRUSTED_TENANTS.includes(tenant);
      return { ...profile, displayName: member.name || profile.displayName, verifiedEmail: trusted ? member.email || undefined : undefined };
    } catch (error) {
      this.deps.logger.info({ err: (error as Error).message }, 'Teams member lookup failed; going on with the activity data');
      return profile;
    }
  }

  private t(context: TurnContext): Translate {
    return translator(context.activity.locale ?? this.deps.config.DEFAULT_LOCALE);
  }

  private async invokeResponse(context: TurnContext, status: number, body: unknown): Promise<void> {
    await context.sendActivity({ type: 'invokeResponse', value: { status, body } });
  }
}

function dialogContinue(form: Form, t: Translate) {
  return {
    task: {
      type: 'continue',
      value: { title: toTeamsPlain(form.title), width: 'medium', height: 'large', card: { contentType: 'application/vnd.microsoft.card.adaptive', content: formCard(form, t) } },
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]);
}

import { App, ExpressReceiver, SocketModeReceiver } from '@slack/bolt';
import { z } from 'zod';
import type { Express } from 'express';
import type { Bot, BotResponse } from '../../src/core/bot.js';
import type { Config } from '../../src/core/config.js';
import { translator, type Translate } from '../../src/core/i18n.js';
import type { Logger } from '../../src/core/logger.js';
import { ui, type Form, type InboundEvent, type Origin, type OutboundMessage } from '../../src/core/messages.js';
import type { Redis } from '../../src/core/redis.js';
import type { IdentityInput } from '../../src/domain/people.js';
import type { AdapterMount } from '../../src/server/app.js';
import { ADAPTER_ACTIONS, fieldErrors, FIELDS_PER_MODAL_PAGE, FORM_CALLBACK_ID, formsOf, modalPageCount, renderHome, renderMessage, renderMessageModal, renderModal, type SlackMessagePart, type SlackView } from './block-kit.js';
import { EventDedupe } from './event-dedupe.js';
import { FormStash, type ModalSession } from './form-stash.js';
import { logListenerError } from './listener-errors.js';
import { externalIdOf, fromBlockAction, fromMessageText, fromSlashCommand, fromViewState, isDirectChannel, parseThreadKey, threadKey } from './inbound.js';
import { SLACK_LIMITS } from './limits.js';
import type { ReplyTarget } from './reply-target.js';
import { slackProfileOf } from './profile.js';
import { SlackSender } from './sender.js';
import { boltLogger, callWebApi, platformErrorOf, postToResponseUrl, sleep, withRetryAfter } from './slack-api.js';
import { SingleWorkspace, type SlackWorkspaces, type WorkspaceRef } from './workspace-clients.js';
import type { Db } from '../../src/core/db.js';
import { detachInstallation } from './detach.js';
import type { OAuthWorkspaces } from './installations.js';
import { pageLanguage } from './install-pages.js';
import { INSTALL_PATH, oauthSetup } from './oauth.js';
import { refuseUnroutablePayloads } from './payload-guard.js';
import { directSlashCommands, isOurCommand, replyTargetOf } from './slash-command.js';
import { rejectFutureTimestamps } from './timestamp-guard.js';

/**
 * Slack gives 3 s to acknowledge, measured at Slack and including the network and a busy event
 * loop, so the budgets leave a wide margin. A view_submission waits this long for the flow's
 * answer (its response_action depends on it).
 */
const SUBMISSION_BUDGET_MS = 2_000;
/** A trigger_id lives 3 s from Slack's request; after this, opening a modal would fail. */
const TRIGGER_LIFE_MS = 2_800;

/** What the adapter needs from the composition root (src/server/runtime.ts). */
export interface SlackAdapterDeps {
  config: Config;
  bot: Bot;
  db: Db;
  redis: Redis;
  logger: Logger;
  /** How long a modal submission may wait for the flow before acking without it. */
  budgets?: { submissionMs?: number };
}

/** What a modal's private_metadata carries: the form, the page, where replies go, or a session ref. */
interface ModalMeta {
  f: string;
  p: number;
  t?: ReplyTarget;
  s?: string;
  /** The form's one-time token. */
  k?: string;
}

/**
 * The Slack adapter on Bolt: receives events, slash commands and interactivity (HTTP at
 * /slack/events on the bot's one server, or Socket Mode when SLACK_APP_TOKEN is set), turns
 * them into core InboundEvents for `bot.handle`, and renders the core's replies as Block Kit:
 * messages, ephemeral replies, threads, modals for forms, and the App Home tab.
 *
 * Every request is acknowledged first; the work runs after the ack. It holds no business rules
 * and no state of its own: dedupe keys, rate-limit slots and modal sessions live in Redis.
 */
export class SlackAdapter {
  /** The one way to a workspace's Web API client (see workspace-clients.ts). */
  readonly workspaces: SlackWorkspaces;
  readonly sender: SlackSender;
  /** Over HTTP, Bolt's receiver; in Socket Mode, a route that says events arrive over the socket. */
  readonly mount: AdapterMount;
  private readonly app: App;
  private readonly dedupe: EventDedupe;
  private readonly stash: FormStash;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly defaultT: Translate;
  private readonly socketMode: boolean;
  /** OAuth mode's workspaces (installations in PostgreSQL); absent with SLACK_BOT_TOKEN. */
  readonly oauthWorkspaces?: OAuthWorkspaces;

  constructor(private readonly deps: SlackAdapterDeps) {
    const { config, redis, logger } = deps;
    const apiUrl = config.SLACK_API_URL.endsWith('/') ? config.SLACK_API_URL : `${config.SLACK_API_URL}/`;
    const oauth = config.slackMode === 'oauth' ? oauthSetup({ config, db: deps.db, redis, logger, apiUrl }) : undefined;
    this.oauthWorkspaces = oauth?.workspaces;
    this.workspaces = oauth?.workspaces ?? new SingleWorkspace(config.SLACK_BOT_TOKEN!, apiUrl, logger);
    this.dedupe = new EventDedupe(redis, config.REDIS_PREFIX);
    this.stash = new FormStash(redis, config.REDIS_PREFIX);
    this.defaultT = translator(config.DEFAULT_LOCALE);
    this.sender = new SlackSender(this.workspaces, redis, config.REDIS_PREFIX, (message, where) =>
      this.partsWithFormButtons(message, { teamId: where.teamId, enterpriseId: where.enterpriseId, userId: where.userId, channel: where.channel, threadTs: where.threadTs, direct: !where.threadTs }, message.locale ? translator(message.locale) : this.defaultT),
    );
    this.socketMode = Boolean(config.SLACK_APP_TOKEN);

    // Authorisation without a network call, so nothing stands between a request and its ack;
    // the bot's own user id (for ignoring its own messages) is learnt in the background.
    const authorize = async (source: { teamId?: string; enterpriseId?: string }) => {
      const { botToken, botUserId, botId } = await this.workspaces.authFor({ teamId: source.teamId ?? '', enterpriseId: source.enterpriseId });
      return { botToken, botUserId, botId };
    };

    // No conversation store: conversation state lives in PostgreSQL (FlowStore), and Bolt's store is a
    // middleware that runs on every request.
    // In OAuth mode Bolt's installer authorizes each request from its installation (installations.ts).
    const common = { ...(oauth ? {} : { authorize }), logger: boltLogger(logger), clientOptions: { slackApiUrl: apiUrl }, convoStore: false as const };
    if (this.socketMode) {
      // Built here rather than by Bolt so apps.connections.open also goes to SLACK_API_URL.
      const receiver = new SocketModeReceiver({ appToken: config.SLACK_APP_TOKEN!, logger: boltLogger(logger), installerOptions: { clientOptions: common.clientOptions } });
      this.app = new App({ ...common, receiver });
      this.mount = {
        name: 'slack',
        path: '/slack/events',
        mount: (expressApp: Express) => {
          expressApp.post('/slack/events', (_req, res) => {
            res.status(404).json({ error: 'This bot receives Slack events over Socket Mode (SLACK_APP_TOKEN is set); unset it to use this URL.' });
          });
        },
      };
    } else {
      const receiver = new ExpressReceiver({
        signingSecret: config.SLACK_SIGNING_SECRET!,
        endpoints: '/slack/events',
        ...oauth?.receiverOptions,
        logger: boltLogger(logger),
        // Ack first: Bolt answers the HTTP request as soon as a listener calls ack().
        processBeforeResponse: false,
        // A signed request Bolt cannot route (e.g. a view_submission without a view) is bad input, not
        // our failure: refused with 400 and a sentence, instead of Bolt's bare 500 inviting retries.
        processEventErrorHandler: async ({ error, response }) => {
          if (response.headersSent) return false;
          logger.warn({ err: String(error) }, 'slack request refused: payload Bolt cannot process');
          response.writeHead(400, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: this.defaultT('slack:unreadableRequest') }));
          return true;
        },
      });
      this.app = new App({ ...common, receiver });
      this.mount = {
        name: 'slack',
        path: '/slack/events',
        mount: (expressApp: Express) => {
          expressApp.post('/slack/events', rejectFutureTimestamps(logger));
          // Slash commands are acked and parsed in the guard, off Bolt's path (slash-command.ts).
          const slashCommands = directSlashCommands({
            workspaces: this.workspaces,
            dedupe: this.dedupe,
            logger,
            texts: { unknownCommand: () => this.defaultT('slack:unknownCommand'), unreadable: () => this.defaultT('slack:unreadableRequest') },
            afterAck: (what, work) => this.afterAck(what, work),
            run: (target, event, trigger) => this.handleAndDeliver(target, event, { direct: target.direct }, trigger),
          });
          expressApp.post('/slack/events', ...refuseUnroutablePayloads(config.SLACK_SIGNING_SECRET!, logger, () => this.defaultT('slack:unreadableRequest'), slashCommands));
          // The install page is rendered by Bolt's installer, which does not pass the request on: its language rides along.
          if (oauth) expressApp.get(INSTALL_PATH, (req, _res, next) => pageLanguage.run(oauth.language(req), next));
          expressApp.use(receiver.router);
        },
      };
    }
    this.app.error(async (error) => logListenerError(logger, error));
    this.registerListeners();
  }

  /** Socket Mode connects here; over HTTP the express server is already listening. */
  async start(): Promise<void> {
    if (this.socketMode) await this.app.start();
  }

  /** Stops receiving and lets work already acknowledged finish. */
  async stop(): Promise<void> {
    if (this.socketMode) await this.app.stop().catch(() => undefined);
    await this.settled();
  }

  /** Resolves when every piece of acknowledged work has finished (shutdown, tests). */
  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Runs work after the ack, tracked so shutdown waits for it, and its errors are logged, never
   * lost. It starts on the event loop's next turn: the ack, and the requests already waiting to be
   * read, go first. How much of it runs at once is bounded by the bot's admission gate
   * (MAX_ACTIVE_REQUESTS, MAX_QUEUED_REQUESTS).
   */
  private afterAck(what: string, work: () => Promise<unknown>): void {
    const running = nextTurn().then(work).catch((error) => this.deps.logger.error({ err: error, what }, 'slack work after ack failed'));
    this.inFlight.add(running);
    void running.finally(() => this.inFlight.delete(running));
  }

  private registerListeners(): void {
    const { app } = this;

    // Retries (X-Slack-Retry-Num) and double deliveries of one event have one effect.
    app.use(async ({ body, next }) => {
      // Tracked from the start: Bolt acks events before this runs, and shutdown must wait for it.
      let done: () => void = () => undefined;
      const tracked = new Promise<void>((resolve) => (done = resolve));
      this.inFlight.add(tracked);
      try {
        const eventId = (body as { event_id?: unknown }).event_id;
        if ((body as { type?: string }).type === 'event_callback' && typeof eventId === 'string') {
          const first = await this.dedupe.firstDelivery(eventId).catch((error) => {
            // Without Redis we cannot tell; acting twice is better than never acting.
            this.deps.logger.warn({ err: String(error) }, 'slack event dedupe unavailable');
            return true;
          });
          if (!first) return;
        }
        await next();
      } finally {
        this.inFlight.delete(tracked);
        done();
      }
    });

    // Slash commands in Socket Mode (over HTTP they never reach Bolt: slash-command.ts), one listener for
    // all of them (Bolt runs each registered listener's filters on every request).
    app.command(/.*/, async ({ command, ack, context }) => {
      if (!isOurCommand(command.command)) {
        // Another slash command pointed at this app: acked at once with a sentence, instead of Slack
        // waiting 3 s for Bolt's timeout and showing the person an error.
        await ack({ response_type: 'ephemeral', text: this.defaultT('slack:unknownCommand') } as never);
        return;
      }
      const target = replyTargetOf(command, context.enterpriseId);
      const trigger: Trigger = { id: command.trigger_id, at: Date.now() };
      // Ack first, as Slack advises: the answer always follows through the response_url, so the
      // ack never waits for the flow or the database, and a slow flow cannot miss Slack's 3 s.
      // Registered before the ack, so whoever sees the ack also sees the pending work.
      this.afterAck('command', () => this.handleAndDeliver(target, fromSlashCommand(command.text ?? ''), { direct: target.direct }, trigger));
      await ack();
    });

    app.action(/.*/, async ({ body, action, ack, context }) => {
      await ack();
      if (body.type !== 'block_actions') return;
      const b = body as unknown as BlockActionsBody;
      const trigger = { id: b.trigger_id, at: Date.now() };
      const channel = b.channel?.id ?? b.container?.channel_id;
      const threadTs = b.message?.thread_ts;
      const messageTs = b.container?.message_ts ?? b.message?.ts;
      const target: ReplyTarget = {
        teamId: b.user.team_id ?? b.team?.id ?? '',
        ...orgOf(context),
        userId: b.user.id,
        responseUrl: b.response_url,
        channel,
        threadTs,
        direct: isDirectChannel(channel) || !channel,
        ...(b.container?.type === 'message' && channel && messageTs ? { carrier: { channel, ts: messageTs, ephemeral: Boolean(b.container.is_ephemeral) } } : {}),
        ...(b.view?.type === 'modal' && b.view.id ? { modal: { id: b.view.id, hash: b.view.hash, title: b.view.title?.text ?? '' } } : {}),
      };
      const raw = action as { action_id: string; value?: string };
      if (raw.action_id.startsWith(ADAPTER_ACTIONS.openForm)) {
        this.afterAck('open form', () => this.openPendingForm(raw.value ?? '', target, trigger));
        return;
      }
      if (raw.action_id.startsWith(ADAPTER_ACTIONS.homePage)) {
        this.afterAck('home page', () => this.publishHome(target, Number(raw.value) || 0));
        return;
      }
      const event = fromBlockAction(action);
      if (!event) return;
      const fromHome = b.view?.type === 'home';
      const origin: Origin = { direct: target.direct, ...(channel && threadTs ? { threadKey: threadKey(channel, threadTs, target.teamId) } : {}) };
      this.afterAck('action', async () => {
        await this.handleAndDeliver(target, { type: 'action', ...event }, origin, trigger);
        // Pressing a task button on Home may finish the task: show the Home as it is now.
        if (fromHome) await this.publishHome(target, 0);
      });
    });

    app.view(FORM_CALLBACK_ID, async ({ body, view, ack, context }) => {
      await this.handleSubmission(body as unknown as ViewSubmissionBody, view as unknown as SubmittedView, ack as unknown as (response?: object) => Promise<void>, orgOf(context));
    });

    app.options(/.*/, async ({ ack }) => {
      await ack({ options: [] });
    });

    // Anything routed here but meant for no listener (a foreign modal, a shortcut) is acked at once,
    // instead of Slack waiting 3 s for Bolt's timeout and showing the person an error.
    app.view(/^(?!lc-form$)/, async ({ ack }) => {
      await ack();
    });
    // A closed modal (ours or any other, when Slack was asked to notify) needs only an acknowledgement:
    // nothing was submitted, so nothing changes. Bolt's string and RegExp constraints match submissions only.
    app.view({ type: 'view_closed', callback_id: /.*/ }, async ({ ack }) => {
      await ack();
    });
    app.shortcut(/.*/, async ({ ack }) => {
      await ack();
    });

    // The bot was removed from a workspace (or its bot token revoked): the installation goes, its people
    // become unreachable on Slack, nothing else changes. Bolt delivers these two without authorizing.
    const leaving = async (body: unknown, botTokensRevoked: boolean) => {
      const workspaces = this.oauthWorkspaces;
      if (!workspaces || !botTokensRevoked) return;
      const key = installationKeyOf(body);
      if (!key) return;
      const detached = await detachInstallation(this.deps.db, workspaces, key);
      this.deps.logger.info({ installationKey: key, ...detached }, 'slack installation removed by Slack');
    };
    app.event('app_uninstalled', async ({ body }) => {
      this.afterAck('app_uninstalled', () => leaving(body, true));
    });
    app.event('tokens_revoked', async ({ event, body }) => {
      const bots = (event as { tokens?: { bot?: unknown[] } }).tokens?.bot;
      this.afterAck('tokens_revoked', () => leaving(body, Array.isArray(bots) && bots.length > 0));
    });

    app.event('app_home_opened', async ({ event, body, context }) => {
      if (event.tab !== 'home') return;
      const teamId = (body as { team_id?: string }).team_id ?? '';
      this.afterAck('home', () => this.publishHome({ teamId, ...orgOf(context), userId: event.user }, 0));
    });

    app.event('message', async ({ event, body, context }) => {
      const m = event as unknown as MessageEvent;
      // Only what a person typed to the bot in its DM: no edits, joins, or bots (ourselves included).
      if (m.channel_type !== 'im' || m.subtype || m.bot_id || !m.user || typeof m.text !== 'string') return;
      const teamId = (body as { team_id?: string }).team_id ?? m.team ?? '';
      const target: ReplyTarget = { teamId, ...orgOf(context), userId: m.user, channel: m.channel, threadTs: m.thread_ts, direct: true };
      const origin: Origin = { direct: true, threadKey: threadKey(m.channel, m.thread_ts ?? m.ts, teamId) };
      this.afterAck('message', () => this.handleAndDeliver(target, fromMessageText(m.text!), origin, null));
    });

    app.event('app_mention', async ({ event, body, context }) => {
      const m = event as unknown as MessageEvent;
      if (!m.user || typeof m.text !== 'string') return;
      const teamId = (body as { team_id?: string }).team_id ?? m.team ?? '';
      // A mention in a channel is answered in a thread under it, so the channel stays readable.
      const threadTs = m.thread_ts ?? m.ts;
      const target: ReplyTarget = { teamId, ...orgOf(context), userId: m.user, channel: m.channel, threadTs, direct: isDirectChannel(m.channel) };
      const origin: Origin = { direct: target.direct, threadKey: threadKey(m.channel, threadTs, teamId) };
      this.afterAck('mention', () => this.handleAndDeliver(target, fromMessageText(m.text!), origin, null));
    });
  }

  /**
   * The identity of a Slack user; the profile is fetched only on first contact, with the user's workspace's token.
   * Met in their DM with the bot, the DM's channel is kept as the identity's reference (once: it never changes),
   * so a nudge reaches them without conversations.open (rate-limited by Slack to about 50 a minute) or a cache.
   */
  private identity(who: { teamId: string; enterpriseId?: string; userId: string; channel?: string; direct?: boolean }): IdentityInput {
    return {
      platform: 'SLACK',
      externalId: externalIdOf(who.teamId, who.userId),
      loadProfile: async () => slackProfileOf(await this.workspaces.clientFor(who), who, who.userId),
      ...(who.direct && isDirectChannel(who.channel) ? { conversationRef: { channel: who.channel }, keepExistingRef: true } : {}),
    };
  }

  private async handleAndDeliver(target: ReplyTarget, event: InboundEvent, origin: Origin, trigger: Trigger | null): Promise<void> {
    const response = await this.deps.bot.handle({ identity: this.identity(target), event, origin });
    await this.deliver(response, target, trigger);
  }

  /** Sends a bot response where the interaction happened; forms open as modals while the trigger lives. */
  private async deliver(response: BotResponse, target: ReplyTarget, trigger: Trigger | null): Promise<void> {
    const t = translator(response.locale ?? this.deps.config.DEFAULT_LOCALE);
    let responseUrlUses = 0;
    let messages = response.messages;
    if (target.modal) messages = await this.intoModal(messages, target.modal, target);
    for (const message of messages) {
      const forms = formsOf(message);
      const modalForm = forms.length === 1 && trigger && !trigger.used && Date.now() - trigger.at < TRIGGER_LIFE_MS ? forms[0] : null;
      if (modalForm && trigger) {
        trigger.used = true;
        // The modal is the form's own place: its outcome replaces no message (the modal just closes). Pushed
        // on top of a modal, its outcome takes that modal's place once it closes (target.modal stays).
        const opened = await this.openModal(modalForm, { ...target, carrier: undefined }, trigger.id, t, Boolean(target.modal));
        const rest: OutboundMessage = { ...message, blocks: message.blocks.filter((b) => b.type !== 'form') };
        // Only the form? Then the modal is the whole answer: no empty message beside it.
        const parts = opened ? (rest.blocks.length ? renderMessage(rest) : []) : await this.partsWithFormButtons(message, target, t);
        responseUrlUses = await this.post(parts, message, target, responseUrlUses);
        continue;
      }
      responseUrlUses = await this.post(await this.partsWithFormButtons(message, target, t), message, target, responseUrlUses);
    }
  }

  /**
   * A button pressed inside a modal: the modal shows the outcome in place of what it showed (views.update),
   * so it never keeps spent buttons. The flow's own answer goes there (the core's "done by you" note only
   * when there is nothing else); a form is pushed on top of the modal by the caller, and any further
   * message is posted as usual. Returns the messages left to deliver.
   */
  private async intoModal(messages: OutboundMessage[], modal: NonNullable<ReplyTarget['modal']>, target: ReplyTarget): Promise<OutboundMessage[]> {
    const shown = messages.find((m) => !m.receipt && !formsOf(m).length) ?? messages.find((m) => m.receipt);
    if (!shown) return messages;
    const client = await this.workspaces.clientFor(target);
    try {
      await withRetryAfter(() => client.views.update({ view_id: modal.id, ...(modal.hash ? { hash: modal.hash } : {}), view: renderMessageModal(shown, modal.title) as never }));
    } catch (error) {
      // The modal changed since (its hash) or was closed: it is not ours to overwrite, so the answer is posted instead.
      const code = platformErrorOf(error);
      if (code !== 'hash_conflict' && code !== 'not_found') throw error;
      this.deps.logger.info({ code }, 'slack modal moved on; posting its outcome instead');
      return messages.filter((m) => !m.receipt);
    }
    return messages.filter((m) => m !== shown && !m.receipt);
  }

  /**
   * The message's parts, with every form replaced by an "Open the form" button: the form is kept
   * in Redis and opens as a modal when pressed (a button press brings a fresh trigger_id).
   */
  private async partsWithFormButtons(message: OutboundMessage, target: ReplyTarget, t: Translate): Promise<SlackMessagePart[]> {
    const forms = formsOf(message);
    if (forms.length === 0) return renderMessage(message);
    const blocks = [];
    for (const block of message.blocks) {
      if (block.type !== 'form') {
        blocks.push(block);
        continue;
      }
      const id = await this.stash.putPendingForm(block.form, target);
      blocks.push(ui.paragraph(t('slack:formWaiting', { title: block.form.title })));
      if (block.form.intro) blocks.push(ui.context(block.form.intro));
      blocks.push(ui.actions(ui.button(t('slack:openForm'), ADAPTER_ACTIONS.openForm, id, 'primary')));
    }
    return renderMessage({ ...message, blocks });
  }

  /**
   * Posts parts: into the message's own thread, through the response_url, in the channel, or as a DM.
   * A reply with replaceOriginal takes the place of the message whose button was pressed (see
   * `replace`); its other parts, and every other message, are posted after it.
   */
  private async post(parts: SlackMessagePart[], message: OutboundMessage, target: ReplyTarget, responseUrlUses: number): Promise<number> {
    const thread = parseThreadKey(message.threadKey);
    for (const [index, part] of parts.entries()) {
      const content = { text: part.text, blocks: part.blocks };
      if (message.replaceOriginal && index === 0) {
        const replaced = await this.replace(content, message, target, responseUrlUses);
        if (replaced !== null) {
          responseUrlUses = replaced;
          continue;
        }
        // The core's "done by you" note has nothing to replace (a closed modal, Home): not posted.
        if (message.receipt) continue;
      }
      if (thread) {
        await this.postInChannel(target, thread.channel, thread.threadTs, content, message.ephemeral && !isDirectChannel(thread.channel) ? target.userId : undefined);
      } else if (target.responseUrl && responseUrlUses < 5 && !target.threadTs) {
        const body = { ...content, response_type: message.ephemeral || target.direct ? 'ephemeral' : 'in_channel' };
        responseUrlUses = await this.viaResponseUrl(target, body, content, responseUrlUses);
      } else if (target.channel && (target.direct || target.threadTs)) {
        await this.postInChannel(target, target.channel, target.threadTs, content, message.ephemeral && !target.direct ? target.userId : undefined);
      } else {
        await this.postDirect(target, content);
      }
    }
    return responseUrlUses;
  }

  /**
   * Puts content in the place of the message that carried the used button: chat.update for a
   * message the bot posted in a DM, the response_url's replace_original for an ephemeral one. A
   * message in a shared channel is everyone's: only the person who acted sees the outcome, as an
   * ephemeral reply. Returns the response_url uses so far, or null when there is nothing to replace.
   */
  private async replace(content: { text: string; blocks: unknown[] }, message: OutboundMessage, target: ReplyTarget, responseUrlUses: number): Promise<number | null> {
    const carrier = target.carrier;
    if (!carrier) return null;
    const shared = !carrier.ephemeral && !isDirectChannel(carrier.channel);
    if (shared) {
      if (message.receipt) return responseUrlUses;
      if (target.responseUrl && responseUrlUses < 5) return this.viaResponseUrl(target, { ...content, response_type: 'ephemeral' }, content, responseUrlUses);
      await this.postInChannel(target, carrier.channel, target.threadTs, content, target.userId);
      return responseUrlUses;
    }
    if (!carrier.ephemeral) {
      const client = await this.workspaces.clientFor(target);
      await withRetryAfter(() => client.chat.update({ channel: carrier.channel, ts: carrier.ts, text: content.text, blocks: content.blocks as never }));
      return responseUrlUses;
    }
    if (!target.responseUrl || responseUrlUses >= 5) return null;
    return this.viaResponseUrl(target, { ...content, replace_original: true }, content, responseUrlUses);
  }

  /** One post through the response_url (five allowed; it lives 30 minutes), falling back to a DM. */
  private async viaResponseUrl(target: ReplyTarget, body: Record<string, unknown>, content: { text: string; blocks: unknown[] }, responseUrlUses: number): Promise<number> {
    try {
      await withRetryAfter(() => postToResponseUrl(target.responseUrl!, body));
    } catch (error) {
      // A response_url lives 30 minutes (a modal can stay open longer): the DM still reaches the person.
      this.deps.logger.warn({ err: String(error) }, 'slack response_url refused; replying by DM');
      await this.postDirect(target, content);
    }
    return responseUrlUses + 1;
  }

  private async postDirect(target: ReplyTarget, content: { text: string; blocks: unknown[] }): Promise<void> {
    const client = await this.workspaces.clientFor(target);
    const dm = await withRetryAfter(() => client.conversations.open({ users: target.userId }));
    await this.postInChannel(target, dm.channel!.id!, undefined, content, undefined);
  }

  private async postInChannel(workspace: WorkspaceRef, channel: string, threadTs: string | undefined, content: { text: string; blocks: unknown[] }, ephemeralFor: string | undefined): Promise<void> {
    const thread = threadTs ? { thread_ts: threadTs } : {};
    const client = await this.workspaces.clientFor(workspace);
    await withRetryAfter(() =>
      ephemeralFor
        ? client.chat.postEphemeral({ channel, user: ephemeralFor, text: content.text, blocks: content.blocks as never, ...thread })
        : client.chat.postMessage({ channel, text: content.text, blocks: content.blocks as never, ...thread }),
    );
  }

  /**
   * Opens a form as a modal (pushed on top when a button inside a modal asked for it); false when Slack
   * refused (the trigger expired), so the caller falls back.
   */
  private async openModal(form: Form, target: ReplyTarget, triggerId: string, t: Translate, push = false): Promise<boolean> {
    try {
      const view = await this.modalView(form, target, 0, t, {});
      const client = await this.workspaces.clientFor(target);
      if (push) await client.views.push({ trigger_id: triggerId, view: view as never });
      else await client.views.open({ trigger_id: triggerId, view: view as never });
      return true;
    } catch (error) {
      const code = platformErrorOf(error);
      if (code === 'expired_trigger_id' || code === 'invalid_trigger_id' || code === 'exchanged_trigger_id') return false;
      throw error;
    }
  }

  /**
   * The modal for a form page. Small state rides in private_metadata; a long form, or state over
   * Slack's 3,000 characters, is kept in Redis and the metadata carries only its reference.
   */
  private async modalView(form: Form, target: ReplyTarget, page: number, t: Translate, values: ModalSession['values'], sessionId?: string, options: { errorsAsContext?: boolean } = {}): Promise<SlackView> {
    let meta: ModalMeta = { f: form.formId, p: page, t: target, ...(form.token ? { k: form.token } : {}) };
    if (sessionId || modalPageCount(form) > 1 || JSON.stringify(meta).length > SLACK_LIMITS.privateMetadata) {
      const s = await this.stash.putSession({ form, target, values }, sessionId);
      meta = { f: form.formId.slice(0, 200), p: page, s, ...(form.token ? { k: form.token } : {}) };
    }
    return renderModal(form, JSON.stringify(meta), { close: '', part: (p, n) => t('slack:formPart', { page: p, pages: n }) }, page, options);
  }

  private async openPendingForm(id: string, target: ReplyTarget, trigger: Trigger): Promise<void> {
    const pending = await this.stash.getPendingForm(id);
    const t = this.defaultT;
    if (!pending) {
      await this.post(renderMessage(ui.text(t('slack:formExpired'), { ephemeral: true })), ui.text('', { ephemeral: true }), target, 0);
      return;
    }
    // Replies go where the form was first offered, not to the button's message.
    // The outcome takes the place of the message that offered the form (its carrier).
    const opened = await this.openModal(pending.form, { ...pending.target, responseUrl: target.responseUrl ?? pending.target.responseUrl, carrier: target.carrier }, trigger.id, t);
    if (!opened) this.deps.logger.warn('slack trigger expired before the modal could open');
  }

  /**
   * A modal submission. Slack needs the answer within 3 s and the answer depends on the flow
   * (field errors, the next step, or close), so the flow races a 2.5 s budget; if it loses, the
   * modal closes and the flow's replies are posted when they come.
   */
  private async handleSubmission(body: ViewSubmissionBody, view: SubmittedView, ack: (response?: object) => Promise<void>, org: Pick<ReplyTarget, 'enterpriseId'>): Promise<void> {
    // private_metadata comes back from Slack as we wrote it, but a forged or broken one (e.g. "null")
    // must not crash the listener: anything not of our shape counts as an expired form.
    let meta: ModalMeta = { f: '', p: 0 };
    try {
      const parsed = modalMetaSchema.safeParse(JSON.parse(view.private_metadata || '{}'));
      if (parsed.success) meta = parsed.data as ModalMeta;
    } catch {
      // not JSON: expired form
    }
    const session = meta.s ? await this.stash.getSession(meta.s).catch(() => null) : null;
    const target: ReplyTarget = session?.target ?? meta.t ?? { teamId: body.user.team_id ?? body.team?.id ?? '', ...org, userId: body.user.id, direct: true };
    const t = this.defaultT;
    if (!meta.f || (meta.s && !session)) {
      await ack();
      this.afterAck('expired form', () => this.post(renderMessage(ui.text(t('slack:formExpired'), { ephemeral: true })), ui.text('', { ephemeral: true }), target, 0));
      return;
    }
    const values = { ...(session?.values ?? {}), ...fromViewState(view.state?.values) };

    // A long form: keep this page's answers and show the next page.
    if (session && meta.p + 1 < modalPageCount(session.form)) {
      const next = await this.modalView(session.form, target, meta.p + 1, t, values, meta.s);
      await ack({ response_action: 'update', view: next });
      return;
    }

    // The person is whoever Slack says submitted (signed), never what the metadata remembers.
    const submitter = { teamId: body.user.team_id ?? body.team?.id ?? target.teamId, ...org, userId: body.user.id };
    const token = meta.k ?? session?.form.token;
    const handled = this.deps.bot.handle({ identity: this.identity(submitter), event: { type: 'form', formId: meta.f, values, ...(token ? { token } : {}) }, origin: { direct: target.direct, ...(target.channel && target.threadTs ? { threadKey: threadKey(target.channel, target.threadTs, target.teamId) } : {}) } });
    const timedOut = Symbol('timeout');
    const first = await Promise.race([handled, sleep(this.deps.budgets?.submissionMs ?? SUBMISSION_BUDGET_MS).then(() => timedOut)]);
    if (first === timedOut) {
      this.afterAck('slow submission', async () => this.deliver(await handled, target, null));
      await ack();
      return;
    }
    const response = first as BotResponse;
    const rt = translator(response.locale ?? this.deps.config.DEFAULT_LOCALE);
    const withForm = response.messages.find((m) => formsOf(m).length > 0);
    const nextForm = withForm ? formsOf(withForm)[0] : undefined;
    const repeat = nextForm ? undefined : response.messages.find((m) => m.repeat);
    const others = response.messages
      .filter((m) => m !== repeat)
      .map((m) => (m === withForm ? { ...m, blocks: m.blocks.filter((b) => b.type !== 'form' || b.form !== nextForm) } : m))
      .filter((m) => m.blocks.length > 0);

    if (nextForm && nextForm.formId === meta.f && nextForm.errors && Object.keys(nextForm.errors).length) {
      const pages = modalPageCount(nextForm);
      const page = pages > 1 ? errorPage(nextForm) : 0;
      const inline = page === meta.p ? fieldErrors(nextForm, page) : null;
      if (inline) {
        if (session && meta.s) await this.stash.putSession({ ...session, form: nextForm, values }, meta.s);
        await ack({ response_action: 'errors', errors: inline });
      } else {
        await ack({ response_action: 'update', view: await this.modalView(nextForm, target, page, rt, values, meta.s, { errorsAsContext: true }) });
      }
    } else if (nextForm) {
      // The next step of a multi-step form replaces the modal's content.
      if (meta.s) await this.stash.dropSession(meta.s);
      await ack({ response_action: 'update', view: await this.modalView(nextForm, target, 0, rt, {}) });
    } else if (repeat) {
      // Submitted again (a double click, a retry): the modal shows "already done" and the state now,
      // instead of closing on a form that did nothing or leaving it as it was.
      await ack({ response_action: 'update', view: renderMessageModal(repeat, view.title?.text ?? '') });
    } else {
      if (meta.s) await this.stash.dropSession(meta.s);
      await ack();
    }
    if (others.length) this.afterAck('submission replies', () => this.deliver({ ...response, messages: others }, target, null));
  }

  /** Renders the person's overview (the `home` command) into their App Home tab. */
  private async publishHome(who: { teamId: string; enterpriseId?: string; userId: string }, page: number): Promise<void> {
    const { userId } = who;
    const response = await this.deps.bot.handle({ identity: this.identity(who), event: { type: 'command', verb: 'home', args: '', text: '/lc home' }, origin: { direct: true } });
    const t = translator(response.locale ?? this.deps.config.DEFAULT_LOCALE);
    const blocks = response.messages.flatMap((m) => m.blocks);
    const { view } = renderHome(blocks, { previous: t('slack:home.previous'), next: t('slack:home.next'), page: (p, n) => t('slack:home.page', { page: p, pages: n }) }, page);
    // Straight over HTTP, not through the WebClient, like a nudge's post (callWebApi says why).
    const auth = await this.workspaces.authFor(who);
    await withRetryAfter(() => callWebApi(auth.client.slackApiUrl, auth.botToken, 'views.publish', { user_id: userId, view }));
  }
}

/** What modalView writes into private_metadata; the reply target is kept as written. */
const modalMetaSchema = z.object({
  f: z.string(),
  p: z.number().int().min(0).max(1_000),
  t: z
    .object({
      teamId: z.string(),
      enterpriseId: z.string().optional(),
      userId: z.string(),
      responseUrl: z.string().optional(),
      channel: z.string().optional(),
      threadTs: z.string().optional(),
      direct: z.boolean(),
      carrier: z.object({ channel: z.string(), ts: z.string(), ephemeral: z.boolean() }).optional(),
      modal: z.object({ id: z.string(), hash: z.string().optional(), title: z.string() }).optional(),
    })
    .optional(),
  s: z.string().optional(),
  k: z.string().regex(/^[\w-]{1,64}$/).optional(),
});

/**
 * The org of the installation Bolt authorised the request with (Enterprise Grid), so replies and
 * the person's profile use that installation's token.
 */
function orgOf(context: { enterpriseId?: string }): Pick<ReplyTarget, 'enterpriseId'> {
  return context.enterpriseId ? { enterpriseId: context.enterpriseId } : {};
}

/** The installation an Events API callback concerns: the org's for an org-wide install, else the team's. */
function installationKeyOf(body: unknown): string | undefined {
  const b = body as { team_id?: string; enterprise_id?: string | null; is_enterprise_install?: boolean; authorizations?: { team_id?: string | null; enterprise_id?: string | null; is_enterprise_install?: boolean }[] };
  const auth = b.authorizations?.[0];
  const org = auth?.is_enterprise_install ?? b.is_enterprise_install ?? false;
  const key = org ? (auth?.enterprise_id ?? b.enterprise_id) : (auth?.team_id ?? b.team_id);
  return key && /^[TE][A-Z0-9]+$/.test(key) ? key : undefined;
}

/** Resolves after the I/O already waiting on the event loop has been handled (setImmediate). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The page of a long form holding its first field with an error. */
function errorPage(form: Form): number {
  const index = form.fields.findIndex((f) => form.errors?.[f.name]);
  return index < 0 ? 0 : Math.floor(index / FIELDS_PER_MODAL_PAGE);
}

interface Trigger {
  id: string;
  at: number;
  used?: boolean;
}

interface BlockActionsBody {
  type: 'block_actions';
  trigger_id: string;
  response_url?: string;
  user: { id: string; team_id?: string };
  team?: { id: string } | null;
  channel?: { id: string };
  container?: { type?: string; channel_id?: string; message_ts?: string; is_ephemeral?: boolean };
  message?: { ts: string; thread_ts?: string };
  view?: { type: string; id?: string; hash?: string; title?: { text?: string } };
}

interface ViewSubmissionBody {
  user: { id: string; team_id?: string };
  team?: { id: string } | null;
}

interface SubmittedView {
  private_metadata?: string;
  title?: { text?: string };
  state?: { values?: unknown };
}

interface MessageEvent {
  channel: string;
  channel_type?: string;
  user?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  subtype?: string;
  bot_id?: string;
  team?: string;
}

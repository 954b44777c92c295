import { ActionLedger, type StoredOutcome } from './action-ledger.js';
import { withTokens } from './action-tokens.js';
import { AdmissionGate, GateFullError } from './admission.js';
import type { Logger } from './logger.js';
import { closestWord, verbOfWord } from './command-words.js';
import { MAX_COMMAND_LENGTH, parseCommand } from './commands.js';
import { BotError, ErrorCode, isBotError, isTransientInfraError } from './errors.js';
import { accepts as acceptsEvent, type CommandSpec, type Flow, type FlowContext, type FlowResult, type PersonContext, type Services } from './flow.js';
import { FlowStore, type StoredPosition } from './flow-store.js';
import { translator, type Translate } from './i18n.js';
import { formatShortTime } from './format.js';
import { cleanInboundEvent, hasOddCharacters } from './inbound-text.js';
import { DeadlinePassedError, isDeadlineError, timeLeft, withDeadline } from './request-deadline.js';
import { COMMAND_ACTION, stripMarkup, ui, type InboundEvent, type Origin, type OutboundMessage } from './messages.js';
import { resolvePerson, type IdentityInput } from '../domain/people.js';

/** One event from one person on one platform, as an adapter hands it to the core. */
export interface InboundEnvelope {
  identity: IdentityInput;
  event: InboundEvent;
  origin: Origin;
}

export interface BotResponse {
  personId?: string;
  /** The person's language, so adapters can translate their own labels (paging, "open the form"). */
  locale?: string;
  messages: OutboundMessage[];
  /**
   * The answer is "try again in a moment" (this instance is busy, or a backing service is away):
   * nothing happened, so an adapter should not store or build on it.
   */
  transient?: boolean;
}

/**
 * The platform-neutral core: resolves who is talking, routes the event to the flow it belongs to,
 * persists the flow's position, and turns every error into a friendly, translated message.
 * Stateless between calls: all state is in PostgreSQL, so any instance can take any event.
 */
export class Bot {
  private readonly flowsByName = new Map<string, Flow<unknown>>();
  private readonly commandsByVerb = new Map<string, { flow: Flow<unknown>; spec: CommandSpec }>();
  private readonly store: FlowStore;
  private readonly gate: AdmissionGate;
  private readonly ledger: ActionLedger;
  /** Built once: every event's context carries it, and help keys its translations on it. */
  private readonly commandList: CommandSpec[];

  constructor(
    readonly services: Services,
    flows: Flow<any>[],
    private readonly logger: Logger,
  ) {
    this.store = new FlowStore(services.db);
    this.ledger = new ActionLedger(services.db);
    const config = services.config;
    this.gate = new AdmissionGate(config.MAX_ACTIVE_REQUESTS, config.MAX_QUEUED_REQUESTS, { maxActive: config.MAX_ACTIVE_PER_IDENTITY, maxQueued: config.MAX_QUEUED_PER_IDENTITY });
    for (const flow of flows) {
      if (this.flowsByName.has(flow.name)) throw new Error(`two flows are named ${flow.name}`);
      this.flowsByName.set(flow.name, flow);
      for (const spec of flow.commands) {
        if (this.commandsByVerb.has(spec.verb)) throw new Error(`two flows claim the verb ${spec.verb}`);
        this.commandsByVerb.set(spec.verb, { flow, spec });
      }
    }
    this.commandList = [...this.commandsByVerb.values()].map((c) => c.spec);
  }

  /** This instance's admission load, overall or of one platform identity, for logs and tests. */
  admissionLoad(identity?: { platform: string; externalId: string }): { active: number; queued: number } {
    return identity ? this.gate.loadOf(`${identity.platform}:${identity.externalId}`) : this.gate.load;
  }

  /** Every command, for help texts and platform manifests. */
  get commands(): CommandSpec[] {
    return this.commandList;
  }

  /**
   * One request, start to answer within REQUEST_DEADLINE_MS (waiting for a slot included). Each platform
   * identity has its own share of this instance's slots (admission.ts), so a flood from one client is
   * slowed and refused while others are served. At the deadline the person hears "try again in a
   * moment" and the request's database work stops at its next statement (request-deadline.ts).
   */
  async handle(envelope: InboundEnvelope): Promise<BotResponse> {
    const key = `${envelope.identity.platform}:${envelope.identity.externalId}`;
    // Who is asking, once known: the deadline's answer is then in their language.
    const known: Known = {};
    const { result } = withDeadline(this.services.config.REQUEST_DEADLINE_MS, () => this.gate.run(() => this.handleNow(envelope, known), key));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.services.config.REQUEST_DEADLINE_MS)));
    try {
      const first = await Promise.race([result, late]);
      if (first !== 'late') return first;
      // The work goes on only until its next statement, which is refused; its outcome is no longer anyone's.
      result.catch(() => undefined);
      return this.tooSlow(envelope, known);
    } catch (error) {
      if (!(error instanceof GateFullError)) throw error;
      this.noteRefusal();
      // Before knowing the person (that needs the database), so in the deployment's language.
      const t = translator(this.services.config.DEFAULT_LOCALE);
      return { messages: [ui.text(t('errors.busy'), { ephemeral: true })], transient: true };
    } finally {
      clearTimeout(timer);
    }
  }

  private tooSlow(envelope: InboundEnvelope, known: Known): BotResponse {
    this.logger.warn({ platform: envelope.identity.platform, event: envelope.event.type, deadlineMs: this.services.config.REQUEST_DEADLINE_MS }, 'request answered at its deadline; its work was stopped');
    const t = translator(known.locale ?? this.services.config.DEFAULT_LOCALE);
    return { ...known, messages: [ui.text(t('errors.tooSlow'), { ephemeral: true })], transient: true };
  }

  /**
   * Refusals come in floods (that is when they happen), so they are counted and logged at most every
   * ten seconds: a log line per refusal would spend the CPU the instance is short of.
   */
  private refusedSinceLog = 0;
  private lastRefusalLog = 0;
  private noteRefusal(): void {
    this.refusedSinceLog++;
    const now = Date.now();
    if (now - this.lastRefusalLog < 10_000) return;
    this.logger.warn({ refused: this.refusedSinceLog, ...this.gate.load }, 'requests refused: this instance is at its work limit (MAX_ACTIVE_REQUESTS, MAX_QUEUED_REQUESTS)');
    this.refusedSinceLog = 0;
    this.lastRefusalLog = now;
  }

  private async handleNow(envelope: InboundEnvelope, known: Known): Promise<BotResponse> {
    const fallbackT = translator(this.services.config.DEFAULT_LOCALE);
    let personId: string | undefined;
    let locale: string | undefined;
    let t: Translate = fallbackT;
    try {
      // It waited in line past its deadline: the person has had their answer already.
      if ((timeLeft() ?? 1) <= 0) throw new DeadlinePassedError('the request');
      // The boundary: from here on no text holds a NUL or half a character (src/core/inbound-text.ts).
      envelope = { ...envelope, event: cleanInboundEvent(envelope.event) };
      // An account id is not a person's text: cleaning it could make it someone else's, so it is refused.
      if (hasOddCharacters(envelope.identity.externalId)) throw new BotError(ErrorCode.InvalidInput, 'errors.unreadableAccount');
      const tooLong = checkLength(envelope.event);
      if (tooLong) return { messages: [ui.text(t('errors.tooLong', { max: MAX_COMMAND_LENGTH }), { ephemeral: true })] };
      const person = await resolvePerson(this.services.db, envelope.identity, {
        locale: this.services.config.DEFAULT_LOCALE,
        timeZone: this.services.config.DEFAULT_TIMEZONE,
      });
      personId = person.id;
      locale = person.locale;
      Object.assign(known, { personId, locale });
      t = translator(person.locale);
      const ctx: FlowContext = {
        person: { id: person.id, displayName: person.displayName, locale: person.locale, timeZone: person.timeZone, roles: person.roles, platform: envelope.identity.platform } satisfies PersonContext,
        t,
        services: this.services,
        origin: envelope.origin,
        commands: this.commands,
      };
      const event = envelope.event;
      const messages = (event.type === 'action' || event.type === 'form') && event.token ? await this.once(ctx, event) : await this.dispatch(ctx, event);
      return { personId, locale, messages: messages.map(withTokens) };
    } catch (error) {
      // Refused or timed out by the deadline (request-deadline.ts): the answer is "try again", not an error.
      if (isDeadlineError(error) || (timeLeft() ?? 1) <= 0) return this.tooSlow(envelope, known);
      return { personId, locale, messages: [this.explain(error, t, envelope)], ...(!isBotError(error) && isTransientInfraError(error) ? { transient: true } : {}) };
    }
  }

  private async dispatch(ctx: FlowContext, event: InboundEvent): Promise<OutboundMessage[]> {
    switch (event.type) {
      case 'command':
        return this.runCommand(ctx, event.verb, event.args);
      case 'action':
        if (event.actionId === COMMAND_ACTION) {
          const parsed = parseCommand(event.value, { allowBare: true });
          if (parsed) return this.runCommand(ctx, parsed.verb, parsed.args);
          return [this.notUnderstood(ctx)];
        }
        return this.routeToFlow(ctx, event.actionId.split(':')[0], event);
      case 'form':
        return this.routeToFlow(ctx, event.formId.split(':')[0], event);
      case 'text': {
        const flowName = await this.store.latestFlowName(ctx.person.id, ctx.services.clock.now());
        const flow = flowName ? this.flowsByName.get(flowName) : undefined;
        if (flow?.handle) return this.routeToFlow(ctx, flow.name, event);
        return [this.notUnderstood(ctx)];
      }
    }
  }

  /**
   * A button or form with a one-time token: the first use acts, and the message it was on is
   * replaced by the outcome (the flow's own `replaceOriginal` reply, or a short "done by you" note);
   * any concurrent or later use of the same token acts no more and answers with that outcome.
   * A use with no effect (an error, the same form shown again with its mistakes) gives the token back.
   */
  private async once(ctx: FlowContext, event: Extract<InboundEvent, { type: 'action' | 'form' }>): Promise<OutboundMessage[]> {
    const personId = ctx.person.id;
    const token = event.token!;
    const claim = await this.ledger.claim(personId, token);
    if (claim.state === 'done') return [await this.replay(ctx, claim.outcome)];
    if (claim.state === 'running') return [ui.text(ctx.t('actions.underWay'), { ephemeral: true })];
    let replies: OutboundMessage[];
    try {
      replies = await this.dispatch(ctx, event);
    } catch (error) {
      await this.ledger.release(personId, token).catch((e) => this.logger.warn({ err: e }, 'could not release an action token'));
      throw error;
    }
    // A button that answered with a form has not acted yet (the form's submission will), and a form
    // shown again (with its mistakes) was not taken: either way the token stays usable.
    if (replies.some((m) => m.blocks.some((b) => b.type === 'form' && (event.type === 'action' || b.form.formId === event.formId)))) {
      await this.ledger.release(personId, token);
      return replies;
    }
    replies = replies.map(withTokens);
    let replacement = replies.find((m) => m.replaceOriginal);
    if (!replacement) {
      replacement = receipt(ctx, event);
      replies = [replacement, ...replies];
    }
    const current = replies.find((m) => m.current)?.current;
    await this.ledger.complete(personId, token, { message: replacement, at: ctx.services.clock.now().toISOString(), ...(current ? { current } : {}) });
    return replies;
  }

  /**
   * The answer to a repeated use: "already done", with the acted-on thing as it is now when the first
   * answer named a view of it (OutboundMessage.current), else with the first answer again. The view
   * only reads, so the repeat still has no effect; if it cannot be shown any more (the thing was
   * removed, the person lost access), the first answer is what is left to show.
   */
  private async replay(ctx: FlowContext, outcome: StoredOutcome): Promise<OutboundMessage> {
    if (outcome.current) {
      try {
        const [view] = await this.dispatch(ctx, { type: 'action', ...outcome.current });
        if (view) return alreadyDone(ctx, outcome.at, view);
      } catch (error) {
        if (isDeadlineError(error)) throw error;
        this.logger.info({ err: error, action: outcome.current.actionId }, 'the current view of a repeated action could not be shown; answering with the first outcome');
      }
    }
    return alreadyDone(ctx, outcome.at, outcome.message);
  }

  private notUnderstood(ctx: FlowContext): OutboundMessage {
    const text = ctx.t('notUnderstood');
    return ui.message(text, [ui.paragraph(text), ui.actions(ui.commandButton(ctx.t('help.button'), 'help', 'primary'))], { ephemeral: true });
  }

  private verbs?: ReadonlySet<string>;

  /** The English verbs the registered flows answer to. */
  private knownVerbs(): ReadonlySet<string> {
    return (this.verbs ??= new Set(this.commandsByVerb.keys()));
  }

  private async runCommand(ctx: FlowContext, typed: string, args: string): Promise<OutboundMessage[]> {
    // The verb in any of our languages (`/lc pomoć`, `/lc ndihme`); flows know it by its English name.
    const known = this.knownVerbs();
    const verb = verbOfWord(typed, ctx.person.locale, known) ?? typed;
    const entry = this.commandsByVerb.get(verb);
    if (!entry) {
      const suggestion = closestWord(typed, ctx.person.locale, known);
      const text = suggestion ? ctx.t('unknownVerbSuggest', { verb: typed, suggestion: suggestion.word }) : ctx.t('unknownVerb', { verb: typed });
      const buttons = [ui.commandButton(ctx.t('help.button'), 'help')];
      if (suggestion) buttons.unshift(ui.commandButton(`/lc ${suggestion.word}`, suggestion.verb, 'primary'));
      return [ui.message(text, [ui.paragraph(text), ui.actions(...buttons)], { ephemeral: true })];
    }
    if (entry.spec.audience !== 'anyone') {
      if (!entry.spec.audience.some((role) => ctx.person.roles.has(role))) {
        throw new BotError(ErrorCode.NotAllowed, 'errors.commandNotForYou', { verb });
      }
    }
    const result = await entry.flow.start(ctx, { verb, args });
    await this.persist(ctx, entry.flow, result, null);
    return result.replies;
  }

  private async routeToFlow(ctx: FlowContext, flowName: string, event: InboundEvent): Promise<OutboundMessage[]> {
    const flow = this.flowsByName.get(flowName);
    if (!flow?.handle) throw new BotError(ErrorCode.StaleConversation, 'errors.staleConversation', { flow: flowName });
    // Only the buttons and forms the flow declares reach it (see Flow.accepts), before anything is loaded.
    if (flow.accepts && (event.type === 'action' || event.type === 'form') && !acceptsEvent(flow, event)) throw new BotError(ErrorCode.StaleConversation, 'errors.staleConversation', { flow: flowName });
    const now = ctx.services.clock.now();
    const position: StoredPosition<unknown> | null = await this.store.load(ctx.person.id, flow, now);
    const result = await flow.handle(ctx, event, position);
    await this.persist(ctx, flow, result, position?.revision ?? null);
    return result.replies;
  }

  private async persist(ctx: FlowContext, flow: Flow<unknown>, result: FlowResult<unknown>, revision: number | null): Promise<void> {
    if (result.next === undefined) return;
    if (result.next === null) return this.store.clear(ctx.person.id, flow.name);
    await this.store.save(ctx.person.id, flow, result.next, revision, ctx.services.clock.now());
  }

  /** The one place where errors become words for the user and a log line for the operator. */
  private explain(error: unknown, t: Translate, envelope: InboundEnvelope): OutboundMessage {
    if (isUnfitQuery(error)) {
      // A query built from an id the request did not carry (a forged or truncated button or form): for the
      // person a step that is over; for the operator a warning with the stack, so the loader can be fixed.
      this.logger.warn({ err: error, event: envelope.event.type }, 'a request referred to something it did not name (forged or stale input)');
      error = new BotError(ErrorCode.StaleConversation, 'errors.stepPast');
    }
    if (isBotError(error)) {
      this.logger.info({ code: error.code, key: error.messageKey, platform: envelope.identity.platform }, 'request refused');
      const text = t(error.messageKey, translateVars(error.vars, t));
      const blocks = [ui.paragraph(text)];
      // A button from a step that is over: offer the command that shows where the person is now.
      const verb = error.code === ErrorCode.StaleConversation ? this.flowsByName.get(String(error.vars.flow ?? ''))?.commands[0]?.verb : undefined;
      if (verb) blocks.push(ui.actions(ui.commandButton(t('errors.carryOn', { verb }), verb, 'primary'), ui.commandButton(t('help.button'), 'help')));
      else if (error.code === ErrorCode.StaleConversation || error.code === ErrorCode.NotAllowed) {
        blocks.push(ui.actions(ui.commandButton(t('help.button'), 'help')));
      }
      return ui.message(text, blocks, { ephemeral: true });
    }
    if (isTransientInfraError(error)) {
      this.logger.warn({ err: error }, 'backing service unavailable');
      return ui.text(t('errors.unavailable'), { ephemeral: true });
    }
    this.logger.error({ err: error, event: envelope.event.type }, 'unexpected error while handling an event');
    return ui.text(t('errors.internal'), { ephemeral: true });
  }
}

/** The person a request turned out to be, filled in by handleNow for the answer given at the deadline. */
interface Known {
  personId?: string;
  locale?: string;
}

/** The note that takes the place of a used button's or form's message when the flow gave no outcome of its own. */
function receipt(ctx: FlowContext, event: Extract<InboundEvent, { type: 'action' | 'form' }>): OutboundMessage {
  const time = formatShortTime(ctx.services.clock.now(), ctx.services.clock.now(), ctx.person.timeZone, ctx.person.locale);
  // The label comes back from the platform: shown as plain words, never as markup.
  const label = stripMarkup(event.label ?? '').replace(/[*_`[\]]/g, '').trim().slice(0, 80);
  const text = label ? ctx.t('actions.doneByYou', { label, time }) : ctx.t(event.type === 'form' ? 'actions.sentByYou' : 'actions.doneByYouNoLabel', { time });
  return ui.message(text, [ui.context(text)], { replaceOriginal: true, receipt: true });
}

/** A repeated use's answer: `shown` (the current view, or the first outcome) in the same place, saying nothing changed, under its heading. */
function alreadyDone(ctx: FlowContext, at: string, shown: OutboundMessage): OutboundMessage {
  const time = formatShortTime(new Date(at), ctx.services.clock.now(), ctx.person.timeZone, ctx.person.locale);
  const note = ctx.t('actions.alreadyDone', { time });
  const blocks = [...shown.blocks];
  blocks.splice(blocks[0]?.type === 'heading' ? 1 : 0, 0, ui.context(note));
  return { ...shown, blocks, summary: note, replaceOriginal: true, repeat: true };
}

/** Variables given as { key } (or lists of them) are translated too, so role names read naturally. */
function translateVars(vars: Record<string, unknown>, t: Translate): Record<string, unknown> {
  const isRef = (v: unknown): v is { key: string } => typeof v === 'object' && v !== null && typeof (v as { key?: unknown }).key === 'string';
  return Object.fromEntries(
    Object.entries(vars).map(([name, value]) => {
      if (isRef(value)) return [name, t(value.key)];
      if (Array.isArray(value) && value.every(isRef)) return [name, value.map((v) => t(v.key)).join(t('or'))];
      return [name, value];
    }),
  );
}

/** Prisma refused the shape of a query (an id missing from `where`): nothing reached the database. */
function isUnfitQuery(error: unknown): boolean {
  return (error as Error | undefined)?.name === 'PrismaClientValidationError';
}

function checkLength(event: InboundEvent): boolean {
  switch (event.type) {
    case 'command':
      return event.text.length > MAX_COMMAND_LENGTH;
    case 'text':
      return event.text.length > MAX_COMMAND_LENGTH;
    case 'action':
      return event.value.length > MAX_COMMAND_LENGTH;
    case 'form':
      // Form fields are bounded per field by the flow's schema; this only stops absurd payloads.
      return JSON.stringify(event.values).length > 100_000;
  }
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router, static as serveStatic, json, type Request, type Response, type NextFunction } from 'express';
import { z } from 'zod';
import type { Bot } from '../../src/core/bot.js';
import type { Clock } from '../../src/core/clock.js';
import { parseCommand } from '../../src/core/commands.js';
import type { Config } from '../../src/core/config.js';
import type { Db } from '../../src/core/db.js';
import { supportedLanguages, translator as messageTranslator, type Translate } from '../../src/core/i18n.js';
import { cleanStrings } from '../../src/core/inbound-text.js';
import { LANGUAGE_NAMES, LANGUAGES, normaliseLanguage } from '../../src/core/languages.js';
import { plainText } from '../../src/core/markup.js';
import type { Logger } from '../../src/core/logger.js';
import type { InboundEvent } from '../../src/core/messages.js';
import type { Redis } from '../../src/core/redis.js';
import { endAllWebSessions, endWebSession, signInWithLinkCode, webSessionPolicy } from '../../src/domain/web-sessions.js';
import { projectPath } from '../../src/core/paths.js';
import { fromOtherSite } from '../../src/core/same-site.js';
import { SESSION_COOKIE, sessionTokenOf, webCallerLookup, type WebCaller, type WebCallerLookup } from './caller.js';
import { SignInLimit } from './sign-in-limit.js';
import type { HistoryEntry, WebChatHistory } from './history.js';
import type { WebSender } from './web-sender.js';
import { toWebMessage } from './web-message.js';

const publicDir = projectPath('adapters', 'web-chat', 'public');

/** The one-time token and label a used button or form brings back (UseMarks), and the message it was on. */
const marks = {
  token: z.string().regex(/^[\w-]{1,64}$/).optional(),
  label: z.string().max(200).optional(),
  /** The id of the message the button or form was on, so the outcome can take its place. */
  messageId: z.string().regex(/^m[\w-]{1,40}$/).optional(),
};
/**
 * Texts of the page itself and of its JSON errors: the page shows them as plain text (textContent), so
 * the catalogue's markup is read as text and interpolated values come back as typed.
 */
function translator(locale: string): Translate {
  const t = messageTranslator(locale);
  return ((key: string | string[], options?: Record<string, unknown>) => plainText(String(t(key, options as never)))) as Translate;
}
/** The web chat page's policy: its own script, styles, requests and images (charts are /files/… on this origin). */
const WEB_CHAT_CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const inputSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('typed'), text: z.string().max(10_000) }),
  z.object({ type: z.literal('action'), actionId: z.string().min(1).max(200), value: z.string().max(10_000).default(''), ...marks }),
  z.object({
    type: z.literal('form'),
    formId: z.string().min(1).max(200),
    values: z.record(z.string().max(100), z.union([z.string().max(20_000), z.array(z.string().max(1_000)).max(100)])),
    ...marks,
  }),
]);
const eventRequest = z.object({ identity: z.unknown().optional(), input: inputSchema });
const signInRequest = z.object({ code: z.string().max(100) });

export interface WebChatDeps {
  bot: Bot;
  db: Db;
  redis: Redis;
  config: Config;
  clock: Clock;
  logger: Logger;
  sender: WebSender;
  /** Each identity's conversation, kept so a reload shows it again. */
  history: WebChatHistory;
}

/**
 * The web chat: a page and a few JSON endpoints. It is an adapter like Slack's and Teams': it only
 * translates, and typed text goes through the same command grammar ("/lc help"). Who a request
 * acts as is decided in one place (caller.ts): the session cookie of a person who signed in with a
 * code from /lc link, or, in the local demo only, the identity the page picked.
 */
export function webChatRouter(deps: WebChatDeps): Router {
  const router = Router();
  const callerOf = webCallerLookup(deps);
  const limit = new SignInLimit(deps.redis, deps.config.REDIS_PREFIX);
  const policy = webSessionPolicy(deps.config);
  // The page itself, with the words it needs before the server answers (or when it cannot) in every language.
  const pageHtml = readFileSync(join(publicDir, 'index.html'), 'utf8');
  const offline = offlineTexts(deps.config);
  router.get(['/', '/index.html'], (req, res) => {
    res.set({ 'Content-Security-Policy': WEB_CHAT_CSP, 'Cache-Control': 'no-cache' }).type('html').send(withPageData(pageHtml, languageOf(req, deps.config), offline));
  });
  // The page runs only its own script and styles; what it shows of people's text can never run as code.
  router.use('/', serveStatic(publicDir, { index: 'index.html', maxAge: 0, setHeaders: (res) => res.setHeader('Content-Security-Policy', WEB_CHAT_CSP) }));
  router.use('/web', refuseOtherSites(deps.config));

  /** What the page needs to start: demo or sign-in, who is signed in, and its texts. */
  router.get('/web/session', async (req, res) => {
    const found = deps.config.webChatAccess === 'sign-in' || sessionTokenOf(req) ? await callerOf(req) : undefined;
    const session = found && 'caller' in found ? found.caller.session : undefined;
    // Signed in: the person's language (their choice, wherever they made it); else the page's picker, then the browser's.
    const language = languageOfTag(session?.locale) ?? languageOf(req, deps.config);
    const t = translator(language);
    res.set('Cache-Control', 'no-store').json({
      access: deps.config.webChatAccess,
      signedIn: session ? { name: session.displayName } : null,
      language,
      // The page's language picker: every language, named in itself.
      languages: LANGUAGES.map((code) => ({ code, name: LANGUAGE_NAMES[code] })),
      texts: pageTexts(t, deps.config),
    });
  });

  /** Sign in with a one-time code from /lc link: a session cookie for the code's owner. */
  router.post('/web/session', json({ limit: '4kb' }), async (req, res) => {
    const t = translator(languageOf(req, deps.config));
    const parsed = signInRequest.safeParse(req.body);
    if (!parsed.success) return void res.status(400).json({ error: t('web:errors.badFormat') });
    const client = req.ip ?? 'unknown';
    try {
      if (await limit.blocked(client)) return void res.status(429).json({ error: t('web:errors.tooManyTries') });
      const result = await signInWithLinkCode(deps.db, { code: parsed.data.code, now: deps.clock.now(), policy });
      if (!result.ok) {
        if (result.reason === 'unknown') await limit.failed(client);
        return void res.status(result.reason === 'format' ? 400 : 401).json({ error: t(result.reason === 'format' ? 'web:errors.badFormat' : 'web:errors.unknownCode') });
      }
      res.cookie(SESSION_COOKIE, result.token, { httpOnly: true, secure: true, sameSite: 'strict', path: '/', expires: result.session.expiresAt });
      deps.logger.info({ personId: result.session.personId }, 'web chat sign-in');
      const welcome = translator(result.session.locale)('web:signIn.welcome', { name: result.session.displayName });
      res.set('Cache-Control', 'no-store').json({ signedIn: { name: result.session.displayName }, welcome });
    } catch (error) {
      deps.logger.warn({ err: (error as Error).message }, 'web chat sign-in failed');
      res.status(503).json({ error: t('web:errors.unavailable') });
    }
  });

  /** Sign out: this device, or (everywhere=true) every device of the person. */
  router.delete('/web/session', async (req, res) => {
    const token = sessionTokenOf(req);
    const everywhere = req.query.everywhere === 'true';
    const found = token ? await callerOf(req) : undefined;
    const session = found && 'caller' in found ? found.caller.session : undefined;
    const t = translator(session?.locale ?? languageOf(req, deps.config));
    let ended = 0;
    if (session && everywhere) ended = await endAllWebSessions(deps.db, session.personId);
    else if (token) await endWebSession(deps.db, token);
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, secure: true, sameSite: 'strict', path: '/' });
    res.json({ signedIn: null, message: everywhere && session ? t('web:page.signedOutEverywhere', { count: ended }) : t('web:page.signedOut') });
  });

  /** Demo identities to pick from, grouped by cluster; only in the local demo. */
  router.get('/web/identities', async (req, res) => {
    const t = translator(languageOf(req, deps.config));
    if (deps.config.webChatAccess !== 'demo') {
      return void res.status(404).json({ error: t('web:errors.noDemoIdentities') });
    }
    const identities = await deps.db.platformIdentity.findMany({
      where: { platform: 'WEB', person: { isDemo: true } },
      include: { person: { include: { memberships: { where: { status: 'ACTIVE' }, include: { cluster: true }, orderBy: { cluster: { code: 'asc' } } } } } },
      orderBy: { externalId: 'asc' },
    });
    res.json(
      identities.map((identity) => ({
        key: identity.externalId.replace(/^web:/, ''),
        name: identity.person.displayName,
        // Each role once (a coordinator of three clusters is "coordinator", not three times), first cluster first.
        roles: identity.person.memberships.filter((m, i, all) => all.findIndex((o) => o.role === m.role) === i).map((m) => ({ cluster: m.cluster.code, role: m.role, label: t(`roles.${m.role}`) })),
        // The demo person's own language, so the page can show it and follow it.
        language: languageOfTag(identity.person.locale) ?? 'en',
      })),
    );
  });

  router.post('/web/events', json({ limit: '256kb' }), async (req, res) => {
    const t = translator(languageOf(req, deps.config));
    const parsed = eventRequest.safeParse(req.body);
    if (!parsed.success) {
      return void res.status(400).json({ error: t('web:errors.unreadable', { problem: parsed.error.issues[0]?.message ?? 'unknown' }) });
    }
    const caller = await requireCaller(callerOf, req, res, t, parsed.data.identity);
    if (!caller) return;
    // Cleaned here as the core cleans it, so the person's own bubble (kept in the history) can be stored too.
    const input = cleanStrings(parsed.data.input);
    const response = await deps.bot.handle({ identity: caller.identity, event: toEvent(input), origin: { direct: true } });
    // "Try again in a moment": nothing happened, and the storage may be what is away. The page shows it, unstored.
    if (response.transient) return void res.json({ entries: [], messages: response.messages.map(toWebMessage) });
    // An anonymous answer and what the bot says about it are not stored with the person's conversation.
    if (response.messages.some((m) => m.unrecorded)) return void res.json({ entries: [], messages: response.messages.map(toWebMessage) });
    const externalId = caller.externalId;
    // What the person did, then the answers, in order: a reload shows both sides as they happened.
    // The person's own bubble in their language (a form's "[Sent]"), as the replies are.
    const own = response.locale ? translator(response.locale) : t;
    const entries: HistoryEntry[] = [await deps.history.append(externalId, 'me', { text: echoOf(input, own) }, { personId: response.personId })];
    const carrier = input.type === 'typed' ? undefined : input.messageId;
    let replaced = false;
    for (const message of response.messages) {
      // The outcome of a used button or form takes the place of the message it was on.
      const inPlace = carrier && message.replaceOriginal && !replaced ? await deps.history.replace(externalId, carrier, message) : null;
      if (inPlace) replaced = true;
      else if (message.receipt) continue;
      entries.push(inPlace ?? (await deps.history.append(externalId, 'bot', message, { personId: response.personId })));
    }
    res.json({ entries: entries.map(forPage), messages: response.messages.map(toWebMessage) });
  });

  /** The conversation after a reload (its latest messages), or what is new or replaced since `after`. */
  router.get('/web/history', async (req, res) => {
    const t = translator(languageOf(req, deps.config));
    const caller = await requireCaller(callerOf, req, res, t, req.query.identity);
    if (!caller) return;
    try {
      const after = typeof req.query.after === 'string' ? req.query.after : undefined;
      res.json({ entries: (await deps.history.since(caller.externalId, after)).map(forPage) });
    } catch (error) {
      // PostgreSQL is away: the conversation waits there; the page asks again and says nothing is lost.
      deps.logger.warn({ err: (error as Error).message }, 'web chat history unavailable');
      res.status(503).set('Retry-After', '5').json({ error: t('web:page.inboxPaused') });
    }
  });

  router.get('/web/inbox', async (req, res) => {
    const t = translator(languageOf(req, deps.config));
    const caller = await requireCaller(callerOf, req, res, t, req.query.identity);
    if (!caller) return;
    try {
      res.json({ messages: (await deps.sender.drain(caller.externalId)).map(toWebMessage) });
    } catch (error) {
      // Redis is away: the messages wait there; the page asks again and says nothing is lost.
      deps.logger.warn({ err: (error as Error).message }, 'web chat inbox unavailable');
      res.status(503).set('Retry-After', '5').json({ error: t('web:page.inboxPaused') });
    }
  });
  return router;
}

async function requireCaller(callerOf: WebCallerLookup, req: Request, res: Response, t: Translate, claimed: unknown): Promise<WebCaller | null> {
  let found: Awaited<ReturnType<WebCallerLookup>>;
  try {
    found = await callerOf(req, claimed);
  } catch {
    // The session store (PostgreSQL) is away: nobody can be recognised, and nothing was done.
    res.status(503).set('Retry-After', '5').json({ error: t('web:errors.unavailable') });
    return null;
  }
  if ('caller' in found) return found.caller;
  res.status(found.refused.status).json({ error: t(`web:errors.${found.refused.reason}`) });
  return null;
}

/**
 * The session cookie is SameSite=Strict already; a request another site's page sends with a
 * different Origin is refused too, so nothing under /web can be triggered from elsewhere.
 */
function refuseOtherSites(config: Config) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === 'GET' || req.method === 'HEAD' || !fromOtherSite(req.headers, config.PUBLIC_URL)) return next();
    res.status(403).json({ error: translator(languageOf(req, config))('web:errors.otherSite') });
  };
}

/**
 * The page's language: the one its picker chose (`?lang=` or the `x-chat-language` header the page sends),
 * else the browser's preferred one among the catalogue's (sr-Latn-RS → sr-Latn), else the deployment's default.
 */
function languageOf(req: Request, config: Config): string {
  const supported: string[] = supportedLanguages();
  const picked = languageOfTag(typeof req.query.lang === 'string' ? req.query.lang : req.headers['x-chat-language']);
  if (picked) return picked;
  const wanted = (req.headers['accept-language'] ?? '')
    .split(',')
    .map((part) => part.split(';')[0].trim())
    .filter(Boolean);
  for (const tag of wanted) {
    const language = normaliseLanguage(tag);
    if (language && supported.includes(language)) return language;
  }
  return config.DEFAULT_LOCALE;
}

/** A tag as one of our languages, or undefined (also for a header sent twice). */
function languageOfTag(tag: unknown): string | undefined {
  return typeof tag === 'string' ? normaliseLanguage(tag) : undefined;
}

/** The page's own texts, from the catalogue (locales/<lang>/web.json), with what the server knows filled in. */
function pageTexts(t: Translate, config: Config): Record<string, unknown> {
  const platforms = config.slackEnabled && config.teamsEnabled ? 'both' : config.teamsEnabled ? 'teams' : 'slack';
  const steps = [
    ...(config.slackEnabled || !config.teamsEnabled ? [t('web:signIn.stepSlack')] : []),
    ...(config.teamsEnabled ? [t('web:signIn.stepTeams')] : []),
  ];
  const keep = { name: '{{name}}', interpolation: { escapeValue: false } };
  return {
    subtitle: t(config.webChatAccess === 'demo' ? 'web:page.demoSubtitle' : 'web:page.subtitle'),
    talkAs: t('web:page.talkAs'),
    pickIdentity: t('web:page.pickIdentity'),
    newPerson: t('web:page.newPerson'),
    noRole: t('web:page.noRole'),
    language: t('me:language'),
    talkingAs: t('web:page.talkingAs', keep),
    messagePlaceholder: t('web:page.messagePlaceholder'),
    message: t('web:page.message'),
    send: t('web:page.send'),
    signedInAs: t('web:page.signedInAs', keep),
    signOut: t('web:page.signOut'),
    signOutEverywhere: t('web:page.signOutEverywhere'),
    unreachable: t('web:page.unreachable'),
    inboxPaused: t('web:page.inboxPaused'),
    onlyYou: t('web:page.onlyYou'),
    signIn: {
      title: t('web:signIn.title'),
      intro: t('web:signIn.intro', { platforms: t(`web:platforms.${platforms}`) }),
      steps: [...steps, t('web:signIn.stepCode'), t('web:signIn.stepType')],
      codeLabel: t('web:signIn.codeLabel'),
      submit: t('web:signIn.submit'),
      stay: t('web:signIn.stay', { count: config.WEB_SESSION_DAYS }),
      warning: t('web:signIn.warning'),
    },
  };
}

/** A stored entry as the page renders it: bot messages in the page's form (toWebMessage), like fresh ones. */
function forPage(entry: HistoryEntry): HistoryEntry {
  return entry.message ? { ...entry, message: toWebMessage(entry.message) } : entry;
}

/** What the person's own bubble says: their text, the button they pressed, or the form they sent. */
function echoOf(input: z.infer<typeof inputSchema>, t: Translate): string {
  if (input.type === 'typed') return input.text;
  if (input.type === 'action') return `[${input.label || input.value || input.actionId}]`;
  return `[${input.label || t('web:page.sent')}]`;
}

/**
 * The page's words for when the server does not answer (it cannot be reached, a request failed) and the
 * ones it shows before its texts arrive, in every language: the page picks the one it speaks (its picker's
 * choice is kept in the browser, which the server does not see when it serves the page).
 */
function offlineTexts(config: Config): Record<string, Record<string, unknown>> {
  const firstPaint = ['subtitle', 'language', 'talkAs', 'pickIdentity', 'newPerson', 'noRole', 'talkingAs', 'messagePlaceholder', 'message', 'send', 'unreachable', 'onlyYou'];
  return Object.fromEntries(
    supportedLanguages().map((language) => {
      const t = translator(language);
      const page = pageTexts(t, config);
      return [language, { ...Object.fromEntries(firstPaint.map((key) => [key, page[key]])), startFailed: t('web:page.startFailed'), failed: t('web:page.failed') }];
    }),
  );
}

/**
 * The page with its language on <html lang> and the offline texts as a JSON data block: a script element
 * of type application/json is never run (the CSP allows no inline script anyway), and every "<" in the
 * JSON is written \u003c, so no text can close the element or open another.
 */
function withPageData(html: string, language: string, texts: Record<string, Record<string, unknown>>): string {
  const json = JSON.stringify({ language, texts }).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return html
    .replace('<html lang="en">', `<html lang="${language.replace(/[^\w-]/g, '')}">`)
    .replace('<script src="web-chat.js"', `<script type="application/json" id="page-data">${json}</script>\n<script src="web-chat.js"`);
}

function toEvent(input: z.infer<typeof inputSchema>): InboundEvent {
  const used = input.type === 'typed' || !input.token ? {} : { token: input.token, ...(input.label ? { label: input.label } : {}) };
  if (input.type === 'action') return { type: 'action', actionId: input.actionId, value: input.value, ...used };
  if (input.type === 'form') return { type: 'form', formId: input.formId, values: input.values, ...used };
  // Same grammar as Slack: "/lc <verb>" is a command, anything else is an answer to the running flow.
  const command = parseCommand(input.text);
  return command ? { type: 'command', ...command, text: input.text } : { type: 'text', text: input.text };
}

import { Router, static as serveStatic, json } from 'express';
import { z } from 'zod';
import type { Bot } from '../../src/core/bot.js';
import { parseCommand } from '../../src/core/commands.js';
import type { Db } from '../../src/core/db.js';
import type { InboundEvent } from '../../src/core/messages.js';
import type { HistoryEntry, WebChatHistory } from './history.js';
import type { WebSender } from './web-sender.js';
import { projectPath } from '../../src/core/paths.js';

const publicDir = projectPath('adapters', 'web-chat', 'public');

const identityKey = z.string().regex(/^[a-z0-9][a-z0-9:_-]{0,79}$/i, 'identity must be a demo identity key');
/** The one-time token and label a used button or form brings back (UseMarks). */
const marks = {
  token: z.string().regex(/^[\w-]{1,64}$/).optional(),
  label: z.string().max(200).optional(),
  /** The id of the message the button or form was on, so the outcome can take its place. */
  messageId: z.string().regex(/^m[\w-]{1,40}$/).optional(),
};
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
const eventRequest = z.object({ identity: identityKey, input: inputSchema });

/**
 * The local web chat: a page and three JSON endpoints. It is an adapter like Slack's and Teams':
 * it only translates, and typed text goes through the same command grammar ("/lc help").
 * There is no login: it is meant for trying the bot locally with demo identities.
 */
export function webChatRouter(deps: { bot: Bot; db: Db; sender: WebSender; history: WebChatHistory }): Router {
  const router = Router();
  router.use('/', serveStatic(publicDir, { index: 'index.html', maxAge: 0 }));

  /** Demo identities to pick from, grouped by cluster. */
  router.get('/web/identities', async (_req, res) => {
    const identities = await deps.db.platformIdentity.findMany({
      where: { platform: 'WEB', person: { isDemo: true } },
      include: { person: { include: { memberships: { include: { cluster: true } } } } },
      orderBy: { externalId: 'asc' },
    });
    res.json(
      identities.map((identity) => ({
        key: identity.externalId.replace(/^web:/, ''),
        name: identity.person.displayName,
        roles: identity.person.memberships.map((m) => ({ cluster: m.cluster.code, role: m.role })),
      })),
    );
  });

  router.post('/web/events', json({ limit: '256kb' }), async (req, res) => {
    const parsed = eventRequest.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: `Your message could not be read: ${parsed.error.issues[0]?.message}. Reload the page and try again.` });
      return;
    }
    const { identity, input } = parsed.data;
    const externalId = `web:${identity}`;
    const response = await deps.bot.handle({
      identity: { platform: 'WEB', externalId, loadProfile: async () => ({ displayName: guestName(identity) }) },
      event: toEvent(input),
      origin: { direct: true },
    });
    // "Try again in a moment": nothing happened, and the storage may be what is away. The page shows it, unstored.
    if (response.transient) {
      res.json({ entries: [], messages: response.messages });
      return;
    }
    // What the person did, then the answers, in order: a reload shows both sides as they happened.
    const entries: HistoryEntry[] = [await deps.history.append(externalId, 'me', { text: echoOf(input) }, { personId: response.personId })];
    const carrier = input.type === 'typed' ? undefined : input.messageId;
    let replaced = false;
    for (const message of response.messages) {
      // The outcome of a used button or form takes the place of the message it was on.
      const inPlace = carrier && message.replaceOriginal && !replaced ? await deps.history.replace(externalId, carrier, message) : null;
      if (inPlace) replaced = true;
      else if (message.receipt) continue;
      entries.push(inPlace ?? (await deps.history.append(externalId, 'bot', message, { personId: response.personId })));
    }
    res.json({ entries, messages: response.messages });
  });

  /** The conversation after a reload (its latest messages), or what is new or changed since `after`. */
  router.get('/web/history', async (req, res) => {
    const parsed = identityKey.safeParse(req.query.identity);
    if (!parsed.success) {
      res.status(400).json({ error: 'Pick an identity first.' });
      return;
    }
    const after = typeof req.query.after === 'string' ? req.query.after : undefined;
    res.json({ entries: await deps.history.since(`web:${parsed.data}`, after) });
  });

  router.get('/web/inbox', async (req, res) => {
    const parsed = identityKey.safeParse(req.query.identity);
    if (!parsed.success) {
      res.status(400).json({ error: 'Pick an identity first.' });
      return;
    }
    res.json({ messages: await deps.sender.drain(`web:${parsed.data}`) });
  });
  return router;
}

function toEvent(input: z.infer<typeof inputSchema>): InboundEvent {
  const used = input.type === 'typed' || !input.token ? {} : { token: input.token, ...(input.label ? { label: input.label } : {}) };
  if (input.type === 'action') return { type: 'action', actionId: input.actionId, value: input.value, ...used };
  if (input.type === 'form') return { type: 'form', formId: input.formId, values: input.values, ...used };
  // Same grammar as Slack: "/lc <verb>" is a command, anything else is an answer to the running flow.
  const command = parseCommand(input.text);
  return command ? { type: 'command', ...command, text: input.text } : { type: 'text', text: input.text };
}

/** What the person's own bubble says: their text, the button they pressed, or the form they sent. */
function echoOf(input: z.infer<typeof inputSchema>): string {
  if (input.type === 'typed') return input.text;
  if (input.type === 'action') return `[${input.label || input.value || input.actionId}]`;
  return `[${input.label || 'Sent'}]`;
}

function guestName(key: string): string {
  return `Guest ${key.slice(-4)}`;
}

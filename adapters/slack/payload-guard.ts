import { createHmac } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { parse as parseQuery } from 'node:querystring';
import { z } from 'zod';
import type { Logger } from '../../src/core/logger.js';
import { sameSecret } from '../../src/core/same-secret.js';
import { MAX_CLOCK_SKEW_SECONDS } from './timestamp-guard.js';

const user = z.object({ id: z.string().min(1) }).passthrough();
const object = z.record(z.string(), z.unknown());

/**
 * The shapes Bolt can route. Bolt reads some fields without checking them (a view_submission
 * without `view`, a block_actions without `actions`, an event that is not an object) and answers
 * such a body with a bare 500, or waits 3 s and answers 404 when it cannot tell the type at all.
 */
const routable = z.union([
  // The most frequent first: the union tries each shape in turn, and each miss costs its list of issues.
  z.object({ command: z.string(), user_id: z.string().min(1), team_id: z.string() }).passthrough(),
  z.object({ type: z.literal('block_actions'), user, actions: z.array(z.object({ action_id: z.string() }).passthrough()).min(1) }).passthrough(),
  z.object({ type: z.literal('event_callback'), event: z.object({ type: z.string() }).passthrough() }).passthrough(),
  z.object({ type: z.literal('url_verification'), challenge: z.string() }).passthrough(),
  z.object({ ssl_check: z.string() }).passthrough(),
  z.object({ type: z.enum(['view_submission', 'view_closed']), user, view: object }).passthrough(),
  z.object({ type: z.enum(['shortcut', 'message_action']), callback_id: z.string(), user }).passthrough(),
  z.object({ type: z.literal('block_suggestion'), action_id: z.string(), user }).passthrough(),
]);

/**
 * Slack's v0 signature over "v0:<timestamp>:<body>", and a timestamp no older than five minutes: what
 * Bolt's verifySlackRequest checks (timestamp-guard.ts refuses the future), with Node's constant-time
 * comparison instead of Bolt's, which hashes both sides again with a random key on every request.
 */
export function isSignedBySlack(signingSecret: string, timestamp: string | undefined, signature: string | undefined, body: string, now = Date.now()): boolean {
  if (!timestamp || !signature || !/^\d+$/.test(timestamp) || Number(timestamp) < Math.floor(now / 1000) - MAX_CLOCK_SKEW_SECONDS) return false;
  return sameSecret(signature, `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`);
}

function isForm(contentType: string | undefined): boolean {
  return Boolean(contentType?.startsWith('application/x-www-form-urlencoded'));
}

/** A form with a `command` field: how Slack sends a slash command (interactivity sends a JSON `payload`). */
function isSlashCommand(body: unknown): boolean {
  return typeof body === 'object' && body !== null && 'command' in body;
}

/** The body as Bolt will parse it: a form (maybe with a JSON `payload`) or JSON; undefined if neither. */
function parseBody(raw: string, contentType: string | undefined): unknown {
  try {
    if (isForm(contentType)) {
      const form = parseQuery(raw);
      return typeof form.payload === 'string' ? JSON.parse(form.payload) : form;
    }
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Takes a signed slash command's parsed form and answers it (slash-command.ts). */
export type SlashCommandHandler = (form: unknown, delivery: { retried: boolean }, res: Response) => Promise<void>;

/**
 * Runs before Bolt on /slack/events. Requests that are not correctly signed pass straight on, for
 * Bolt to refuse with 401 (one place decides about signatures). A correctly signed slash command goes
 * to `slashCommands` when given (it never reaches Bolt: see slash-command.ts). A correctly signed body
 * that is not a Slack payload Bolt can route is refused here with 400 and a sentence, at once. The raw
 * body is handed on as `req.rawBody`, which Bolt's receiver reads instead of the stream.
 */
export function refuseUnroutablePayloads(signingSecret: string, logger: Logger, unreadable: () => string, slashCommands?: SlashCommandHandler) {
  const raw = express.raw({ type: () => true, limit: '10mb' });
  return [
    raw,
    (req: Request, res: Response, next: NextFunction): void => {
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      (req as Request & { rawBody?: Buffer }).rawBody = bytes;
      const text = bytes.toString('utf8');
      if (!isSignedBySlack(signingSecret, req.header('x-slack-request-timestamp'), req.header('x-slack-signature'), text)) {
        next(); // Bolt refuses it with 401.
        return;
      }
      const contentType = req.header('content-type');
      const body = parseBody(text, contentType);
      if (slashCommands && isForm(contentType) && isSlashCommand(body)) {
        slashCommands(body, { retried: req.header('x-slack-retry-num') !== undefined }, res).catch(next);
        return;
      }
      if (!routable.safeParse(body).success) {
        logger.warn('slack request refused: signed, but not a payload the bot can route');
        res.status(400).json({ error: unreadable() });
        return;
      }
      next();
    },
  ];
}

import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Logger } from '../../src/core/logger.js';

const account = z.object({ id: z.string().min(1).max(500), name: z.string().max(500).nullish(), aadObjectId: z.string().max(200).nullish() }).passthrough();

/**
 * The fields of an activity the SDK and our turn handler read, with the types they assume. The Bot
 * Framework service always sends them; a body without them is not from Teams, or is broken, and
 * reaching the SDK it could throw deep inside a turn (e.g. `text` that is not a string).
 */
export const activityEnvelope = z
  .object({
    type: z.string().min(1).max(64),
    id: z.string().max(500).nullish(),
    serviceUrl: z.string().url().max(2_000),
    channelId: z.string().min(1).max(100),
    from: account,
    recipient: account.nullish(),
    conversation: z.object({ id: z.string().min(1).max(1_000), conversationType: z.string().max(50).nullish(), tenantId: z.string().max(200).nullish() }).passthrough(),
    text: z.string().max(100_000).nullish(),
    name: z.string().max(200).nullish(),
    locale: z.string().max(50).nullish(),
    entities: z.array(z.record(z.string(), z.unknown())).max(100).nullish(),
    membersAdded: z.array(account).max(1_000).nullish(),
    membersRemoved: z.array(account).max(1_000).nullish(),
  })
  .passthrough();

/**
 * Runs before the Bot Framework SDK on /api/messages: a body that is not JSON, or not an activity
 * with the fields above, is refused with 400 (415 for another content type) and a sentence, and
 * nothing else happens. Tokens are still checked by the SDK for everything that passes.
 */
export function refuseMalformedActivities(logger: Logger, reason: (key: 'contentType' | 'json' | 'shape') => string) {
  return [
    (req: Request, res: Response, next: NextFunction): void => {
      if (!req.is('application/json')) {
        res.status(415).json({ error: reason('contentType') });
        return;
      }
      next();
    },
    express.json({ limit: '1mb' }),
    (error: unknown, _req: Request, res: Response, _next: NextFunction): void => {
      logger.warn({ err: String(error) }, 'teams request refused: body is not JSON');
      const status = (error as { status?: number }).status;
      res.status(status === 413 ? 413 : 400).json({ error: reason('json') });
    },
    (req: Request, res: Response, next: NextFunction): void => {
      const checked = activityEnvelope.safeParse(req.body);
      if (!checked.success) {
        logger.warn({ issues: checked.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`) }, 'teams request refused: not an activity');
        res.status(400).json({ error: reason('shape') });
        return;
      }
      next();
    },
  ];
}

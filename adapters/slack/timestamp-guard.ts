import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../src/core/logger.js';

/** Slack's replay window: requests more than five minutes away from now are refused. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

/**
 * Bolt's signature check refuses requests older than five minutes but accepts any timestamp in
 * the future, so a captured request signed with a future timestamp could be replayed for as long
 * as its timestamp stays ahead. This refuses those before Bolt reads the body.
 */
export function rejectFutureTimestamps(logger: Logger, now: () => number = Date.now) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.header('x-slack-request-timestamp');
    const ts = Number(header);
    if (header !== undefined && Number.isFinite(ts) && ts > Math.floor(now() / 1000) + MAX_CLOCK_SKEW_SECONDS) {
      logger.warn({ ts }, 'slack request refused: timestamp too far in the future');
      res.status(401).send();
      return;
    }
    next();
  };
}

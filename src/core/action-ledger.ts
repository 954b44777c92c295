import type { Db } from './db.js';
import type { OutboundMessage } from './messages.js';
import { Prisma } from '../generated/prisma/client.js';

/** What the first use of a token left for any repeat: the message that took the used one's place, and when. */
export interface StoredOutcome {
  message: OutboundMessage;
  /** ISO time of the use, by the bot's clock (shown as "done at 10:42"). */
  at: string;
  /** The view that shows the acted-on thing as it is now (OutboundMessage.current), for repeats. */
  current?: { actionId: string; value: string };
}

/** The answer to "may I use this token?". */
export type Claim =
  | { state: 'claimed' }
  | { state: 'done'; outcome: StoredOutcome }
  /** Another request is still working on it after the wait: it will answer there. */
  | { state: 'running' };

/** A claim older than this whose request never finished (its instance died) may be taken over. */
export const CLAIM_LEASE_MS = 60_000;
/** Uses are remembered this long; a button older than that acts again (the flows' own checks still hold). */
export const ACTION_USE_RETENTION_MS = 90 * 24 * 3600 * 1000;
/** How long a repeat waits for the first use to finish before saying it is under way. */
const WAIT_MS = 8_000;
const POLL_MS = 40;

/**
 * The single use of one-time tokens, across processes: PostgreSQL's primary key on
 * (person, token) lets exactly one request claim a token; the others wait for its outcome and answer
 * with it. A use that had no effect (an error, a form shown again with its mistakes) is released, so
 * the person can try again with the same button.
 */
export class ActionLedger {
  constructor(
    private readonly db: Db,
    private readonly options: { waitMs?: number } = {},
  ) {}

  async claim(personId: string, token: string): Promise<Claim> {
    const deadline = Date.now() + (this.options.waitMs ?? WAIT_MS);
    for (;;) {
      const { count } = await this.db.actionUse.createMany({ data: [{ personId, token, claimedAt: new Date() }], skipDuplicates: true });
      if (count === 1) return { state: 'claimed' };
      const row = await this.db.actionUse.findUnique({ where: { personId_token: { personId, token } } });
      if (!row) {
        // Released between the two statements: try again, within the same wait.
        if (Date.now() >= deadline) return { state: 'running' };
        continue;
      }
      if (row.doneAt) return { state: 'done', outcome: row.outcome as unknown as StoredOutcome };
      if (Date.now() - row.claimedAt.getTime() > CLAIM_LEASE_MS) {
        // The first request's instance died mid-way: take its claim over, exactly one of us wins.
        const taken = await this.db.actionUse.updateMany({ where: { personId, token, claimedAt: row.claimedAt, doneAt: null }, data: { claimedAt: new Date() } });
        if (taken.count === 1) return { state: 'claimed' };
        continue;
      }
      if (Date.now() >= deadline) return { state: 'running' };
      await new Promise((resolve) => setTimeout(resolve, POLL_MS + Math.floor(Math.random() * POLL_MS)));
    }
  }

  /** The use had its effect: repeats answer with this outcome from now on. */
  async complete(personId: string, token: string, outcome: StoredOutcome): Promise<void> {
    // No row left means the action itself erased it (forget-me): nothing to remember then.
    await this.db.actionUse.updateMany({ where: { personId, token }, data: { doneAt: new Date(), outcome: outcome as unknown as Prisma.InputJsonValue } });
  }

  /** The use had no effect: the token may be used again. */
  async release(personId: string, token: string): Promise<void> {
    await this.db.actionUse.deleteMany({ where: { personId, token, doneAt: null } });
  }
}

/** Forgets uses older than the retention (housekeeping). */
export async function pruneActionUses(db: Db, now: Date): Promise<number> {
  const { count } = await db.actionUse.deleteMany({ where: { claimedAt: { lt: new Date(now.getTime() - ACTION_USE_RETENTION_MS) } } });
  return count;
}

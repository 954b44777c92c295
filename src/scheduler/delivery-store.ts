import type { Db } from '../core/db.js';
import type { ReachableIdentity } from '../core/notifier.js';
import { statement } from '../core/sql.js';

/**
 * The SQL of a nudge delivery, one prepared statement per step (claim, record, release) on the pool
 * (src/core/sql.ts), written by hand because this is the scheduler's hot path: Prisma's query compiler
 * cost more CPU per delivery than everything else together, and a claim used to take five round trips
 * (see docs/performance.md). The rules these statements keep are described in deliver.ts. `updatedAt`
 * is stamped with real time, as Prisma stamps it (the reconciler reads it as such).
 */

/** A claimed nudge: its id and the payload it was planned with. */
export interface ClaimedNudge {
  id: string;
  payload: unknown;
}

/** Who a slot's message goes to: language and zone for rendering, and where to reach them. */
export interface Recipient {
  locale: string;
  timeZone: string;
  displayName: string;
  /** Reachable identities, most recently used first (what ChatNotifier would load). */
  identities: ReachableIdentity[];
}

/** The Recipient columns of person $1, with their reachable identities as JSON, most recently used first. */
const RECIPIENT = `p.locale, p."timeZone", p."displayName", (
      SELECT coalesce(json_agg(json_build_object('id', i.id, 'platform', i.platform, 'externalId', i."externalId", 'conversationRef', i."conversationRef") ORDER BY i."lastSeenAt" DESC), '[]')
      FROM "PlatformIdentity" i WHERE i."personId" = $1 AND i."unreachableAt" IS NULL) AS identities
    FROM "Person" p WHERE p.id = $1`;

/** $1 person, $2 due (timestamptz), $3 deliveredAt, $4 leaseUntil. Timestamps are stored as UTC without zone (sql.ts). */
const claim = statement<Recipient & { nudges: ClaimedNudge[]; held: boolean }>(
  'nudge-claim',
  `WITH held AS (
      SELECT EXISTS (
        SELECT 1 FROM "PlannedNudge" n JOIN "ReplanRequest" r ON r."clusterId" = n."clusterId"
        WHERE n."personId" = $1 AND n."dueAt" = ($2::timestamptz AT TIME ZONE 'UTC') AND n.status = 'PLANNED'
      ) AS held
    ), claimed AS (
      UPDATE "PlannedNudge" SET status = 'SENT', "updatedAt" = (now() AT TIME ZONE 'UTC')
      WHERE "personId" = $1 AND "dueAt" = ($2::timestamptz AT TIME ZONE 'UTC') AND status = 'PLANNED' AND NOT (SELECT held FROM held)
      RETURNING id, payload
    ), deliveries AS (
      INSERT INTO "NudgeDelivery" ("nudgeId", outcome, "deliveredAt", "leaseUntil")
      SELECT id, 'sending', $3::timestamptz AT TIME ZONE 'UTC', $4::timestamptz AT TIME ZONE 'UTC' FROM claimed
    )
    SELECT
      (SELECT held FROM held) AS held,
      (SELECT coalesce(json_agg(json_build_object('id', c.id, 'payload', c.payload) ORDER BY c.id), '[]') FROM claimed c) AS nudges,
      ${RECIPIENT}`,
);

/**
 * Claims a slot in one statement: its PLANNED nudges due at exactly `dueAt` become SENT and get
 * a `sending` delivery row with a lease, and the recipient comes back with them. A second
 * claimant blocks on the row locks, then finds the rows no longer PLANNED and claims nothing;
 * the delivery table's primary key is the backstop (the statement fails as a whole).
 *
 * Nothing is claimed (`held`) while a nudge of the slot belongs to a cluster marked "needs re-plan"
 * (replan-requests.ts): it was planned from a state that has changed since (a timeline edit answered
 * a moment ago), and the background re-plan decides whether it still goes out, and when.
 */
export async function claimSlot(db: Db, slot: { personId: string; dueAt: Date }, at: { deliveredAt: Date; leaseUntil: Date }): Promise<{ nudges: ClaimedNudge[]; recipient: Recipient | null; held: boolean }> {
  const row = (await claim.run(db, [slot.personId, slot.dueAt, at.deliveredAt, at.leaseUntil]))[0];
  if (!row) return { nudges: [], recipient: null, held: false };
  const { nudges, held, ...recipient } = row;
  return { nudges, recipient, held };
}

const recipient = statement<Recipient>('nudge-recipient', `SELECT ${RECIPIENT}`);

/** The recipient alone (a claim taken over from a dead worker comes without one). */
export async function loadRecipient(db: Db, personId: string): Promise<Recipient | null> {
  return (await recipient.run(db, [personId]))[0] ?? null;
}

const sent = statement(
  'nudge-sent',
  `UPDATE "NudgeDelivery" SET outcome = CASE WHEN "nudgeId" = $1 THEN 'sent' ELSE 'merged' END, platform = $3::"Platform" WHERE "nudgeId" = ANY($2::text[])`,
);

/** Sent: the first nudge's delivery is the message, the others were merged into it. One statement. */
export async function recordSent(db: Db, ids: string[], platform: string | undefined): Promise<void> {
  await sent.run(db, [ids[0], ids, platform ?? null]);
}

const failed = statement(
  'nudge-failed',
  `WITH nudges AS (UPDATE "PlannedNudge" SET status = 'FAILED', "updatedAt" = (now() AT TIME ZONE 'UTC') WHERE id = ANY($1::text[]))
   UPDATE "NudgeDelivery" SET outcome = $2, error = $3 WHERE "nudgeId" = ANY($1::text[])`,
);

/** Not delivered for good (unreachable, or the last attempt failed): nudges FAILED, deliveries say why. */
export async function recordFailed(db: Db, ids: string[], delivery: { outcome: 'unreachable' | 'failed'; error: string }): Promise<void> {
  await failed.run(db, [ids, delivery.outcome, delivery.error]);
}

const release = statement(
  'nudge-release',
  `WITH released AS (DELETE FROM "NudgeDelivery" WHERE "nudgeId" = ANY($1::text[]) AND outcome = 'sending')
   UPDATE "PlannedNudge" SET status = 'PLANNED', "updatedAt" = (now() AT TIME ZONE 'UTC') WHERE id = ANY($1::text[]) AND status = 'SENT'`,
);

/** Gives a claim back (transient error, or the platform's pace says later): deliveries deleted, nudges PLANNED again. */
export async function releaseClaim(db: Db, ids: string[]): Promise<void> {
  await release.run(db, [ids]);
}

const renew = statement('nudge-renew', `UPDATE "NudgeDelivery" SET "leaseUntil" = $2::timestamptz AT TIME ZONE 'UTC' WHERE "nudgeId" = ANY($1::text[]) AND outcome = 'sending'`);

/** Keeps the claims of deliveries in flight alive: one statement for all of them. */
export async function renewLeases(db: Db, ids: string[], leaseUntil: Date): Promise<void> {
  await renew.run(db, [ids, leaseUntil]);
}

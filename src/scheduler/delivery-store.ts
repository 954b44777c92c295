import type { Db } from '../core/db.js';
import { Prisma } from '../generated/prisma/client.js';
import type { ReachableIdentity } from '../core/notifier.js';

/**
 * The SQL of a nudge delivery, one statement per step (claim, record, release), written by hand
 * because this is the scheduler's hot path: Prisma's query compiler cost more CPU per delivery
 * than everything else together, and a claim used to take five round trips (see docs/performance.md).
 * The rules these statements keep are described in deliver.ts. `updatedAt` is stamped with real
 * time, as Prisma stamps it (the reconciler reads it as such).
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
  const rows = await db.$queryRaw<(Recipient & { nudges: ClaimedNudge[]; held: boolean })[]>`
    WITH held AS (
      SELECT EXISTS (
        SELECT 1 FROM "PlannedNudge" n JOIN "ReplanRequest" r ON r."clusterId" = n."clusterId"
        WHERE n."personId" = ${slot.personId} AND n."dueAt" = ${slot.dueAt} AND n.status = 'PLANNED'
      ) AS held
    ), claimed AS (
      UPDATE "PlannedNudge" SET status = 'SENT', "updatedAt" = ${new Date()}
      WHERE "personId" = ${slot.personId} AND "dueAt" = ${slot.dueAt} AND status = 'PLANNED' AND NOT (SELECT held FROM held)
      RETURNING id, payload
    ), deliveries AS (
      INSERT INTO "NudgeDelivery" ("nudgeId", outcome, "deliveredAt", "leaseUntil")
      SELECT id, 'sending', ${at.deliveredAt}, ${at.leaseUntil} FROM claimed
    )
    SELECT
      (SELECT held FROM held) AS held,
      (SELECT coalesce(json_agg(json_build_object('id', c.id, 'payload', c.payload) ORDER BY c.id), '[]') FROM claimed c) AS nudges,
      ${recipientOf(slot.personId)}`;
  const row = rows[0];
  if (!row) return { nudges: [], recipient: null, held: false };
  const { nudges, held, ...recipient } = row;
  return { nudges, recipient, held };
}

/**
 * The Recipient columns of a person, with their reachable identities as a JSON array, most recently
 * used first, and the FROM that goes with them (a SQL fragment ending a SELECT).
 */
function recipientOf(personId: string) {
  return Prisma.sql`p.locale, p."timeZone", p."displayName", (
      SELECT coalesce(json_agg(json_build_object('id', i.id, 'platform', i.platform, 'externalId', i."externalId", 'conversationRef', i."conversationRef") ORDER BY i."lastSeenAt" DESC), '[]')
      FROM "PlatformIdentity" i WHERE i."personId" = ${personId} AND i."unreachableAt" IS NULL) AS identities
    FROM "Person" p WHERE p.id = ${personId}`;
}

/** The recipient alone (a claim taken over from a dead worker comes without one). */
export async function loadRecipient(db: Db, personId: string): Promise<Recipient | null> {
  const rows = await db.$queryRaw<Recipient[]>`SELECT ${recipientOf(personId)}`;
  return rows[0] ?? null;
}

/** Sent: the first nudge's delivery is the message, the others were merged into it. One statement. */
export async function recordSent(db: Db, ids: string[], platform: string | undefined): Promise<void> {
  await db.$executeRaw`
    UPDATE "NudgeDelivery"
    SET outcome = CASE WHEN "nudgeId" = ${ids[0]} THEN 'sent' ELSE 'merged' END, platform = ${platform ?? null}::"Platform"
    WHERE "nudgeId" = ANY(${ids})`;
}

/** Not delivered for good (unreachable, or the last attempt failed): nudges FAILED, deliveries say why. */
export async function recordFailed(db: Db, ids: string[], delivery: { outcome: 'unreachable' | 'failed'; error: string }): Promise<void> {
  await db.$executeRaw`
    WITH nudges AS (UPDATE "PlannedNudge" SET status = 'FAILED', "updatedAt" = ${new Date()} WHERE id = ANY(${ids}))
    UPDATE "NudgeDelivery" SET outcome = ${delivery.outcome}, error = ${delivery.error} WHERE "nudgeId" = ANY(${ids})`;
}

/** Gives a claim back (transient error, or the platform's pace says later): deliveries deleted, nudges PLANNED again. */
export async function releaseClaim(db: Db, ids: string[]): Promise<void> {
  await db.$executeRaw`
    WITH released AS (DELETE FROM "NudgeDelivery" WHERE "nudgeId" = ANY(${ids}) AND outcome = 'sending')
    UPDATE "PlannedNudge" SET status = 'PLANNED', "updatedAt" = ${new Date()} WHERE id = ANY(${ids}) AND status = 'SENT'`;
}

/** Keeps the claims of deliveries in flight alive: one statement for all of them. */
export async function renewLeases(db: Db, ids: string[], leaseUntil: Date): Promise<void> {
  await db.$executeRaw`UPDATE "NudgeDelivery" SET "leaseUntil" = ${leaseUntil} WHERE "nudgeId" = ANY(${ids}) AND outcome = 'sending'`;
}

import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db.js';
import type { Logger } from '../core/logger.js';
import type { Notifier } from '../core/notifier.js';
import type { NudgePayload } from './plan.js';
import type { Slot } from './queue.js';
import { renderNudges } from './render.js';

/** A job that runs this much later than BullMQ meant it to ran while nothing was running: check staleness. */
export const LATE_AFTER_MS = 5 * 60_000;

export type SlotOutcome = 'sent' | 'unreachable' | 'nothing' | 'dropped' | 'failed';

export interface DeliveryDeps {
  db: Db;
  clock: Clock;
  notifier: Notifier;
  logger: Logger;
}

/**
 * Delivers one slot (a person's nudges due at one instant) at most once.
 *
 * 1. Claim: in one transaction, flip the slot's PLANNED rows to SENT (only rows still PLANNED and
 *    still due at this exact time: a moved or cancelled nudge is not claimed, so a stale job does
 *    nothing) and insert their NudgeDelivery rows with outcome "sending". Row locks and the
 *    delivery table's primary key mean two workers, a retry or a duplicate job cannot both claim.
 * 2. Send through the notifier, then record the outcome ("sent"/"merged", or "unreachable").
 * 3. A transient error releases the claim (rows back to PLANNED, deliveries deleted) and rethrows,
 *    so BullMQ retries with backoff; on the last attempt it is recorded as failed instead.
 *
 * The one window left is a crash after the platform accepted the message and before step 2's
 * record: the row stays "sending" and is never sent again (the reconciler marks it "unknown").
 * We choose at-most-once there: a lost reminder is better than a doubled one.
 */
export async function deliverSlot(deps: DeliveryDeps, slot: Slot, job: { lateByMs: number; finalAttempt: boolean }): Promise<SlotOutcome> {
  const { db, clock } = deps;
  const dueAt = new Date(slot.dueAt);
  const now = clock.now();
  const candidates = await db.plannedNudge.findMany({ where: { personId: slot.personId, dueAt, status: 'PLANNED' }, orderBy: { id: 'asc' } });
  if (candidates.length === 0) return 'nothing';

  // Workers were down (or Redis lost the job and the reconciler re-created it): late nudges past their use are dropped.
  const stale = job.lateByMs > LATE_AFTER_MS ? candidates.filter((n) => new Date((n.payload as unknown as NudgePayload).usefulUntil) < now) : [];
  if (stale.length) {
    await db.plannedNudge.updateMany({ where: { id: { in: stale.map((n) => n.id) }, status: 'PLANNED', dueAt }, data: { status: 'DROPPED' } });
    deps.logger.info({ personId: slot.personId, dropped: stale.map((n) => n.id) }, 'dropped stale nudges');
  }
  const fresh = candidates.filter((n) => !stale.includes(n));
  if (fresh.length === 0) return 'dropped';

  const claimed = await db.$transaction(async (tx) => {
    const rows = await tx.plannedNudge.updateManyAndReturn({
      where: { id: { in: fresh.map((n) => n.id) }, status: 'PLANNED', dueAt },
      data: { status: 'SENT' },
    });
    if (rows.length) await tx.nudgeDelivery.createMany({ data: rows.map((r) => ({ nudgeId: r.id, outcome: 'sending', deliveredAt: now })) });
    return rows.sort((a, b) => a.id.localeCompare(b.id));
  });
  if (claimed.length === 0) return 'nothing';
  const ids = claimed.map((r) => r.id);

  const person = await db.person.findUniqueOrThrow({ where: { id: slot.personId }, select: { locale: true, timeZone: true, displayName: true } });
  const message = renderNudges(
    claimed.map((r) => r.payload as unknown as NudgePayload),
    person,
  );
  let result;
  try {
    result = await deps.notifier.notify(slot.personId, message);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (job.finalAttempt) {
      await record(db, ids, 'FAILED', { outcome: 'failed', error: reason.slice(0, 500) });
      deps.logger.error({ personId: slot.personId, nudges: ids, reason }, 'nudge delivery failed for good');
      return 'failed';
    }
    // Release the claim so the retry (or another worker) can deliver it.
    await db.$transaction([
      db.nudgeDelivery.deleteMany({ where: { nudgeId: { in: ids }, outcome: 'sending' } }),
      db.plannedNudge.updateMany({ where: { id: { in: ids }, status: 'SENT' }, data: { status: 'PLANNED' } }),
    ]);
    throw error;
  }
  if (!result.delivered) {
    await record(db, ids, 'FAILED', { outcome: 'unreachable', error: result.reason ?? 'unreachable' });
    deps.logger.warn({ personId: slot.personId, nudges: ids, reason: result.reason }, 'person unreachable for a nudge');
    return 'unreachable';
  }
  const platform = result.platform as 'SLACK' | 'TEAMS' | 'WEB' | undefined;
  await db.$transaction([
    db.nudgeDelivery.update({ where: { nudgeId: ids[0] }, data: { outcome: 'sent', platform } }),
    db.nudgeDelivery.updateMany({ where: { nudgeId: { in: ids.slice(1) } }, data: { outcome: 'merged', platform } }),
  ]);
  return 'sent';
}

async function record(db: Db, ids: string[], status: 'FAILED', delivery: { outcome: string; error: string }) {
  await db.$transaction([
    db.plannedNudge.updateMany({ where: { id: { in: ids } }, data: { status } }),
    db.nudgeDelivery.updateMany({ where: { nudgeId: { in: ids } }, data: delivery }),
  ]);
}

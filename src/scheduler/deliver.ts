import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db.js';
import type { Logger } from '../core/logger.js';
import type { Notifier } from '../core/notifier.js';
import type { NudgePayload } from './plan.js';
import type { Slot } from './queue.js';
import { SENDING_TIMEOUT_MS } from './reconciler.js';
import { renderNudges } from './render.js';

/** A job that runs this much later than BullMQ meant it to ran while nothing was running: check staleness. */
export const LATE_AFTER_MS = 5 * 60_000;

/**
 * How long a claim holds without renewal. The claimant renews it every LEASE_RENEW_MS while it sends,
 * so an expired lease means the claimant died (or froze); another worker may then take the delivery
 * over. Shorter than the BullMQ lock (scheduler.ts), so by the time BullMQ hands a dead worker's job
 * to another worker, the lease has always run out. Real (wall-clock) time: it is about processes.
 */
export const CLAIM_LEASE_MS = 10_000;
const LEASE_RENEW_MS = 3_000;

export type SlotOutcome = 'sent' | 'unreachable' | 'nothing' | 'dropped' | 'failed';

export interface DeliveryDeps {
  db: Db;
  clock: Clock;
  notifier: Notifier;
  logger: Logger;
}

/**
 * Delivers one slot (a person's nudges due at one instant) once.
 *
 * 1. Claim: in one transaction, flip the slot's PLANNED rows to SENT (only rows still PLANNED and
 *    still due at this exact time: a moved or cancelled nudge is not claimed, so a stale job does
 *    nothing) and insert their NudgeDelivery rows with outcome "sending" and a short lease. Row locks
 *    and the delivery table's primary key mean two workers, a retry or a duplicate job cannot both claim.
 *    A claim whose lease ran out (its worker was killed mid-send) is taken over instead: BullMQ hands
 *    the dead worker's job to another worker (stalled-job check), which renews the lease and sends.
 * 2. Send through the notifier, renewing the lease meanwhile, with `deliveryKey` = the nudge ids, so
 *    a sender that already posted this message (the dead worker got that far) does not post it again
 *    (Slack's sender remembers keys in Redis). Then record the outcome ("sent"/"merged", or "unreachable").
 * 3. A transient error releases the claim (rows back to PLANNED, deliveries deleted) and rethrows,
 *    so BullMQ retries with backoff; on the last attempt it is recorded as failed instead.
 *
 * The window left: a worker killed after the platform accepted a post and before its sender
 * remembered the key; the taker-over posts again. Milliseconds wide, versus the whole send before.
 */
export async function deliverSlot(deps: DeliveryDeps, slot: Slot, job: { lateByMs: number; finalAttempt: boolean }): Promise<SlotOutcome> {
  const { db, clock } = deps;
  const dueAt = new Date(slot.dueAt);
  const now = clock.now();
  const candidates = await db.plannedNudge.findMany({ where: { personId: slot.personId, dueAt, status: 'PLANNED' }, orderBy: { id: 'asc' } });
  if (candidates.length === 0) {
    const taken = await takeOverDeadClaim(deps, slot);
    return taken.length ? send(deps, slot, taken, job) : 'nothing';
  }

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
    const leaseUntil = new Date(Date.now() + CLAIM_LEASE_MS);
    if (rows.length) await tx.nudgeDelivery.createMany({ data: rows.map((r) => ({ nudgeId: r.id, outcome: 'sending', deliveredAt: now, leaseUntil })) });
    return rows.sort((a, b) => a.id.localeCompare(b.id));
  });
  if (claimed.length === 0) return 'nothing';
  return send(deps, slot, claimed, job);
}

/**
 * Takes over this slot's claim if its lease ran out: the claimant died between claiming and
 * recording. One UPDATE per row, conditional on the expired lease, so of two workers trying at
 * once only one wins. Claims older than the reconciler's "unknown" timeout are left to it.
 */
async function takeOverDeadClaim(deps: DeliveryDeps, slot: Slot): Promise<{ id: string; payload: unknown }[]> {
  const realNow = Date.now();
  const deliveries = await deps.db.nudgeDelivery.updateManyAndReturn({
    where: {
      outcome: 'sending',
      OR: [{ leaseUntil: null }, { leaseUntil: { lt: new Date(realNow) } }],
      deliveredAt: { gte: new Date(deps.clock.now().getTime() - SENDING_TIMEOUT_MS) },
      nudge: { personId: slot.personId, dueAt: new Date(slot.dueAt), status: 'SENT' },
    },
    data: { leaseUntil: new Date(realNow + CLAIM_LEASE_MS) },
  });
  if (deliveries.length === 0) return [];
  deps.logger.warn({ personId: slot.personId, nudges: deliveries.map((d) => d.nudgeId) }, 'taking over a nudge delivery whose worker died mid-send');
  const rows = await deps.db.plannedNudge.findMany({ where: { id: { in: deliveries.map((d) => d.nudgeId) } }, select: { id: true, payload: true } });
  return rows.sort((a, b) => a.id.localeCompare(b.id));
}

/** Steps 2 and 3: send the claimed nudges as one message and record what happened. */
async function send(deps: DeliveryDeps, slot: Slot, claimed: { id: string; payload: unknown }[], job: { finalAttempt: boolean }): Promise<SlotOutcome> {
  const { db } = deps;
  const ids = claimed.map((r) => r.id);

  const person = await db.person.findUniqueOrThrow({ where: { id: slot.personId }, select: { locale: true, timeZone: true, displayName: true } });
  const message = renderNudges(
    claimed.map((r) => r.payload as unknown as NudgePayload),
    person,
  );
  // The nudge ids name the message: a sender asked again (after a takeover or retry) posts it once.
  message.deliveryKey = `nudge.${ids.join('+')}`;
  const renewal = setInterval(() => {
    db.nudgeDelivery
      .updateMany({ where: { nudgeId: { in: ids }, outcome: 'sending' }, data: { leaseUntil: new Date(Date.now() + CLAIM_LEASE_MS) } })
      .catch((error) => deps.logger.warn({ nudges: ids, err: error instanceof Error ? error.message : String(error) }, 'could not renew a nudge claim'));
  }, LEASE_RENEW_MS);
  let result;
  try {
    result = await deps.notifier.notify(slot.personId, message);
  } catch (error) {
    clearInterval(renewal);
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
  clearInterval(renewal);
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

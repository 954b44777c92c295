import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db.js';
import type { Logger } from '../core/logger.js';
import { SendLater, type Notifier } from '../core/notifier.js';
import { claimSlot, loadRecipient, recordFailed, recordSent, releaseClaim, renewLeases, type ClaimedNudge, type Recipient } from './delivery-store.js';
import type { NudgePayload } from './plan.js';
import type { Slot } from './queue.js';
import { SENDING_TIMEOUT_MS } from './reconciler.js';
import { renderNudges } from './render.js';
import { reminderAgendas } from '../domain/events/reminder-agenda.js';

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

/** How long a slot held by a pending re-plan waits before it is tried again (a re-plan takes about a second). */
export const REPLAN_WAIT_MS = 1_000;

/**
 * Nothing was claimed: the slot holds a nudge of a cluster waiting for its re-plan. The job should run
 * again at `notBefore` (the worker puts it back to delayed; not an attempt): by then the nudge has been
 * moved (this slot finds nothing), kept (it goes out), or cancelled.
 */
export class WaitForReplan extends Error {
  constructor(readonly notBefore: number) {
    super('a nudge of this slot waits for its cluster to be re-planned');
    this.name = 'WaitForReplan';
  }
}

export interface DeliveryDeps {
  db: Db;
  clock: Clock;
  notifier: Notifier;
  logger: Logger;
}

/**
 * Delivers one slot (a person's nudges due at one instant) once.
 *
 * 1. Claim: in one statement, flip the slot's PLANNED rows to SENT (only rows still PLANNED and
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
 *    SendLater (the platform's pace allows this message only later) releases the claim the same
 *    way and is rethrown for the worker to put the job back until then; it is never an attempt.
 *
 * Each step is one SQL statement (delivery-store.ts): claim (with the recipient), record, release.
 * A slot with a nudge of a cluster marked "needs re-plan" is not claimed: WaitForReplan.
 *
 * The window left: a worker killed after the platform accepted a post and before its sender
 * remembered the key; the taker-over posts again. Milliseconds wide, versus the whole send before.
 */
export async function deliverSlot(deps: DeliveryDeps, slot: Slot, job: { lateByMs: number; finalAttempt: boolean }): Promise<SlotOutcome> {
  const { db, clock } = deps;
  const dueAt = new Date(slot.dueAt);
  const now = clock.now();

  // Workers were down (or Redis lost the job and the reconciler re-created it): late nudges past their use are dropped.
  if (job.lateByMs > LATE_AFTER_MS) {
    const candidates = await db.plannedNudge.findMany({ where: { personId: slot.personId, dueAt, status: 'PLANNED' }, select: { id: true, payload: true } });
    const stale = candidates.filter((n) => new Date((n.payload as unknown as NudgePayload).usefulUntil) < now);
    if (stale.length) {
      await db.plannedNudge.updateMany({ where: { id: { in: stale.map((n) => n.id) }, status: 'PLANNED', dueAt }, data: { status: 'DROPPED' } });
      deps.logger.info({ personId: slot.personId, dropped: stale.map((n) => n.id) }, 'dropped stale nudges');
      if (stale.length === candidates.length) return 'dropped';
    }
  }

  const { nudges, recipient, held } = await claimSlot(db, { personId: slot.personId, dueAt }, { deliveredAt: now, leaseUntil: new Date(Date.now() + CLAIM_LEASE_MS) });
  if (held) throw new WaitForReplan(Date.now() + REPLAN_WAIT_MS);
  if (nudges.length > 0) return send(deps, slot, nudges, recipient, job);
  const taken = await takeOverDeadClaim(deps, slot);
  return taken.length ? send(deps, slot, taken, await loadRecipient(db, slot.personId), job) : 'nothing';
}

/**
 * Takes over this slot's claim if its lease ran out: the claimant died between claiming and
 * recording. One UPDATE per row, conditional on the expired lease, so of two workers trying at
 * once only one wins. Claims older than the reconciler's "unknown" timeout are left to it.
 */
async function takeOverDeadClaim(deps: DeliveryDeps, slot: Slot): Promise<ClaimedNudge[]> {
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
async function send(deps: DeliveryDeps, slot: Slot, claimed: ClaimedNudge[], recipient: Recipient | null, job: { finalAttempt: boolean }): Promise<SlotOutcome> {
  const { db } = deps;
  const ids = claimed.map((r) => r.id);
  // Nudges cascade with their person, so a claimed slot always has one; this only guards the types.
  if (!recipient) throw new Error(`person ${slot.personId} of a claimed nudge slot not found`);

  const payloads = claimed.map((r) => r.payload as NudgePayload);
  // Agendas are read now, not when the reminder was planned: the design may have changed since.
  const message = renderNudges(payloads, recipient, await reminderAgendas(db, payloads));
  // The nudge ids name the message: a sender asked again (after a takeover or retry) posts it once.
  message.deliveryKey = `nudge.${ids.join('+')}`;
  const renewal = setInterval(() => {
    renewLeases(db, ids, new Date(Date.now() + CLAIM_LEASE_MS)).catch((error) => deps.logger.warn({ nudges: ids, err: error instanceof Error ? error.message : String(error) }, 'could not renew a nudge claim'));
  }, LEASE_RENEW_MS);
  let result;
  try {
    result = await deps.notifier.notify(slot.personId, message, { identities: recipient.identities, canComeBackLater: true });
  } catch (error) {
    clearInterval(renewal);
    const reason = error instanceof Error ? error.message : String(error);
    if (job.finalAttempt && !(error instanceof SendLater)) {
      await recordFailed(db, ids, { outcome: 'failed', error: reason.slice(0, 500) });
      deps.logger.error({ personId: slot.personId, nudges: ids, reason }, 'nudge delivery failed for good');
      return 'failed';
    }
    // Release the claim so the retry (or another worker) can deliver it.
    await releaseClaim(db, ids);
    throw error;
  }
  clearInterval(renewal);
  if (!result.delivered) {
    await recordFailed(db, ids, { outcome: 'unreachable', error: result.reason ?? 'unreachable' });
    deps.logger.warn({ personId: slot.personId, nudges: ids, reason: result.reason }, 'person unreachable for a nudge');
    return 'unreachable';
  }
  await recordSent(db, ids, result.platform);
  return 'sent';
}

import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db.js';
import type { Logger } from '../core/logger.js';
import type { NudgeQueue, Slot } from './queue.js';
import { pendingReplans } from './replan-requests.js';
import { replanCluster } from './store.js';

/** A claim older than this that nobody could finish (workers kept dying) is given up as "unknown". */
export const SENDING_TIMEOUT_MS = 10 * 60_000;

/**
 * A "needs re-plan" mark older than this has lost its job (Redis was down when it was queued, or every
 * attempt failed): the reconciler re-plans the cluster itself. A queued re-plan takes about a second.
 */
export const REPLAN_OVERDUE_MS = 30_000;

export interface ReconcileResult {
  replanned: number;
  restored: number;
  checked: number;
  unknown: number;
  dropped: number;
}

/**
 * Makes Redis agree with PostgreSQL again. Redis keeps nothing on disk here, so after a restart or
 * a flush the delayed jobs are gone while PlannedNudge still holds the plan. Steps:
 * 1. Clusters with nudges overdue by more than a minute, clusters whose "needs re-plan" mark is older than
 *    REPLAN_OVERDUE_MS (its job was lost) and, with `recentMs`, clusters edited that recently are re-planned:
 *    planning sends a late nudge once (at the next working moment) while its rule says it is still useful, drops it if stale.
 * 2. Overdue manual nudges past their use are dropped; every PLANNED slot without a job gets its job back (adding an existing id is a no-op).
 * 3. Claims left "sending" by a worker that died (lease run out) get their job back if it is gone, so
 *    another worker takes them over; after 10 minutes without success they are marked "unknown" and left.
 * Safe to run on every instance at once: re-planning is locked per cluster and job ids are deterministic.
 */
export async function reconcile(deps: { db: Db; clock: Clock; queue: NudgeQueue; logger: Logger }, options: { recentMs?: number; replanOverdueMs?: number } = {}): Promise<ReconcileResult> {
  const now = deps.clock.now();
  const overdue = await deps.db.plannedNudge.findMany({
    where: { status: 'PLANNED', dueAt: { lt: new Date(now.getTime() - 60_000) }, clusterId: { not: null } },
    distinct: ['clusterId'],
    select: { clusterId: true },
  });
  // Safety net for a change nobody announced with clusterChanged: re-plan clusters whose timeline,
  // plans or activities were edited since the last passes (real time: updatedAt is stamped by Prisma).
  const since = new Date(Date.now() - (options.recentMs ?? 0));
  const recent = options.recentMs
    ? await Promise.all([
        deps.db.timelineItem.findMany({ where: { updatedAt: { gte: since } }, distinct: ['clusterId'], select: { clusterId: true } }),
        deps.db.actionPlan.findMany({ where: { OR: [{ updatedAt: { gte: since } }, { activities: { some: { updatedAt: { gte: since } } } }] }, distinct: ['clusterId'], select: { clusterId: true } }),
      ])
    : [];
  const lost = await pendingReplans(deps.db, options.replanOverdueMs ?? REPLAN_OVERDUE_MS);
  const clusters = new Set([...overdue.map((o) => o.clusterId!), ...lost.map((l) => l.clusterId), ...recent.flat().map((r) => r.clusterId)]);
  for (const clusterId of clusters) {
    await replanCluster(deps, clusterId).catch((error) => deps.logger.error({ clusterId, err: error }, 'reconciler could not re-plan a cluster'));
  }

  // Overdue nudges planning does not own (a coordinator's manual ones) are dropped once past their use.
  const overdueRows = await deps.db.plannedNudge.findMany({ where: { status: 'PLANNED', dueAt: { lt: new Date(now.getTime() - 60_000) } }, select: { id: true, payload: true } });
  const stale = overdueRows.filter((n) => {
    const until = (n.payload as { usefulUntil?: string } | null)?.usefulUntil;
    return until !== undefined && new Date(until) < now;
  });
  if (stale.length) await deps.db.plannedNudge.updateMany({ where: { id: { in: stale.map((n) => n.id) }, status: 'PLANNED' }, data: { status: 'DROPPED' } });

  // GROUP BY in SQL (findMany's distinct would load every row); jobs are checked and added in batches.
  const planned = await deps.db.plannedNudge.groupBy({ by: ['personId', 'dueAt'], where: { status: 'PLANNED' } });
  let restored = await deps.queue.ensureMany(planned.map((row): Slot => ({ personId: row.personId, dueAt: row.dueAt.getTime() })));

  // Claims whose worker died (lease run out): BullMQ normally hands the job to another worker within
  // seconds, which takes the claim over; if that job is gone too (Redis lost, stalled twice), put it back.
  const deadLease = { outcome: 'sending', OR: [{ leaseUntil: null }, { leaseUntil: { lt: new Date() } }] };
  const orphaned = await deps.db.nudgeDelivery.findMany({
    where: { ...deadLease, deliveredAt: { gte: new Date(now.getTime() - SENDING_TIMEOUT_MS) } },
    select: { nudge: { select: { personId: true, dueAt: true } } },
  });
  const orphanSlots = [...new Map(orphaned.map((o) => [`${o.nudge.personId}.${o.nudge.dueAt.getTime()}`, { personId: o.nudge.personId, dueAt: o.nudge.dueAt.getTime() }])).values()];
  restored += await deps.queue.ensureMany(orphanSlots);

  const { count: unknown } = await deps.db.nudgeDelivery.updateMany({
    where: { ...deadLease, deliveredAt: { lt: new Date(now.getTime() - SENDING_TIMEOUT_MS) } },
    data: { outcome: 'unknown', error: 'no worker could finish this delivery within 10 minutes; not re-sent' },
  });
  const result = { replanned: clusters.size, restored, checked: planned.length, unknown, dropped: stale.length };
  if (restored || clusters.size || unknown) deps.logger.info(result, 'reconciled nudges with the queue');
  return result;
}

import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Services } from '../../src/core/flow.js';
import { translator } from '../../src/core/i18n.js';
import { ui } from '../../src/core/messages.js';
import { datedItemWithRole, itemTitle } from '../../src/domain/timeline.js';
import { claimDelivery, feedbackForReader } from '../../src/domain/feedback/reviews.js';
import { createRoundPreview, loadRound } from '../../src/domain/feedback/rounds.js';
import { assignmentNotice, renderFeedback, reviewerLabel } from './render.js';
import { describeAllocation } from './round-preview.js';

/**
 * Everything the feedback round sends to people who did not just write to the bot. These functions
 * take only Services, so a flow, a BullMQ job or a script can call them; each is safe to repeat.
 */

/** Tells every reviewer of a freshly opened round what to review, with a button to start. */
export async function notifyReviewers(services: Services, roundId: string): Promise<number> {
  const round = await loadRound(services.db, roundId);
  // Counts people, not messages: a reviewer of three plans is one reviewer reached.
  const reached = new Set<string>();
  for (const a of round.assignments) {
    const t = translator(a.reviewer.locale);
    const result = await services.notifier.notify(
      a.reviewerId,
      assignmentNotice(t, { assignmentId: a.id, authorName: a.plan.author.displayName, clusterCode: round.cluster.code, deadline: round.deadline, anonymous: round.anonymous, timeZone: a.reviewer.timeZone, locale: a.reviewer.locale }),
    );
    if (result.delivered) reached.add(a.reviewerId);
  }
  return reached.size;
}

/** Hands one submitted piece of feedback to its plan's author, exactly once. */
export async function deliverFeedback(services: Services, feedbackId: string): Promise<boolean> {
  if (!(await claimDelivery(services.db, feedbackId, services.clock.now()))) return false;
  const row = await services.db.feedback.findUniqueOrThrow({ where: { id: feedbackId }, include: { assignment: { include: { plan: { include: { author: true } } } } } });
  const author = row.assignment.plan.author;
  const { feedback } = await feedbackForReader(services.db, feedbackId, author.id);
  const t = translator(author.locale);
  const siblings = await services.db.feedbackAssignment.findMany({ where: { roundId: feedback.assignment.roundId, planId: feedback.assignment.planId }, select: { id: true } });
  const label = reviewerLabel(t, feedback.assignment.round, siblings, feedback.assignment);
  await services.notifier.notify(author.id, renderFeedback(t, feedback, { isAuthor: true, timeZone: author.timeZone, locale: author.locale }, label));
  return true;
}

/**
 * Delivers feedback that a round held back until its deadline, for every round whose deadline has
 * passed, and closes those rounds. For a scheduler job at the deadline; also run when someone opens
 * `/lc feedback`, so nothing waits on a job that did not run.
 */
export async function deliverHeldFeedback(services: Services, clusterIds?: string[]): Promise<number> {
  const now = services.clock.now();
  const rounds = await services.db.feedbackRound.findMany({
    where: { status: 'OPEN', deadline: { lte: now }, ...(clusterIds ? { clusterId: { in: clusterIds } } : {}) },
    select: { id: true },
  });
  let delivered = 0;
  for (const round of rounds) {
    const ready = await services.db.feedback.findMany({ where: { assignment: { roundId: round.id }, submittedAt: { not: null }, deliveredAt: null }, select: { id: true }, orderBy: { id: 'asc' } });
    for (const f of ready) if (await deliverFeedback(services, f.id)) delivered++;
    await services.db.feedbackRound.updateMany({ where: { id: round.id, status: 'OPEN' }, data: { status: 'CLOSED', closedAt: now, deliveredAt: now } });
  }
  return delivered;
}

/** The cluster design switch for automatic rounds (Cluster.design.feedbackRound). */
export const autoRoundDesignSchema = z.object({
  autoOpenAtEe2: z.boolean().default(false),
  reviewersPerPlan: z.number().int().min(1).max(10).default(2),
  /** Deadline: this many days after EE2 begins, at the end of that day in the cluster's zone. */
  deadlineDaysAfterEe2: z.number().int().min(1).max(120).default(14),
  resourcePersonsReview: z.boolean().default(false),
  anonymous: z.boolean().default(false),
  deliverAtDeadline: z.boolean().default(false),
});

/** What an automatic opening did, for the calling job's log. */
export type AutoRoundOutcome = { status: 'disabled' | 'notYet' | 'noEe2' | 'noPlans' | 'alreadyOpened' } | { status: 'opened'; roundId: string; complete: boolean };

/**
 * Opens the feedback round of a cluster automatically when EE2 begins, if its design says so
 * (`Cluster.design = { feedbackRound: { autoOpenAtEe2: true, … } }`). Meant for a scheduler job due at
 * EE2's start; safe to call at any time and from several workers: before EE2 it does nothing, and the
 * round's deterministic autoKey ("EE2:<cluster>:<EE2 start>") makes a second call a no-op. The
 * allocation is confirmed at once (no one is there to preview it); coordinators get it, with any
 * problem explained, and can still change reviewers by hand in the database-backed overview.
 */
export async function openRoundAutomatically(services: Services, clusterId: string): Promise<AutoRoundOutcome> {
  const cluster = await services.db.cluster.findUniqueOrThrow({ where: { id: clusterId }, include: { timeline: true } });
  const parsed = autoRoundDesignSchema.safeParse((cluster.design as { feedbackRound?: unknown } | null)?.feedbackRound ?? {});
  if (!parsed.success || !parsed.data.autoOpenAtEe2) return { status: 'disabled' };
  const design = parsed.data;
  // The event where concepts are presented (EE2 in the generic design), whatever the cluster calls it.
  const ee2 = datedItemWithRole(cluster.timeline, 'CONCEPTS_PRESENTED');
  if (!ee2) return { status: 'noEe2' };
  if (services.clock.now() < ee2.startsAt) return { status: 'notYet' };
  const autoKey = `EE2:${cluster.id}:${ee2.startsAt.toISOString()}`;
  if (await services.db.feedbackRound.findUnique({ where: { autoKey } })) return { status: 'alreadyOpened' };
  const plans = await services.db.actionPlan.count({ where: { clusterId, stage: 'SUBMITTED' } });
  if (plans === 0) return { status: 'noPlans' };
  const deadline = DateTime.fromJSDate(ee2.startsAt).setZone(cluster.timeZone).plus({ days: design.deadlineDaysAfterEe2 }).endOf('day').toJSDate();
  let roundId: string;
  try {
    const round = await createRoundPreview(services.db, {
      clusterId,
      createdById: null,
      deadline,
      reviewersPerPlan: design.reviewersPerPlan,
      resourcePersonsReview: design.resourcePersonsReview,
      anonymous: design.anonymous,
      deliverAtDeadline: design.deliverAtDeadline,
      // The seed comes from the key, so the automatic allocation is reproducible too (31 bits: a PostgreSQL integer).
      seed: createHash('sha256').update(autoKey).digest().readUInt32BE(0) >>> 1,
      autoKey,
    }, { openAt: services.clock.now() });
    roundId = round.id;
  } catch (error) {
    // Another worker won the race on the unique autoKey.
    if ((error as { code?: string }).code === 'P2002') return { status: 'alreadyOpened' };
    throw error;
  }
  await notifyReviewers(services, roundId);
  await services.scheduler.clusterChanged(clusterId, 'feedback');
  const round = await loadRound(services.db, roundId);
  const coordinators = await services.db.membership.findMany({ where: { clusterId, role: 'COORDINATOR', status: 'ACTIVE' }, include: { person: true } });
  for (const c of coordinators) {
    const t = translator(c.person.locale);
    const text = t('feedback:auto.opened', { cluster: cluster.code, event: itemTitle(t, ee2) });
    await services.notifier.notify(c.personId, ui.message(text, [ui.paragraph(text), ...describeAllocation(t, round, c.person), ui.actions(ui.commandButton(t('feedback:view.overview'), 'feedback'))]));
  }
  const report = round.allocationReport as { complete?: boolean } | null;
  return { status: 'opened', roundId, complete: report?.complete ?? false };
}

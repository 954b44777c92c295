import type { Db } from '../../core/db.js';
import { BotError, ErrorCode } from '../../core/errors.js';
import { allocateReviewers, exclusionReason, pairKey, type AllocationInput, type AllocationProblem } from './allocation.js';

/** The settings a coordinator chooses for a round. */
export interface RoundSettings {
  clusterId: string;
  createdById: string | null;
  deadline: Date;
  reviewersPerPlan: number;
  resourcePersonsReview: boolean;
  anonymous: boolean;
  deliverAtDeadline: boolean;
  seed: number;
  /** Set for rounds opened automatically, so two workers cannot open the same one twice. */
  autoKey?: string;
}

/** What the allocator said, stored with the round so the preview can show it later, on any instance. */
export interface AllocationReport {
  complete: boolean;
  shortfalls: { planId: string; missing: number }[];
  reciprocalPairs: [string, string][];
  idle: string[];
  problem?: AllocationProblem;
}

/** Plans that take part in a round: submitted (frozen) plans of the cluster. */
export async function submittedPlans(db: Db, clusterId: string) {
  return db.actionPlan.findMany({
    where: { clusterId, stage: 'SUBMITTED' },
    include: { author: { include: { memberships: { where: { clusterId, status: 'ACTIVE' } } } } },
    orderBy: { id: 'asc' },
  });
}

/** A person's organisation in a cluster: the membership's, else the person's own. */
function organisationOf(person: { organisationId: string | null; memberships: { organisationId: string | null }[] }): string | null {
  return person.memberships.find((m) => m.organisationId)?.organisationId ?? person.organisationId;
}

/** Reviewer → author pairs from every earlier round that went ahead (not previews). */
export async function priorPairs(db: Db, excludeRoundId?: string) {
  const rows = await db.feedbackAssignment.findMany({
    where: { round: { status: { not: 'PREVIEW' } }, ...(excludeRoundId ? { roundId: { not: excludeRoundId } } : {}) },
    select: { reviewerId: true, plan: { select: { authorId: true } } },
  });
  return rows.map((r) => ({ reviewerId: r.reviewerId, authorId: r.plan.authorId }));
}

/** Everything the pure allocator needs, read from the database. */
export async function allocationInput(db: Db, settings: Pick<RoundSettings, 'clusterId' | 'reviewersPerPlan' | 'resourcePersonsReview' | 'seed'>): Promise<AllocationInput> {
  const plans = await submittedPlans(db, settings.clusterId);
  const people = await db.membership.findMany({
    where: { clusterId: settings.clusterId, status: 'ACTIVE', role: { in: ['MEMBER', 'RESOURCE_PERSON'] } },
    include: { person: true },
  });
  const reviewer = (m: (typeof people)[number]) => ({ personId: m.personId, organisationId: m.organisationId ?? m.person.organisationId });
  return {
    plans: plans.map((p) => ({ planId: p.id, authorId: p.authorId, organisationId: organisationOf(p.author) })),
    reviewers: people.filter((m) => m.role === 'MEMBER').map(reviewer),
    resourcePersons: settings.resourcePersonsReview ? people.filter((m) => m.role === 'RESOURCE_PERSON').map(reviewer) : [],
    reviewersPerPlan: settings.reviewersPerPlan,
    priorPairs: await priorPairs(db),
    seed: settings.seed,
  };
}

/**
 * Creates a round in PREVIEW with the allocator's proposal (or already OPEN with `openAt`, for
 * automatic rounds: one insert, so a unique autoKey settles races between workers). Any earlier preview of the cluster is
 * dropped (a coordinator starting again replaces it). Throws when no plan has been submitted.
 */
export async function createRoundPreview(db: Db, settings: RoundSettings, options: { openAt?: Date } = {}) {
  const input = await allocationInput(db, settings);
  if (input.plans.length === 0) throw new BotError(ErrorCode.NotFound, 'feedback:round.noPlans');
  const result = allocateReviewers(input);
  const report: AllocationReport = {
    complete: result.complete,
    shortfalls: result.shortfalls,
    reciprocalPairs: result.reciprocalPairs,
    idle: result.idle,
    ...(result.problem ? { problem: result.problem } : {}),
  };
  return db.$transaction(async (tx) => {
    // A round opened at once (automatically) leaves a coordinator's preview alone; a new preview replaces the old one.
    if (!options.openAt) await tx.feedbackRound.deleteMany({ where: { clusterId: settings.clusterId, status: 'PREVIEW' } });
    return tx.feedbackRound.create({
      data: {
        ...(options.openAt ? { status: 'OPEN' as const, openedAt: options.openAt } : {}),
        clusterId: settings.clusterId,
        createdById: settings.createdById,
        deadline: settings.deadline,
        reviewersPerPlan: settings.reviewersPerPlan,
        resourcePersonsReview: settings.resourcePersonsReview,
        anonymous: settings.anonymous,
        deliverAtDeadline: settings.deliverAtDeadline,
        seed: settings.seed,
        autoKey: settings.autoKey,
        allocationReport: report as object,
        assignments: { create: result.assignments.map((a) => ({ planId: a.planId, reviewerId: a.reviewerId, kind: a.kind })) },
      },
    });
  });
}

/** A round with everything the preview, the overview and the notifications show. */
export async function loadRound(db: Db, roundId: string) {
  const round = await db.feedbackRound.findUnique({
    where: { id: roundId },
    include: {
      cluster: true,
      assignments: {
        include: { reviewer: { include: { organisation: true } }, plan: { include: { author: { include: { organisation: true } } } }, feedback: true },
        orderBy: [{ planId: 'asc' }, { id: 'asc' }],
      },
    },
  });
  if (!round) throw new BotError(ErrorCode.NotFound, 'feedback:round.notFound');
  // Plans the allocator could not give anyone still belong in the round's picture.
  const report = round.allocationReport as AllocationReport | null;
  const planIds = [...new Set([...round.assignments.map((a) => a.planId), ...(report?.shortfalls ?? []).map((s) => s.planId)])];
  const plans = await db.actionPlan.findMany({ where: { id: { in: planIds } }, include: { author: { include: { organisation: true } } }, orderBy: { id: 'asc' } });
  const people = await db.person.findMany({ where: { memberships: { some: { clusterId: round.clusterId } } }, select: { id: true, displayName: true } });
  return { ...round, plans, people };
}
/** A round with assignments, plans and cluster people, as previews and notices read it. */
export type LoadedRound = Awaited<ReturnType<typeof loadRound>>;

/**
 * The coordinator's edit of a preview: remove a reviewer from a plan, add one, or both (a swap).
 * Self-review and duplicates are refused; other rule breaks are allowed (the coordinator decides)
 * and shown as warnings in the preview.
 */
export async function changeReviewer(db: Db, roundId: string, change: { planId: string; removeReviewerId?: string; addReviewerId?: string }) {
  const round = await db.feedbackRound.findUnique({ where: { id: roundId }, include: { assignments: true } });
  if (!round) throw new BotError(ErrorCode.NotFound, 'feedback:round.notFound');
  if (round.status !== 'PREVIEW') throw new BotError(ErrorCode.Conflict, 'feedback:round.notPreview');
  const plan = await db.actionPlan.findFirst({ where: { id: change.planId, clusterId: round.clusterId } });
  if (!plan) throw new BotError(ErrorCode.NotFound, 'feedback:round.planNotFound');
  const onPlan = round.assignments.filter((a) => a.planId === plan.id);
  if (change.removeReviewerId && !onPlan.some((a) => a.reviewerId === change.removeReviewerId)) throw new BotError(ErrorCode.InvalidInput, 'feedback:change.notOnPlan');
  if (change.addReviewerId) {
    if (change.addReviewerId === plan.authorId) throw new BotError(ErrorCode.InvalidInput, 'feedback:change.self');
    if (onPlan.some((a) => a.reviewerId === change.addReviewerId && a.reviewerId !== change.removeReviewerId)) throw new BotError(ErrorCode.InvalidInput, 'feedback:change.already');
    const member = await db.membership.findFirst({ where: { personId: change.addReviewerId, clusterId: round.clusterId, status: 'ACTIVE' } });
    if (!member) throw new BotError(ErrorCode.InvalidInput, 'feedback:change.notInCluster');
  }
  await db.$transaction(async (tx) => {
    if (change.removeReviewerId) await tx.feedbackAssignment.deleteMany({ where: { roundId, planId: plan.id, reviewerId: change.removeReviewerId } });
    if (change.addReviewerId && change.addReviewerId !== change.removeReviewerId) {
      await tx.feedbackAssignment.create({ data: { roundId, planId: plan.id, reviewerId: change.addReviewerId, kind: 'manual' } });
    }
  });
}

/** Rule warnings for one assignment of a preview (shown next to it; hand edits may break rules knowingly). */
export function assignmentWarnings(round: LoadedRound, prior: Set<string>): Map<string, ('sameOrganisation' | 'earlierRound' | 'reciprocal')[]> {
  const warnings = new Map<string, ('sameOrganisation' | 'earlierRound' | 'reciprocal')[]>();
  const edges = new Set(round.assignments.map((a) => `${a.reviewerId}>${a.plan.authorId}`));
  for (const a of round.assignments) {
    const list: ('sameOrganisation' | 'earlierRound' | 'reciprocal')[] = [];
    const reason = exclusionReason(
      { personId: a.reviewerId, organisationId: a.reviewer.organisationId },
      { planId: a.planId, authorId: a.plan.authorId, organisationId: a.plan.author.organisationId },
      a.kind === 'resource' ? new Set() : prior,
    );
    if (reason === 'sameOrganisation' || reason === 'earlierRound') list.push(reason);
    if (a.kind !== 'resource' && edges.has(`${a.plan.authorId}>${a.reviewerId}`)) list.push('reciprocal');
    warnings.set(a.id, list);
  }
  return warnings;
}

/** The prior pairs as a lookup set. */
export async function priorPairSet(db: Db, excludeRoundId?: string): Promise<Set<string>> {
  return new Set((await priorPairs(db, excludeRoundId)).map((p) => pairKey(p.reviewerId, p.authorId)));
}

/** Confirms a preview: the round opens and its assignments become reviews to write. Safe to repeat. */
export async function confirmRound(db: Db, roundId: string, now: Date): Promise<boolean> {
  const { count } = await db.feedbackRound.updateMany({ where: { id: roundId, status: 'PREVIEW' }, data: { status: 'OPEN', openedAt: now } });
  return count === 1;
}

/** Drops a preview (nothing was sent yet, so nothing else changes). */
export async function cancelPreview(db: Db, roundId: string): Promise<void> {
  await db.feedbackRound.deleteMany({ where: { id: roundId, status: 'PREVIEW' } });
}

/** Clusters in which the person is an active coordinator. */
export async function coordinatedClusters(db: Db, personId: string) {
  return db.cluster.findMany({
    where: { archivedAt: null, memberships: { some: { personId, role: 'COORDINATOR', status: 'ACTIVE' } } },
    orderBy: { code: 'asc' },
  });
}

/**
 * Reviews still to be written in a cluster's open rounds, with their deadline: what the scheduler's
 * reminder planning reads after `clusterChanged(clusterId, 'feedback')` (reminders are a pure
 * function of this stored state, so the scheduler needs no other signal).
 */
export async function pendingReviews(db: Db, clusterId: string) {
  const rows = await db.feedbackAssignment.findMany({
    where: { status: { not: 'SUBMITTED' }, round: { clusterId, status: 'OPEN' } },
    select: { id: true, reviewerId: true, status: true, round: { select: { id: true, deadline: true } } },
    orderBy: [{ reviewerId: 'asc' }, { id: 'asc' }],
  });
  return rows.map((r) => ({ assignmentId: r.id, reviewerId: r.reviewerId, started: r.status === 'IN_PROGRESS', roundId: r.round.id, deadline: r.round.deadline }));
}

import type { Db } from '../core/db.js';
import type { ClusterSnapshot } from './plan.js';

/** A Prisma client or a transaction on it: snapshots are loaded inside the re-planning transaction. */
export type DbClient = Pick<Db, 'cluster' | 'membership' | 'actionPlan' | 'feedbackRound' | 'questionnaireRun' | 'plannedNudge'>;

/**
 * Reads what planning needs for one cluster: timeline, active people, and progress as rows of the
 * plan, feedback and questionnaire tables. Returns null for an unknown cluster; an archived cluster
 * gets no people, so every planned nudge of it is cancelled.
 */
export async function loadSnapshot(db: DbClient, clusterId: string): Promise<ClusterSnapshot | null> {
  const cluster = await db.cluster.findUnique({ where: { id: clusterId }, include: { timeline: true } });
  if (!cluster) return null;
  const archived = cluster.archivedAt !== null;
  const [memberships, plans, rounds, runs, sent] = await Promise.all([
    archived ? [] : db.membership.findMany({ where: { clusterId, status: 'ACTIVE', person: { erasedAt: null } }, include: { person: true } }),
    db.actionPlan.findMany({ where: { clusterId }, include: { activities: true } }),
    db.feedbackRound.findMany({ where: { clusterId }, include: { assignments: { select: { reviewerId: true, status: true } } } }),
    db.questionnaireRun.findMany({ where: { clusterId }, include: { participations: true, questionnaire: { select: { key: true, definition: true } } } }),
    db.plannedNudge.findMany({ where: { clusterId, status: 'SENT' }, include: { delivery: true } }),
  ]);
  const people = new Map<string, ClusterSnapshot['people'][number]>();
  for (const m of memberships) {
    const known = people.get(m.personId);
    if (known) {
      known.roles.push(m.role);
      continue;
    }
    const p = m.person;
    people.set(m.personId, {
      personId: p.id,
      displayName: p.displayName,
      roles: [m.role],
      locale: p.locale,
      timeZone: p.timeZone,
      country: p.country ?? null,
      workingHours: p.workingHours,
      snoozedUntil: p.snoozedUntil,
      paused: p.paused,
    });
  }
  return {
    cluster: { id: cluster.id, code: cluster.code, name: cluster.name, timeZone: cluster.timeZone, workingHours: cluster.workingHours, design: cluster.design },
    timeline: cluster.timeline,
    people: [...people.values()],
    plans: plans.map((plan) => ({
      authorId: plan.authorId,
      stage: plan.stage,
      activities: plan.activities.map((a) => ({ id: a.id, activity: a.activity, deadline: a.deadline, done: a.progress === 'DONE' })),
    })),
    rounds: rounds.map((round) => {
      const openByReviewer: Record<string, number> = {};
      for (const a of round.assignments) openByReviewer[a.reviewerId] = (openByReviewer[a.reviewerId] ?? 0) + (a.status === 'SUBMITTED' ? 0 : 1);
      return { id: round.id, status: round.status, deadline: round.deadline, openByReviewer };
    }),
    runs: runs.map((run) => ({
      id: run.id,
      status: run.status,
      opensAt: run.opensAt,
      closesAt: run.closesAt,
      title: titleOf(run.questionnaire.definition) ?? run.questionnaire.key,
      titles: titlesOf(run.questionnaire.definition),
      answered: run.participations.filter((p) => p.answered).map((p) => p.personId),
    })),
    sent: sent.map((n) => ({ id: n.id, personId: n.personId, at: n.delivery?.deliveredAt ?? n.dueAt, event: Boolean((n.payload as { event?: boolean }).event) })),
  };
}

function titlesOf(definition: unknown): Record<string, string> | undefined {
  const title = (definition as { title?: unknown } | null)?.title;
  return title && typeof title === 'object' ? (title as Record<string, string>) : undefined;
}

function titleOf(definition: unknown): string | undefined {
  const title = (definition as { title?: unknown } | null)?.title;
  if (typeof title === 'string') return title;
  if (title && typeof title === 'object' && typeof (title as { en?: unknown }).en === 'string') return (title as { en: string }).en;
  return undefined;
}

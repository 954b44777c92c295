import type { Db } from '../../core/db.js';
import { BotError, ErrorCode } from '../../core/errors.js';
import type { ActivityProgress } from '../../generated/prisma/enums.js';
import type { ActivityRow, PlanRow } from './content.js';
import { MAX_ACTIVITIES, type ActivityField, type PlanField } from './limits.js';

/** Values of an activity as the flows hand them over: text, or a YYYY-MM-DD string for the deadline. */
export type ActivityPatch = Partial<Record<ActivityField, string | null>>;
export type PlanPatch = Partial<Record<PlanField, string | null>>;

const withActivities = { activities: { orderBy: { position: 'asc' as const } } };

/**
 * The member's plan for a cluster, created on first use with the cluster's approach prefilled
 * (the template's first row). One plan per member and cluster, so two instances racing on the
 * first `/lc plan` end up with the same row.
 */
export async function openPlan(db: Db, authorId: string, clusterId: string): Promise<PlanRow> {
  const where = { clusterId_authorId: { clusterId, authorId } };
  const existing = await db.actionPlan.findUnique({ where, include: withActivities });
  if (existing) return existing;
  const cluster = await db.cluster.findUniqueOrThrow({ where: { id: clusterId }, select: { approach: true } });
  try {
    return await db.actionPlan.create({ data: { clusterId, authorId, approach: cluster.approach }, include: withActivities });
  } catch (error) {
    // Prisma's upsert is not atomic either: when another instance created it in between, use theirs.
    if ((error as { code?: string }).code !== 'P2002') throw error;
    return db.actionPlan.findUniqueOrThrow({ where, include: withActivities });
  }
}

/** A plan with its activities in order, or a NotFound the user understands. */
export async function loadPlan(db: Db, planId: string): Promise<PlanRow> {
  // A forged form or button may carry no id at all.
  const plan = planId ? await db.actionPlan.findUnique({ where: { id: planId }, include: withActivities }) : null;
  if (!plan) throw new BotError(ErrorCode.NotFound, 'errors.notFound', { what: { key: 'things.actionPlan' } });
  return plan;
}

/** The activity with its plan, for checks of who may change it. */
export async function loadActivity(db: Db, activityId: string): Promise<ActivityRow & { planId: string }> {
  const activity = activityId ? await db.activity.findUnique({ where: { id: activityId } }) : null;
  if (!activity) throw new BotError(ErrorCode.NotFound, 'plan:errors.activityGone');
  return activity;
}

/** Saves some of the plan's own fields at once (autosave: one answer is one write). */
export async function updatePlanFields(db: Db, planId: string, patch: PlanPatch): Promise<void> {
  const data = Object.fromEntries(Object.entries(patch).map(([k, v]) => [k, k === 'approach' ? (v ?? undefined) : emptyToNull(v)]));
  await db.actionPlan.update({ where: { id: planId }, data });
}

/** Adds a row at the end of the plan. */
export async function addActivity(db: Db, planId: string, patch: ActivityPatch & { activity: string }): Promise<ActivityRow> {
  return db.$transaction(async (tx) => {
    // Locks the plan row so two concurrent adds never get the same position.
    await tx.$queryRaw`SELECT id FROM "ActionPlan" WHERE id = ${planId} FOR UPDATE`;
    const count = await tx.activity.count({ where: { planId } });
    if (count >= MAX_ACTIVITIES) throw new BotError(ErrorCode.InvalidInput, 'plan:errors.tooManyActivities', { max: MAX_ACTIVITIES });
    const last = await tx.activity.findFirst({ where: { planId }, orderBy: { position: 'desc' }, select: { position: true } });
    const created = await tx.activity.create({ data: { planId, position: (last?.position ?? -1) + 1, ...activityData(patch), activity: patch.activity } });
    await touch(tx as unknown as Db, planId);
    return created;
  });
}

/** Saves some fields of one activity. */
export async function updateActivity(db: Db, activityId: string, patch: ActivityPatch): Promise<ActivityRow> {
  const row = await db.activity.update({ where: { id: activityId }, data: activityData(patch) });
  await touch(db, row.planId);
  return row;
}

/** Removes a row and returns it, so the flow can offer Undo. */
export async function removeActivity(db: Db, activityId: string): Promise<ActivityRow & { planId: string }> {
  return db.$transaction(async (tx) => {
    const removed = await tx.activity.delete({ where: { id: activityId } });
    await renumber(tx as unknown as Db, removed.planId);
    await touch(tx as unknown as Db, removed.planId);
    return removed;
  });
}

/** Puts a removed row back where it was (Undo). */
export async function restoreActivity(db: Db, planId: string, row: Omit<ActivityRow, 'id'>): Promise<ActivityRow> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "ActionPlan" WHERE id = ${planId} FOR UPDATE`;
    await tx.activity.updateMany({ where: { planId, position: { gte: row.position } }, data: { position: { increment: 1 } } });
    const created = await tx.activity.create({ data: { planId, ...row } });
    await renumber(tx as unknown as Db, planId);
    await touch(tx as unknown as Db, planId);
    return created;
  });
}

/** Moves a row one place up or down; at either end it stays. */
export async function moveActivity(db: Db, activityId: string, direction: 'up' | 'down'): Promise<void> {
  await db.$transaction(async (tx) => {
    const activity = await tx.activity.findUniqueOrThrow({ where: { id: activityId } });
    await tx.$queryRaw`SELECT id FROM "ActionPlan" WHERE id = ${activity.planId} FOR UPDATE`;
    const rows = await tx.activity.findMany({ where: { planId: activity.planId }, orderBy: { position: 'asc' }, select: { id: true } });
    const ids = rows.map((r) => r.id);
    const from = ids.indexOf(activityId);
    const to = direction === 'up' ? from - 1 : from + 1;
    if (to < 0 || to >= ids.length) return;
    [ids[from], ids[to]] = [ids[to], ids[from]];
    for (const [position, id] of ids.entries()) await tx.activity.update({ where: { id }, data: { position } });
    await touch(tx as unknown as Db, activity.planId);
  });
}

/** Records how an activity is going during the application period. */
export async function setProgress(db: Db, activityId: string, progress: ActivityProgress, note: string | null): Promise<void> {
  const row = await db.activity.update({ where: { id: activityId }, data: { progress, progressNote: emptyToNull(note) } });
  await touch(db, row.planId);
}

/** A YYYY-MM-DD string as the Date a DATE column stores (midnight UTC). */
export function parseDeadline(value: string): Date {
  return new Date(`${value}T00:00:00Z`);
}

/** A change to a row is a change to the plan: "last change" on the plan says so. */
async function touch(db: Db, planId: string): Promise<void> {
  await db.actionPlan.update({ where: { id: planId }, data: { updatedAt: new Date() } });
}

async function renumber(db: Db, planId: string): Promise<void> {
  const rows = await db.activity.findMany({ where: { planId }, orderBy: { position: 'asc' }, select: { id: true, position: true } });
  for (const [position, row] of rows.entries()) if (row.position !== position) await db.activity.update({ where: { id: row.id }, data: { position } });
}

function activityData(patch: ActivityPatch) {
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (key === 'deadline') data.deadline = value ? parseDeadline(value) : null;
    else if (key === 'activity') data.activity = value ?? undefined;
    else data[key] = emptyToNull(value);
  }
  return data;
}

function emptyToNull(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

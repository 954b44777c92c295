import type { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../core/db.js';
import { BotError, ErrorCode } from '../../core/errors.js';
import type { PlanStage } from '../../generated/prisma/enums.js';
import { missingParts, type MissingPart } from './completeness.js';
import { contentOf, planContentSchema, type PlanContent } from './content.js';

/** A frozen version as flows and exports use it. */
export interface PlanVersion {
  id: string;
  planId: string;
  number: number;
  stage: PlanStage;
  content: PlanContent;
  answersRoundId: string | null;
  createdAt: Date;
}

/** Submit refused because parts are missing; the list says exactly which. */
export class PlanIncompleteError extends BotError {
  constructor(readonly missing: MissingPart[]) {
    super(ErrorCode.InvalidInput, 'plan:submit.incomplete', { count: missing.length });
    this.name = 'PlanIncompleteError';
  }
}

/** Which stage a plan may move to from which. Drafts are submitted for EE2, then consolidated, then applied. */
const TRANSITIONS: Record<PlanStage, PlanStage[]> = {
  DRAFT: ['SUBMITTED'],
  // A second consolidation after another feedback round is allowed; application may start without feedback.
  SUBMITTED: ['CONSOLIDATED', 'IN_APPLICATION'],
  CONSOLIDATED: ['CONSOLIDATED', 'IN_APPLICATION'],
  IN_APPLICATION: [],
};

/** Whether the plan can move to `to` now. */
export function canMove(from: PlanStage, to: PlanStage): boolean {
  return TRANSITIONS[from].includes(to);
}

/**
 * Freezes the living plan into the next version and moves it to `stage`, in one transaction with
 * the plan row locked, so two instances never create the same version number. Versions are
 * never updated afterwards (a database rule refuses it: migration plan_versions_immutable).
 */
async function freeze(
  db: Db,
  planId: string,
  stage: PlanStage,
  options: { requireComplete: boolean; answersRoundId?: string; consolidation?: Record<string, unknown>; authorId?: string },
): Promise<PlanVersion> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "ActionPlan" WHERE id = ${planId} FOR UPDATE`;
    const plan = await tx.actionPlan.findUnique({ where: { id: planId }, include: { activities: { orderBy: { position: 'asc' } } } });
    if (!plan || (options.authorId && plan.authorId !== options.authorId)) throw new BotError(ErrorCode.NotFound, 'errors.notFound', { what: { key: 'things.actionPlan' } });
    if (options.answersRoundId) {
      const already = await tx.actionPlanVersion.findFirst({ where: { planId, answersRoundId: options.answersRoundId }, select: { number: true } });
      if (already) throw new BotError(ErrorCode.Conflict, 'feedback:consolidate.already', { number: already.number });
    }
    if (!canMove(plan.stage, stage)) throw new BotError(ErrorCode.Conflict, 'plan:errors.badTransition', { from: plan.stage, to: stage });
    const content = contentOf(plan);
    if (options.requireComplete) {
      const missing = missingParts(content);
      if (missing.length) throw new PlanIncompleteError(missing);
    }
    const last = await tx.actionPlanVersion.findFirst({ where: { planId }, orderBy: { number: 'desc' }, select: { number: true } });
    const version = await tx.actionPlanVersion.create({
      // A consolidation also keeps how the author took up each suggestion (read by the feedback views).
      data: { planId, number: (last?.number ?? 0) + 1, stage, content: (options.consolidation ? { ...content, consolidation: options.consolidation } : content) as Prisma.InputJsonValue, answersRoundId: options.answersRoundId ?? null },
    });
    await tx.actionPlan.update({ where: { id: planId }, data: { stage } });
    return { ...version, content };
  });
}

/** Submits the draft for EE2: refuses with the exact list of missing parts when incomplete. */
export function submitPlan(db: Db, planId: string): Promise<PlanVersion> {
  return freeze(db, planId, 'SUBMITTED', { requireComplete: true });
}

/**
 * Consolidates the plan after peer feedback: freezes its current content as the next version,
 * linked to the feedback round it answers. Called by the peer-feedback flow when the author
 * says the plan is consolidated; also usable without a round (feedback given outside the bot).
 */
export function consolidatePlan(
  db: Db,
  planId: string,
  options: { feedbackRoundId?: string; consolidation?: Record<string, unknown>; authorId?: string } = {},
): Promise<PlanVersion> {
  return freeze(db, planId, 'CONSOLIDATED', { requireComplete: true, answersRoundId: options.feedbackRoundId, consolidation: options.consolidation, authorId: options.authorId });
}

/** Starts the application period for this plan: the version being applied is frozen. */
export function startApplication(db: Db, planId: string): Promise<PlanVersion> {
  return freeze(db, planId, 'IN_APPLICATION', { requireComplete: true });
}

/** Every version of a plan, oldest first. */
export async function listVersions(db: Db, planId: string): Promise<PlanVersion[]> {
  const rows = await db.actionPlanVersion.findMany({ where: { planId }, orderBy: { number: 'asc' } });
  return rows.map(toVersion);
}

/** One version by id, with its content validated (snapshots are data from the past: check them). */
export async function getVersion(db: Db, versionId: string): Promise<PlanVersion> {
  const row = versionId ? await db.actionPlanVersion.findUnique({ where: { id: versionId } }) : null;
  if (!row) throw new BotError(ErrorCode.NotFound, 'errors.notFound', { what: { key: 'things.planVersion' } });
  return toVersion(row);
}

/** The plan a version belongs to, and nothing of its content: for checking access before loading it. */
export async function planOfVersion(db: Db, versionId: string): Promise<string> {
  const row = await db.actionPlanVersion.findUnique({ where: { id: versionId }, select: { planId: true } });
  if (!row) throw new BotError(ErrorCode.NotFound, 'errors.notFound', { what: { key: 'things.planVersion' } });
  return row.planId;
}

/** The newest version, or null for a plan never submitted. */
export async function latestVersion(db: Db, planId: string): Promise<PlanVersion | null> {
  const row = await db.actionPlanVersion.findFirst({ where: { planId }, orderBy: { number: 'desc' } });
  return row ? toVersion(row) : null;
}

function toVersion(row: { id: string; planId: string; number: number; stage: PlanStage; content: unknown; answersRoundId: string | null; createdAt: Date }): PlanVersion {
  return { ...row, content: planContentSchema.parse(row.content) };
}

import type { Db } from '../../core/db.js';
import { BotError, ErrorCode } from '../../core/errors.js';
import type { PlanStage } from '../../generated/prisma/enums.js';
import { planAccess, requirePlanAccess, type PlanAccess } from './access.js';
import { contentOf, type PlanContent } from './content.js';
import { latestVersion } from './versions.js';

/** A plan as one reader may see it: the living draft for author and staff, the latest version for peers. */
export interface PlanDocument {
  planId: string;
  clusterId: string;
  clusterCode: string;
  clusterName: string;
  authorId: string;
  authorName: string;
  organisation: string | null;
  stage: PlanStage;
  /** Number of the version shown, or null when the living draft is shown. */
  versionNumber: number | null;
  /** Number of the newest frozen version (null: never submitted). */
  latestVersionNumber: number | null;
  updatedAt: Date;
  access: Exclude<PlanAccess, null>;
  content: PlanContent;
}

const include = {
  activities: { orderBy: { position: 'asc' as const } },
  cluster: { select: { code: true, name: true } },
  author: { select: { displayName: true, organisation: { select: { name: true } } } },
};

/**
 * The plan as this viewer may read it, or NotAllowed: authors and staff get the living plan,
 * peers the newest submitted version, nobody else anything.
 */
export async function readablePlan(db: Db, viewerId: string, planId: string): Promise<PlanDocument> {
  const plan = await db.actionPlan.findUnique({ where: { id: planId }, include });
  if (!plan) throw new BotError(ErrorCode.NotFound, 'errors.notFound', { what: { key: 'things.actionPlan' } });
  const access = await requirePlanAccess(db, viewerId, plan);
  return documentFor(db, plan, access);
}

/** Every plan of a cluster this viewer may read, in author-name order. */
export async function readableClusterPlans(db: Db, viewerId: string, clusterId: string): Promise<PlanDocument[]> {
  const plans = await db.actionPlan.findMany({ where: { clusterId }, include, orderBy: { author: { displayName: 'asc' } } });
  const docs: PlanDocument[] = [];
  for (const plan of plans) {
    const access = await planAccess(db, viewerId, plan);
    if (!access) continue;
    const doc = await documentFor(db, plan, access).catch((error) => (isNotSubmitted(error) ? null : Promise.reject(error)));
    if (doc) docs.push(doc);
  }
  return docs;
}

type PlanWithContext = Awaited<ReturnType<typeof loadWithContext>>;
async function loadWithContext(db: Db, planId: string) {
  return db.actionPlan.findUniqueOrThrow({ where: { id: planId }, include });
}

async function documentFor(db: Db, plan: NonNullable<PlanWithContext>, access: Exclude<PlanAccess, null>): Promise<PlanDocument> {
  const latest = await latestVersion(db, plan.id);
  const base = {
    planId: plan.id,
    clusterId: plan.clusterId,
    clusterCode: plan.cluster.code,
    clusterName: plan.cluster.name,
    authorId: plan.authorId,
    authorName: plan.author.displayName,
    organisation: plan.author.organisation?.name ?? null,
    latestVersionNumber: latest?.number ?? null,
    access,
  };
  if (access === 'peer') {
    if (!latest) throw new BotError(ErrorCode.NotAllowed, 'plan:errors.notSubmittedYet');
    return { ...base, stage: latest.stage, versionNumber: latest.number, updatedAt: latest.createdAt, content: latest.content };
  }
  return { ...base, stage: plan.stage, versionNumber: null, updatedAt: plan.updatedAt, content: contentOf(plan) };
}

function isNotSubmitted(error: unknown): boolean {
  return error instanceof BotError && error.messageKey === 'plan:errors.notSubmittedYet';
}

import type { Db } from '../../core/db.js';
import { BotError, ErrorCode } from '../../core/errors.js';

/**
 * How much of a plan someone may read:
 * - `author`: everything, and may change it;
 * - `staff` (coordinator or resource person of the plan's cluster): every version and the living draft;
 * - `peer` (member of the same cluster): submitted versions only (members learn from each other's concepts);
 * - null: nothing (anyone outside the cluster, or an observer).
 */
export type PlanAccess = 'author' | 'staff' | 'peer' | null;

/** Decides access from active memberships in the plan's own cluster; never from what a platform shows. */
export async function planAccess(db: Db, viewerId: string, plan: { authorId: string; clusterId: string }): Promise<PlanAccess> {
  if (plan.authorId === viewerId) return 'author';
  const roles = await db.membership.findMany({ where: { personId: viewerId, clusterId: plan.clusterId, status: 'ACTIVE' }, select: { role: true } });
  const held = new Set(roles.map((r) => r.role));
  if (held.has('COORDINATOR') || held.has('RESOURCE_PERSON')) return 'staff';
  if (held.has('MEMBER')) return 'peer';
  return null;
}

/** Whether this access level may read a version or draft at this stage. */
export function mayReadStage(access: PlanAccess, stage: 'DRAFT' | 'SUBMITTED' | 'CONSOLIDATED' | 'IN_APPLICATION'): boolean {
  if (access === 'author' || access === 'staff') return true;
  return access === 'peer' && stage !== 'DRAFT';
}

/** Refuses with NotAllowed unless the viewer may read something of the plan; returns the level. */
export async function requirePlanAccess(db: Db, viewerId: string, plan: { authorId: string; clusterId: string }): Promise<Exclude<PlanAccess, null>> {
  const access = await planAccess(db, viewerId, plan);
  if (!access) throw new BotError(ErrorCode.NotAllowed, 'plan:errors.notYourCluster');
  return access;
}

/** Only the author changes a plan: peers and staff give feedback, they do not edit. */
export function requireAuthor(viewerId: string, plan: { authorId: string }): void {
  if (plan.authorId !== viewerId) throw new BotError(ErrorCode.NotAllowed, 'plan:errors.onlyAuthor');
}

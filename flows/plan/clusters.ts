import type { FlowContext } from '../../src/core/flow.js';
import { BotError, ErrorCode } from '../../src/core/errors.js';
import type { Role } from '../../src/generated/prisma/enums.js';

/** A cluster the person takes part in, with the roles they hold there. */
export interface ClusterChoice {
  id: string;
  code: string;
  name: string;
  approach: string;
  roles: Role[];
}

/** The person's active clusters where they hold one of `roles`, by code. */
export async function clustersWithRole(ctx: FlowContext, roles: Role[]): Promise<ClusterChoice[]> {
  const rows = await ctx.services.db.membership.findMany({
    where: { personId: ctx.person.id, status: 'ACTIVE', role: { in: roles }, cluster: { archivedAt: null } },
    include: { cluster: { select: { id: true, code: true, name: true, approach: true } } },
    orderBy: { cluster: { code: 'asc' } },
  });
  const byId = new Map<string, ClusterChoice>();
  for (const row of rows) {
    const entry = byId.get(row.clusterId) ?? { ...row.cluster, roles: [] };
    entry.roles.push(row.role);
    byId.set(row.clusterId, entry);
  }
  return [...byId.values()];
}

/**
 * Picks the cluster a command means: the one named in the arguments (code, any case), the only
 * one, or undefined when the person must choose. A code that is not theirs is refused by name.
 */
export function pickCluster(ctx: FlowContext, clusters: ClusterChoice[], args: string): ClusterChoice | undefined {
  const code = args.trim().split(/\s+/)[0];
  if (code) {
    const found = clusters.find((c) => c.code.toLowerCase() === code.toLowerCase());
    if (!found) throw new BotError(ErrorCode.NotAllowed, 'plan:errors.unknownCluster', { code: code.slice(0, 20), codes: clusters.map((c) => c.code).join(', ') || '-' });
    return found;
  }
  if (clusters.length === 0) throw new BotError(ErrorCode.NotAllowed, 'plan:errors.noCluster');
  return clusters.length === 1 ? clusters[0] : undefined;
}

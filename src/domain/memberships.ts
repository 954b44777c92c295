import type { Db } from '../core/db.js';
import { BotError, ErrorCode, roleVars } from '../core/errors.js';
import type { Role } from '../generated/prisma/enums.js';

/** A person's active roles, per cluster. */
export async function activeMemberships(db: Db, personId: string) {
  return db.membership.findMany({
    where: { personId, status: 'ACTIVE', cluster: { archivedAt: null } },
    include: { cluster: { include: { timeline: true, programme: true } }, organisation: true },
    orderBy: [{ cluster: { code: 'asc' } }, { role: 'asc' }],
  });
}

/**
 * Active memberships grouped by cluster, roles in a fixed order and never repeated: one person may
 * hold several roles in one cluster (a resource person who also coordinates), and views show the
 * cluster once with all of them.
 */
export async function activeClusters(db: Db, personId: string) {
  const memberships = await activeMemberships(db, personId);
  const byCluster = new Map<string, { cluster: (typeof memberships)[number]['cluster']; roles: Role[]; organisation: (typeof memberships)[number]['organisation'] }>();
  for (const m of memberships) {
    const entry = byCluster.get(m.clusterId) ?? { cluster: m.cluster, roles: [], organisation: m.organisation };
    if (!entry.roles.includes(m.role)) entry.roles.push(m.role);
    entry.organisation ??= m.organisation;
    byCluster.set(m.clusterId, entry);
  }
  return [...byCluster.values()].map((entry) => ({ ...entry, roles: ROLE_ORDER.filter((r) => entry.roles.includes(r)) }));
}

/** The order roles are named in: who runs the cluster first. */
export const ROLE_ORDER: Role[] = ['COORDINATOR', 'RESOURCE_PERSON', 'MEMBER', 'OBSERVER'];

/** Every role the person holds anywhere (for help). */
export async function rolesOf(db: Db, personId: string): Promise<Set<Role>> {
  const rows = await db.membership.findMany({ where: { personId, status: 'ACTIVE' }, select: { role: true } });
  return new Set(rows.map((r) => r.role));
}

/**
 * Authorisation lives here, in the domain, not in which buttons are shown: a command a person
 * may not use fails with NotAllowed whatever the platform sent.
 */
export async function requireRole(db: Db, personId: string, clusterId: string, roles: Role[]): Promise<Role> {
  const membership = await db.membership.findFirst({
    where: { personId, clusterId, status: 'ACTIVE', role: { in: roles } },
    select: { role: true },
  });
  if (!membership) throw new BotError(ErrorCode.NotAllowed, 'errors.notAllowed', { roles: roleVars(roles) });
  return membership.role;
}

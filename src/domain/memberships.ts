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

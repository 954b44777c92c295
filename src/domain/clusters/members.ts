import type { Db } from '../../core/db.js';
import { BotError, ErrorCode } from '../../core/errors.js';
import type { Role } from '../../generated/prisma/enums.js';
import { requireRole } from '../memberships.js';

/** Everyone in a cluster (any status) and the registrations assigned to it, for its coordinators. */
export async function clusterRoster(db: Db, actorId: string, clusterId: string) {
  await requireRole(db, actorId, clusterId, ['COORDINATOR']);
  const [memberships, registrations] = await Promise.all([
    db.membership.findMany({ where: { clusterId, status: { in: ['ACTIVE', 'INVITED'] } }, include: { person: true, organisation: true }, orderBy: [{ role: 'asc' }, { createdAt: 'asc' }] }),
    db.registration.findMany({ where: { assignedClusterId: clusterId, status: { in: ['ASSIGNED', 'SUBMITTED'] } }, include: { person: true }, orderBy: { createdAt: 'asc' } }),
  ]);
  return { memberships, registrations };
}

/**
 * A coordinator approves a registration assigned to their cluster: the practitioner becomes an active
 * member, with their municipality as organisation. The cluster comes from the stored registration,
 * never from the button, so a coordinator of another cluster is refused.
 */
export async function approveRegistration(db: Db, actorId: string, registrationId: string) {
  const registration = await db.registration.findUnique({ where: { id: registrationId } });
  if (!registration?.assignedClusterId) throw new BotError(ErrorCode.NotFound, 'clusters:members.noRegistration');
  const clusterId = registration.assignedClusterId;
  await requireRole(db, actorId, clusterId, ['COORDINATOR']);
  if (registration.status !== 'ASSIGNED') throw new BotError(ErrorCode.Conflict, 'clusters:members.alreadyDecided');
  return db.$transaction(async (tx) => {
    const organisation = await tx.organisation.upsert({
      where: { name_country: { name: registration.organisationName, country: registration.country ?? '' } },
      create: { name: registration.organisationName, country: registration.country ?? '', kind: 'MUNICIPALITY' },
      update: {},
    });
    // The status check and the change are one statement, so two coordinators approving at once cannot both win.
    const { count } = await tx.registration.updateMany({ where: { id: registrationId, status: 'ASSIGNED' }, data: { status: 'APPROVED' } });
    if (count === 0) throw new BotError(ErrorCode.Conflict, 'clusters:members.alreadyDecided');
    await tx.person.update({ where: { id: registration.personId }, data: { organisationId: organisation.id } });
    const membership = await tx.membership.upsert({
      where: { personId_clusterId_role: { personId: registration.personId, clusterId, role: 'MEMBER' } },
      create: { personId: registration.personId, clusterId, role: 'MEMBER', status: 'ACTIVE', organisationId: organisation.id, invitedById: actorId },
      update: { status: 'ACTIVE', organisationId: organisation.id },
    });
    return { registration, membership, clusterId };
  });
}

/** A coordinator declines a registration assigned to their cluster. */
export async function declineRegistration(db: Db, actorId: string, registrationId: string) {
  const registration = await db.registration.findUnique({ where: { id: registrationId } });
  if (!registration?.assignedClusterId) throw new BotError(ErrorCode.NotFound, 'clusters:members.noRegistration');
  await requireRole(db, actorId, registration.assignedClusterId, ['COORDINATOR']);
  if (registration.status !== 'ASSIGNED') throw new BotError(ErrorCode.Conflict, 'clusters:members.alreadyDecided');
  const { count } = await db.registration.updateMany({ where: { id: registrationId, status: 'ASSIGNED' }, data: { status: 'DECLINED' } });
  if (count === 0) throw new BotError(ErrorCode.Conflict, 'clusters:members.alreadyDecided');
  return { registration, clusterId: registration.assignedClusterId };
}

/**
 * A coordinator changes someone's role in their cluster. Refuses to remove the last active
 * coordinator, so a cluster is never left without anyone who can run it.
 */
export async function changeRole(db: Db, actorId: string, membershipId: string, role: Role) {
  const membership = await db.membership.findUnique({ where: { id: membershipId } });
  if (!membership) throw new BotError(ErrorCode.NotFound, 'clusters:members.noMembership');
  await requireRole(db, actorId, membership.clusterId, ['COORDINATOR']);
  if (membership.role === role) return { membership, changed: false };
  if (membership.role === 'COORDINATOR') {
    const others = await db.membership.count({ where: { clusterId: membership.clusterId, role: 'COORDINATOR', status: 'ACTIVE', id: { not: membership.id } } });
    if (others === 0) throw new BotError(ErrorCode.Conflict, 'clusters:members.lastCoordinator');
  }
  const clash = await db.membership.findUnique({ where: { personId_clusterId_role: { personId: membership.personId, clusterId: membership.clusterId, role } } });
  const updated = await db.$transaction(async (tx) => {
    if (clash) await tx.membership.delete({ where: { id: clash.id } });
    return tx.membership.update({ where: { id: membershipId }, data: { role } });
  });
  return { membership: updated, changed: true };
}

/** A person leaves a cluster (all their roles in it). */
export async function leaveCluster(db: Db, personId: string, clusterId: string) {
  const { count } = await db.membership.updateMany({ where: { personId, clusterId, status: { in: ['ACTIVE', 'INVITED'] } }, data: { status: 'LEFT' } });
  return count;
}

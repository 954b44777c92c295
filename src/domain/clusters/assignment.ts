import type { Db } from '../../core/db.js';
import { BotError, ErrorCode, roleVars } from '../../core/errors.js';
import { matchApplicants, municipalityKey, type MatchingApplicant, type MatchingCluster, type Placement } from './matching.js';

/** The programmes in which a person coordinates at least one cluster: where they may run the matching. */
export async function coordinatedProgrammes(db: Db, personId: string) {
  const rows = await db.membership.findMany({
    where: { personId, role: 'COORDINATOR', status: 'ACTIVE', cluster: { archivedAt: null } },
    select: { cluster: { select: { programme: { select: { id: true, name: true } } } } },
  });
  return [...new Map(rows.map((r) => [r.cluster.programme.id, r.cluster.programme])).values()];
}

/** Refuses anyone who coordinates no cluster of the programme. */
export async function requireProgrammeCoordinator(db: Db, personId: string, programmeId: string) {
  const ok = await db.membership.findFirst({ where: { personId, role: 'COORDINATOR', status: 'ACTIVE', cluster: { programmeId } } });
  if (!ok) throw new BotError(ErrorCode.NotAllowed, 'errors.notAllowed', { roles: roleVars(['COORDINATOR']) });
}

/** A proposal: the matching's input and result, with labels for showing it. */
export interface AssignmentProposal {
  programmeId: string;
  seed: number;
  clusters: (MatchingCluster & { code: string; name: string })[];
  applicants: (MatchingApplicant & { name: string; organisationName: string })[];
  placements: Placement[];
}

/**
 * Proposes an assignment of the programme's open registrations (submitted, or assigned but not yet
 * approved) to its clusters. Approved members' municipalities keep their seats. Nothing is written.
 */
export async function proposeAssignment(db: Db, actorId: string, programmeId: string, seed: number): Promise<AssignmentProposal> {
  await requireProgrammeCoordinator(db, actorId, programmeId);
  const [clusterRows, registrations] = await Promise.all([
    db.cluster.findMany({
      where: { programmeId, archivedAt: null },
      include: { memberships: { where: { role: 'MEMBER', status: 'ACTIVE' }, include: { organisation: true } } },
      orderBy: { code: 'asc' },
    }),
    db.registration.findMany({ where: { programmeId, status: { in: ['SUBMITTED', 'ASSIGNED'] } }, include: { preferences: { orderBy: { rank: 'asc' } }, person: true } }),
  ]);
  const clusters = clusterRows.map((c) => ({
    id: c.id,
    code: c.code,
    name: c.name,
    capacity: c.capacity,
    seated: [...new Set(c.memberships.filter((m) => m.organisation).map((m) => municipalityKey(m.organisation!.name, m.organisation!.country)))],
  }));
  const applicants = registrations.map((r) => ({
    id: r.id,
    name: r.person.displayName,
    organisationName: r.organisationName,
    municipality: municipalityKey(r.organisationName, r.country),
    preferences: r.preferences.map((p) => p.clusterId),
    registeredAt: r.createdAt,
  }));
  const { placements } = matchApplicants(clusters, applicants, seed);
  return { programmeId, seed, clusters, applicants, placements };
}

/**
 * Writes a confirmed assignment: each registration gets its cluster and the explanation the person
 * will read. Registrations decided meanwhile (approved, declined, withdrawn) are left alone.
 */
export async function confirmAssignment(db: Db, actorId: string, programmeId: string, decisions: { registrationId: string; clusterId: string | null; reason: string }[]) {
  await requireProgrammeCoordinator(db, actorId, programmeId);
  const clusterIds = new Set((await db.cluster.findMany({ where: { programmeId }, select: { id: true } })).map((c) => c.id));
  return db.$transaction(async (tx) => {
    const written: typeof decisions = [];
    for (const d of decisions) {
      if (d.clusterId && !clusterIds.has(d.clusterId)) continue;
      const { count } = await tx.registration.updateMany({
        where: { id: d.registrationId, programmeId, status: { in: ['SUBMITTED', 'ASSIGNED'] } },
        data: { status: d.clusterId ? 'ASSIGNED' : 'SUBMITTED', assignedClusterId: d.clusterId, assignedReason: d.reason.slice(0, 1000) },
      });
      if (count) written.push(d);
    }
    return written;
  });
}

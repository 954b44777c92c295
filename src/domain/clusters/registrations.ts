import type { Db } from '../../core/db.js';
import { BotError, ErrorCode } from '../../core/errors.js';
import { programmesReachableBy } from '../programme-workspaces.js';

/** What a practitioner tells the programme when registering (already validated by the form schema). */
export interface RegistrationInput {
  /** Cluster ids, most preferred first; all in one programme. */
  preferences: string[];
  organisationName: string;
  position?: string;
  country: string;
  languages: string[];
  timeZone: string;
  caseDescription?: string;
}

/** The person's registration in a programme with its ranked clusters, or null. */
export async function findRegistration(db: Db, personId: string, programmeId?: string) {
  return db.registration.findFirst({
    where: { personId, ...(programmeId ? { programmeId } : {}), status: { not: 'WITHDRAWN' } },
    include: { preferences: { include: { cluster: true }, orderBy: { rank: 'asc' } }, assignedCluster: true, programme: true },
    orderBy: { createdAt: 'desc' },
  });
}

/**
 * Saves (creates or edits) a registration. Editing keeps the original registration time, because the
 * matching serves municipalities first come, first served; a withdrawn registration that is renewed
 * counts from now. Also copies country, position and time zone to the person, who said them here.
 */
export async function saveRegistration(db: Db, personId: string, input: RegistrationInput, now: Date) {
  // A cluster of a programme closed to the person's workspaces is as unknown as one that does not exist.
  const reachable = await programmesReachableBy(db, personId);
  const clusters = await db.cluster.findMany({ where: { id: { in: input.preferences }, archivedAt: null, programme: reachable }, select: { id: true, programmeId: true } });
  if (clusters.length !== input.preferences.length) throw new BotError(ErrorCode.NotFound, 'clusters:errors.noSuchCluster', { code: '?' });
  const programmeIds = new Set(clusters.map((c) => c.programmeId));
  if (programmeIds.size !== 1) throw new BotError(ErrorCode.InvalidInput, 'clusters:join.oneProgramme');
  const programmeId = clusters[0].programmeId;
  return db.$transaction(async (tx) => {
    const existing = await tx.registration.findUnique({ where: { personId_programmeId: { personId, programmeId } } });
    const fields = {
      organisationName: input.organisationName,
      position: input.position ?? null,
      country: input.country,
      languages: input.languages,
      timeZone: input.timeZone,
      caseDescription: input.caseDescription ?? null,
    };
    const renewed = existing?.status === 'WITHDRAWN' || existing?.status === 'DECLINED';
    const registration = existing
      ? await tx.registration.update({
          where: { id: existing.id },
          data: { ...fields, ...(renewed ? { status: 'SUBMITTED', createdAt: now, assignedClusterId: null, assignedReason: null, consentAt: now } : {}) },
        })
      : await tx.registration.create({ data: { personId, programmeId, ...fields, consentAt: now, createdAt: now } });
    await tx.registrationPreference.deleteMany({ where: { registrationId: registration.id } });
    await tx.registrationPreference.createMany({ data: input.preferences.map((clusterId, i) => ({ registrationId: registration.id, clusterId, rank: i + 1 })) });
    await tx.person.update({ where: { id: personId }, data: { country: input.country, position: input.position ?? null, timeZone: input.timeZone } });
    return { registration, created: !existing || renewed };
  });
}

/** Withdraws a registration that has not become a membership yet. */
export async function withdrawRegistration(db: Db, personId: string, registrationId: string) {
  const { count } = await db.registration.updateMany({ where: { id: registrationId, personId, status: { in: ['SUBMITTED', 'ASSIGNED'] } }, data: { status: 'WITHDRAWN', assignedClusterId: null } });
  return count > 0;
}

/** Coordinators of the given clusters, to tell them about a registration. */
export async function coordinatorsOf(db: Db, clusterIds: string[]): Promise<string[]> {
  const rows = await db.membership.findMany({ where: { clusterId: { in: clusterIds }, role: 'COORDINATOR', status: 'ACTIVE' }, select: { personId: true } });
  return [...new Set(rows.map((r) => r.personId))];
}

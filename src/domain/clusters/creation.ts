import type { Db } from '../../core/db.js';
import { BotError, ErrorCode } from '../../core/errors.js';
import { genericItems } from '../timeline.js';
import { coordinatedProgrammes } from './assignment.js';

/** A new cluster as the coordinator describes it (validated by the form schema). */
export interface NewCluster {
  programmeId?: string;
  /** Only when the deployment has no programme yet: the first one is created with the cluster. */
  programmeName?: string;
  code?: string;
  name: string;
  approach: string;
  hosts: string[];
  hostCountry: string;
  timeZone: string;
  language: string;
  capacity: number;
}

/**
 * Where a person may create a cluster: the programmes they coordinate in; or, on an empty deployment
 * with no programme at all, a new programme (the first coordinator has to start somewhere).
 */
export async function creatablePlaces(db: Db, personId: string) {
  const programmes = await coordinatedProgrammes(db, personId);
  const bootstrap = programmes.length === 0 && (await db.programme.count()) === 0;
  return { programmes, bootstrap };
}

/** The next free "LC<n>" code in a programme. */
export async function nextClusterCode(db: Db, programmeId: string): Promise<string> {
  const codes = (await db.cluster.findMany({ where: { programmeId }, select: { code: true } })).map((c) => c.code.toUpperCase());
  let n = codes.length + 1;
  while (codes.includes(`LC${n}`)) n++;
  return `LC${n}`;
}

/** Creates a cluster with its host organisations and the generic design's timeline; the creator becomes its coordinator. */
export async function createCluster(db: Db, actorId: string, input: NewCluster) {
  const { programmes, bootstrap } = await creatablePlaces(db, actorId);
  let programmeId = input.programmeId;
  if (programmeId && !programmes.some((p) => p.id === programmeId)) throw new BotError(ErrorCode.NotAllowed, 'clusters:create.notCoordinator');
  if (!programmeId) {
    if (programmes.length === 1) programmeId = programmes[0].id;
    else if (!bootstrap) throw new BotError(ErrorCode.NotAllowed, 'clusters:create.notCoordinator');
  }
  return db.$transaction(async (tx) => {
    const pid = programmeId ?? (await tx.programme.create({ data: { name: input.programmeName ?? input.name } })).id;
    const code = (input.code ?? (await nextClusterCode(tx as Db, pid))).toUpperCase();
    const taken = await tx.cluster.findUnique({ where: { programmeId_code: { programmeId: pid, code } } });
    if (taken) throw new BotError(ErrorCode.Conflict, 'clusters:create.codeTaken', { code });
    const hostOrgs = [];
    for (const name of input.hosts) {
      hostOrgs.push(await tx.organisation.upsert({ where: { name_country: { name, country: input.hostCountry } }, create: { name, country: input.hostCountry, kind: 'HOST' }, update: {} }));
    }
    const cluster = await tx.cluster.create({
      data: {
        programmeId: pid,
        code,
        name: input.name,
        approach: input.approach,
        timeZone: input.timeZone,
        language: input.language,
        capacity: input.capacity,
        hosts: { create: hostOrgs.map((o) => ({ organisationId: o.id })) },
        // Every cluster starts from the generic design, dates unset; the coordinator adapts it.
        timeline: { create: genericItems({}) },
        memberships: { create: { personId: actorId, role: 'COORDINATOR', status: 'ACTIVE', organisationId: hostOrgs[0]?.id } },
      },
    });
    return cluster;
  });
}

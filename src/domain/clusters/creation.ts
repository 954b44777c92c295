import type { Db } from '../../core/db.js';
import { BotError, ErrorCode } from '../../core/errors.js';
import { attachWorkspace, homeOfNewProgramme } from '../programme-workspaces.js';
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

/** Where the creator is writing from: a new programme is attached there in a multi-organisation deployment. */
export interface CreatedFrom {
  platform: string;
  slackMode: 'single' | 'oauth' | 'off';
}

/**
 * Creates a cluster with its host organisations and the generic design's timeline; the creator becomes its
 * coordinator. A programme created with it is attached, in the same transaction, to the workspace the
 * creator writes from when the deployment serves several organisations (`homeOfNewProgramme`);
 * `attachedTo` says which, so the confirmation can tell the coordinator.
 */
export async function createCluster(db: Db, actorId: string, input: NewCluster, from?: CreatedFrom) {
  const { programmes, bootstrap } = await creatablePlaces(db, actorId);
  let programmeId = input.programmeId;
  if (programmeId && !programmes.some((p) => p.id === programmeId)) throw new BotError(ErrorCode.NotAllowed, 'clusters:create.notCoordinator');
  if (!programmeId) {
    if (programmes.length === 1) programmeId = programmes[0].id;
    else if (!bootstrap) throw new BotError(ErrorCode.NotAllowed, 'clusters:create.notCoordinator');
  }
  const home = !programmeId && from ? await homeOfNewProgramme(db, actorId, from.platform, from.slackMode) : null;
  return db.$transaction(async (tx) => {
    let pid = programmeId;
    let programmeName: string | null = null;
    if (!pid) {
      const programme = await tx.programme.create({ data: { name: input.programmeName ?? input.name } });
      pid = programme.id;
      programmeName = programme.name;
      if (home) await attachWorkspace(tx as Db, pid, home, actorId);
    }
    const cluster = await insertCluster(tx as Db, actorId, pid, input);
    return { ...cluster, attachedTo: home && programmeName !== null ? { ...home, programmeName } : null };
  });
}

/** What a cluster made from another one brings along (src/domain/clusters/way-forward.ts). */
export interface ClusterOrigin {
  /** Timeline rows to start from instead of the undated generic design (e.g. the generic design dated from a start day). */
  timeline?: ReturnType<typeof genericItems>;
  /** The cluster this one follows on from. */
  followsId?: string;
  /** The host organisations themselves (the original's), instead of finding them by name and country. */
  hostIds?: string[];
  /** Further coordinators besides the creator, with the host organisation they work for. */
  coordinators?: { personId: string; organisationId: string | null }[];
}

/**
 * Inserts a cluster inside the caller's transaction: host organisations (found or created), the timeline
 * (the generic design, dates unset, unless given), and the creator as coordinator. The caller has checked
 * that the creator may create clusters in the programme.
 */
export async function insertCluster(tx: Db, actorId: string, programmeId: string, input: Omit<NewCluster, 'programmeId' | 'programmeName'>, origin: ClusterOrigin = {}) {
  const code = (input.code ?? (await nextClusterCode(tx, programmeId))).toUpperCase();
  const taken = await tx.cluster.findUnique({ where: { programmeId_code: { programmeId, code } } });
  if (taken) throw new BotError(ErrorCode.Conflict, 'clusters:create.codeTaken', { code });
  const hostOrgs: { id: string }[] = origin.hostIds?.map((id) => ({ id })) ?? [];
  for (const name of origin.hostIds ? [] : input.hosts) {
    hostOrgs.push(await tx.organisation.upsert({ where: { name_country: { name, country: input.hostCountry } }, create: { name, country: input.hostCountry, kind: 'HOST' }, update: {} }));
  }
  const others = (origin.coordinators ?? []).filter((c) => c.personId !== actorId);
  return tx.cluster.create({
    data: {
      programmeId,
      code,
      name: input.name,
      approach: input.approach,
      timeZone: input.timeZone,
      language: input.language,
      capacity: input.capacity,
      followsId: origin.followsId,
      hosts: { create: hostOrgs.map((o) => ({ organisationId: o.id })) },
      // Every cluster starts from the generic design; the coordinator adapts it.
      timeline: { create: origin.timeline ?? genericItems({}) },
      memberships: {
        create: [
          { personId: actorId, role: 'COORDINATOR', status: 'ACTIVE', organisationId: hostOrgs[0]?.id },
          ...others.map((c) => ({ personId: c.personId, role: 'COORDINATOR' as const, status: 'ACTIVE' as const, organisationId: c.organisationId, invitedById: actorId })),
        ],
      },
    },
  });
}

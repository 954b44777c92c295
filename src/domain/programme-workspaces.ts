import { z } from 'zod';
import type { Db } from '../core/db.js';
import type { Prisma } from '../generated/prisma/client.js';

/**
 * Workspaces are boundaries (issue 21, docs/clusters.md). A programme may be attached to the Slack
 * workspaces (team id, or enterprise id for an org-wide install) and Teams tenants it uses. A programme
 * with NO attachment is open to everyone, exactly as before, so single-workspace deployments change in
 * nothing. A programme with attachments is seen, offered and joined only by people who have an identity
 * in one of them. The check is on the PERSON, not the identity: a person linked across platforms keeps
 * one identity, and their web chat (which belongs to no workspace) reaches what their Slack or Teams
 * identity reaches. A person known only through the web chat reaches unattached programmes only.
 */

export const WORKSPACE_PLATFORMS = ['slack', 'teams'] as const;
export type WorkspacePlatform = (typeof WORKSPACE_PLATFORMS)[number];

export interface WorkspaceRef {
  platform: WorkspacePlatform;
  externalId: string;
}

/** What a caller may ask to attach: validated here so every entry point gets the same answer. */
export const workspaceRefSchema = z.object({
  platform: z.enum(WORKSPACE_PLATFORMS),
  // Slack team ids start with T, enterprise ids with E; Teams tenant ids are GUIDs.
  externalId: z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9-]+$/),
  name: z.string().trim().max(120).optional(),
});

/**
 * The workspace an identity comes from: the part of its externalId before the first colon
 * (Slack "T1:U1" → T1, Teams "<tenant>:<aad>" → tenant). Web identities belong to none.
 */
export function workspaceOfIdentity(platform: string, externalId: string): WorkspaceRef | null {
  const colon = externalId.indexOf(':');
  if (colon <= 0) return null;
  const head = externalId.slice(0, colon);
  if (platform === 'SLACK') return { platform: 'slack', externalId: head };
  if (platform === 'TEAMS') return { platform: 'teams', externalId: head };
  return null;
}

/**
 * Every workspace the person comes from, over all their identities. A Slack team that belongs to an
 * org-wide install (Enterprise Grid) also counts as that enterprise, so a programme attached to the
 * enterprise reaches all of its teams.
 */
export async function workspacesOfPerson(db: Db, personId: string): Promise<WorkspaceRef[]> {
  const identities = await db.platformIdentity.findMany({ where: { personId }, select: { platform: true, externalId: true } });
  const refs = identities.map((i) => workspaceOfIdentity(i.platform, i.externalId)).filter((r): r is WorkspaceRef => r !== null);
  const slackTeams = refs.filter((r) => r.platform === 'slack').map((r) => r.externalId);
  if (slackTeams.length > 0) {
    const orgs = await db.slackInstallation.findMany({
      where: { enterpriseId: { not: null }, OR: [{ teamId: { in: slackTeams } }, { teamsSeen: { hasSome: slackTeams } }] },
      select: { enterpriseId: true },
    });
    for (const o of orgs) if (o.enterpriseId) refs.push({ platform: 'slack', externalId: o.enterpriseId });
  }
  const seen = new Set<string>();
  return refs.filter((r) => {
    const key = `${r.platform}:${r.externalId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The workspace a person is writing from on a platform ("this workspace" of `/lc programme attach`): their
 * Slack team or Teams tenant. An org-wide install adds the enterprise in `workspacesOfPerson`; the team
 * itself is what "this workspace" means, and it comes first. The web chat belongs to none.
 */
export async function workspaceWrittenFrom(db: Db, personId: string, platform: string): Promise<WorkspaceRef | null> {
  if (platform !== 'SLACK' && platform !== 'TEAMS') return null;
  const wanted: WorkspacePlatform = platform === 'SLACK' ? 'slack' : 'teams';
  const mine = (await workspacesOfPerson(db, personId)).filter((w) => w.platform === wanted);
  return mine[0] ?? null;
}

/**
 * Safe by default (docs/clusters.md): where a programme a person creates is attached from the start. Only a
 * deployment serving several organisations attaches anything: Slack in OAuth mode (every install is its
 * own organisation) and Teams (any tenant may add the bot). The workspace written from; for a team of an
 * org-wide install, its enterprise, because the whole org installed the bot as one organisation. Null
 * (the programme stays open) for single-workspace Slack and the web chat, which serve one organisation.
 */
export async function homeOfNewProgramme(db: Db, personId: string, platform: string, slackMode: 'single' | 'oauth' | 'off'): Promise<WorkspaceRef | null> {
  if (platform === 'SLACK' && slackMode !== 'oauth') return null;
  const here = await workspaceWrittenFrom(db, personId, platform);
  if (!here || here.platform !== 'slack') return here;
  const org = await db.slackInstallation.findFirst({
    where: { isEnterpriseInstall: true, enterpriseId: { not: null }, OR: [{ teamId: here.externalId }, { teamsSeen: { has: here.externalId } }] },
    select: { enterpriseId: true },
  });
  return org?.enterpriseId ? { platform: 'slack', externalId: org.enterpriseId } : here;
}

/** A Prisma filter on Programme: open programmes, and those attached to one of the given workspaces. */
export function programmesReachableFrom(workspaces: WorkspaceRef[]): Prisma.ProgrammeWhereInput {
  const open: Prisma.ProgrammeWhereInput = { workspaces: { none: {} } };
  if (workspaces.length === 0) return open;
  return { OR: [open, { workspaces: { some: { OR: workspaces.map((w) => ({ platform: w.platform, externalId: w.externalId })) } } }] };
}

/** The same filter for the person: use it wherever programmes or their clusters are listed or offered. */
export async function programmesReachableBy(db: Db, personId: string): Promise<Prisma.ProgrammeWhereInput> {
  return programmesReachableFrom(await workspacesOfPerson(db, personId));
}

/** Whether the person may see, be offered or join the programme's clusters. */
export async function canReachProgramme(db: Db, personId: string, programmeId: string): Promise<boolean> {
  const where = await programmesReachableBy(db, personId);
  return (await db.programme.count({ where: { AND: [{ id: programmeId }, where] } })) > 0;
}

/** Whether the person may see or join the cluster (through its programme). */
export async function canReachCluster(db: Db, personId: string, clusterId: string): Promise<boolean> {
  const where = await programmesReachableBy(db, personId);
  return (await db.cluster.count({ where: { id: clusterId, programme: where } })) > 0;
}

/** Of the given people, those who may reach the programme (people pickers, mentions, invitations). */
export async function peopleReachingProgramme(db: Db, programmeId: string, personIds: string[]): Promise<Set<string>> {
  const attached = await db.programmeWorkspace.findMany({ where: { programmeId }, select: { platform: true, externalId: true } });
  if (attached.length === 0) return new Set(personIds);
  const allowed = new Set(attached.map((a) => `${a.platform}:${a.externalId}`));
  const out = new Set<string>();
  for (const id of personIds) {
    const mine = await workspacesOfPerson(db, id);
    if (mine.some((w) => allowed.has(`${w.platform}:${w.externalId}`))) out.add(id);
  }
  return out;
}

export interface AttachedWorkspace {
  id: string;
  platform: WorkspacePlatform;
  externalId: string;
  name: string | null;
  attachedAt: Date;
  attachedByPersonId: string | null;
}

export async function listProgrammeWorkspaces(db: Db, programmeId: string): Promise<AttachedWorkspace[]> {
  const rows = await db.programmeWorkspace.findMany({ where: { programmeId }, orderBy: [{ platform: 'asc' }, { attachedAt: 'asc' }] });
  return rows.map((r) => ({ ...r, platform: r.platform as WorkspacePlatform }));
}

/**
 * Attach a workspace; safe to repeat (double click, two instances): the unique key makes the second
 * attach a no-op. `created` says whether this call attached it.
 */
export async function attachWorkspace(
  db: Db,
  programmeId: string,
  input: { platform: WorkspacePlatform; externalId: string; name?: string },
  byPersonId?: string,
): Promise<{ created: boolean }> {
  const ref = workspaceRefSchema.parse(input);
  const rows = await db.programmeWorkspace.createMany({
    data: [{ programmeId, platform: ref.platform, externalId: ref.externalId, name: ref.name ?? null, attachedByPersonId: byPersonId ?? null }],
    skipDuplicates: true,
  });
  return { created: rows.count === 1 };
}

/**
 * Detach a workspace; safe to repeat. `reopened` says the programme has no attachment left, so it is
 * open to everyone again (the confirmation says so).
 */
export async function detachWorkspace(db: Db, programmeId: string, ref: WorkspaceRef): Promise<{ removed: boolean; reopened: boolean }> {
  const { count } = await db.programmeWorkspace.deleteMany({ where: { programmeId, platform: ref.platform, externalId: ref.externalId } });
  const left = await db.programmeWorkspace.count({ where: { programmeId } });
  return { removed: count > 0, reopened: left === 0 };
}

import type { Db } from '../../core/db.js';
import { BotError, ErrorCode } from '../../core/errors.js';
import type { Role } from '../../generated/prisma/enums.js';
import { requireRole } from '../memberships.js';
import { peopleReachingProgramme, programmesReachableBy } from '../programme-workspaces.js';

/** Who an invitation is for, however the coordinator named them. */
export type InviteeHandle =
  | { kind: 'slack'; userId: string }
  | { kind: 'teams'; name: string }
  | { kind: 'email'; email: string }
  /** Looks like an email address but is not one ("foo@", "a@b"): told so, never searched as a name. */
  | { kind: 'badEmail'; text: string }
  | { kind: 'name'; name: string };

const SLACK_MENTION = /^<@([A-Z0-9]+)(?:\|[^>]*)?>$/i;
const TEAMS_MENTION = /^<at>(.+)<\/at>$/i;
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/**
 * Splits what a coordinator typed into handles: Slack mentions (`<@U123>`), Teams mentions
 * (`<at>Name</at>`), email addresses, or display names, separated by commas or new lines.
 * Adapters pass mentions through as text, so this stays platform-neutral.
 */
export function parseHandles(text: string): InviteeHandle[] {
  const tokens = text
    .replace(/(<@[^>]+>|<at>.*?<\/at>)/gi, '\n$1\n')
    .split(/[\n,;]+/)
    .map((t) => t.trim())
    .filter(Boolean);
  return tokens.map((token): InviteeHandle => {
    const slack = SLACK_MENTION.exec(token);
    if (slack) return { kind: 'slack', userId: slack[1] };
    const teams = TEAMS_MENTION.exec(token);
    if (teams) return { kind: 'teams', name: teams[1].trim() };
    if (EMAIL.test(token)) return { kind: 'email', email: token.toLowerCase() };
    if (/^[^@]+@/.test(token)) return { kind: 'badEmail', text: token };
    return { kind: 'name', name: token.replace(/^@/, '') };
  });
}

/** A person the handle points at; for an unknown email a placeholder person the platform links on first contact. */
/**
 * Only people who can reach the cluster's programme are found (workspaces are boundaries): someone of
 * another workspace is as unknown as someone who does not exist, so a name never resolves across.
 */
async function findInvitee(db: Db, programmeId: string, handle: InviteeHandle): Promise<{ personId: string; created: boolean }> {
  const reachable = async (ids: string[]) => [...(await peopleReachingProgramme(db, programmeId, ids))];
  if (handle.kind === 'slack') {
    const identities = await db.platformIdentity.findMany({ where: { platform: 'SLACK', externalId: { endsWith: `:${handle.userId}` } }, select: { personId: true }, take: 10 });
    const [personId] = await reachable(identities.map((i) => i.personId));
    if (!personId) throw new BotError(ErrorCode.NotFound, 'clusters:invite.unknownSlack', { mention: `<@${handle.userId}>` });
    return { personId, created: false };
  }
  if (handle.kind === 'badEmail') throw new BotError(ErrorCode.InvalidInput, 'clusters:invite.badEmail', { text: handle.text });
  if (handle.kind === 'email') {
    const known = await db.person.findUnique({ where: { email: handle.email } });
    // A known address of someone outside the programme's workspaces is not invited. A placeholder (an
    // address invited before, no platform account yet) is: its invitation shows only once it signs in
    // from an attached workspace (pendingInvitations).
    const placeholder = known && (await db.platformIdentity.count({ where: { personId: known.id, platform: { in: ['SLACK', 'TEAMS'] } } })) === 0;
    if (known && !placeholder && (await reachable([known.id])).length === 0) throw new BotError(ErrorCode.NotFound, 'clusters:invite.unknownName', { name: handle.email });
    if (known) return { personId: known.id, created: false };
    // resolvePerson links a platform account to this person when the platform reports the same email.
    const created = await db.person.create({ data: { displayName: handle.email.split('@')[0], email: handle.email } });
    return { personId: created.id, created: true };
  }
  const named = await db.person.findMany({ where: { displayName: { equals: handle.name, mode: 'insensitive' }, erasedAt: null }, select: { id: true }, take: 20 });
  const people = await reachable(named.map((p) => p.id));
  if (people.length === 0) throw new BotError(ErrorCode.NotFound, 'clusters:invite.unknownName', { name: handle.name });
  if (people.length > 1) throw new BotError(ErrorCode.Conflict, 'clusters:invite.ambiguousName', { name: handle.name });
  return { personId: people[0], created: false };
}

/** What happened to one handle of an invitation. */
export type InviteOutcome =
  | { handle: string; status: 'invited' | 'reinvited' | 'already'; personId: string; membershipId: string; newPerson: boolean }
  /** Already in the cluster in another role: a second membership is not created; the coordinator may add the role. */
  | { handle: string; status: 'otherRole'; personId: string; name: string; roles: Role[]; active: boolean }
  | { handle: string; status: 'failed'; messageKey: string; vars: Record<string, unknown> };

/**
 * Invites people to a cluster in a role, for a coordinator of that cluster only. Each handle succeeds
 * or fails on its own (a typo in one name does not lose the others). An INVITED membership waits for
 * the invitee to accept; someone who had declined or left is invited again.
 */
export async function invite(db: Db, actorId: string, clusterId: string, handles: { text: string; handle: InviteeHandle }[], role: Role): Promise<InviteOutcome[]> {
  await requireRole(db, actorId, clusterId, ['COORDINATOR']);
  const { programmeId } = await db.cluster.findUniqueOrThrow({ where: { id: clusterId }, select: { programmeId: true } });
  const outcomes: InviteOutcome[] = [];
  for (const { text, handle } of handles) {
    try {
      const { personId, created } = await findInvitee(db, programmeId, handle);
      const key = { personId_clusterId_role: { personId, clusterId, role } };
      const existing = await db.membership.findUnique({ where: key });
      if (existing?.status === 'ACTIVE' || existing?.status === 'INVITED') {
        outcomes.push({ handle: text, status: 'already', personId, membershipId: existing.id, newPerson: false });
        continue;
      }
      const others = await db.membership.findMany({ where: { personId, clusterId, role: { not: role }, status: { in: ['ACTIVE', 'INVITED'] } }, include: { person: { select: { displayName: true } } } });
      if (others.length) {
        outcomes.push({ handle: text, status: 'otherRole', personId, name: others[0].person.displayName, roles: [...new Set(others.map((o) => o.role))], active: others.some((o) => o.status === 'ACTIVE') });
        continue;
      }
      const membership = await db.membership.upsert({ where: key, create: { personId, clusterId, role, status: 'INVITED', invitedById: actorId }, update: { status: 'INVITED', invitedById: actorId } });
      outcomes.push({ handle: text, status: existing ? 'reinvited' : 'invited', personId, membershipId: membership.id, newPerson: created });
    } catch (error) {
      if (!(error instanceof BotError)) throw error;
      outcomes.push({ handle: text, status: 'failed', messageKey: error.messageKey, vars: error.vars });
    }
  }
  return outcomes;
}

/**
 * Gives someone already active in the cluster one more role (a resource person who also writes a plan
 * as a member), as the coordinator chose after an invitation found them there. One person, one
 * membership per role: nothing is duplicated, and doing it twice changes nothing.
 */
export async function addRole(db: Db, actorId: string, clusterId: string, personId: string, role: Role) {
  await requireRole(db, actorId, clusterId, ['COORDINATOR']);
  const active = await db.membership.findFirst({ where: { personId, clusterId, status: 'ACTIVE' } });
  if (!active) throw new BotError(ErrorCode.Conflict, 'clusters:invite.notActive');
  const key = { personId_clusterId_role: { personId, clusterId, role } };
  const before = await db.membership.findUnique({ where: key });
  const membership = await db.membership.upsert({ where: key, create: { personId, clusterId, role, status: 'ACTIVE', invitedById: actorId, organisationId: active.organisationId }, update: { status: 'ACTIVE' } });
  return { membership, changed: before?.status !== 'ACTIVE' };
}

/** The invitee answers; only they can, and only while it is pending. */
export async function answerInvitation(db: Db, personId: string, membershipId: string, accept: boolean) {
  const membership = await db.membership.findUnique({ where: { id: membershipId }, include: { cluster: true } });
  if (!membership || membership.personId !== personId) throw new BotError(ErrorCode.NotFound, 'clusters:invite.notYours');
  if (membership.status !== 'INVITED') throw new BotError(ErrorCode.Conflict, 'clusters:invite.notPending', { code: membership.cluster.code });
  const updated = await db.membership.update({ where: { id: membershipId }, data: { status: accept ? 'ACTIVE' : 'DECLINED' } });
  return { membership: updated, cluster: membership.cluster };
}

/** Pending invitations of a person, to show them again if the direct message did not reach them. */
export async function pendingInvitations(db: Db, personId: string) {
  const reachable = await programmesReachableBy(db, personId);
  return db.membership.findMany({ where: { personId, status: 'INVITED', cluster: { archivedAt: null, programme: reachable } }, include: { cluster: true } });
}

/**
 * Bulk data for the benchmarks: clusters of members reachable on Slack, and nudges due for them.
 * Written with createMany (not through the flows) because what is measured is what happens
 * after: delivery, restoring, holding them in memory.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../src/core/db.js';

export interface Member {
  personId: string;
  /** Slack user id (team T1). */
  userId: string;
  clusterId: string;
  clusterCode: string;
}

/** Always-on working hours, so the bench measures the scheduler, not the working-hours shift. */
export const ALWAYS = { start: '00:00', end: '23:59', days: [1, 2, 3, 4, 5, 6, 7] };

/** `clusters` clusters of `perCluster` ACTIVE members each, every one with a Slack identity whose DM channel is known. */
export async function createMembers(db: Db, clusters: number, perCluster: number): Promise<Member[]> {
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const programme = await db.programme.create({ data: { name: `Bench ${tag}` } });
  const clusterRows = Array.from({ length: clusters }, (_, c) => ({
    id: `bench-${tag}-c${c}`,
    programmeId: programme.id,
    code: `B${tag}${c}`,
    name: `Bench cluster ${c}`,
    approach: 'bench',
    timeZone: 'UTC',
    language: 'en',
    capacity: perCluster,
    workingHours: ALWAYS,
  }));
  await db.cluster.createMany({ data: clusterRows });
  const members: Member[] = [];
  for (const cluster of clusterRows) {
    for (let i = 0; i < perCluster; i++) {
      const n = members.length;
      members.push({ personId: `bench-${tag}-p${n}`, userId: `UB${tag}${n}`, clusterId: cluster.id, clusterCode: cluster.code });
    }
  }
  for (let i = 0; i < members.length; i += 5000) {
    const chunk = members.slice(i, i + 5000);
    await db.person.createMany({ data: chunk.map((m) => ({ id: m.personId, displayName: `Member ${m.userId}`, timeZone: 'UTC', workingHours: ALWAYS })) });
    // Members have talked to the bot in their DM before (registering, answering): the DM's channel is kept on the identity.
    await db.platformIdentity.createMany({ data: chunk.map((m) => ({ personId: m.personId, platform: 'SLACK' as const, externalId: `T1:${m.userId}`, conversationRef: { channel: `D${m.userId.slice(1)}` } })) });
    await db.membership.createMany({ data: chunk.map((m) => ({ personId: m.personId, clusterId: m.clusterId, role: 'MEMBER' as const })) });
  }
  return members;
}

/** A coordinator's (manual) nudge row, exactly as flows/nudges.ts writes it. */
export function manualNudge(member: Member, dueAt: Date, text: string, id = `manual.bench-${randomBytes(4).toString('hex')}.${member.personId}`) {
  return {
    id,
    clusterId: member.clusterId,
    personId: member.personId,
    kind: 'manual',
    dueAt,
    payload: {
      kind: 'manual',
      clusterCode: member.clusterCode,
      clusterName: 'Bench cluster',
      anchorAt: dueAt.toISOString(),
      usefulUntil: new Date(dueAt.getTime() + 86_400_000).toISOString(),
      event: false,
      text,
      from: 'Bench coordinator',
    },
  };
}

/** Inserts nudge rows in chunks. */
export async function insertNudges(db: Db, rows: ReturnType<typeof manualNudge>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000) await db.plannedNudge.createMany({ data: rows.slice(i, i + 5000) });
}

/** People who have talked to the bot before: a person and a Slack identity (team T1) for each user id. */
export async function knownPeople(db: Db, userIds: string[]): Promise<void> {
  const tag = randomBytes(3).toString('hex');
  await db.person.createMany({ data: userIds.map((id) => ({ id: `known-${tag}-${id}`, displayName: `Person ${id}`, timeZone: 'UTC' })) });
  await db.platformIdentity.createMany({ data: userIds.map((id) => ({ personId: `known-${tag}-${id}`, platform: 'SLACK' as const, externalId: `T1:${id}` })), skipDuplicates: true });
}

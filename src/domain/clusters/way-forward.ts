import { DateTime } from 'luxon';
import type { Db } from '../../core/db.js';
import { BotError, ErrorCode } from '../../core/errors.js';
import type { WayForwardChoice } from '../../generated/prisma/enums.js';
import { requireRole } from '../memberships.js';
import { genericDates, genericItems, isDated, labelTimeline, timelineSpans, type LabelledEntry, type TimelineEntry } from '../timeline.js';
import { insertCluster } from './creation.js';
import { loadTimeline } from './timeline-edits.js';

/**
 * What comes after a cluster (the method's "continuation"): at or after its last exchange event a
 * coordinator records the way forward (continue with the same members and approach on a new timeline,
 * transform with the same members and a new approach, or form a new cluster). The bot creates the
 * follow-on cluster from that choice, linked to the original, and asks each member whether they join;
 * those who say yes become its members, and their plans of the original stay theirs to read.
 */

/** Whether the way forward may be recorded now, and if not, why and from when. */
export type WayForwardTiming<T extends TimelineEntry = TimelineEntry> =
  | { state: 'open'; event: LabelledEntry<T> }
  | { state: 'notYet'; event: LabelledEntry<T>; opensAt: Date }
  /** The last exchange event has no dates yet: nobody can say when the cluster ends. */
  | { state: 'undated'; event: LabelledEntry<T> }
  | { state: 'noEvent' };

/**
 * The event where the way forward is agreed: the one playing that role (EE3 in the generic design), else the
 * cluster's last exchange event in timeline order (removed items ignored), if it has any.
 */
export function wayForwardEvent<T extends TimelineEntry>(items: T[]): LabelledEntry<T> | undefined {
  const labelled = labelTimeline(items);
  return labelled.find((item) => item.roles.includes('WAY_FORWARD')) ?? labelled.filter((item) => item.type === 'EXCHANGE_EVENT').at(-1);
}

/** The way forward opens when that event begins: it is agreed there, and recorded then or later. */
export function wayForwardTiming<T extends TimelineEntry>(items: T[], now: Date): WayForwardTiming<T> {
  const event = wayForwardEvent(items);
  if (!event) return { state: 'noEvent' };
  if (!isDated(event)) return { state: 'undated', event };
  return now >= event.startsAt ? { state: 'open', event } : { state: 'notYet', event, opensAt: event.startsAt };
}

/** The way forward as a coordinator records it (validated by the form's schema). */
export interface WayForwardInput {
  clusterId: string;
  choice: WayForwardChoice;
  /** The follow-on's name; the original's when left out (continue, transform). */
  name?: string;
  /** The follow-on's approach: the original's for continue, a new one otherwise. */
  approach?: string;
  /** The follow-on's first day ("YYYY-MM-DD" in the cluster's zone): its generic timeline starts there. */
  startsOn: string;
  note?: string;
}

/** Thrown when the way forward cannot be recorded yet; the flow words why and from when, in the reader's zone. */
export class WayForwardClosedError extends Error {
  constructor(readonly timing: Exclude<WayForwardTiming, { state: 'open' }>) {
    super(`way forward not open: ${timing.state}`);
    this.name = 'WayForwardClosedError';
  }
}

/**
 * Records the way forward of a cluster and creates its follow-on, for a coordinator of that cluster,
 * at or after the event where it is agreed (wayForwardEvent), once per cluster: the follow-on starts from the generic design
 * dated from the chosen day, in the same programme, country, language, time zone and capacity, with the
 * same host organisations and all the original's active coordinators. Every active member of the
 * original is put down as asked (the caller asks them in chat after commit). One transaction with the
 * cluster row locked, so two coordinators deciding at once get one follow-on and one refusal.
 */
export async function recordWayForward(db: Db, actorId: string, input: WayForwardInput, now: Date) {
  return db.$transaction(async (txClient) => {
    const tx = txClient as Db;
    await requireRole(tx, actorId, input.clusterId, ['COORDINATOR']);
    await tx.$queryRaw`SELECT id FROM "Cluster" WHERE id = ${input.clusterId} FOR UPDATE`;
    const original = await tx.cluster.findUniqueOrThrow({
      where: { id: input.clusterId },
      include: { hosts: { include: { organisation: true } }, followOn: { select: { code: true } }, memberships: { where: { status: 'ACTIVE', role: { in: ['COORDINATOR', 'MEMBER'] } } } },
    });
    if (original.followOn) throw new BotError(ErrorCode.Conflict, 'after:errors.alreadyDecided', { code: original.code, followOn: original.followOn.code });
    const timing = wayForwardTiming(await loadTimeline(tx, original.id), now);
    if (timing.state !== 'open') throw new WayForwardClosedError(timing);
    const firstDay = DateTime.fromISO(input.startsOn, { zone: original.timeZone }).startOf('day');
    const followOn = await insertCluster(
      tx,
      actorId,
      original.programmeId,
      {
        name: input.name ?? original.name,
        approach: input.choice === 'CONTINUE' ? original.approach : (input.approach ?? original.approach),
        hosts: original.hosts.map((h) => h.organisation.name),
        hostCountry: original.hosts[0]?.organisation.country ?? '',
        timeZone: original.timeZone,
        language: original.language,
        capacity: original.capacity,
      },
      {
        timeline: genericItems(genericDates(firstDay)),
        followsId: original.id,
        hostIds: original.hosts.map((h) => h.organisationId),
        coordinators: original.memberships.filter((m) => m.role === 'COORDINATOR').map((m) => ({ personId: m.personId, organisationId: m.organisationId })),
      },
    );
    const members = [...new Set(original.memberships.filter((m) => m.role === 'MEMBER').map((m) => m.personId))];
    await tx.wayForward.create({
      data: {
        clusterId: original.id,
        choice: input.choice,
        note: input.note || null,
        decidedById: actorId,
        decidedAt: now,
        answers: { create: members.map((personId) => ({ personId, askedAt: now })) },
      },
    });
    return { original, followOn, asked: members };
  });
}

/** What a member's answer did. */
export interface FollowOnOutcome {
  joins: boolean;
  /** False when they had answered before: nothing changed this time. */
  changed: boolean;
  original: { id: string; code: string; name: string };
  followOn: { id: string; code: string; name: string; approach: string };
}

/**
 * A member answers whether they join the follow-on of `clusterId`: only someone who was asked, and
 * only once (the first answer stands; a second press of either button changes nothing). Yes makes
 * them an active member of the follow-on (same municipality as in the original); no, or no answer,
 * leaves them only in the original.
 */
export async function answerFollowOn(db: Db, personId: string, clusterId: string, joins: boolean, now: Date): Promise<FollowOnOutcome> {
  return db.$transaction(async (txClient) => {
    const tx = txClient as Db;
    const asked = await tx.followOnAnswer.findUnique({
      where: { clusterId_personId: { clusterId, personId } },
      include: { wayForward: { include: { cluster: { select: { id: true, code: true, name: true, followOn: { select: { id: true, code: true, name: true, approach: true } } } } } } },
    });
    const cluster = asked?.wayForward.cluster;
    if (!asked || !cluster?.followOn) throw new BotError(ErrorCode.NotFound, 'after:errors.notAsked');
    const base = { original: { id: cluster.id, code: cluster.code, name: cluster.name }, followOn: cluster.followOn };
    // The condition makes the first answer win even when two presses race.
    const { count } = await tx.followOnAnswer.updateMany({ where: { clusterId, personId, joins: null }, data: { joins, answeredAt: now } });
    if (count === 0) {
      const first = await tx.followOnAnswer.findUniqueOrThrow({ where: { clusterId_personId: { clusterId, personId } } });
      return { ...base, joins: Boolean(first.joins), changed: false };
    }
    if (joins) {
      const before = await tx.membership.findFirst({ where: { personId, clusterId, role: 'MEMBER' }, select: { organisationId: true } });
      const key = { personId_clusterId_role: { personId, clusterId: cluster.followOn.id, role: 'MEMBER' as const } };
      await tx.membership.upsert({ where: key, create: { personId, clusterId: cluster.followOn.id, role: 'MEMBER', status: 'ACTIVE', organisationId: before?.organisationId ?? null }, update: { status: 'ACTIVE' } });
    }
    return { ...base, joins, changed: true };
  });
}

/** The recorded way forward of a cluster with every answer, for its coordinators and its report; null before. */
export async function wayForwardOf(db: Db, clusterId: string) {
  const record = await db.wayForward.findUnique({
    where: { clusterId },
    include: {
      decidedBy: { select: { displayName: true } },
      cluster: { select: { code: true, followOn: { select: { id: true, code: true, name: true, approach: true, timeline: true, timeZone: true } } } },
      answers: { include: { person: { select: { displayName: true } } }, orderBy: { person: { displayName: 'asc' } } },
    },
  });
  const followOn = record?.cluster.followOn;
  if (!record || !followOn) return null;
  const { answers, cluster: _cluster, ...decision } = record;
  return {
    ...decision,
    followOn,
    /** Where the follow-on begins: its first dated item (its preparation, until its coordinators change that). */
    start: timelineSpans(followOn.timeline)[0] ?? null,
    joined: answers.filter((a) => a.joins === true),
    declined: answers.filter((a) => a.joins === false),
    waiting: answers.filter((a) => a.joins === null),
  };
}

/** The follow-on questions a person has not answered yet (home lists them: a message may not have reached them). */
export async function pendingFollowOns(db: Db, personId: string) {
  const rows = await db.followOnAnswer.findMany({
    where: { personId, joins: null },
    select: { clusterId: true, wayForward: { select: { cluster: { select: { code: true, followOn: { select: { code: true } } } } } } },
    orderBy: { askedAt: 'asc' },
  });
  return rows.flatMap((r) => (r.wayForward.cluster.followOn ? [{ clusterId: r.clusterId, code: r.wayForward.cluster.code, followOn: r.wayForward.cluster.followOn.code }] : []));
}

/** The earlier plans of a person: their plans in every cluster, newest cluster first, with what each cluster follows on from. */
export async function planHistory(db: Db, personId: string) {
  return db.actionPlan.findMany({
    where: { authorId: personId },
    select: { id: true, stage: true, approach: true, updatedAt: true, cluster: { select: { id: true, code: true, name: true, follows: { select: { code: true } } } } },
    orderBy: [{ cluster: { createdAt: 'desc' } }, { createdAt: 'desc' }],
  });
}

import { randomUUID } from 'node:crypto';
import type { Db } from '../../core/db.js';
import { BotError, ErrorCode } from '../../core/errors.js';
import type { Prisma } from '../../generated/prisma/client.js';
import type { TimelineItemType, TimelineRole } from '../../generated/prisma/enums.js';
import { requireRole } from '../memberships.js';
import { isEventType, rolesForType, type TimelineEntry } from '../timeline.js';
import { valueOf } from './timeline-edits.js';
import { timelineConflicts, type TimelineConflict } from './timeline-rules.js';

/**
 * Events shared by several clusters of a programme (EE3 of all clusters in parallel, with joint sessions).
 * The JointEvent row holds the truth of name, type, dates and place; each participating cluster has a
 * TimelineItem linked to it carrying a copy, so everything that reads a cluster's timeline (planning
 * above all) reads only that cluster's rows. A move writes every copy in one statement and reports the
 * clusters to re-plan; the work grows linearly with the clusters and the statements do not.
 */

/** What a coordinator sets on a joint event. */
export interface JointEventInput {
  type: TimelineItemType;
  title: string;
  startsAt: Date;
  endsAt: Date;
  location: string | null;
}

/** Refused because the event would break the timeline of one or more clusters (nothing is written). */
export class JointEventConflictError extends Error {
  constructor(readonly clusters: { code: string; conflicts: TimelineConflict[] }[]) {
    super(`joint event conflicts in ${clusters.map((c) => c.code).join(', ')}`);
    this.name = 'JointEventConflictError';
  }
}

type Tx = Prisma.TransactionClient;

function checkInput(input: JointEventInput): void {
  if (!isEventType(input.type)) throw new BotError(ErrorCode.InvalidInput, 'clusters:joint.eventsOnly');
}

/** The item of a cluster that takes part, as it looks once linked to the event. */
function linkedValues(event: JointEventInput & { id: string }) {
  return { type: event.type, title: event.title, startsAt: event.startsAt, endsAt: event.endsAt, location: event.location, jointEventId: event.id };
}

/** Clusters of a programme someone coordinates (active), by code. */
export async function coordinatedClustersIn(db: Db | Tx, personId: string, programmeId: string) {
  return db.cluster.findMany({
    where: { programmeId, archivedAt: null, memberships: { some: { personId, role: 'COORDINATOR', status: 'ACTIVE' } } },
    orderBy: { code: 'asc' },
  });
}

/** Locks clusters in a fixed order (so two joint edits never deadlock) and loads all their items in one query. */
async function lockAndLoad(tx: Tx, clusterIds: string[]) {
  const ids = [...new Set(clusterIds)].sort();
  await tx.$queryRaw`SELECT id FROM "Cluster" WHERE id = ANY(${ids}::text[]) ORDER BY id FOR UPDATE`;
  const [clusters, items] = await Promise.all([
    tx.cluster.findMany({ where: { id: { in: ids } }, select: { id: true, code: true, programmeId: true } }),
    tx.timelineItem.findMany({ where: { clusterId: { in: ids } } }),
  ]);
  const byCluster = new Map<string, typeof items>(ids.map((id) => [id, []]));
  for (const item of items) byCluster.get(item.clusterId)!.push(item);
  return { clusters, byCluster };
}

/**
 * Links clusters to a joint event (new or existing), inside the caller's transaction: in each cluster the
 * live item playing `role` becomes the linked one (its dates replaced by the event's), or a new item is
 * added playing that role. Every cluster's timeline is validated first; any conflict refuses them all.
 */
async function linkClusters(tx: Tx, actorId: string, event: JointEventInput & { id: string }, clusterIds: string[], role: TimelineRole | null, now: Date): Promise<void> {
  if (role && !rolesForType(event.type).includes(role)) throw new BotError(ErrorCode.InvalidInput, 'clusters:joint.roleNeedsEvent');
  const { clusters, byCluster } = await lockAndLoad(tx, clusterIds);
  const plans: { clusterId: string; existing?: TimelineEntry }[] = [];
  const refused: { code: string; conflicts: TimelineConflict[] }[] = [];
  for (const cluster of clusters) {
    const items = byCluster.get(cluster.id)!;
    if (items.some((i) => i.jointEventId === event.id && !i.removedAt)) continue;
    const existing = role ? items.find((i) => !i.removedAt && i.roles.includes(role)) : undefined;
    const linked: TimelineEntry = existing
      ? { ...existing, ...linkedValues(event) }
      : { id: 'new', ...linkedValues(event), roles: role ? [role] : [], reminders: true, position: Math.max(0, ...items.map((i) => i.position)) + 1, removedAt: null };
    const conflicts = timelineConflicts([...items.filter((i) => i.id !== existing?.id), linked]);
    if (conflicts.length) refused.push({ code: cluster.code, conflicts });
    plans.push({ clusterId: cluster.id, existing });
  }
  if (refused.length) throw new JointEventConflictError(refused);
  const editId = randomUUID();
  for (const { clusterId, existing } of plans) {
    const items = byCluster.get(clusterId)!;
    const row = existing
      ? await tx.timelineItem.update({ where: { id: existing.id }, data: linkedValues(event) })
      : await tx.timelineItem.create({ data: { clusterId, ...linkedValues(event), roles: role ? [role] : [], position: Math.max(0, ...items.map((i) => i.position)) + 1 } });
    await tx.timelineChange.create({
      data: {
        clusterId,
        itemId: row.id,
        action: existing ? 'joint' : 'added',
        editId,
        changedById: actorId,
        changedAt: now,
        oldValue: existing ? (valueOf(existing) as unknown as Prisma.InputJsonValue) : undefined,
        newValue: valueOf(row) as unknown as Prisma.InputJsonValue,
      },
    });
  }
}

/**
 * Creates a joint event of a programme with the clusters the coordinator chooses among those they
 * coordinate there (other coordinators join their clusters themselves). Returns the clusters to re-plan.
 */
export async function createJointEvent(db: Db, actorId: string, input: { programmeId: string; event: JointEventInput; clusterIds: string[]; role: TimelineRole | null }, now: Date) {
  checkInput(input.event);
  if (!input.clusterIds.length) throw new BotError(ErrorCode.InvalidInput, 'clusters:joint.noClusters');
  return db.$transaction(async (tx) => {
    const mine = await coordinatedClustersIn(tx, actorId, input.programmeId);
    for (const id of input.clusterIds) if (!mine.some((c) => c.id === id)) throw new BotError(ErrorCode.NotAllowed, 'clusters:joint.notYourCluster');
    const event = await tx.jointEvent.create({ data: { programmeId: input.programmeId, ...input.event, createdById: actorId } });
    await linkClusters(tx, actorId, event, input.clusterIds, input.role, now);
    return { jointEventId: event.id, clusterIds: [...new Set(input.clusterIds)] };
  });
}

/** Adds one more cluster (coordinated by the actor, in the event's programme) to a joint event. */
export async function joinJointEvent(db: Db, actorId: string, jointEventId: string, clusterId: string, role: TimelineRole | null, now: Date) {
  return db.$transaction(async (tx) => {
    const event = await tx.jointEvent.findUnique({ where: { id: jointEventId } });
    if (!event) throw new BotError(ErrorCode.NotFound, 'errors.notFound', { what: { key: 'things.jointEvent' } });
    await requireRole(tx as Db, actorId, clusterId, ['COORDINATOR']);
    const cluster = await tx.cluster.findUniqueOrThrow({ where: { id: clusterId } });
    if (cluster.programmeId !== event.programmeId) throw new BotError(ErrorCode.NotAllowed, 'clusters:joint.otherProgramme');
    await linkClusters(tx, actorId, event, [clusterId], role, now);
    return { clusterIds: [clusterId] };
  });
}

/**
 * Moves (or renames, or relocates) a joint event: every linked item of every cluster follows, in one
 * statement, each change recorded in that cluster's audit trail. Any coordinator of a participating
 * cluster may do it; the move is refused, naming the clusters, if it breaks the order of any of their
 * timelines. Returns the participating clusters, to re-plan them all and tell their coordinators.
 */
export async function moveJointEvent(db: Db, actorId: string, jointEventId: string, input: JointEventInput, now: Date): Promise<{ clusterIds: string[]; before: JointEventInput }> {
  checkInput(input);
  return db.$transaction(
    async (tx) => {
      const event = await tx.jointEvent.findUnique({ where: { id: jointEventId }, include: { items: { where: { removedAt: null }, select: { clusterId: true } } } });
      if (!event) throw new BotError(ErrorCode.NotFound, 'errors.notFound', { what: { key: 'things.jointEvent' } });
      const clusterIds = [...new Set(event.items.map((i) => i.clusterId))];
      const coordinates = await tx.membership.count({ where: { personId: actorId, clusterId: { in: clusterIds }, role: 'COORDINATOR', status: 'ACTIVE' } });
      if (!coordinates) throw new BotError(ErrorCode.NotAllowed, 'clusters:joint.notParticipating');
      const { clusters, byCluster } = await lockAndLoad(tx, clusterIds);
      const refused: { code: string; conflicts: TimelineConflict[] }[] = [];
      const next = { ...input, id: event.id };
      for (const cluster of clusters) {
        const items = byCluster.get(cluster.id)!.map((i) => (i.jointEventId === event.id && !i.removedAt ? { ...i, ...linkedValues(next) } : i));
        const conflicts = timelineConflicts(items);
        if (conflicts.length) refused.push({ code: cluster.code, conflicts });
      }
      if (refused.length) throw new JointEventConflictError(refused);
      const linked = [...byCluster.values()].flat().filter((i) => i.jointEventId === event.id && !i.removedAt);
      await tx.jointEvent.update({ where: { id: event.id }, data: input });
      await tx.timelineItem.updateMany({ where: { jointEventId: event.id, removedAt: null }, data: { type: input.type, title: input.title, startsAt: input.startsAt, endsAt: input.endsAt, location: input.location } });
      const editId = randomUUID();
      await tx.timelineChange.createMany({
        data: linked.map((item) => ({
          clusterId: item.clusterId,
          itemId: item.id,
          action: 'joint',
          editId,
          changedById: actorId,
          changedAt: now,
          oldValue: valueOf(item) as unknown as Prisma.InputJsonValue,
          newValue: valueOf({ ...item, ...input }) as unknown as Prisma.InputJsonValue,
        })),
      });
      const before = { type: event.type, title: event.title, startsAt: event.startsAt, endsAt: event.endsAt, location: event.location };
      return { clusterIds, before };
    },
    { timeout: 60_000 },
  );
}

/** Takes a cluster's item out of the joint event: it keeps its dates and name, and becomes the cluster's own. */
export async function leaveJointEvent(db: Db, actorId: string, itemId: string, now: Date) {
  const item = await db.timelineItem.findUnique({ where: { id: itemId } });
  if (!item?.jointEventId) throw new BotError(ErrorCode.NotFound, 'errors.notFound', { what: { key: 'things.jointEvent' } });
  await requireRole(db, actorId, item.clusterId, ['COORDINATOR']);
  await db.$transaction([
    db.timelineItem.update({ where: { id: itemId }, data: { jointEventId: null } }),
    db.timelineChange.create({ data: { clusterId: item.clusterId, itemId, action: 'changed', editId: randomUUID(), changedById: actorId, changedAt: now, oldValue: valueOf(item) as unknown as Prisma.InputJsonValue, newValue: valueOf(item) as unknown as Prisma.InputJsonValue } }),
  ]);
  return { clusterId: item.clusterId };
}

/** A programme's joint events with the clusters taking part, soonest first. */
export async function jointEventsOf(db: Db, programmeId: string) {
  return db.jointEvent.findMany({
    where: { programmeId },
    include: { items: { where: { removedAt: null }, select: { id: true, clusterId: true, cluster: { select: { code: true } } } } },
    orderBy: { startsAt: 'asc' },
  });
}

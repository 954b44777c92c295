import type { Db } from '../../core/db.js';
import { BotError, ErrorCode } from '../../core/errors.js';
import type { TimelineKind } from '../../generated/prisma/enums.js';
import { requireRole } from '../memberships.js';
import { timelineConflicts, TimelineConflictError } from './timeline-rules.js';

/** One item's new dates (UTC instants) and, for events, place. */
export interface TimelineEdit {
  clusterId: string;
  kind: TimelineKind;
  startsAt: Date;
  endsAt: Date;
  location?: string | null;
}

/**
 * Sets one item of a cluster's timeline, for a coordinator of that cluster only. The whole timeline
 * is validated with the edit applied; a conflict refuses the edit and changes nothing. The change is
 * recorded (who, when, old and new value). The caller announces it to the scheduler after commit.
 */
export async function editTimelineItem(db: Db, actorId: string, edit: TimelineEdit, now: Date): Promise<{ changed: boolean; changeId?: string }> {
  return db.$transaction(async (tx) => {
    await requireRole(tx as Db, actorId, edit.clusterId, ['COORDINATOR']);
    // Lock the cluster row so two coordinators editing at once validate against each other's result.
    await tx.$queryRaw`SELECT id FROM "Cluster" WHERE id = ${edit.clusterId} FOR UPDATE`;
    const timeline = await tx.timelineItem.findMany({ where: { clusterId: edit.clusterId } });
    const old = timeline.find((i) => i.kind === edit.kind);
    const location = edit.location === undefined ? (old?.location ?? null) : edit.location;
    const next = [...timeline.filter((i) => i.kind !== edit.kind), { kind: edit.kind, startsAt: edit.startsAt, endsAt: edit.endsAt, location }];
    const conflicts = timelineConflicts(next);
    if (conflicts.length) throw new TimelineConflictError(conflicts);
    if (old && old.startsAt.getTime() === edit.startsAt.getTime() && old.endsAt.getTime() === edit.endsAt.getTime() && old.location === location) return { changed: false };
    await tx.timelineItem.upsert({
      where: { clusterId_kind: { clusterId: edit.clusterId, kind: edit.kind } },
      create: { clusterId: edit.clusterId, kind: edit.kind, startsAt: edit.startsAt, endsAt: edit.endsAt, location },
      update: { startsAt: edit.startsAt, endsAt: edit.endsAt, location },
    });
    const change = await tx.timelineChange.create({
      data: {
        clusterId: edit.clusterId,
        kind: edit.kind,
        changedById: actorId,
        changedAt: now,
        oldValue: old ? { startsAt: old.startsAt.toISOString(), endsAt: old.endsAt.toISOString(), location: old.location } : undefined,
        newValue: { startsAt: edit.startsAt.toISOString(), endsAt: edit.endsAt.toISOString(), location },
      },
    });
    return { changed: true, changeId: change.id };
  });
}

/**
 * Undoes one recorded change by editing the item back to its old value, through the same validation
 * and log (so the undo is itself recorded and can be refused if the timeline moved on meanwhile).
 * A change that created the item (no old value) cannot be undone this way.
 */
export async function undoTimelineChange(db: Db, actorId: string, changeId: string, now: Date) {
  const change = await db.timelineChange.findUnique({ where: { id: changeId } });
  if (!change) throw new BotError(ErrorCode.NotFound, 'errors.notFound', { what: 'that change' });
  await requireRole(db, actorId, change.clusterId, ['COORDINATOR']);
  const old = change.oldValue as { startsAt: string; endsAt: string; location: string | null } | null;
  if (!old) throw new BotError(ErrorCode.Conflict, 'clusters:timeline.cannotUndo');
  const result = await editTimelineItem(db, actorId, { clusterId: change.clusterId, kind: change.kind, startsAt: new Date(old.startsAt), endsAt: new Date(old.endsAt), location: old.location }, now);
  return { ...result, clusterId: change.clusterId, kind: change.kind };
}

/** The cluster, or a friendly not-found. */
export async function loadCluster(db: Db, clusterId: string) {
  const cluster = await db.cluster.findUnique({ where: { id: clusterId }, include: { timeline: true, programme: true, hosts: { include: { organisation: true } } } });
  if (!cluster) throw new BotError(ErrorCode.NotFound, 'errors.notFound', { what: 'that cluster' });
  return cluster;
}

import { randomUUID } from 'node:crypto';
import type { Db } from '../../core/db.js';
import { BotError, ErrorCode } from '../../core/errors.js';
import type { Prisma } from '../../generated/prisma/client.js';
import type { TimelineItemType, TimelineRole } from '../../generated/prisma/enums.js';
import { requireRole } from '../memberships.js';
import type { TimelineEntry } from '../timeline.js';
import { namesAcross, timelineConflicts, TimelineConflictError } from './timeline-rules.js';

/** What an item is: everything a coordinator sets in its form. */
export interface ItemDraft {
  type: TimelineItemType;
  title: string | null;
  roles: TimelineRole[];
  startsAt: Date | null;
  endsAt: Date | null;
  location: string | null;
  reminders: boolean;
}

/** One edit of a cluster's timeline, as a coordinator makes it. */
export type TimelineEdit =
  | { action: 'add'; clusterId: string; draft: ItemDraft }
  | { action: 'change'; clusterId: string; itemId: string; draft: ItemDraft }
  | { action: 'remove'; clusterId: string; itemId: string }
  | { action: 'restore'; clusterId: string; itemId: string };

/** An item as it is stored, and as the audit trail records it (dates as ISO strings). */
interface ItemValue {
  type: TimelineItemType;
  title: string | null;
  roles: TimelineRole[];
  startsAt: string | null;
  endsAt: string | null;
  location: string | null;
  reminders: boolean;
  removed: boolean;
}

/** Id an item about to be added has in a preview (it gets its real id when saved). */
export const NEW_ITEM_ID = 'new';

/** One item the edit touches: the edited one, or one whose role the edited item takes over. */
export interface ItemChange {
  itemId: string;
  action: 'added' | 'changed' | 'removed' | 'restored';
  before: TimelineEntry | null;
  after: TimelineEntry;
  /** Roles this item lost to the edited item. */
  rolesLost: TimelineRole[];
}

/**
 * The timeline as it would be after `edit` (pure). Taking a role another item plays moves the role: the
 * other item loses it, and is listed among the changes. Items linked to a programme's joint event keep
 * the joint event's type, title, dates and place whatever the draft says: only roles and reminders are
 * the cluster's own.
 */
export function applyEdit(items: TimelineEntry[], edit: TimelineEdit): { items: TimelineEntry[]; changes: ItemChange[] } {
  const nextPosition = Math.max(0, ...items.map((i) => i.position)) + 1;
  let edited: TimelineEntry;
  let before: TimelineEntry | null = null;
  let action: ItemChange['action'];
  if (edit.action === 'add') {
    edited = { id: NEW_ITEM_ID, ...edit.draft, position: nextPosition, removedAt: null, jointEventId: null };
    action = 'added';
  } else {
    const current = items.find((i) => i.id === edit.itemId);
    if (!current) throw new BotError(ErrorCode.NotFound, 'errors.notFound', { what: { key: 'things.timelineItem' } });
    before = current;
    if (edit.action === 'remove') [edited, action] = [{ ...current, removedAt: new Date(0) }, 'removed'];
    else if (edit.action === 'restore') [edited, action] = [{ ...current, removedAt: null }, 'restored'];
    else {
      const shared = current.jointEventId ? { type: current.type, title: current.title, startsAt: current.startsAt, endsAt: current.endsAt, location: current.location ?? null } : {};
      edited = { ...current, ...edit.draft, ...shared };
      action = 'changed';
    }
  }
  const taken = new Set(edited.removedAt ? [] : edited.roles);
  const changes: ItemChange[] = [{ itemId: edited.id, action, before, after: edited, rolesLost: [] }];
  const result = items.filter((i) => i.id !== edited.id).map((item) => {
    const lost = item.removedAt ? [] : item.roles.filter((r) => taken.has(r));
    if (!lost.length) return item;
    const after = { ...item, roles: item.roles.filter((r) => !taken.has(r)) };
    changes.push({ itemId: item.id, action: 'changed', before: item, after, rolesLost: lost });
    return after;
  });
  return { items: [...result, edited], changes };
}

/**
 * An item as the audit trail records it (TimelineChange old/new value): what undo restores, so every
 * writer of timeline changes (edits here, joint events) records the same shape.
 */
export function valueOf(item: Pick<TimelineEntry, 'type' | 'title' | 'roles' | 'startsAt' | 'endsAt' | 'location' | 'reminders' | 'removedAt'>): ItemValue {
  return {
    type: item.type,
    title: item.title,
    roles: item.roles,
    startsAt: item.startsAt?.toISOString() ?? null,
    endsAt: item.endsAt?.toISOString() ?? null,
    location: item.location ?? null,
    reminders: item.reminders,
    removed: Boolean(item.removedAt),
  };
}

function sameValue(a: TimelineEntry, b: TimelineEntry): boolean {
  return JSON.stringify(valueOf(a)) === JSON.stringify(valueOf(b));
}

/** A cluster's items (removed ones too: restoring needs them), inside a transaction or not. */
export function loadTimeline(db: Pick<Db, 'timelineItem'>, clusterId: string) {
  return db.timelineItem.findMany({ where: { clusterId }, orderBy: [{ position: 'asc' }, { id: 'asc' }] });
}

/** What a saved edit did: the edited item's id, the changes recorded together (undo undoes them all). */
export interface EditResult {
  changed: boolean;
  itemId: string;
  editId?: string;
  changes: ItemChange[];
}

/**
 * Saves one edit of a cluster's timeline, for a coordinator of that cluster only. The whole timeline is
 * validated with the edit applied; a conflict refuses the edit and changes nothing. Every item it changes
 * is recorded (who, when, old and new value) under one edit id. The caller announces it to the scheduler
 * after commit.
 */
export async function saveTimelineEdit(db: Db, actorId: string, edit: TimelineEdit, now: Date): Promise<EditResult> {
  return db.$transaction(async (tx) => {
    await requireRole(tx as Db, actorId, edit.clusterId, ['COORDINATOR']);
    // Lock the cluster row so two coordinators editing at once validate against each other's result.
    await tx.$queryRaw`SELECT id FROM "Cluster" WHERE id = ${edit.clusterId} FOR UPDATE`;
    const items = await loadTimeline(tx, edit.clusterId);
    if (edit.action !== 'add' && !items.some((i) => i.id === edit.itemId)) throw new BotError(ErrorCode.NotFound, 'errors.notFound', { what: { key: 'things.timelineItem' } });
    const { items: next, changes } = applyEdit(items, edit);
    const conflicts = timelineConflicts(next, namesAcross(items, next));
    if (conflicts.length) throw new TimelineConflictError(conflicts);
    const real = changes.filter((c) => !c.before || !sameValue(c.before, c.after));
    if (!real.length) return { changed: false, itemId: changes[0].itemId, changes: [] };
    const editId = randomUUID();
    let itemId = changes[0].itemId;
    for (const change of real) {
      const a = change.after;
      if (change.action === 'added') {
        const row = await tx.timelineItem.create({
          data: { clusterId: edit.clusterId, type: a.type, title: a.title, roles: a.roles, startsAt: a.startsAt, endsAt: a.endsAt, location: a.location ?? null, reminders: a.reminders, position: a.position },
        });
        itemId = row.id;
        change.itemId = row.id;
      } else {
        await tx.timelineItem.update({
          where: { id: change.itemId },
          data: { type: a.type, title: a.title, roles: a.roles, startsAt: a.startsAt, endsAt: a.endsAt, location: a.location ?? null, reminders: a.reminders, removedAt: a.removedAt ? now : null },
        });
      }
    }
    await tx.timelineChange.createMany({
      data: real.map((c) => ({
        clusterId: edit.clusterId,
        itemId: c.itemId,
        action: c.action,
        editId,
        changedById: actorId,
        changedAt: now,
        oldValue: c.before ? (valueOf(c.before) as unknown as Prisma.InputJsonValue) : undefined,
        newValue: valueOf(c.after) as unknown as Prisma.InputJsonValue,
      })),
    });
    return { changed: true, itemId, editId, changes: real };
  });
}

/**
 * Undoes one recorded edit (every change made with it) by editing the items back, through the same
 * validation and log, so the undo is itself recorded and is refused if the timeline moved on meanwhile.
 */
export async function undoTimelineEdit(db: Db, actorId: string, editId: string, now: Date): Promise<EditResult & { clusterId: string }> {
  const changes = await db.timelineChange.findMany({ where: { editId }, orderBy: { id: 'asc' } });
  if (!changes.length) throw new BotError(ErrorCode.NotFound, 'errors.notFound', { what: { key: 'things.timelineChange' } });
  const clusterId = changes[0].clusterId;
  await requireRole(db, actorId, clusterId, ['COORDINATOR']);
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Cluster" WHERE id = ${clusterId} FOR UPDATE`;
    const items = await loadTimeline(tx, clusterId);
    const byId = new Map(items.map((i) => [i.id, i]));
    const restored: { row: (typeof items)[number]; value: ItemValue; action: ItemChange['action'] }[] = [];
    for (const change of changes) {
      const row = change.itemId ? byId.get(change.itemId) : undefined;
      if (!row) throw new BotError(ErrorCode.Conflict, 'clusters:timeline.cannotUndo');
      const old = change.oldValue as ItemValue | null;
      // An added item is undone by removing it; anything else by its old value.
      const value: ItemValue = old ?? { ...valueOf(row), removed: true };
      restored.push({ row, value, action: old ? (old.removed ? 'removed' : row.removedAt ? 'restored' : 'changed') : 'removed' });
    }
    // An item linked to a joint event keeps the event's name, dates and place: only its own fields go back.
    const ownValue = (row: (typeof items)[number], value: ItemValue) => ({ ...fromValue(value), ...(row.jointEventId ? { type: row.type, title: row.title, startsAt: row.startsAt, endsAt: row.endsAt, location: row.location } : {}) });
    const next = items.map((item) => {
      const r = restored.find((x) => x.row.id === item.id);
      if (!r) return item;
      return { ...item, ...ownValue(item, r.value), removedAt: r.value.removed ? (item.removedAt ?? now) : null };
    });
    const conflicts = timelineConflicts(next, namesAcross(items, next));
    if (conflicts.length) throw new TimelineConflictError(conflicts);
    const undoId = randomUUID();
    for (const r of restored) {
      const v = ownValue(r.row, r.value);
      await tx.timelineItem.update({ where: { id: r.row.id }, data: { ...v, removedAt: r.value.removed ? (r.row.removedAt ?? now) : null } });
    }
    await tx.timelineChange.createMany({
      data: restored.map((r) => ({
        clusterId,
        itemId: r.row.id,
        action: r.action,
        editId: undoId,
        changedById: actorId,
        changedAt: now,
        oldValue: valueOf(r.row) as unknown as Prisma.InputJsonValue,
        newValue: r.value as unknown as Prisma.InputJsonValue,
      })),
    });
    return { changed: true, itemId: restored[0].row.id, editId: undoId, changes: [], clusterId };
  });
}

function fromValue(value: ItemValue) {
  return {
    type: value.type,
    title: value.title,
    roles: value.roles,
    startsAt: value.startsAt ? new Date(value.startsAt) : null,
    endsAt: value.endsAt ? new Date(value.endsAt) : null,
    location: value.location,
    reminders: value.reminders,
  };
}

/** The cluster, or a friendly not-found. */
export async function loadCluster(db: Db, clusterId: string) {
  const cluster = await db.cluster.findUnique({ where: { id: clusterId }, include: { timeline: true, programme: true, hosts: { include: { organisation: true } } } });
  if (!cluster) throw new BotError(ErrorCode.NotFound, 'errors.notFound', { what: { key: 'things.cluster' } });
  return cluster;
}

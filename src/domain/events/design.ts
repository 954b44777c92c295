import { DateTime } from 'luxon';
import type { Db } from '../../core/db.js';
import { BotError, ErrorCode } from '../../core/errors.js';
import type { Role } from '../../generated/prisma/enums.js';
import { spanDays } from '../calendar.js';
import { requireRole } from '../memberships.js';
import { isEventType, labelTimeline, type ItemLabel, type LabelledEntry } from '../timeline.js';

/**
 * The detailed design of an event (Annex 2 of the method): goal, specific objectives, the output and
 * indicator it serves, and per day a table of sessions. Host coordinators and resource persons write it
 * together; members read its agenda only. Every edit runs in one transaction that checks the editor's
 * role, refuses a stale version (two organisers editing at once never overwrite each other), bumps the
 * version and records who changed what (EventDesignChange).
 */

/** Who writes a design. Authorisation is checked here on every edit, not only by which buttons show. */
export const DESIGN_EDITORS: Role[] = ['COORDINATOR', 'RESOURCE_PERSON'];

/** Limits of the forms, shared by the validation and the forms' maxLength. */
export const DESIGN_LIMITS = { goal: 1000, objectives: 2000, output: 500, indicator: 500, name: 150, objective: 500, content: 1500, responsible: 150, notes: 2000, sessionsPerDay: 30, days: 14 } as const;

/** One session as stored: what its form holds, with its id and place in the day. */
export interface SessionRow extends SessionDraft {
  id: string;
  position: number;
}

/** "09:00–10:30", or "09:00" for a session with no end time: how every agenda, export and reminder shows it. */
export function sessionTime(s: { startTime: string; endTime: string | null }): string {
  return s.endTime ? `${s.startTime}–${s.endTime}` : s.startTime;
}

/** A session with the name of whoever is responsible (a person of the cluster, or the free text). */
export type Session = SessionRow & { responsibleName: string | null };

/** A design as the views and exports read it. Sessions ordered by day, then position. */
export interface EventDesignView {
  id: string | null;
  goal: string | null;
  objectives: string[];
  output: string | null;
  indicator: string | null;
  version: number;
  sessions: Session[];
}

/** What members may see of a session: never the moderators' instructions or the preparation notes. */
export type AgendaSession = Pick<Session, 'id' | 'day' | 'position' | 'startTime' | 'endTime' | 'name' | 'objective' | 'responsibleName'>;

/** The event a design belongs to, with its cluster's zone and its label. */
export type DesignedEvent = LabelledEntry<{ id: string; clusterId: string; type: import('../../generated/prisma/enums.js').TimelineItemType; title: string | null; roles: import('../../generated/prisma/enums.js').TimelineRole[]; startsAt: Date | null; endsAt: Date | null; location: string | null; reminders: boolean; position: number; removedAt: Date | null; jointEventId: string | null }>;

/** The events (items with times) of a cluster's timeline, labelled, in timeline order. */
export async function clusterEvents(db: Db, clusterId: string): Promise<DesignedEvent[]> {
  const items = await db.timelineItem.findMany({ where: { clusterId } });
  return labelTimeline(items).filter((i) => isEventType(i.type));
}

/**
 * The event a command names: "EE2", a local code (TSH2, DR2, НР2) or "2" (the nth exchange event), its title or label as shown, or
 * nothing (`undefined`: the caller asks). Labels are compared in the reader's words, case-insensitive.
 */
export function findEvent(events: DesignedEvent[], arg: string, labelOf: (label: ItemLabel) => string): DesignedEvent | undefined {
  const wanted = arg.trim().toLowerCase();
  if (!wanted) return undefined;
  const byId = events.find((e) => e.id === arg.trim());
  if (byId) return byId;
  const number = /^(?:ee|tsh|dr|др|нр)?\s*(\d{1,2})$/.exec(wanted)?.[1];
  if (number) return events.find((e) => 'type' in e.label && e.label.type === 'EXCHANGE_EVENT' && e.label.n === Number(number));
  return events.find((e) => labelOf(e.label).toLowerCase() === wanted) ?? events.find((e) => labelOf(e.label).toLowerCase().startsWith(wanted));
}

/** The event with this id in this cluster, if it is a live event (the id came from a button). */
export async function eventOfCluster(db: Db, clusterId: string, itemId: string): Promise<DesignedEvent> {
  const event = (await clusterEvents(db, clusterId)).find((e) => e.id === itemId);
  if (!event) throw new BotError(ErrorCode.NotFound, 'events:errors.noEvent');
  return event;
}

/** The design of an event (an empty one, version 0, when nobody wrote it yet). */
export async function loadDesign(db: Pick<Db, 'eventDesign'>, itemId: string): Promise<EventDesignView> {
  const design = await db.eventDesign.findUnique({
    where: { itemId },
    include: { sessions: { orderBy: [{ day: 'asc' }, { position: 'asc' }], include: { responsible: { select: { displayName: true, erasedAt: true } } } } },
  });
  if (!design) return { id: null, goal: null, objectives: [], output: null, indicator: null, version: 0, sessions: [] };
  return {
    id: design.id,
    goal: design.goal,
    objectives: design.objectives,
    output: design.output,
    indicator: design.indicator,
    version: design.version,
    sessions: design.sessions.map(({ responsible, ...s }) => ({ ...s, responsibleName: responsible && !responsible.erasedAt ? responsible.displayName : s.responsibleText })),
  };
}

/** The members' agenda: sessions without the organisers' notes. */
export function agendaOf(design: EventDesignView): AgendaSession[] {
  return design.sessions.map(({ id, day, position, startTime, endTime, name, objective, responsibleName }) => ({ id, day, position, startTime, endTime, name, objective, responsibleName }));
}

/** Sessions grouped by day, days in order. */
export function byDay<T extends { day: number }>(sessions: T[]): { day: number; sessions: T[] }[] {
  const days = new Map<number, T[]>();
  for (const s of sessions) days.set(s.day, [...(days.get(s.day) ?? []), s]);
  return [...days.entries()].sort((a, b) => a[0] - b[0]).map(([day, list]) => ({ day, sessions: list }));
}

/** The calendar date (ISO) of day `n` of an event, when the event has dates. */
export function dayDate(event: Pick<DesignedEvent, 'startsAt'>, day: number, zone: string): string | undefined {
  if (!event.startsAt) return undefined;
  return DateTime.fromJSDate(event.startsAt).setZone(zone).startOf('day').plus({ days: day - 1 }).toISODate()!;
}

/** How many days sessions may be planned on: the event's days, or (undated) one more than the last used. */
export function plannableDays(event: Pick<DesignedEvent, 'startsAt' | 'endsAt'>, design: EventDesignView, zone: string): number {
  const used = Math.max(0, ...design.sessions.map((s) => s.day));
  if (event.startsAt && event.endsAt) {
    const { first, last } = spanDays({ startsAt: event.startsAt, endsAt: event.endsAt, allDay: false }, zone);
    const days = DateTime.fromISO(last).diff(DateTime.fromISO(first), 'days').days + 1;
    return Math.min(DESIGN_LIMITS.days, Math.max(days, used));
  }
  return Math.min(DESIGN_LIMITS.days, used + 1);
}

/** What a form edits: the goals part, or one session. */
export interface GoalsDraft {
  goal: string | null;
  objectives: string[];
  output: string | null;
  indicator: string | null;
}

export interface SessionDraft {
  day: number;
  startTime: string;
  endTime: string | null;
  name: string;
  objective: string | null;
  content: string | null;
  responsibleId: string | null;
  responsibleText: string | null;
  moderatorNotes: string | null;
  preparationNotes: string | null;
}

/** One edit of a design. */
export type DesignEdit =
  | { action: 'goals'; draft: GoalsDraft }
  | { action: 'session-added'; draft: SessionDraft }
  | { action: 'session-changed'; sessionId: string; draft: SessionDraft }
  | { action: 'session-removed'; sessionId: string }
  | { action: 'session-moved'; sessionId: string; direction: 'up' | 'down' }
  | { action: 'day-copied'; from: number; to: number }
  | { action: 'design-copied'; fromItemId: string };

/** The design changed since the form or button was made: nothing was saved. */
export class StaleDesignError extends Error {
  constructor() {
    super('The design changed meanwhile');
  }
}

/** Keeps a session's order numbers dense within each day, as they are read. */
async function renumber(tx: Pick<Db, 'eventSession'>, designId: string, day: number): Promise<void> {
  const rows = await tx.eventSession.findMany({ where: { designId, day }, orderBy: [{ position: 'asc' }, { startTime: 'asc' }, { id: 'asc' }], select: { id: true, position: true } });
  for (const [i, row] of rows.entries()) if (row.position !== i + 1) await tx.eventSession.update({ where: { id: row.id }, data: { position: i + 1 } });
}

/**
 * Saves one edit, for a coordinator or resource person of the event's cluster, when the design is still
 * at `expectedVersion` (the version the form or button was made from). Returns the new version.
 * A responsible person must belong to the cluster; a design is copied only from the same event of another
 * cluster of the programme (its organisers share their designs; members see none of it).
 */
export async function saveDesignEdit(db: Db, actorId: string, clusterId: string, itemId: string, expectedVersion: number, edit: DesignEdit, now: Date): Promise<{ version: number; sessionId?: string }> {
  return db.$transaction(async (tx) => {
    await requireRole(tx as Db, actorId, clusterId, DESIGN_EDITORS);
    const item = await tx.timelineItem.findFirst({ where: { id: itemId, clusterId, removedAt: null }, select: { id: true, type: true } });
    if (!item || !isEventType(item.type)) throw new BotError(ErrorCode.NotFound, 'events:errors.noEvent');
    // One row per event, locked: two organisers saving at once are serialised, and the version decides.
    await tx.$executeRaw`INSERT INTO "EventDesign" ("id", "itemId", "objectives", "version", "updatedAt") VALUES (${`ed_${itemId}`}, ${itemId}, '{}', 0, ${now}) ON CONFLICT ("itemId") DO NOTHING`;
    const [locked] = await tx.$queryRaw<{ id: string; version: number }[]>`SELECT "id", "version" FROM "EventDesign" WHERE "itemId" = ${itemId} FOR UPDATE`;
    if (locked.version !== expectedVersion) throw new StaleDesignError();
    const designId = locked.id;
    const before = await loadDesign(tx as Db, itemId);
    const sessions = before.sessions;
    const find = (id: string) => {
      const s = sessions.find((x) => x.id === id);
      if (!s) throw new StaleDesignError();
      return s;
    };
    const checkResponsible = async (draft: SessionDraft) => {
      if (!draft.responsibleId) return;
      const member = await tx.membership.findFirst({ where: { clusterId, personId: draft.responsibleId, status: 'ACTIVE' }, select: { id: true } });
      if (!member) throw new BotError(ErrorCode.InvalidInput, 'events:errors.notInCluster');
    };
    let oldValue: unknown = null;
    let newValue: unknown = null;
    let sessionId: string | undefined;
    switch (edit.action) {
      case 'goals': {
        oldValue = { goal: before.goal, objectives: before.objectives, output: before.output, indicator: before.indicator };
        newValue = edit.draft;
        await tx.eventDesign.update({ where: { id: designId }, data: edit.draft });
        break;
      }
      case 'session-added': {
        await checkResponsible(edit.draft);
        if (sessions.filter((s) => s.day === edit.draft.day).length >= DESIGN_LIMITS.sessionsPerDay) throw new BotError(ErrorCode.InvalidInput, 'events:errors.dayFull', { max: DESIGN_LIMITS.sessionsPerDay });
        // Placed by its start time among the day's sessions: organisers rarely add them in order.
        const day = sessions.filter((s) => s.day === edit.draft.day);
        const index = day.filter((s) => s.startTime <= edit.draft.startTime).length;
        for (const s of day.slice(index)) await tx.eventSession.update({ where: { id: s.id }, data: { position: s.position + 1 } });
        const row = await tx.eventSession.create({ data: { designId, ...edit.draft, position: (day[index - 1]?.position ?? 0) + 1 } });
        await renumber(tx, designId, edit.draft.day);
        sessionId = row.id;
        newValue = { id: row.id, ...edit.draft };
        break;
      }
      case 'session-changed': {
        const current = find(edit.sessionId);
        await checkResponsible(edit.draft);
        oldValue = sessionValue(current);
        newValue = { id: current.id, ...edit.draft };
        const moved = current.day !== edit.draft.day;
        await tx.eventSession.update({ where: { id: current.id }, data: { ...edit.draft, ...(moved ? { position: 1000 } : {}) } });
        if (moved) {
          await renumber(tx, designId, current.day);
          await renumber(tx, designId, edit.draft.day);
        }
        sessionId = current.id;
        break;
      }
      case 'session-removed': {
        const current = find(edit.sessionId);
        oldValue = sessionValue(current);
        await tx.eventSession.delete({ where: { id: current.id } });
        await renumber(tx, designId, current.day);
        break;
      }
      case 'session-moved': {
        const current = find(edit.sessionId);
        const day = sessions.filter((s) => s.day === current.day);
        const index = day.findIndex((s) => s.id === current.id);
        const other = day[edit.direction === 'up' ? index - 1 : index + 1];
        if (other) {
          await tx.eventSession.update({ where: { id: current.id }, data: { position: other.position } });
          await tx.eventSession.update({ where: { id: other.id }, data: { position: current.position } });
        }
        oldValue = { id: current.id, day: current.day, position: current.position };
        newValue = { id: current.id, day: current.day, position: other?.position ?? current.position };
        sessionId = current.id;
        break;
      }
      case 'day-copied': {
        const source = sessions.filter((s) => s.day === edit.from);
        const existing = sessions.filter((s) => s.day === edit.to).length;
        if (!source.length) throw new BotError(ErrorCode.InvalidInput, 'events:errors.emptyDay', { day: edit.from });
        if (existing + source.length > DESIGN_LIMITS.sessionsPerDay) throw new BotError(ErrorCode.InvalidInput, 'events:errors.dayFull', { max: DESIGN_LIMITS.sessionsPerDay });
        await tx.eventSession.createMany({ data: source.map((s, i) => ({ ...copyable(s), designId, day: edit.to, position: existing + i + 1 })) });
        newValue = { from: edit.from, to: edit.to, sessions: source.length };
        break;
      }
      case 'design-copied': {
        const target = await tx.cluster.findUniqueOrThrow({ where: { id: clusterId }, select: { programmeId: true } });
        const source = await tx.timelineItem.findFirst({ where: { id: edit.fromItemId, removedAt: null, clusterId: { not: clusterId }, cluster: { programmeId: target.programmeId } }, select: { id: true, clusterId: true } });
        if (!source) throw new BotError(ErrorCode.NotFound, 'events:errors.noSource');
        const from = await loadDesign(tx as Db, source.id);
        if (!from.id) throw new BotError(ErrorCode.NotFound, 'events:errors.noSource');
        // People of the other cluster are named as text here: they are not people of this cluster.
        const members = new Set((await tx.membership.findMany({ where: { clusterId, status: 'ACTIVE' }, select: { personId: true } })).map((m) => m.personId));
        oldValue = { goal: before.goal, objectives: before.objectives, output: before.output, indicator: before.indicator, sessions: sessions.map(sessionValue) };
        await tx.eventSession.deleteMany({ where: { designId } });
        await tx.eventDesign.update({ where: { id: designId }, data: { goal: from.goal, objectives: from.objectives, output: from.output, indicator: from.indicator } });
        await tx.eventSession.createMany({
          data: from.sessions.map((s) => {
            const keep = s.responsibleId && members.has(s.responsibleId);
            return { ...copyable(s), designId, day: s.day, position: s.position, responsibleId: keep ? s.responsibleId : null, responsibleText: keep ? s.responsibleText : s.responsibleName };
          }),
        });
        newValue = { fromItemId: source.id, fromClusterId: source.clusterId, sessions: from.sessions.length };
        break;
      }
    }
    const version = expectedVersion + 1;
    await tx.eventDesign.update({ where: { id: designId }, data: { version } });
    await tx.eventDesignChange.create({ data: { designId, action: edit.action, changedById: actorId, changedAt: now, oldValue: (oldValue ?? undefined) as never, newValue: (newValue ?? undefined) as never } });
    return { version, sessionId };
  });
}

function copyable(s: SessionRow) {
  return { startTime: s.startTime, endTime: s.endTime, name: s.name, objective: s.objective, content: s.content, responsibleId: s.responsibleId, responsibleText: s.responsibleText, moderatorNotes: s.moderatorNotes, preparationNotes: s.preparationNotes };
}

function sessionValue(s: SessionRow) {
  return { id: s.id, day: s.day, position: s.position, ...copyable(s) };
}

/**
 * The same event in the other clusters of the programme that have a design to copy: same label
 * (Exchange event 2 ↔ Exchange event 2, or the same title), for the copy form's choices.
 */
export async function copySources(db: Db, clusterId: string, event: DesignedEvent): Promise<{ itemId: string; clusterCode: string; sessions: number }[]> {
  const cluster = await db.cluster.findUniqueOrThrow({ where: { id: clusterId }, select: { programmeId: true } });
  const others = await db.cluster.findMany({ where: { programmeId: cluster.programmeId, id: { not: clusterId }, archivedAt: null }, select: { id: true, code: true, timeline: { include: { design: { select: { _count: { select: { sessions: true } } } } } } }, orderBy: { code: 'asc' } });
  const same = (label: ItemLabel) => JSON.stringify(label) === JSON.stringify(event.label);
  return others.flatMap((c) => {
    const match = labelTimeline(c.timeline).find((i) => isEventType(i.type) && same(i.label) && i.design);
    return match?.design ? [{ itemId: match.id, clusterCode: c.code, sessions: match.design._count.sessions }] : [];
  });
}

/** Whether this person may edit the designs of this cluster (for which controls a view shows). */
export async function isDesignEditor(db: Db, personId: string, clusterId: string): Promise<boolean> {
  return Boolean(await db.membership.findFirst({ where: { personId, clusterId, status: 'ACTIVE', role: { in: DESIGN_EDITORS } }, select: { id: true } }));
}

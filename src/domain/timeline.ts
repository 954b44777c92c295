import type { Translate } from '../core/i18n.js';
import { md } from '../core/markup.js';
import type { TimelineKind } from '../generated/prisma/enums.js';
import { formatSpan, formatStart, phaseOf, phaseSentence, upcomingSpans, type CalendarSpan, type Phase, type Viewer } from './calendar.js';

/** The generic order of a cluster's timeline (../shared/domain.md). */
export const TIMELINE_ORDER: TimelineKind[] = ['PREPARATION', 'EE1', 'CONCEPTUALISATION', 'EE2', 'APPLICATION', 'EE3', 'CONTINUATION'];

export const EXCHANGE_EVENTS: TimelineKind[] = ['EE1', 'EE2', 'EE3'];

export interface TimelineEntry {
  kind: TimelineKind;
  startsAt: Date;
  endsAt: Date;
  location?: string | null;
}

/** A timeline item with what the calendar needs to show it (src/domain/calendar.ts). */
export type TimelineSpan<T extends TimelineEntry = TimelineEntry> = T & CalendarSpan;

/**
 * Whether an item is whole days (a period) or has times (an event). The only place that decides it
 * from the kind, so a timeline whose items carry their own shape changes this function alone.
 */
export function isAllDay(item: Pick<TimelineEntry, 'kind'>): boolean {
  return !EXCHANGE_EVENTS.includes(item.kind);
}

/** The items in timeline order, each marked all-day or not, ready for the calendar. */
export function timelineSpans<T extends TimelineEntry>(timeline: T[]): TimelineSpan<T>[] {
  return sortTimeline(timeline).map((item) => ({ ...item, allDay: isAllDay(item) }));
}

/** The item's name in the viewer's language. */
export function itemTitle(t: Translate, item: Pick<TimelineEntry, 'kind'>): string {
  return t(`timeline.${item.kind}`);
}

/** Where the cluster stands at `now` (a phase, between two, not started or ended). */
export function phaseAt<T extends TimelineEntry>(timeline: T[], now: Date): Phase<TimelineSpan<T>> {
  return phaseOf(timelineSpans(timeline), now);
}

/** Items that start after `now`, soonest first. */
export function upcoming<T extends TimelineEntry>(timeline: T[], now: Date, limit = 3): TimelineSpan<T>[] {
  return upcomingSpans(timelineSpans(timeline), now, limit);
}

export function sortTimeline<T extends TimelineEntry>(timeline: T[]): T[] {
  return [...timeline].sort((a, b) => TIMELINE_ORDER.indexOf(a.kind) - TIMELINE_ORDER.indexOf(b.kind));
}

/** A cluster as the shared timeline views need it. */
export interface ClusterCalendar<T extends TimelineEntry = TimelineEntry> {
  timeZone: string;
  timeline: T[];
}

/**
 * The phase sentence and the next dates of a cluster, as home, `/lc me` and `/lc status` show them:
 * one wording and one calendar for all (periods as their first and last day, events as times).
 */
export function timelineGlance(t: Translate, cluster: ClusterCalendar, viewer: Viewer, now: Date, limit: number): { phase: string; next: string[] } {
  const phase = phaseSentence(t, phaseAt(cluster.timeline, now), (item) => itemTitle(t, item), viewer, cluster.timeZone);
  const next = upcoming(cluster.timeline, now, limit).map((item) => {
    const when = item.allDay ? formatSpan(item, viewer, cluster.timeZone) : formatStart(item, viewer, cluster.timeZone);
    const where = !item.allDay && item.location ? md` (${item.location})` : '';
    return `- ${itemTitle(t, item)}: ${when}${where}`;
  });
  return { phase, next };
}

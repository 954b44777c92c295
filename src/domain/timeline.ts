import type { TimelineKind } from '../generated/prisma/enums.js';

/** The generic order of a cluster's timeline (../shared/domain.md). */
export const TIMELINE_ORDER: TimelineKind[] = ['PREPARATION', 'EE1', 'CONCEPTUALISATION', 'EE2', 'APPLICATION', 'EE3', 'CONTINUATION'];

export const EXCHANGE_EVENTS: TimelineKind[] = ['EE1', 'EE2', 'EE3'];

export interface TimelineEntry {
  kind: TimelineKind;
  startsAt: Date;
  endsAt: Date;
  location?: string | null;
}

/** The phase a cluster is in at `now`: the item that contains now, or the last one begun. */
export function phaseAt(timeline: TimelineEntry[], now: Date): TimelineKind | 'NOT_STARTED' {
  const sorted = sortTimeline(timeline);
  const current = sorted.find((item) => item.startsAt <= now && now < item.endsAt);
  if (current) return current.kind;
  const begun = sorted.filter((item) => item.startsAt <= now);
  return begun.length ? begun[begun.length - 1].kind : 'NOT_STARTED';
}

/** Items that start after `now`, soonest first. */
export function upcoming(timeline: TimelineEntry[], now: Date, limit = 3): TimelineEntry[] {
  return sortTimeline(timeline)
    .filter((item) => item.startsAt > now)
    .slice(0, limit);
}

export function sortTimeline<T extends TimelineEntry>(timeline: T[]): T[] {
  return [...timeline].sort((a, b) => TIMELINE_ORDER.indexOf(a.kind) - TIMELINE_ORDER.indexOf(b.kind));
}

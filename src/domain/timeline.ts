import type { DateTime } from 'luxon';
import type { Translate } from '../core/i18n.js';
import { md } from '../core/markup.js';
import type { TimelineItemType, TimelineRole } from '../generated/prisma/enums.js';
import { formatSpan, formatStart, phaseOf, phaseSentence, upcomingSpans, type CalendarSpan, type Phase, type Viewer } from './calendar.js';

/**
 * A cluster's timeline: free items (events with times, periods of whole days) that each have a type, an
 * optional title and the roles they play in the method. Everything that used to ask "is this EE2?" asks
 * "which item presents the concepts?" here, so a cluster may have four exchange events, a field visit and
 * no application period, and the bot still knows what to remind people of (and says what it cannot).
 */

/** Types that have start and end times; every other type is a period of whole days. */
export const EVENT_TYPES: readonly TimelineItemType[] = ['EXCHANGE_EVENT', 'ORIENTATION_MEETING', 'WEBINAR', 'COACHING_SESSION', 'FIELD_VISIT', 'OTHER_EVENT'];

/** Period types, in the order the add form offers them. */
export const PERIOD_TYPES: readonly TimelineItemType[] = ['PREPARATION', 'ECOURSE', 'CONCEPTUALISATION', 'APPLICATION', 'CONTINUATION', 'OTHER_PERIOD'];

/** Every type, events first, as forms list them. */
export const ITEM_TYPES: readonly TimelineItemType[] = [...EVENT_TYPES, ...PERIOD_TYPES];

/** The roles in the order the method plays them; items with roles must start in this order. */
export const ROLE_ORDER: readonly TimelineRole[] = ['TEMPLATE_INTRODUCED', 'CONCEPTS_DRAFTED', 'CONCEPTS_PRESENTED', 'APPLICATION', 'FIRST_EXPERIENCES', 'WAY_FORWARD'];

/** Roles only an event can play (something happens at a meeting) and only a period can play (work over weeks). */
export const EVENT_ROLES: readonly TimelineRole[] = ['TEMPLATE_INTRODUCED', 'CONCEPTS_PRESENTED', 'FIRST_EXPERIENCES', 'WAY_FORWARD'];
export const PERIOD_ROLES: readonly TimelineRole[] = ['CONCEPTS_DRAFTED', 'APPLICATION'];

/** The method's names for the seven items of its generic design (never stored: items have types and roles). */
export type GenericKey = 'PREPARATION' | 'EE1' | 'CONCEPTUALISATION' | 'EE2' | 'APPLICATION' | 'EE3' | 'CONTINUATION';

/** The generic design every new cluster starts from (../shared/domain.md), in order, dates unset. */
export const GENERIC_DESIGN: readonly { key: GenericKey; type: TimelineItemType; roles: TimelineRole[] }[] = [
  { key: 'PREPARATION', type: 'PREPARATION', roles: [] },
  { key: 'EE1', type: 'EXCHANGE_EVENT', roles: ['TEMPLATE_INTRODUCED'] },
  { key: 'CONCEPTUALISATION', type: 'CONCEPTUALISATION', roles: ['CONCEPTS_DRAFTED'] },
  { key: 'EE2', type: 'EXCHANGE_EVENT', roles: ['CONCEPTS_PRESENTED'] },
  { key: 'APPLICATION', type: 'APPLICATION', roles: ['APPLICATION'] },
  { key: 'EE3', type: 'EXCHANGE_EVENT', roles: ['FIRST_EXPERIENCES', 'WAY_FORWARD'] },
  { key: 'CONTINUATION', type: 'CONTINUATION', roles: [] },
];

/** The generic design's items with dates (demo data, imports, tests), as rows to create under a cluster. */
export function genericItems(dates: Partial<Record<GenericKey, { startsAt: Date; endsAt: Date; location?: string | null }>>) {
  return GENERIC_DESIGN.map((item, index) => ({ type: item.type, roles: [...item.roles], position: index + 1, ...(dates[item.key] ?? {}) }));
}

/**
 * The generic design dated from its first day (the start of the preparation, midnight in the cluster's
 * zone): a 32-week cluster with three weeks of preparation, two-day exchange events from 10:00 to 16:00,
 * about a month of conceptualisation, two months of application and a continuation period. Demo data
 * and follow-on clusters start from it; coordinators move it to their own dates.
 */
export function genericDates(firstDay: DateTime): Record<GenericKey, { startsAt: Date; endsAt: Date }> {
  const period = (from: number, to: number) => ({ startsAt: firstDay.plus({ days: from }).toJSDate(), endsAt: firstDay.plus({ days: to }).toJSDate() });
  const event = (day: number, days = 2) => ({
    startsAt: firstDay.plus({ days: day, hours: 10 }).toJSDate(),
    endsAt: firstDay.plus({ days: day + days - 1, hours: 16 }).toJSDate(),
  });
  return {
    PREPARATION: period(0, 21),
    EE1: event(22),
    CONCEPTUALISATION: period(24, 56),
    EE2: event(57),
    APPLICATION: period(59, 122),
    EE3: event(123),
    CONTINUATION: period(126, 222),
  };
}

/** One item as the timeline's rules and views need it (a TimelineItem row fits). */
export interface TimelineEntry {
  id: string;
  type: TimelineItemType;
  title: string | null;
  roles: TimelineRole[];
  startsAt: Date | null;
  endsAt: Date | null;
  location?: string | null;
  reminders: boolean;
  position: number;
  removedAt?: Date | null;
  jointEventId?: string | null;
}

/** An item with its dates set. */
export type DatedEntry<T extends TimelineEntry = TimelineEntry> = T & { startsAt: Date; endsAt: Date };

/**
 * What an item is called: the coordinator's title, or its type's name, numbered when the timeline has
 * several of that type (exchange events always, as the method counts them). Kept as data so a nudge
 * planned today reads in the language of whoever receives it.
 */
export type ItemLabel = { text: string } | { type: TimelineItemType; n?: number };

/** An item with its label. */
export type LabelledEntry<T extends TimelineEntry = TimelineEntry> = T & { label: ItemLabel };

/** A dated item ready for the calendar (src/domain/calendar.ts). */
export type TimelineSpan<T extends TimelineEntry = TimelineEntry> = LabelledEntry<DatedEntry<T>> & CalendarSpan;

/** True for types with times. */
export function isEventType(type: TimelineItemType): boolean {
  return EVENT_TYPES.includes(type);
}

/** Whether an item is whole days (a period) or has times (an event): decided by its type alone. */
export function isAllDay(item: Pick<TimelineEntry, 'type'>): boolean {
  return !isEventType(item.type);
}

/** The roles an item of this type may play. */
export function rolesForType(type: TimelineItemType): readonly TimelineRole[] {
  return isEventType(type) ? EVENT_ROLES : PERIOD_ROLES;
}

/** True when both dates are set. */
export function isDated<T extends TimelineEntry>(item: T): item is DatedEntry<T> {
  return item.startsAt !== null && item.endsAt !== null;
}

/**
 * The items that count (not removed), in timeline order: by start, with undated items kept where the design
 * put them (after the dated item that precedes them by position), so a new cluster's half-dated generic
 * design still reads in the method's order.
 */
export function orderTimeline<T extends TimelineEntry>(items: T[]): T[] {
  const live = items.filter((i) => !i.removedAt).sort((a, b) => a.position - b.position || a.id.localeCompare(b.id));
  let anchor = Number.NEGATIVE_INFINITY;
  const keyed = live.map((item, index) => {
    if (isDated(item)) anchor = item.startsAt.getTime();
    return { item, at: isDated(item) ? item.startsAt.getTime() : anchor, dated: isDated(item) ? 0 : 1, index };
  });
  keyed.sort((a, b) => a.at - b.at || a.dated - b.dated || a.index - b.index);
  return keyed.map((k) => k.item);
}

/** The live items in timeline order, each with its label (numbering depends on the whole timeline). */
export function labelTimeline<T extends TimelineEntry>(items: T[]): LabelledEntry<T>[] {
  const ordered = orderTimeline(items);
  const totals = new Map<TimelineItemType, number>();
  for (const item of ordered) if (!item.title) totals.set(item.type, (totals.get(item.type) ?? 0) + 1);
  const seen = new Map<TimelineItemType, number>();
  return ordered.map((item) => {
    if (item.title) return { ...item, label: { text: item.title } };
    const n = (seen.get(item.type) ?? 0) + 1;
    seen.set(item.type, n);
    const numbered = item.type === 'EXCHANGE_EVENT' || (totals.get(item.type) ?? 0) > 1;
    return { ...item, label: numbered ? { type: item.type, n } : { type: item.type } };
  });
}

/** A label in the reader's language. */
export function labelText(t: Translate, label: ItemLabel): string {
  if ('text' in label) return label.text;
  const name = t(`timeline.type.${label.type}`);
  return label.n === undefined ? name : t('timeline.numbered', { name, n: label.n });
}

/** The item's name in the viewer's language. */
export function itemTitle(t: Translate, item: { label: ItemLabel }): string {
  return labelText(t, item.label);
}

/** The dated live items in timeline order, labelled and marked all-day or not, ready for the calendar. */
export function timelineSpans<T extends TimelineEntry>(items: T[]): TimelineSpan<T>[] {
  return labelTimeline(items)
    .filter((item): item is LabelledEntry<DatedEntry<T>> => isDated(item))
    .map((item) => ({ ...item, allDay: isAllDay(item) }));
}

/** The live item playing `role`, labelled, if the timeline has one (dated or not). */
export function itemWithRole<T extends TimelineEntry>(items: T[], role: TimelineRole): LabelledEntry<T> | undefined {
  return labelTimeline(items).find((item) => item.roles.includes(role));
}

/** The live, dated item playing `role`, if any: what nudges, deadlines and automatic steps anchor on. */
export function datedItemWithRole<T extends TimelineEntry>(items: T[], role: TimelineRole): TimelineSpan<T> | undefined {
  return timelineSpans(items).find((item) => item.roles.includes(role));
}

/** Roles no live item plays: a cluster without them simply has no nudges or automatic steps for them. */
export function missingRoles(items: TimelineEntry[]): TimelineRole[] {
  const played = new Set(items.filter((i) => !i.removedAt).flatMap((i) => i.roles));
  return ROLE_ORDER.filter((role) => !played.has(role));
}

/**
 * Items that make up the phases of a cluster: periods and exchange events. A webinar or a coaching
 * session during the conceptualisation period is a date to keep, not a phase the cluster is in.
 */
export function isPhaseItem(item: Pick<TimelineEntry, 'type'>): boolean {
  return item.type === 'EXCHANGE_EVENT' || isAllDay(item);
}

/** Where the cluster stands at `now` (a phase, between two, not started or ended). */
export function phaseAt<T extends TimelineEntry>(items: T[], now: Date): Phase<TimelineSpan<T>> {
  return phaseOf(timelineSpans(items).filter(isPhaseItem), now);
}

/** Items (events and periods) that start after `now`, soonest first. */
export function upcoming<T extends TimelineEntry>(items: T[], now: Date, limit = 3): TimelineSpan<T>[] {
  return upcomingSpans(timelineSpans(items), now, limit);
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

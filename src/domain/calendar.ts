import { DateTime } from 'luxon';
import { dayText, dayTimeText, formatter } from '../core/format.js';
import type { Translate } from '../core/i18n.js';

/**
 * The one calendar of a cluster. Every view, document, hint and nudge that shows a timeline date asks
 * this module, so they cannot disagree:
 *
 * - A **period** (all-day span) is a range of calendar days of the cluster: its first and last day are
 *   dates in the cluster's time zone, the same for every viewer wherever they are. It is stored as the
 *   midnight that starts its first day and the midnight after its last day (an exclusive end), both in
 *   the cluster's zone; nothing outside this module reads those instants as dates.
 * - An **event** has times. They are shown in the viewer's zone, and the zone is named when the
 *   viewer's clock differs from the cluster's at that moment (so nobody misreads someone else's time).
 *
 * Knows nothing of the kinds of timeline items: callers say whether a span is all-day.
 */

/** A span of a cluster's timeline as the calendar needs it. */
export interface CalendarSpan {
  startsAt: Date;
  endsAt: Date;
  /** Whole days (a period) rather than times (an event). */
  allDay: boolean;
}

/** Who a date is shown to: their zone (for times) and language (for names of days and months). */
export interface Viewer {
  timeZone: string;
  locale: string;
}

/** First and last calendar day of a span, as ISO dates (YYYY-MM-DD), both inclusive. */
export interface SpanDays {
  first: string;
  last: string;
}

/**
 * The calendar date of the midnight nearest to `instant` in `zone`. Periods written before this
 * module existed were sometimes stored at the editor's midnight rather than the cluster's; rounding
 * to the nearest midnight reads them as the day that was meant (any zone within ±12 hours).
 */
function nearestMidnightDate(instant: Date, zone: string): string {
  const local = DateTime.fromJSDate(instant).setZone(zone);
  return (local.hour >= 12 ? local.plus({ days: 1 }) : local).toISODate()!;
}

/** The first and last calendar day of a span in the cluster's zone (inclusive). */
export function spanDays(span: CalendarSpan, clusterZone: string): SpanDays {
  if (!span.allDay) {
    return {
      first: DateTime.fromJSDate(span.startsAt).setZone(clusterZone).toISODate()!,
      last: DateTime.fromJSDate(span.endsAt).setZone(clusterZone).toISODate()!,
    };
  }
  const first = nearestMidnightDate(span.startsAt, clusterZone);
  const last = DateTime.fromISO(nearestMidnightDate(span.endsAt, clusterZone)).minus({ days: 1 }).toISODate()!;
  return { first, last: last < first ? first : last };
}

/** The instants to store for a period from its first and last day (inclusive), in the cluster's zone. */
export function periodInstants(first: string, last: string, clusterZone: string): { startsAt: Date; endsAt: Date } {
  return {
    startsAt: DateTime.fromISO(first, { zone: clusterZone }).startOf('day').toJSDate(),
    endsAt: DateTime.fromISO(last, { zone: clusterZone }).startOf('day').plus({ days: 1 }).toJSDate(),
  };
}

/** The instant of a wall-clock date and time ("2026-12-01", "10:00") in a zone. */
export function localInstant(date: string, time: string, zone: string): Date {
  return DateTime.fromISO(`${date}T${time.padStart(5, '0')}`, { zone }).toJSDate();
}

/** A calendar date as people read it ("Mon 2 Nov 2026"), the same in every time zone. */
export function formatDay(isoDate: string, locale: string): string {
  return dayText(DateTime.fromISO(isoDate, { zone: 'UTC' }).setLocale(locale));
}

/** A date-only column (stored as UTC midnight, e.g. an activity's deadline) as people read it. */
export function formatStoredDay(date: Date, locale: string): string {
  return formatDay(date.toISOString().slice(0, 10), locale);
}

/** The name of a zone in the viewer's language ("United Kingdom Time", "Central European Time"). */
export function zoneName(zone: string, locale: string, at: Date): string {
  try {
    const named = formatter(`zone|${locale}|${zone}`, () => new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'longGeneric' }));
    const part = named.formatToParts(at).find((p) => p.type === 'timeZoneName');
    return part?.value ?? zone;
  } catch {
    return zone;
  }
}

/** True when the viewer's clock shows another time than the cluster's at that instant. */
export function clockDiffers(at: Date, viewerZone: string, clusterZone: string): boolean {
  return DateTime.fromJSDate(at).setZone(viewerZone).offset !== DateTime.fromJSDate(at).setZone(clusterZone).offset;
}

/**
 * A moment (an event's start, a deadline) in the viewer's zone: "Tue 15 Dec 2026, 10:00", with the
 * zone named when the viewer's clock differs from the cluster's ("…, 09:00 United Kingdom Time").
 */
export function formatMoment(instant: Date, viewer: Viewer, clusterZone: string): string {
  const local = DateTime.fromJSDate(instant).setZone(viewer.timeZone).setLocale(viewer.locale);
  const text = dayTimeText(local);
  return clockDiffers(instant, viewer.timeZone, clusterZone) ? `${text} ${zoneName(viewer.timeZone, viewer.locale, instant)}` : text;
}

/**
 * A whole span as one phrase: a period's first and last day ("Mon 2 Nov 2026 – Thu 11 Feb 2027"), an
 * event's times ("Tue 15 Dec 2026, 10:00–16:00", or across days "…, 10:00 – Wed 16 Dec 2026, 16:00").
 */
export function formatSpan(span: CalendarSpan, viewer: Viewer, clusterZone: string): string {
  if (span.allDay) {
    const { first, last } = spanDays(span, clusterZone);
    return first === last ? formatDay(first, viewer.locale) : `${formatDay(first, viewer.locale)} – ${formatDay(last, viewer.locale)}`;
  }
  const start = DateTime.fromJSDate(span.startsAt).setZone(viewer.timeZone).setLocale(viewer.locale);
  const end = DateTime.fromJSDate(span.endsAt).setZone(viewer.timeZone).setLocale(viewer.locale);
  const zone = clockDiffers(span.startsAt, viewer.timeZone, clusterZone) ? ` ${zoneName(viewer.timeZone, viewer.locale, span.startsAt)}` : '';
  const sameDay = start.toISODate() === end.toISODate();
  return sameDay
    ? `${dayTimeText(start)}–${end.toFormat('HH:mm')}${zone}`
    : `${dayTimeText(start)} – ${dayTimeText(end)}${zone}`;
}

/** When a span begins, as a listing of next dates shows it: a period's first day, an event's start time. */
export function formatStart(span: CalendarSpan, viewer: Viewer, clusterZone: string): string {
  return span.allDay ? formatDay(spanDays(span, clusterZone).first, viewer.locale) : formatMoment(span.startsAt, viewer, clusterZone);
}

/** When a span ends: a period's last day, an event's end time. */
export function formatEnd(span: CalendarSpan, viewer: Viewer, clusterZone: string): string {
  return span.allDay ? formatDay(spanDays(span, clusterZone).last, viewer.locale) : formatMoment(span.endsAt, viewer, clusterZone);
}

/** Where a cluster stands on its timeline at one instant. */
export type Phase<T> =
  | { state: 'empty' }
  | { state: 'not-started'; next: T }
  | { state: 'current'; item: T }
  | { state: 'between'; previous: T; next: T }
  | { state: 'ended'; last: T };

/**
 * The phase at `now` of spans given in timeline order: the one that contains now; otherwise the
 * gap between the last one ended and the next one; before the first, "not started"; after the
 * last has ended, "ended" (never the last phase begun, which could be years ago).
 */
export function phaseOf<T extends CalendarSpan>(ordered: T[], now: Date): Phase<T> {
  if (ordered.length === 0) return { state: 'empty' };
  const current = ordered.filter((s) => s.startsAt <= now && now < s.endsAt);
  // Two items may touch (an event on a period's last day): the one begun last is the one people are in.
  if (current.length) return { state: 'current', item: current[current.length - 1] };
  const next = ordered.find((s) => s.startsAt > now);
  const before = ordered.filter((s) => s.endsAt <= now);
  if (!next) return { state: 'ended', last: ordered[ordered.length - 1] };
  if (before.length === 0) return { state: 'not-started', next };
  return { state: 'between', previous: before[before.length - 1], next };
}

/**
 * The phase as one sentence for any view ("Current phase: Application period, until Thu 11 Feb 2027."),
 * with `name` giving an item's title in the viewer's language.
 */
export function phaseSentence<T extends CalendarSpan>(t: Translate, phase: Phase<T>, name: (item: T) => string, viewer: Viewer, clusterZone: string): string {
  switch (phase.state) {
    case 'empty':
      return t('calendar.phase.empty');
    case 'not-started':
      return t('calendar.phase.notStarted', { next: name(phase.next), start: formatStart(phase.next, viewer, clusterZone) });
    case 'current':
      return t(phase.item.allDay ? 'calendar.phase.current' : 'calendar.phase.currentEvent', { phase: name(phase.item), end: formatEnd(phase.item, viewer, clusterZone) });
    case 'between':
      return t('calendar.phase.between', { next: name(phase.next), start: formatStart(phase.next, viewer, clusterZone) });
    case 'ended':
      return t('calendar.phase.ended', { last: name(phase.last), end: formatEnd(phase.last, viewer, clusterZone) });
  }
}

/** Spans of `ordered` that begin after `now`, soonest first, at most `limit`. */
export function upcomingSpans<T extends CalendarSpan>(ordered: T[], now: Date, limit = 3): T[] {
  return [...ordered]
    .filter((s) => s.startsAt > now)
    .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())
    .slice(0, limit);
}

/** The first and last day a whole timeline covers, in the cluster's zone, or null when nothing is set. */
export function timelineDays(spans: CalendarSpan[], clusterZone: string): SpanDays | null {
  if (spans.length === 0) return null;
  const days = spans.map((s) => spanDays(s, clusterZone));
  return { first: days.map((d) => d.first).sort()[0], last: days.map((d) => d.last).sort().at(-1)! };
}

/** True when any day of the span lies before the cluster's today (for "you set a date in the past"). */
export function startsInPast(span: CalendarSpan, now: Date, clusterZone: string): boolean {
  const today = DateTime.fromJSDate(now).setZone(clusterZone).toISODate()!;
  return span.allDay ? spanDays(span, clusterZone).first < today : span.startsAt < now;
}

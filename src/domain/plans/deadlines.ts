import { formatDay, timelineDays } from '../calendar.js';
import { timelineSpans, type ClusterCalendar } from '../timeline.js';

/**
 * The days a deadline is expected in (the first and last day of the cluster's timeline, as the
 * timeline itself shows them), as YYYY-MM-DD, or null when the cluster has no timeline.
 */
export function timelineSpan(cluster: ClusterCalendar): { from: string; to: string } | null {
  const days = timelineDays(timelineSpans(cluster.timeline), cluster.timeZone);
  return days ? { from: days.first, to: days.last } : null;
}

/**
 * A deadline outside the cluster's timeline is allowed (municipal work does not follow our
 * calendar), but the member is told, since it is often a typo in the year.
 */
export function deadlineOutsideTimeline(deadline: string, cluster: ClusterCalendar): { from: string; to: string } | null {
  const span = timelineSpan(cluster);
  if (!span) return null;
  return deadline < span.from || deadline > span.to ? span : null;
}

/** A span of days as words for a message ("Tue 13 Oct 2026" …), in the reader's language. */
export function spanWords(span: { from: string; to: string }, locale: string): { from: string; to: string } {
  return { from: formatDay(span.from, locale), to: formatDay(span.to, locale) };
}

import type { TimelineEntry } from '../timeline.js';
import { isoDate } from './content.js';

/** The span a deadline is expected in, as YYYY-MM-DD, or null when the cluster has no timeline. */
export function timelineSpan(timeline: TimelineEntry[]): { from: string; to: string } | null {
  if (timeline.length === 0) return null;
  const from = new Date(Math.min(...timeline.map((t) => t.startsAt.getTime())));
  const to = new Date(Math.max(...timeline.map((t) => t.endsAt.getTime())));
  return { from: isoDate(from), to: isoDate(to) };
}

/**
 * A deadline outside the cluster's timeline is allowed (municipal work does not follow our
 * calendar), but the member is told, since it is often a typo in the year.
 */
export function deadlineOutsideTimeline(deadline: string, timeline: TimelineEntry[]): { from: string; to: string } | null {
  const span = timelineSpan(timeline);
  if (!span) return null;
  return deadline < span.from || deadline > span.to ? span : null;
}

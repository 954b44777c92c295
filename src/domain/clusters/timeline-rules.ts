import { TIMELINE_ORDER, type TimelineEntry } from '../timeline.js';
import type { TimelineKind } from '../../generated/prisma/enums.js';

/** One reason a timeline is not acceptable, naming the items involved so the message can name them too. */
export type TimelineConflict =
  | { kind: 'ends-before-start'; item: TimelineKind }
  | { kind: 'out-of-order'; item: TimelineKind; other: TimelineKind }
  | { kind: 'overlap'; item: TimelineKind; other: TimelineKind };

/**
 * Checks a whole timeline: every item ends after it starts, items follow the generic order
 * (preparation, EE1, conceptualisation, EE2, application, EE3, continuation) and no two overlap.
 * Items not set yet are skipped. Pure, so the edit can refuse before anything is written.
 */
export function timelineConflicts(timeline: TimelineEntry[]): TimelineConflict[] {
  const conflicts: TimelineConflict[] = [];
  const sorted = [...timeline].sort((a, b) => TIMELINE_ORDER.indexOf(a.kind) - TIMELINE_ORDER.indexOf(b.kind));
  for (const item of sorted) if (item.endsAt <= item.startsAt) conflicts.push({ kind: 'ends-before-start', item: item.kind });
  for (let i = 1; i < sorted.length; i++) {
    const before = sorted[i - 1];
    const item = sorted[i];
    if (item.startsAt < before.startsAt) conflicts.push({ kind: 'out-of-order', item: item.kind, other: before.kind });
    else if (item.startsAt < before.endsAt) conflicts.push({ kind: 'overlap', item: item.kind, other: before.kind });
  }
  return conflicts;
}

/** Thrown by an edit that would break the timeline; nothing has been written when it is thrown. */
export class TimelineConflictError extends Error {
  constructor(readonly conflicts: TimelineConflict[]) {
    super(`timeline conflict: ${conflicts.map((c) => c.kind).join(', ')}`);
    this.name = 'TimelineConflictError';
  }
}

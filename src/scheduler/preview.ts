import type { TimelineRole } from '../generated/prisma/enums.js';
import { missingRoles, type ItemLabel, type TimelineEntry } from '../domain/timeline.js';
import { planCluster, type ClusterSnapshot, type PlannedNudgeSpec } from './plan.js';

/** Nudges of one rule about one item (or about nothing in particular), as a preview counts them. */
export interface ReminderGroup {
  kind: string;
  itemLabel?: ItemLabel;
  /** People who would get it. */
  people: number;
  /** When the first of them goes out. */
  firstDueAt: Date;
}

/** What saving a timeline edit does to a cluster's reminders, for the coordinator to see before saving. */
export interface ReminderPreview {
  /** Reminders that would be planned and are not now. */
  added: ReminderGroup[];
  /** Reminders planned now that would go. */
  removed: ReminderGroup[];
  /** Reminders that stay but go out at another time (they follow the new dates). */
  moved: number;
  /** Roles some item plays now and none would after the edit: the nudges and steps that follow them stop. */
  rolesLost: TimelineRole[];
}

/**
 * Plans the cluster twice with the real planner, as it is and with `after` as its timeline, and tells
 * the difference in reminders people would get from now on. Pure, so the flow can show it before
 * anything is saved; the same planning runs when the edit is saved, so the preview cannot promise what
 * the plan will not do.
 */
export function previewReminders(snapshot: ClusterSnapshot, after: TimelineEntry[], now: Date): ReminderPreview {
  const planned = (timeline: TimelineEntry[]) => new Map(planCluster({ ...snapshot, timeline }, { now }).filter((s) => s.state === 'planned' && s.dueAt >= now).map((s) => [s.id, s]));
  const before = planned(snapshot.timeline);
  const next = planned(after);
  const added = [...next.values()].filter((s) => !before.has(s.id));
  const removed = [...before.values()].filter((s) => !next.has(s.id));
  const moved = [...next.values()].filter((s) => before.has(s.id) && before.get(s.id)!.dueAt.getTime() !== s.dueAt.getTime()).length;
  const lostBefore = new Set(missingRoles(snapshot.timeline));
  return { added: groups(added), removed: groups(removed), moved, rolesLost: missingRoles(after).filter((r) => !lostBefore.has(r)) };
}

/** True when the preview shows something the coordinator should confirm (not just reminders following new dates). */
export function previewNeedsConfirmation(preview: ReminderPreview): boolean {
  return preview.added.length > 0 || preview.removed.length > 0 || preview.rolesLost.length > 0;
}

function groups(specs: PlannedNudgeSpec[]): ReminderGroup[] {
  const byKey = new Map<string, { kind: string; itemLabel?: ItemLabel; people: Set<string>; firstDueAt: Date }>();
  for (const spec of specs) {
    const key = `${spec.kind}|${spec.payload.itemId ?? ''}`;
    const group = byKey.get(key) ?? { kind: spec.kind, itemLabel: spec.payload.itemLabel, people: new Set<string>(), firstDueAt: spec.dueAt };
    group.people.add(spec.personId);
    if (spec.dueAt < group.firstDueAt) group.firstDueAt = spec.dueAt;
    byKey.set(key, group);
  }
  return [...byKey.values()].map((g) => ({ kind: g.kind, itemLabel: g.itemLabel, people: g.people.size, firstDueAt: g.firstDueAt })).sort((a, b) => a.firstDueAt.getTime() - b.firstDueAt.getTime());
}

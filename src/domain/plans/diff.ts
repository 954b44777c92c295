import type { ActivityContent, PlanContent } from './content.js';
import { ACTIVITY_FIELDS, PLAN_FIELDS, type ActivityField, type PlanField } from './limits.js';

/** What changed between two states of a plan, field by field; activities are matched by id. */
export interface PlanDiff {
  fields: { field: PlanField; before: string | null; after: string | null }[];
  added: ActivityContent[];
  removed: ActivityContent[];
  changed: { before: ActivityContent; after: ActivityContent; fields: { field: ActivityField; before: string | null; after: string | null }[] }[];
  /** Activities kept in both whose order changed, with their 1-based row numbers. */
  moved: { activity: ActivityContent; from: number; to: number }[];
}

/**
 * Compares two versions (or a version and the living draft), so the author and their peers see
 * what a consolidation changed. Progress is not compared: it is a report, not part of the concept.
 */
export function diffPlans(before: PlanContent, after: PlanContent): PlanDiff {
  const fields = PLAN_FIELDS.filter((f) => norm(before[f]) !== norm(after[f])).map((field) => ({ field, before: before[field], after: after[field] }));
  const beforeById = new Map(before.activities.map((a, i) => [a.id, { a, i }]));
  const afterById = new Map(after.activities.map((a, i) => [a.id, { a, i }]));
  const added = after.activities.filter((a) => !beforeById.has(a.id));
  const removed = before.activities.filter((a) => !afterById.has(a.id));
  const changed: PlanDiff['changed'] = [];
  const kept = after.activities.filter((a) => beforeById.has(a.id));
  const keptBefore = before.activities.filter((a) => afterById.has(a.id));
  for (const a of kept) {
    const b = beforeById.get(a.id)!.a;
    const diffs = ACTIVITY_FIELDS.filter((f) => norm(b[f]) !== norm(a[f])).map((field) => ({ field, before: b[field], after: a[field] }));
    if (diffs.length) changed.push({ before: b, after: a, fields: diffs });
  }
  // Order among the activities both sides share, so an insertion above does not count as a move.
  const moved = kept
    .map((a, to) => ({ activity: a, from: keptBefore.findIndex((b) => b.id === a.id), to }))
    .filter((m) => m.from !== m.to)
    .map((m) => ({ activity: m.activity, from: beforeById.get(m.activity.id)!.i + 1, to: afterById.get(m.activity.id)!.i + 1 }));
  return { fields, added, removed, changed, moved };
}

/** True when nothing in the concept changed. */
export function isEmptyDiff(diff: PlanDiff): boolean {
  return !diff.fields.length && !diff.added.length && !diff.removed.length && !diff.changed.length && !diff.moved.length;
}

function norm(value: string | null): string {
  return (value ?? '').trim();
}

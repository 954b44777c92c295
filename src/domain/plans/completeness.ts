import type { PlanContent } from './content.js';
import type { ActivityField, PlanField } from './limits.js';

/** The plan fields a submitted concept must have (the template's "Goal and beneficiaries" row). */
export const REQUIRED_PLAN_FIELDS: PlanField[] = ['approach', 'goal', 'change', 'targetGroup', 'beneficiaries'];
/**
 * The activity columns a submitted concept must fill. Challenges and mitigation stay optional:
 * a member may honestly foresee none yet, and peers at EE2 are there to point them out.
 */
export const REQUIRED_ACTIVITY_FIELDS: ActivityField[] = ['activity', 'responsible', 'deadline', 'resources', 'results'];

/** One thing missing before a plan can be submitted; `activity` is the 1-based row number. */
export type MissingPart =
  | { kind: 'plan'; field: PlanField }
  | { kind: 'noActivities' }
  | { kind: 'activity'; activity: number; activityId: string; field: ActivityField };

/** Exactly what is missing, in the order of the template, so the member can fix it in one go. */
export function missingParts(plan: PlanContent): MissingPart[] {
  const missing: MissingPart[] = [];
  for (const field of REQUIRED_PLAN_FIELDS) if (!plan[field]?.trim()) missing.push({ kind: 'plan', field });
  if (plan.activities.length === 0) missing.push({ kind: 'noActivities' });
  plan.activities.forEach((activity, index) => {
    for (const field of REQUIRED_ACTIVITY_FIELDS) {
      if (!activity[field]?.trim()) missing.push({ kind: 'activity', activity: index + 1, activityId: activity.id, field });
    }
  });
  return missing;
}

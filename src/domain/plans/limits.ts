/**
 * How long each part of an action plan may be. The limits keep every plan renderable on every
 * platform (a Slack text block holds 3,000 characters) and are stated in the form hints, so a
 * member learns them before typing, not after.
 */
export const PLAN_FIELD_LIMITS = {
  approach: 200,
  goal: 2000,
  change: 2000,
  targetGroup: 1000,
  beneficiaries: 1000,
} as const;

/** Limits of the seven columns of an activity row (Annex 1 of the method). */
export const ACTIVITY_FIELD_LIMITS = {
  activity: 500,
  responsible: 200,
  deadline: 10,
  challenges: 1000,
  mitigation: 1000,
  resources: 1000,
  results: 1000,
} as const;

/** A progress note during the application period. */
export const PROGRESS_NOTE_LIMIT = 1000;

/** More rows than this is no longer a plan but a project list; it also bounds exports and paging. */
export const MAX_ACTIVITIES = 60;

export type PlanField = keyof typeof PLAN_FIELD_LIMITS;
export type ActivityField = keyof typeof ACTIVITY_FIELD_LIMITS;

/** The plan's own fields in the template's order. */
export const PLAN_FIELDS: PlanField[] = ['approach', 'goal', 'change', 'targetGroup', 'beneficiaries'];
/** The activity columns in the template's order. */
export const ACTIVITY_FIELDS: ActivityField[] = ['activity', 'responsible', 'deadline', 'challenges', 'mitigation', 'resources', 'results'];

import type { DurationLikeObject } from 'luxon';
import type { AssignmentStatus, PlanStage, Role, TimelineItemType, TimelineRole } from '../generated/prisma/enums.js';
import { EVENT_TYPES } from '../domain/timeline.js';

/**
 * The nudge rules: one readable table of what the bot reminds whom of, when, and why.
 * Planning (plan.ts) reads only this table; adding a nudge means adding a row here and its
 * text in locales/en/scheduler.json (`nudge.<kind>`). docs/scheduler.md renders the table.
 */

/**
 * What a rule's time is measured from: the item playing a role (at most one per cluster), every event of
 * some types (each gets its own nudges), or a date of the member's own work. A rule anchored on the
 * timeline plans nothing for an item whose reminders are off, and nothing at all when no item plays its role.
 */
export type Anchor =
  | { type: 'role'; role: TimelineRole; point: 'start' | 'mid' | 'end' }
  | { type: 'event'; types: readonly TimelineItemType[] }
  | { type: 'activity-deadline' }
  | { type: 'round-deadline' }
  | { type: 'run-open' }
  | { type: 'run-close' };

/** Who receives it: every active member (optionally resource persons too), a reviewer, or a plan's author. */
export type Audience = 'members' | 'members-and-rps' | 'reviewers' | 'plan-author' | 'run-participants';

/** The member's progress a condition can look at (rows of the plan, feedback and questionnaire tables). */
export interface ProgressView {
  role: Role;
  planStage: PlanStage | null;
  /** For activity rules: the activity's own progress. */
  activityDone?: boolean;
  /** For feedback rules: this reviewer's assignments in the round that are not submitted. */
  openAssignments?: number;
  /** For questionnaire rules: has this person answered the run. */
  answered?: boolean;
}

/**
 * What happens to a nudge whose time passed while nothing ran (workers down, Redis lost):
 * `until-anchor` sends it late while the anchor (minus `minusDays`) is still ahead; `days-after-due`
 * sends it late for that many days; `drop` never sends it late (after a one-hour grace).
 */
export type Lateness = { kind: 'until-anchor'; minusDays?: number } | { kind: 'days-after-due'; days: number } | { kind: 'until-run-close' } | { kind: 'drop' };

export interface NudgeRule {
  kind: string;
  who: Audience;
  anchor: Anchor;
  /** Added to the anchor in the recipient's own zone (so "7 days before" keeps the wall-clock time across DST). */
  offset: DurationLikeObject;
  /** Human description of `when`, shown in the docs. */
  condition: string;
  when: (progress: ProgressView) => boolean;
  why: string;
  late: Lateness;
  /** Event reminders are exempt from the weekly cap and from snooze (not from pause). */
  event: boolean;
}

const notSubmitted = (p: ProgressView) => p.planStage === null || p.planStage === 'DRAFT';
const always = () => true;

/** Events people travel to or block a day for: reminded a week ahead as well as the day before. */
const WEEK_AHEAD_TYPES: readonly TimelineItemType[] = ['EXCHANGE_EVENT', 'FIELD_VISIT', 'ORIENTATION_MEETING'];

const eventReminders: NudgeRule[] = [
  {
    kind: 'event-week-before',
    who: 'members-and-rps',
    anchor: { type: 'event', types: WEEK_AHEAD_TYPES },
    offset: { days: -7 },
    condition: 'reminders on for the event',
    when: always,
    why: 'People block the date and arrange travel a week ahead; the message carries date, time, place or link, and the agenda once the event is designed.',
    late: { kind: 'until-anchor', minusDays: 2 },
    event: true,
  },
  {
    kind: 'event-day-before',
    who: 'members-and-rps',
    anchor: { type: 'event', types: EVENT_TYPES },
    offset: { days: -1 },
    condition: 'reminders on for the event',
    when: always,
    why: 'A last reminder with the exact time and place (or link) the day before, when people plan their next day; for every event, online sessions included.',
    late: { kind: 'until-anchor' },
    event: true,
  },
];

/** The table. Order matters only for readability. */
export const NUDGE_RULES: NudgeRule[] = [
  ...eventReminders,
  {
    kind: 'conceptualisation-start',
    who: 'members',
    anchor: { type: 'role', role: 'CONCEPTS_DRAFTED', point: 'start' },
    offset: {},
    condition: 'plan not yet submitted',
    when: notSubmitted,
    why: 'Right after the template is introduced it is fresh: invite members to start their action plan while motivation is high.',
    late: { kind: 'days-after-due', days: 7 },
    event: false,
  },
  {
    kind: 'conceptualisation-midway',
    who: 'members',
    anchor: { type: 'role', role: 'CONCEPTS_DRAFTED', point: 'mid' },
    offset: {},
    condition: 'no draft yet',
    when: (p) => p.planStage === null,
    why: 'Half-way through drafting, a member without a draft risks arriving empty-handed where concepts are presented; offer help, not pressure.',
    late: { kind: 'days-after-due', days: 5 },
    event: false,
  },
  {
    kind: 'plan-due-before-ee2',
    who: 'members',
    anchor: { type: 'role', role: 'CONCEPTS_PRESENTED', point: 'start' },
    offset: { days: -3 },
    condition: 'plan not submitted',
    when: notSubmitted,
    why: 'Peers need a few days to read concepts before the event where they are presented; three days ahead still leaves time to submit.',
    late: { kind: 'until-anchor' },
    event: false,
  },
  {
    kind: 'feedback-due',
    who: 'reviewers',
    anchor: { type: 'round-deadline' },
    offset: { days: -2 },
    condition: 'round open and the reviewer has unsubmitted assignments',
    when: (p) => (p.openAssignments ?? 0) > 0,
    why: 'Feedback is only useful if it arrives before consolidation; two days ahead is enough for a short review.',
    late: { kind: 'until-anchor' },
    event: false,
  },
  {
    kind: 'application-start',
    who: 'members',
    anchor: { type: 'role', role: 'APPLICATION', point: 'start' },
    offset: {},
    condition: 'always',
    when: always,
    why: 'The start of application is when the plan turns into work: point to the consolidated plan and its first deadlines.',
    late: { kind: 'days-after-due', days: 7 },
    event: false,
  },
  {
    kind: 'activity-due',
    who: 'plan-author',
    anchor: { type: 'activity-deadline' },
    offset: { days: -3 },
    condition: 'activity not done',
    when: (p) => !p.activityDone,
    why: "Each activity's deadline in the member's own plan is a natural check-in point; three days ahead allows a last push or a new date.",
    late: { kind: 'until-anchor' },
    event: false,
  },
  {
    kind: 'questionnaire-open',
    who: 'run-participants',
    anchor: { type: 'run-open' },
    offset: {},
    condition: 'not answered yet',
    when: (p) => !p.answered,
    why: 'Every exchange ends with an evaluation; asking right after the event catches fresh impressions.',
    late: { kind: 'until-run-close' },
    event: false,
  },
  {
    kind: 'questionnaire-reminder',
    who: 'run-participants',
    anchor: { type: 'run-close' },
    offset: { days: -2 },
    condition: 'not answered yet',
    when: (p) => !p.answered,
    why: 'One reminder to non-respondents before the questionnaire closes; more would be noise.',
    late: { kind: 'until-anchor' },
    event: false,
  },
];

/** Grace for a `drop` rule: a job a little late (a restart) still goes out. */
export const DROP_GRACE_MS = 60 * 60 * 1000;

export function ruleByKind(kind: string): NudgeRule | undefined {
  return NUDGE_RULES.find((r) => r.kind === kind);
}

/** The instant after which a nudge is stale (sent late no more), per the rule's lateness. */
export function usefulUntil(late: Lateness, times: { dueAt: Date; anchorAt: Date; closesAt?: Date }): Date {
  switch (late.kind) {
    case 'until-anchor':
      return new Date(times.anchorAt.getTime() - (late.minusDays ?? 0) * 86_400_000);
    case 'days-after-due':
      return new Date(times.dueAt.getTime() + late.days * 86_400_000);
    case 'until-run-close':
      return times.closesAt ?? times.anchorAt;
    case 'drop':
      return new Date(times.dueAt.getTime() + DROP_GRACE_MS);
  }
}

/** The lateness rule as a sentence, for the docs and `/lc nudges`. */
export function describeLateness(late: Lateness): string {
  switch (late.kind) {
    case 'until-anchor':
      return late.minusDays ? `send late until ${late.minusDays} days before the anchor, then drop` : 'send late until the anchor, then drop';
    case 'days-after-due':
      return `send late for ${late.days} days, then drop`;
    case 'until-run-close':
      return 'send late until the questionnaire closes, then drop';
    case 'drop':
      return 'drop (1 hour grace)';
  }
}

/** Statuses used by conditions, re-exported for the planner. */
export type { AssignmentStatus };

import { DateTime } from 'luxon';
import type { PlanStage, Role, RoundStatus, RunStatus, TimelineRole } from '../generated/prisma/enums.js';
import { isAllDay, timelineSpans, type ItemLabel, type TimelineEntry, type TimelineSpan } from '../domain/timeline.js';
import { effectiveWorkingHours, localDay, localWeek, nextWorkingInstant, previousWorkingInstant, type LocalProfile } from './local-time.js';
import { NUDGE_RULES, usefulUntil, type NudgeRule, type ProgressView } from './rules.js';

/**
 * Planning as a pure function: a cluster's stored state in, the complete list of nudges out, each
 * with a deterministic id and a due time in the recipient's working hours. No I/O and no clock
 * other than the `now` passed in, so the scheduler, the simulation and the tests run the same code.
 */

/** One person of the cluster as planning needs them. */
export interface PersonSnapshot {
  personId: string;
  displayName: string;
  roles: Role[];
  locale: string;
  timeZone: string;
  country: string | null;
  workingHours: unknown;
  snoozedUntil: Date | null;
  paused: boolean;
}

/** Everything planning reads, loaded by snapshot.ts (or built by hand in tests and simulations). */
export interface ClusterSnapshot {
  cluster: { id: string; code: string; name: string; timeZone: string; workingHours: unknown; design: unknown };
  timeline: TimelineEntry[];
  people: PersonSnapshot[];
  plans: { authorId: string; stage: PlanStage; activities: { id: string; activity: string; deadline: Date | null; done: boolean }[] }[];
  rounds: { id: string; status: RoundStatus; deadline: Date; openByReviewer: Record<string, number> }[];
  runs: { id: string; status: RunStatus; opensAt: Date; closesAt: Date; title: string; /** The title in every language it has, so each reader gets theirs. */ titles?: Record<string, string>; answered: string[] }[];
  /** Nudges already delivered: never planned again, and they count towards the weekly cap. */
  sent: { id: string; personId: string; at: Date; event: boolean }[];
}

/** What a nudge's message is made of; stored as PlannedNudge.payload. */
export interface NudgePayload {
  kind: string;
  clusterCode: string;
  clusterName: string;
  /** The cluster's zone: an event's time names the reader's zone only when their clock differs from it. */
  clusterTimeZone?: string;
  anchorAt: string;
  usefulUntil: string;
  event: boolean;
  /** The timeline item the nudge is about: its id, name (translated when read) and roles (which shape the words). */
  itemId?: string;
  itemLabel?: ItemLabel;
  itemRoles?: TimelineRole[];
  /** The item where concepts are presented, for nudges that point towards it. */
  nextLabel?: ItemLabel;
  startsAt?: string;
  location?: string | null;
  activity?: string;
  deadline?: string;
  openAssignments?: number;
  questionnaire?: string;
  /** The questionnaire's title in every language it has (the reader's is picked when the nudge is rendered). */
  questionnaireTitles?: Record<string, string>;
  closesAt?: string;
  /** Manual nudges carry the coordinator's text and name. */
  text?: string;
  from?: string;
}

export type NudgeState = 'planned' | 'suppressed' | 'stale';

export interface PlannedNudgeSpec {
  id: string;
  kind: string;
  clusterId: string;
  personId: string;
  /** When the rule wants it (anchor + offset). */
  idealAt: Date;
  /** When it goes out: inside working hours, merged with the day's other nudges. */
  dueAt: Date;
  usefulUntil: Date;
  event: boolean;
  payload: NudgePayload;
  state: NudgeState;
  /** Why a nudge is not planned: weekly-cap, snoozed, paused, stale. */
  reason?: string;
}

export interface PlanOptions {
  now: Date;
  /** Non-event messages per member per local week. */
  weeklyCap?: number;
}

export const DEFAULT_WEEKLY_CAP = 3;

/** Deterministic nudge id: the same rule, cluster, person and anchor always give the same id. */
export function nudgeId(kind: string, clusterId: string, personId: string, anchorKey: string): string {
  return `${kind}.${clusterId}.${personId}.${anchorKey}`;
}

/** Plans every nudge of one cluster. */
export function planCluster(snapshot: ClusterSnapshot, options: PlanOptions): PlannedNudgeSpec[] {
  const sentIds = new Set(snapshot.sent.map((s) => s.id));
  const specs: PlannedNudgeSpec[] = [];
  for (const rule of NUDGE_RULES) {
    for (const target of targetsOf(rule, snapshot)) {
      if (!rule.when(target.progress)) continue;
      const id = nudgeId(rule.kind, snapshot.cluster.id, target.person.personId, target.anchorKey);
      if (sentIds.has(id)) continue;
      specs.push(timeNudge(rule, snapshot, target, id, options.now));
    }
  }
  applyPersonalPauses(specs, snapshot);
  mergeSameDay(specs, snapshot);
  applyWeeklyCap(specs, snapshot, options.weeklyCap ?? weeklyCapOf(snapshot));
  return specs.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id.localeCompare(b.id));
}

/** A cluster may lower or raise the cap in its design (`{ "nudgeWeeklyCap": 2 }`). */
function weeklyCapOf(snapshot: ClusterSnapshot): number {
  const cap = (snapshot.cluster.design as { nudgeWeeklyCap?: unknown } | null)?.nudgeWeeklyCap;
  return typeof cap === 'number' && Number.isInteger(cap) && cap >= 0 ? cap : DEFAULT_WEEKLY_CAP;
}

interface Target {
  person: PersonSnapshot;
  anchorKey: string;
  anchorAt: Date;
  closesAt?: Date;
  progress: ProgressView;
  vars: Partial<NudgePayload>;
}

function targetsOf(rule: NudgeRule, s: ClusterSnapshot): Target[] {
  const stageOf = (personId: string) => s.plans.find((p) => p.authorId === personId)?.stage ?? null;
  const progress = (p: PersonSnapshot, extra: Partial<ProgressView> = {}): ProgressView => ({
    role: p.roles.includes('MEMBER') ? 'MEMBER' : p.roles[0],
    planStage: stageOf(p.personId),
    ...extra,
  });
  const withRole = (roles: Role[]) => s.people.filter((p) => p.roles.some((r) => roles.includes(r)));
  const audience = (r: NudgeRule) => withRole(r.who === 'members-and-rps' ? ['MEMBER', 'RESOURCE_PERSON'] : ['MEMBER']);
  const spans = timelineSpans(s.timeline);
  const anchor = rule.anchor;
  switch (anchor.type) {
    case 'role': {
      const item = spans.find((i) => i.roles.includes(anchor.role));
      if (!item || !item.reminders) return [];
      const at = anchor.point === 'start' ? item.startsAt : anchor.point === 'end' ? item.endsAt : new Date((item.startsAt.getTime() + item.endsAt.getTime()) / 2);
      const presented = spans.find((i) => i.roles.includes('CONCEPTS_PRESENTED'));
      const vars = { ...itemVars(item), ...(presented && presented.id !== item.id ? { nextLabel: presented.label } : {}) };
      return audience(rule).map((person) => ({ person, anchorKey: item.id, anchorAt: at, progress: progress(person), vars }));
    }
    case 'event':
      return spans
        .filter((item) => !item.allDay && item.reminders && anchor.types.includes(item.type))
        .flatMap((item) => audience(rule).map((person) => ({ person, anchorKey: item.id, anchorAt: item.startsAt, progress: progress(person), vars: itemVars(item) })));
    case 'activity-deadline': {
      const out: Target[] = [];
      for (const plan of s.plans) {
        const person = withRole(['MEMBER']).find((p) => p.personId === plan.authorId);
        if (!person) continue;
        for (const a of plan.activities) {
          if (!a.deadline) continue;
          // The deadline is a calendar day: it ends at midnight in the member's own zone.
          const date = a.deadline.toISOString().slice(0, 10);
          const anchorAt = DateTime.fromISO(date, { zone: person.timeZone }).plus({ days: 1 }).toJSDate();
          out.push({ person, anchorKey: a.id, anchorAt, progress: progress(person, { activityDone: a.done }), vars: { activity: a.activity, deadline: date } });
        }
      }
      return out;
    }
    case 'round-deadline':
      return s.rounds
        .filter((r) => r.status === 'OPEN')
        .flatMap((round) =>
          Object.entries(round.openByReviewer).flatMap(([reviewerId, open]) => {
            const person = s.people.find((p) => p.personId === reviewerId);
            if (!person) return [];
            return [{ person, anchorKey: round.id, anchorAt: round.deadline, progress: progress(person, { openAssignments: open }), vars: { openAssignments: open, deadline: round.deadline.toISOString() } }];
          }),
        );
    case 'run-open':
    case 'run-close':
      return s.runs
        .filter((r) => r.status !== 'CLOSED')
        .flatMap((run) =>
          withRole(['MEMBER']).map((person) => ({
            person,
            anchorKey: run.id,
            anchorAt: anchor.type === 'run-open' ? run.opensAt : run.closesAt,
            closesAt: run.closesAt,
            progress: progress(person, { answered: run.answered.includes(person.personId) }),
            vars: { questionnaire: run.title, ...(run.titles ? { questionnaireTitles: run.titles } : {}), closesAt: run.closesAt.toISOString() },
          })),
        );
  }
}

/** What a nudge about a timeline item says of it: which item, its name and roles, and for an event when and where. */
function itemVars(item: TimelineSpan): Partial<NudgePayload> {
  const vars: Partial<NudgePayload> = { itemId: item.id, itemLabel: item.label, itemRoles: item.roles };
  if (!isAllDay(item)) Object.assign(vars, { startsAt: item.startsAt.toISOString(), location: item.location ?? null });
  return vars;
}

/** The recipient's local profile: zone, country for holidays, working hours (person > cluster > default). */
export function profileOf(person: PersonSnapshot, cluster: ClusterSnapshot['cluster']): LocalProfile {
  return { timeZone: person.timeZone, country: person.country, hours: effectiveWorkingHours(person.workingHours, cluster.workingHours) };
}

function timeNudge(rule: NudgeRule, s: ClusterSnapshot, target: Target, id: string, now: Date): PlannedNudgeSpec {
  const profile = profileOf(target.person, s.cluster);
  // The offset is applied in the recipient's zone: "7 days before 10:00" is 10:00 local, DST or not.
  const idealAt = DateTime.fromJSDate(target.anchorAt).setZone(profile.timeZone).plus(rule.offset).toJSDate();
  let dueAt = nextWorkingInstant(idealAt, profile);
  // A reminder *before* something that would move to another day (weekend, holiday) goes to the
  // working day before instead: "3 days before" on a Sunday is better on Friday than on Monday.
  if (Object.values(rule.offset).some((v) => typeof v === 'number' && v < 0) && localDay(dueAt, profile.timeZone) !== localDay(idealAt, profile.timeZone)) {
    dueAt = previousWorkingInstant(idealAt, profile);
  }
  const limit = usefulUntil(rule.late, { dueAt, anchorAt: target.anchorAt, closesAt: target.closesAt });
  // A reminder that would slip past its use goes earlier instead.
  if (dueAt >= limit) dueAt = previousWorkingInstant(idealAt, profile);
  let state: NudgeState = 'planned';
  let reason: string | undefined;
  if (dueAt < now) {
    // Its time has passed (planned late, or nothing ran): send it once now if still useful.
    const soon = nextWorkingInstant(now, profile);
    if (soon < limit) dueAt = soon;
    else [state, reason] = ['stale', 'stale'];
  }
  const payload: NudgePayload = {
    kind: rule.kind,
    clusterCode: s.cluster.code,
    clusterName: s.cluster.name,
    clusterTimeZone: s.cluster.timeZone,
    anchorAt: target.anchorAt.toISOString(),
    usefulUntil: limit.toISOString(),
    event: rule.event,
    ...target.vars,
  };
  return { id, kind: rule.kind, clusterId: s.cluster.id, personId: target.person.personId, idealAt, dueAt, usefulUntil: limit, event: rule.event, payload, state, reason };
}

/** Pause silences everything; snooze silences everything but event reminders until it ends. */
function applyPersonalPauses(specs: PlannedNudgeSpec[], s: ClusterSnapshot): void {
  const people = new Map(s.people.map((p) => [p.personId, p]));
  for (const spec of specs) {
    if (spec.state !== 'planned') continue;
    const person = people.get(spec.personId)!;
    if (person.paused) [spec.state, spec.reason] = ['suppressed', 'paused'];
    else if (!spec.event && person.snoozedUntil && spec.dueAt < person.snoozedUntil) [spec.state, spec.reason] = ['suppressed', 'snoozed'];
  }
}

/** Nudges for one person on one local day go out together, at the earliest one's time, as one message. */
function mergeSameDay(specs: PlannedNudgeSpec[], s: ClusterSnapshot): void {
  const zones = new Map(s.people.map((p) => [p.personId, p.timeZone]));
  const groups = new Map<string, PlannedNudgeSpec[]>();
  for (const spec of specs) {
    if (spec.state !== 'planned') continue;
    const key = `${spec.personId}@${localDay(spec.dueAt, zones.get(spec.personId)!)}`;
    groups.set(key, [...(groups.get(key) ?? []), spec]);
  }
  for (const group of groups.values()) {
    const first = Math.min(...group.map((g) => g.dueAt.getTime()));
    for (const spec of group) spec.dueAt = new Date(first);
  }
}

/**
 * At most `cap` messages without an event reminder per person and local week, counting what was
 * already sent; later ones that week are suppressed. A message is all nudges of one person at one due time.
 */
function applyWeeklyCap(specs: PlannedNudgeSpec[], s: ClusterSnapshot, cap: number): void {
  const zones = new Map(s.people.map((p) => [p.personId, p.timeZone]));
  const used = new Map<string, Set<string>>();
  const countMessage = (personId: string, at: Date) => {
    const key = `${personId}@${localWeek(at, zones.get(personId) ?? 'UTC')}`;
    const set = used.get(key) ?? new Set<string>();
    used.set(key, set);
    return set;
  };
  for (const sent of s.sent) if (!sent.event) countMessage(sent.personId, sent.at).add(`sent@${localDay(sent.at, zones.get(sent.personId) ?? 'UTC')}`);

  const messages = new Map<string, PlannedNudgeSpec[]>();
  for (const spec of specs) {
    if (spec.state !== 'planned') continue;
    const key = `${spec.personId}@${spec.dueAt.getTime()}`;
    messages.set(key, [...(messages.get(key) ?? []), spec]);
  }
  const ordered = [...messages.entries()].sort((a, b) => a[1][0].dueAt.getTime() - b[1][0].dueAt.getTime());
  for (const [key, group] of ordered) {
    if (group.some((g) => g.event)) continue;
    const week = countMessage(group[0].personId, group[0].dueAt);
    const day = `sent@${localDay(group[0].dueAt, zones.get(group[0].personId) ?? 'UTC')}`;
    if (week.has(day)) continue; // merged into a day that already had a message
    if (week.size >= cap) for (const spec of group) [spec.state, spec.reason] = ['suppressed', 'weekly-cap'];
    else week.add(key);
  }
}

import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Db } from '../core/db.js';
import type { Role } from '../generated/prisma/enums.js';
import { nextWorkingInstant } from '../scheduler/local-time.js';
import { effectiveWorkingHours } from './working-hours.js';

/**
 * A coordinator's own reminder: who gets it and when each of them does. Platform-neutral, used by the
 * typed grammar and the form of `/lc nudge` alike. A reminder for later lands inside each recipient's
 * working hours (their zone, their days, their country's holidays), never at night; "now" is now.
 */

export const MANUAL_KIND = 'manual';

/** One person of the cluster who can receive a reminder. */
export interface NudgeCandidate {
  personId: string;
  displayName: string;
  roles: Role[];
  timeZone: string;
  country: string | null;
  workingHours: unknown;
}

/** When the coordinator wants it to go out. */
export type NudgeWhen = { kind: 'now' } | { kind: 'at'; date: string; time: string } | { kind: 'in'; duration: { hours: number } | { days: number } | { weeks: number } };

/** One recipient with the moment it reaches them. */
export interface NudgeDelivery {
  personId: string;
  displayName: string;
  timeZone: string;
  dueAt: Date;
}

/** The active people of a cluster, each once with all their roles. */
export async function nudgeCandidates(db: Db, clusterId: string): Promise<NudgeCandidate[]> {
  const memberships = await db.membership.findMany({
    where: { clusterId, status: 'ACTIVE', person: { erasedAt: null } },
    include: { person: { select: { id: true, displayName: true, timeZone: true, country: true, workingHours: true } } },
    orderBy: { person: { displayName: 'asc' } },
  });
  const byPerson = new Map<string, NudgeCandidate>();
  for (const m of memberships) {
    const existing = byPerson.get(m.personId);
    if (existing) {
      if (!existing.roles.includes(m.role)) existing.roles.push(m.role);
      continue;
    }
    byPerson.set(m.personId, { personId: m.personId, displayName: m.person.displayName, roles: [m.role], timeZone: m.person.timeZone, country: m.person.country, workingHours: m.person.workingHours });
  }
  return [...byPerson.values()];
}

/** Letters without accents, lower case, single spaces: how names are compared ("Đorđević" = "dordevic"). */
export function nameKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/đ/gi, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** People whose name matches: the full name, the name written without spaces, or the first name. */
export function matchName(candidates: NudgeCandidate[], typed: string): NudgeCandidate[] {
  const key = nameKey(typed);
  if (!key) return [];
  const full = candidates.filter((c) => nameKey(c.displayName) === key || nameKey(c.displayName).replace(/ /g, '') === key.replace(/ /g, ''));
  if (full.length) return full;
  return candidates.filter((c) => nameKey(c.displayName).split(' ')[0] === key);
}

/**
 * The moment the reminder reaches each recipient: "now" for everyone at once; a date and time (read in
 * the coordinator's zone) or "in N days" moved into each recipient's working hours.
 */
export function deliveryTimes(recipients: NudgeCandidate[], when: NudgeWhen, context: { now: Date; senderZone: string; clusterHours: unknown }): NudgeDelivery[] {
  const ideal =
    when.kind === 'now'
      ? context.now
      : when.kind === 'at'
        ? DateTime.fromISO(`${when.date}T${when.time}`, { zone: context.senderZone }).toJSDate()
        : DateTime.fromJSDate(context.now).setZone(context.senderZone).plus(when.duration).toJSDate();
  return recipients.map((r) => ({
    personId: r.personId,
    displayName: r.displayName,
    timeZone: r.timeZone,
    dueAt: when.kind === 'now' ? ideal : nextWorkingInstant(ideal, { timeZone: r.timeZone, country: r.country, hours: effectiveWorkingHours(r.workingHours, context.clusterHours) }),
  }));
}

/** The instant a date and time typed by the sender stand for (to check it is not past or too far). */
export function senderInstant(when: NudgeWhen, now: Date, senderZone: string): Date {
  if (when.kind === 'now') return now;
  if (when.kind === 'at') return DateTime.fromISO(`${when.date}T${when.time}`, { zone: senderZone }).toJSDate();
  return DateTime.fromJSDate(now).setZone(senderZone).plus(when.duration).toJSDate();
}

/** Stores the reminder as planned nudges, one per recipient at their own time; the scheduler delivers each exactly once. */
export async function saveManualNudge(db: Db, input: { clusterId: string; clusterCode: string; clusterName: string; clusterTimeZone: string; from: string; text: string; deliveries: { personId: string; dueAt: Date }[] }): Promise<void> {
  const batch = randomBytes(6).toString('hex');
  await db.plannedNudge.createMany({
    data: input.deliveries.map(({ personId, dueAt }) => ({
      id: `${MANUAL_KIND}.${batch}.${personId}`,
      clusterId: input.clusterId,
      personId,
      kind: MANUAL_KIND,
      dueAt,
      payload: {
        kind: MANUAL_KIND,
        clusterCode: input.clusterCode,
        clusterName: input.clusterName,
        clusterTimeZone: input.clusterTimeZone,
        anchorAt: dueAt.toISOString(),
        usefulUntil: new Date(dueAt.getTime() + 86_400_000).toISOString(),
        event: false,
        text: input.text,
        from: input.from,
      },
    })),
  });
}

import { DateTime } from 'luxon';
import type { Db } from '../../src/core/db.js';
import { GENERIC_DESIGN, genericItems, type GenericKey } from '../../src/domain/timeline.js';

/** A member of a test cluster, with the web identity tests talk as. */
export interface TestPerson {
  id: string;
  name: string;
  externalId: string;
}

export interface TestCluster {
  clusterId: string;
  code: string;
  coordinator: TestPerson;
  rp: TestPerson;
  members: TestPerson[];
  timeline: Record<GenericKey, { startsAt: Date; endsAt: Date }>;
  /** The ids of the generic design's items, by the method's names. */
  items: Record<GenericKey, string>;
}

/**
 * The generic 16-week design placed at `ee1` (a local date in the cluster's zone): EE1 on day 0,
 * conceptualisation for six weeks, EE2 in week 6, application for nine weeks, EE3 in week 16.
 */
export function sixteenWeekTimeline(ee1: string, timeZone: string): Record<GenericKey, { startsAt: Date; endsAt: Date }> {
  const day0 = DateTime.fromISO(ee1, { zone: timeZone }).startOf('day');
  const period = (from: number, to: number) => ({ startsAt: day0.plus({ days: from }).toJSDate(), endsAt: day0.plus({ days: to }).toJSDate() });
  const event = (day: number) => ({ startsAt: day0.plus({ days: day, hours: 10 }).toJSDate(), endsAt: day0.plus({ days: day + 1, hours: 16 }).toJSDate() });
  return {
    PREPARATION: period(-28, 0),
    EE1: event(0),
    CONCEPTUALISATION: period(2, 42),
    EE2: event(42),
    APPLICATION: period(44, 112),
    EE3: event(112),
    CONTINUATION: period(114, 200),
  };
}

/** Creates a cluster with a coordinator, a resource person and `members` members, all reachable in the web chat. */
export async function createCluster(
  db: Db,
  options: { code: string; ee1: string; members: number; timeZone?: string; country?: string; memberZones?: { timeZone: string; country: string }[] },
): Promise<TestCluster> {
  const timeZone = options.timeZone ?? 'Europe/Belgrade';
  const country = options.country ?? 'RS';
  const timeline = sixteenWeekTimeline(options.ee1, timeZone);
  const programme = await db.programme.create({ data: { name: `Programme ${options.code}` } });
  const cluster = await db.cluster.create({
    data: {
      programmeId: programme.id,
      code: options.code,
      name: `Cluster ${options.code}`,
      approach: 'Day-care Centers',
      timeZone,
      language: 'en',
      capacity: 15,
      timeline: { create: genericItems(Object.fromEntries(Object.entries(timeline).map(([key, t]) => [key, { ...t, location: key.startsWith('EE') ? 'Town hall, Novi Sad' : null }]))) },
    },
    include: { timeline: true },
  });
  // The rows were created in the generic design's order, which their positions keep.
  const items = Object.fromEntries(GENERIC_DESIGN.map((g, i) => [g.key, cluster.timeline.find((row) => row.position === i + 1)!.id])) as Record<GenericKey, string>;
  const code = options.code.toLowerCase();
  const add = async (key: string, name: string, role: 'COORDINATOR' | 'RESOURCE_PERSON' | 'MEMBER', zone = { timeZone, country }): Promise<TestPerson> => {
    const externalId = `web:${code}-${key}`;
    const person = await db.person.create({
      data: { displayName: name, timeZone: zone.timeZone, country: zone.country, identities: { create: { platform: 'WEB', externalId } } },
    });
    await db.membership.create({ data: { personId: person.id, clusterId: cluster.id, role } });
    return { id: person.id, name, externalId };
  };
  const coordinator = await add('coordinator', `Coordinator ${options.code}`, 'COORDINATOR');
  const rp = await add('rp', `Resource ${options.code}`, 'RESOURCE_PERSON');
  const members: TestPerson[] = [];
  for (let i = 1; i <= options.members; i++) members.push(await add(`m${i}`, `Member${i} ${options.code}`, 'MEMBER', options.memberZones?.[(i - 1) % options.memberZones.length]));
  return { clusterId: cluster.id, code: options.code, coordinator, rp, members, timeline, items };
}

/**
 * A nudge as the tests name it: an event reminder reads as the generic item it is about ("event-week-before"
 * of EE2 is "ee2-week-before"), so assertions say which event without repeating ids.
 */
export function nudgeName(lc: Pick<TestCluster, 'items'>, row: { kind: string; payload: unknown }): string {
  const itemId = (row.payload as { itemId?: string } | null)?.itemId;
  const key = Object.entries(lc.items).find(([, id]) => id === itemId)?.[0];
  return row.kind.startsWith('event-') && key ? `${key.toLowerCase()}-${row.kind.slice('event-'.length)}` : row.kind;
}

/** Where-clause of one event reminder of one generic item ("ee2-week-before" → event-week-before about EE2). */
export function eventNudge(lc: Pick<TestCluster, 'items'>, name: string): { kind: string; id: { endsWith: string } } {
  const [key, ...rest] = name.split('-');
  return { kind: `event-${rest.join('-')}`, id: { endsWith: `.${lc.items[key.toUpperCase() as GenericKey]}` } };
}

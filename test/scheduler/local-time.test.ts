import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { effectiveWorkingHours, nextWorkingInstant, DEFAULT_WORKING_HOURS } from '../../src/scheduler/local-time.js';
import { slotJobId } from '../../src/scheduler/queue.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { createCluster, eventNudge, type TestCluster } from './fixtures.js';

// EE1 is Thursday 29 Oct 2026, 10:00 in Belgrade. Europe leaves summer time on 25 Oct, the US on
// 1 Nov: the week before EE1 crosses the European change, and New York is still on summer time.
let runtime: Runtime;
let lc: TestCluster;
const clock = new ManualClock(new Date('2026-10-01T08:00:00Z'));
const belgrade = { timeZone: 'Europe/Belgrade', country: 'RS' };
const newYork = { timeZone: 'America/New_York', country: 'US' };

const dueOf = async (personId: string, name: string) => (await runtime.db.plannedNudge.findFirstOrThrow({ where: { personId, ...(/^ee\d-/.test(name) ? eventNudge(lc, name) : { kind: name }), status: 'PLANNED' } })).dueAt.toISOString();

beforeAll(async () => {
  runtime = await testRuntime({ clock });
  lc = await createCluster(runtime.db, { code: 'LT1', ee1: '2026-10-29', members: 3, memberZones: [belgrade, newYork, belgrade] });
  const [m1, m2, m3] = lc.members;
  // m3 works Monday to Thursday afternoons only.
  await runtime.db.person.update({ where: { id: m3.id }, data: { workingHours: { start: '13:00', end: '17:00', days: [1, 2, 3, 4] } } });
  // Deadlines whose reminders fall on public holidays: 11 Nov (Serbia and the US), Thanksgiving 26 Nov (US only).
  for (const m of [m1, m2]) {
    await runtime.db.actionPlan.create({
      data: {
        clusterId: lc.clusterId, authorId: m.id, approach: 'Day-care', stage: 'SUBMITTED',
        activities: { create: [{ position: 1, activity: 'Premises', deadline: new Date('2026-11-13') }, { position: 2, activity: 'Staff', deadline: new Date('2026-11-28') }] },
      },
    });
  }
  await runtime.scheduler.replan(lc.clusterId);
});

describe('when reminders fall in a daylight-saving week, in two time zones', () => {
  it('keeps 10:00 local time in Belgrade on both sides of the change (08:00 UTC, then 09:00 UTC)', async () => {
    const m1 = lc.members[0];
    expect(await dueOf(m1.id, 'ee1-week-before')).toBe('2026-10-22T08:00:00.000Z');
    expect(await dueOf(m1.id, 'ee1-day-before')).toBe('2026-10-28T09:00:00.000Z');
  });

  it('moves the 05:00 New York equivalent to 09:00 New York time, still on summer time (13:00 UTC)', async () => {
    const m2 = lc.members[1];
    expect(await dueOf(m2.id, 'ee1-week-before')).toBe('2026-10-22T13:00:00.000Z');
    expect(await dueOf(m2.id, 'ee1-day-before')).toBe('2026-10-28T13:00:00.000Z');
  });

  it("follows a person's own working hours over the default", async () => {
    const m3 = lc.members[2];
    expect(await dueOf(m3.id, 'ee1-week-before')).toBe('2026-10-22T11:00:00.000Z'); // 13:00 CEST
    expect(await dueOf(m3.id, 'ee1-day-before')).toBe('2026-10-28T12:00:00.000Z'); // 13:00 CET
  });

  it('queues each of them with the delay to its UTC instant', async () => {
    const row = await runtime.db.plannedNudge.findFirstOrThrow({ where: { personId: lc.members[1].id, ...eventNudge(lc, 'ee1-day-before') } });
    const job = await runtime.scheduler.queue.queue.getJob(slotJobId({ personId: row.personId, dueAt: row.dueAt.getTime() }));
    expect(job?.opts.delay).toBe(new Date('2026-10-28T13:00:00Z').getTime() - clock.now().getTime());
  });
});

describe('when a reminder falls on a public holiday of the member\'s country', () => {
  it('moves a reminder due on 11 November (a holiday in Serbia and in the US) to the working day before', async () => {
    const [m1, m2] = lc.members;
    const premises = (personId: string) => runtime.db.plannedNudge.findFirstOrThrow({ where: { personId, kind: 'activity-due', payload: { path: ['activity'], equals: 'Premises' } } });
    expect((await premises(m1.id)).dueAt.toISOString()).toBe('2026-11-10T08:00:00.000Z'); // Tue 09:00 CET
    expect((await premises(m2.id)).dueAt.toISOString()).toBe('2026-11-10T14:00:00.000Z'); // Tue 09:00 EST
  });

  it('skips Thanksgiving only for the member in the US', async () => {
    const [m1, m2] = lc.members;
    const staff = (personId: string) => runtime.db.plannedNudge.findFirstOrThrow({ where: { personId, kind: 'activity-due', payload: { path: ['activity'], equals: 'Staff' } } });
    expect((await staff(m1.id)).dueAt.toISOString()).toBe('2026-11-26T08:00:00.000Z'); // Thu 26 Nov, 09:00 CET
    expect((await staff(m2.id)).dueAt.toISOString()).toBe('2026-11-25T14:00:00.000Z'); // Wed 25 Nov, 09:00 EST
  });
});

describe('when working hours are configured', () => {
  it('takes the person\'s hours first, then the cluster\'s, then 09:00–18:00 Monday to Friday', () => {
    const person = { start: '13:00', end: '17:00', days: [1, 2] };
    const cluster = { start: '08:00', end: '12:00', days: [1, 2, 3, 4, 5, 6] };
    expect(effectiveWorkingHours(person, cluster)).toEqual(person);
    expect(effectiveWorkingHours(null, cluster)).toEqual(cluster);
    expect(effectiveWorkingHours({ start: 'nine' }, undefined)).toEqual(DEFAULT_WORKING_HOURS);
  });

  it('moves a Friday-evening instant to Monday morning', () => {
    const friday = new Date('2026-11-06T19:30:00Z'); // 20:30 in Belgrade
    expect(nextWorkingInstant(friday, { ...belgrade, hours: DEFAULT_WORKING_HOURS }).toISOString()).toBe('2026-11-09T08:00:00.000Z');
  });
});

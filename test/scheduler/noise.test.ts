import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/logger.js';
import { deliverSlot } from '../../src/scheduler/deliver.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { findButton, talkAs, textOf } from '../support/transcript.js';
import { createCluster, nudgeName, type TestCluster } from './fixtures.js';

let runtime: Runtime;
let lc: TestCluster;
const clock = new ManualClock(new Date('2026-08-20T08:00:00Z'));

const activityNudges = (personId: string) =>
  runtime.db.plannedNudge.findMany({ where: { personId, kind: 'activity-due', status: 'PLANNED' }, orderBy: { dueAt: 'asc' } });

beforeAll(async () => {
  runtime = await testRuntime({ clock });
  lc = await createCluster(runtime.db, { code: 'NC1', ee1: '2026-09-15', members: 2 });
  // Five activities whose reminders land Tuesday to Friday of one week, two of them on Wednesday.
  await runtime.db.actionPlan.create({
    data: {
      clusterId: lc.clusterId, authorId: lc.members[0].id, approach: 'Day-care', stage: 'SUBMITTED',
      activities: { create: ['2026-11-19', '2026-11-20', '2026-11-20', '2026-11-21', '2026-11-22'].map((d, i) => ({ position: i, activity: `Activity ${i + 1}`, deadline: new Date(d) })) },
    },
  });
  await runtime.scheduler.replan(lc.clusterId);
});

describe('when many reminders fall in one week', () => {
  it('merges two on the same day into one slot and keeps at most three messages that week', async () => {
    const nudges = await activityNudges(lc.members[0].id);
    const slots = [...new Set(nudges.map((n) => n.dueAt.toISOString()))];
    expect(slots).toEqual(['2026-11-17T08:00:00.000Z', '2026-11-18T08:00:00.000Z', '2026-11-19T08:00:00.000Z']);
    expect(nudges).toHaveLength(4);
    const friday = await runtime.db.plannedNudge.findMany({ where: { personId: lc.members[0].id, kind: 'activity-due', payload: { path: ['activity'], equals: 'Activity 5' } } });
    expect(friday.every((n) => n.status !== 'PLANNED')).toBe(true);
  });

  it('sends the merged day as one message with both reminders', async () => {
    const member = lc.members[0];
    const due = new Date('2026-11-18T08:00:00.000Z');
    clock.set(due);
    const outcome = await deliverSlot({ db: runtime.db, clock, notifier: runtime.notifier, logger: createLogger('silent') }, { personId: member.id, dueAt: due.getTime() }, { lateByMs: 0, finalAttempt: false });
    expect(outcome).toBe('sent');
    const inbox = await runtime.webSender.drain(member.externalId);
    expect(inbox).toHaveLength(1);
    expect(textOf(inbox)).toContain('2 reminders from NC1');
    expect(textOf(inbox)).toContain('Activity 2');
    expect(textOf(inbox)).toContain('Activity 3');
    const outcomes = (await runtime.db.nudgeDelivery.findMany({ where: { nudge: { personId: member.id } } })).map((d) => d.outcome).sort();
    expect(outcomes).toEqual(['merged', 'sent']);
    clock.set(new Date('2026-08-20T08:00:00Z'));
  });

  it('does not count event reminders: an event that week still gets its reminders', async () => {
    // EE3 moves to Monday 23 Nov: its week-before reminder lands on Monday 16th, its day-before on Friday 20th.
    await runtime.db.timelineItem.update({
      where: { id: lc.items.EE3 },
      data: { startsAt: new Date('2026-11-23T09:00:00Z'), endsAt: new Date('2026-11-24T15:00:00Z') },
    });
    await runtime.services.scheduler.clusterChanged(lc.clusterId, 'EE3 moved');
    // The re-plan runs in the background; run what its job would run, now.
    await runtime.scheduler.replanPending();
    const member = lc.members[0];
    const kinds = (await runtime.db.plannedNudge.findMany({ where: { personId: member.id, status: 'PLANNED', dueAt: { gte: new Date('2026-11-16'), lt: new Date('2026-11-21') } } })).map((n) => nudgeName(lc, n));
    expect(kinds).toEqual(expect.arrayContaining(['ee3-week-before', 'ee3-day-before']));
    // Tuesday, Thursday, and Friday's (which rides along with the day-before reminder); Wednesday's pair was sent.
    expect(kinds.filter((k) => k === 'activity-due')).toHaveLength(3);
  });
});

describe('when a member snoozes reminders for a week', () => {
  let replies: Awaited<ReturnType<ReturnType<typeof talkAs>['say']>>;
  const member = () => lc.members[1];
  const planned = async () => (await runtime.db.plannedNudge.findMany({ where: { personId: member().id, status: 'PLANNED' } })).map((n) => `${n.kind}@${n.dueAt.toISOString()}`).sort();
  let before: string[];

  beforeAll(async () => {
    clock.set(new Date('2026-10-01T08:00:00Z'));
    await runtime.scheduler.replan(lc.clusterId);
    before = await planned();
    replies = await talkAs(runtime.bot, member().externalId).say('/lc snooze 1w');
    await runtime.scheduler.replanPending();
  });

  it('confirms until when, and cancels the reminders due in that week but not event dates', async () => {
    expect(textOf(replies)).toMatch(/Reminders snoozed until Thu 8 Oct 2026, 10:00/);
    const now = await planned();
    expect(before.some((k) => k.startsWith('conceptualisation-midway@2026-10-07'))).toBe(true);
    expect(now.some((k) => k.startsWith('conceptualisation-midway'))).toBe(false);
    expect(now.filter((k) => k.startsWith('ee'))).toEqual(before.filter((k) => k.startsWith('ee')));
  });

  it('undoes the snooze with one button, bringing the same reminders back', async () => {
    const undone = await talkAs(runtime.bot, member().externalId).press(findButton(replies, 'Undo'));
    expect(textOf(undone)).toContain('Snooze undone');
    await runtime.scheduler.replanPending();
    expect(await planned()).toEqual(before);
  });

  it('pauses everything with /lc pause, event dates included, until /lc resume', async () => {
    const me = talkAs(runtime.bot, member().externalId);
    expect(textOf(await me.say('/lc pause'))).toContain('Reminders are paused');
    await runtime.scheduler.replanPending();
    expect(await planned()).toEqual([]);
    expect(textOf(await me.say('/lc resume'))).toContain('Reminders are back on');
    await runtime.scheduler.replanPending();
    expect(await planned()).toEqual(before);
  });

  it('explains a duration it cannot read, and offers choices', async () => {
    const text = textOf(await talkAs(runtime.bot, member().externalId).say('/lc snooze forever'));
    expect(text).toContain('I could not read "forever" as a duration');
    expect(text).toContain('[1 week]');
  });

  it('reads a duration in the member\'s own words and answers with the date written their way', async () => {
    const me = talkAs(runtime.bot, member().externalId);
    const cases: [string, string, string, string][] = [
      ['sr-Latn', '/lc snooze 1 nedelju', '8. oktobar 2026. 10:00', '3 dana'],
      ['sr-Cyrl', '/lc snooze 1 недељу', '8. октобар 2026. 10:00', '3 дана'],
      ['sq', '/lc snooze 1 javë', '8 tetor 2026 në 10:00', '3 ditë'],
      ['mk', '/lc snooze 7 дена', '8 октомври 2026 г., во 10:00', '3 дена'],
      ['bs', '/lc snooze 1 sedmicu', '8. oktobar 2026. u 10:00', '1 sedmicu'],
      ['hr', '/lc snooze 1 tjedan', '8. listopada 2026. u 10:00', '1 tjedan'],
    ];
    try {
      for (const [language, typed, until, example] of cases) {
        await runtime.db.person.update({ where: { id: member().id }, data: { locale: language } });
        expect(textOf(await me.say(typed)), typed).toContain(until);
        await me.say('/lc resume');
        // What it cannot read, it explains with an example in the person's language, which it reads.
        expect(textOf(await me.say('/lc snooze zauvek')), language).toContain(example);
      }
    } finally {
      await runtime.db.person.update({ where: { id: member().id }, data: { locale: 'en' } });
      await runtime.scheduler.replanPending();
    }
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { nudgeLine } from '../../src/scheduler/render.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { downloadIdOf, personOf } from '../support/plans.js';
import { findButton, formOf, talkAs, textOf } from '../support/transcript.js';
import { selectOf } from './clusters/helpers.js';

/**
 * One calendar everywhere: the first and last day of every period, and the time of every event, as
 * the timeline, the status, home, `/lc me`, the report, the plan's deadline hint and the nudges show
 * them, for a viewer in Belgrade (the cluster's zone) and one in London.
 */
const now = new Date('2026-11-23T09:00:00Z');
let runtime: Runtime;

/** LC1 (Europe/Belgrade) as seeded for `now`: periods are whole days of Belgrade, events 10:00–16:00 there. */
const periods = {
  Preparation: ['Tue 6 Oct 2026', 'Mon 26 Oct 2026'],
  'Conceptualisation period': ['Fri 30 Oct 2026', 'Mon 30 Nov 2026'],
  'Application period': ['Fri 4 Dec 2026', 'Thu 4 Feb 2027'],
  Continuation: ['Tue 9 Feb 2027', 'Sat 15 May 2027'],
} as const;

const viewers = [
  { zone: 'Europe/Belgrade', ee2: 'Wed 2 Dec 2026, 10:00', ee2Range: 'Wed 2 Dec 2026, 10:00 – Thu 3 Dec 2026, 16:00', named: false },
  { zone: 'Europe/London', ee2: 'Wed 2 Dec 2026, 09:00 United Kingdom Time', ee2Range: 'Wed 2 Dec 2026, 09:00 – Thu 3 Dec 2026, 15:00 United Kingdom Time', named: true },
];

beforeAll(async () => {
  runtime = await testRuntime({ clock: new ManualClock(now) });
  await seedDemo(runtime.db, now);
  // Two coordinators of LC1 and a member, so every view is reachable from both zones.
  const lc1 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
  const rp2 = await personOf(runtime.db, 'web:lc1-rp2');
  await runtime.db.membership.create({ data: { personId: rp2.id, clusterId: lc1.id, role: 'COORDINATOR' } });
});

async function viewAs(externalId: string, zone: string) {
  const person = await personOf(runtime.db, externalId);
  await runtime.db.person.update({ where: { id: person.id }, data: { timeZone: zone } });
  const who = talkAs(runtime.bot, externalId);
  const report = await who.say('/lc report LC1');
  const markdown = Buffer.from((await runtime.db.download.findUniqueOrThrow({ where: { id: downloadIdOf(textOf(report)) } })).body).toString('utf8');
  return {
    timeline: textOf(await who.say('/lc timeline LC1')),
    status: textOf(await who.say('/lc status LC1')),
    home: textOf(await who.say('/lc home')),
    me: textOf(await who.say('/lc me')),
    report: markdown,
  };
}

describe('when a viewer in Belgrade and one in London look at the same cluster', () => {
  it('every view and the report show each period with the same first and last day', async () => {
    for (const { zone } of viewers) {
      const views = await viewAs('web:lc1-rp2', zone);
      for (const [name, [first, last]] of Object.entries(periods)) {
        expect(views.timeline, `${zone} timeline`).toContain(`${name}: ${first} – ${last}`);
        expect(views.report, `${zone} report`).toContain(`| ${name} | ${first} | ${last} |`);
      }
      // The current period and the next ones, as the short views show them.
      for (const view of [views.timeline, views.status, views.home, views.me]) expect(view).toContain('Current phase: Conceptualisation period, last day Mon 30 Nov 2026.');
      for (const view of [views.status, views.home, views.me]) expect(view).toContain('Application period: Fri 4 Dec 2026 – Thu 4 Feb 2027');
      // A coordinator who is also a resource person sees the cluster once, with both roles.
      for (const view of [views.home, views.me]) {
        expect(view.match(/LC1: Day-care Centers/g)).toHaveLength(1);
        expect(view).toContain('Your roles: coordinator and resource person.');
      }
    }
  });

  it('shows event times in the viewer\'s zone and names the zone only when it differs from the cluster\'s', async () => {
    for (const { zone, ee2, ee2Range, named } of viewers) {
      const views = await viewAs('web:lc1-rp2', zone);
      expect(views.timeline, zone).toContain(`Exchange event 2: ${ee2Range}`);
      for (const view of [views.status, views.home, views.me]) expect(view, zone).toContain(`Exchange event 2: ${ee2}`);
      expect(views.report).toContain(`| Exchange event 2 | ${ee2} |`);
      expect(views.timeline.includes('United Kingdom Time')).toBe(named);
    }
  });

  it('puts the same days in the plan\'s deadline hint as in the timeline', async () => {
    const member = talkAs(runtime.bot, 'web:lc1-m1');
    await runtime.db.person.update({ where: { id: (await personOf(runtime.db, 'web:lc1-m1')).id }, data: { timeZone: 'Europe/London' } });
    const form = formOf(await member.press(findButton(await member.say('/lc plan'), 'Add activity')));
    expect(form.fields.find((f) => f.name === 'deadline')?.hint).toContain(`runs from ${periods.Preparation[0]} to ${periods.Continuation[1]}`);
  });

  it('gives a nudge about an event the time of each reader\'s own clock', async () => {
    const lc1 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' }, include: { timeline: true } });
    const ee2 = lc1.timeline.find((i) => i.kind === 'EE2')!;
    const payload = { kind: 'ee2-day-before', clusterCode: 'LC1', clusterName: lc1.name, clusterTimeZone: lc1.timeZone, anchorAt: ee2.startsAt.toISOString(), usefulUntil: ee2.startsAt.toISOString(), event: true, item: 'EE2' as const, startsAt: ee2.startsAt.toISOString(), location: null };
    for (const { zone, ee2: shown } of viewers) expect(nudgeLine(payload, { locale: 'en', timeZone: zone })).toContain(shown);
  });
});

describe('when a coordinator edits a period from another time zone', () => {
  it('stores the cluster\'s calendar days, so every viewer sees the days that were typed', async () => {
    const coordinator = talkAs(runtime.bot, 'web:lc2-coordinator');
    await runtime.db.person.update({ where: { id: (await personOf(runtime.db, 'web:lc2-coordinator')).id }, data: { timeZone: 'America/New_York' } });
    const lc2 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC2' } });
    const view = await coordinator.say('/lc timeline LC2');
    const form = formOf(await coordinator.choose(selectOf(view, 'timeline:edit'), `${lc2.id}|CONTINUATION`));
    const saved = textOf(await coordinator.submit(form, { startDate: '2027-03-01', endDate: '2027-06-30' }));
    expect(saved).toContain('Continuation: Mon 1 Mar 2027 – Wed 30 Jun 2027');
    const item = await runtime.db.timelineItem.findFirstOrThrow({ where: { clusterId: lc2.id, kind: 'CONTINUATION' } });
    // Midnight in Belgrade (UTC+1 in winter, +2 in summer), whatever the editor's zone.
    expect(item.startsAt.toISOString()).toBe('2027-02-28T23:00:00.000Z');
    expect(item.endsAt.toISOString()).toBe('2027-06-30T22:00:00.000Z');
    const member = talkAs(runtime.bot, 'web:lc2-m1');
    await runtime.db.person.update({ where: { id: (await personOf(runtime.db, 'web:lc2-m1')).id }, data: { timeZone: 'Europe/London' } });
    expect(textOf(await member.say('/lc timeline LC2'))).toContain('Continuation: Mon 1 Mar 2027 – Wed 30 Jun 2027');
  });
});

describe('when a coordinator sets a timeline in the past', () => {
  let clusterId: string;
  const coordinator = () => talkAs(runtime.bot, 'web:lc3-coordinator');

  beforeAll(async () => {
    const form = formOf(await coordinator().say('/lc create'));
    await coordinator().submit(form, { code: 'OLD1', name: 'Old cluster', approach: 'Home Care', hosts: 'ALVRS', hostCountry: 'BA', timeZone: 'Europe/Sarajevo', language: 'en', capacity: '5' });
    clusterId = (await runtime.db.cluster.findFirstOrThrow({ where: { code: 'OLD1' } })).id;
  });

  async function edit(kind: string, values: Record<string, string>) {
    const view = await coordinator().say('/lc timeline OLD1');
    return textOf(await coordinator().submit(formOf(await coordinator().choose(selectOf(view, 'timeline:edit'), `${clusterId}|${kind}`)), values));
  }

  it('saves the dates but warns that they are in the past', async () => {
    const saved = await edit('PREPARATION', { startDate: '2025-01-06', endDate: '2025-02-28' });
    expect(saved).toContain('Preparation is changed');
    expect(saved).toContain('Note: Preparation now ends in the past (Fri 28 Feb 2025)');
    expect(await runtime.db.timelineItem.count({ where: { clusterId } })).toBe(1);
  });

  it('says the timeline has ended instead of naming a phase that ended long ago', async () => {
    for (const command of ['/lc timeline OLD1', '/lc status OLD1']) {
      const text = textOf(await coordinator().say(command));
      expect(text).toContain('The timeline has ended: Preparation ended Fri 28 Feb 2025.');
      expect(text).not.toContain('Current phase: Preparation');
    }
  });

  it('shows the phase the cluster is really in once later items are set, and warns nothing for future dates', async () => {
    const ee1 = await edit('EE1', { startDate: '2026-11-02', startTime: '10:00', endDate: '2026-11-03', endTime: '16:00', location: '' });
    expect(ee1).toContain('Note: Exchange event 1 now ends in the past (Tue 3 Nov 2026, 16:00)');
    const c = await edit('CONCEPTUALISATION', { startDate: '2026-11-04', endDate: '2026-12-10' });
    expect(c).toContain('Note: Conceptualisation period now starts in the past (Wed 4 Nov 2026)');
    // Moving only its end, to a future day, says nothing about the start it kept.
    expect(await edit('CONCEPTUALISATION', { startDate: '2026-11-04', endDate: '2026-12-11' })).not.toContain('Note:');
    expect(await edit('EE2', { startDate: '2026-12-14', startTime: '10:00', endDate: '2026-12-15', endTime: '16:00', location: '' })).not.toContain('in the past');
    expect(textOf(await coordinator().say('/lc timeline OLD1'))).toContain('Current phase: Conceptualisation period, last day Fri 11 Dec 2026.');
  });

  it('speaks of the gap between two phases as such', async () => {
    await edit('CONCEPTUALISATION', { startDate: '2026-11-04', endDate: '2026-11-20' });
    expect(textOf(await coordinator().say('/lc timeline OLD1'))).toContain('Between phases: Exchange event 2 begins Mon 14 Dec 2026, 10:00.');
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { ManualClock } from '../../../src/core/clock.js';
import { seedDemo } from '../../../src/domain/demo-seed.js';
import type { Runtime } from '../../../src/server/runtime.js';
import { testRuntime } from '../../support/harness.js';
import { genericItem } from '../../support/timeline.js';
import { findButton, formOf, talkAs, textOf } from '../../support/transcript.js';

/**
 * EE3 of all clusters of a programme runs in parallel, with joint sessions: one joint event the five
 * clusters take part in. Moving it once moves every cluster's EE3, re-plans every cluster and tells
 * every other coordinator.
 */

let runtime: Runtime;
const clock = new ManualClock(new Date('2026-11-23T09:00:00Z'));
const codes = ['LC1', 'LC2', 'LC3', 'LC4', 'LC5'];
let clusters: { id: string; code: string }[];

beforeAll(async () => {
  runtime = await testRuntime({ clock });
  await seedDemo(runtime.db, clock.now());
  clusters = await runtime.db.cluster.findMany({ where: { code: { in: codes } }, orderBy: { code: 'asc' }, select: { id: true, code: true } });
  for (const c of clusters) await runtime.scheduler.replan(c.id);
});

const coordinatorOf = (code: string) => talkAs(runtime.bot, `web:${code.toLowerCase()}-coordinator`);
const ee3Of = (clusterId: string) => genericItem(runtime.db, clusterId, 'EE3');

describe('when the five coordinators make EE3 a joint event of the programme', () => {
  it('links LC1\'s EE3 to a new joint event, with its roles kept and its dates replaced', async () => {
    const view = await coordinatorOf('LC1').say('/lc joint LC1');
    expect(textOf(view)).toContain('No joint events yet.');
    const form = formOf(await coordinatorOf('LC1').press(findButton(view, 'New joint event')));
    const lc1 = clusters[0];
    const saved = await coordinatorOf('LC1').submit(form, {
      type: 'EXCHANGE_EVENT', title: 'EE3: all clusters in Skopje', startDate: '22.02.2027', startTime: '09:30', endDate: '24.02.2027', endTime: '16:00', location: 'Skopje, Hotel Continental', clusters: [lc1.id], role: 'FIRST_EXPERIENCES',
    });
    expect(textOf(saved)).toContain('EE3: all clusters in Skopje is created for 1 cluster');
    const ee3 = await ee3Of(lc1.id);
    expect(ee3).toMatchObject({ title: 'EE3: all clusters in Skopje', roles: ['FIRST_EXPERIENCES', 'WAY_FORWARD'], location: 'Skopje, Hotel Continental' });
    expect(ee3.jointEventId).not.toBeNull();
    expect(ee3.startsAt!.toISOString()).toBe('2027-02-22T08:30:00.000Z');
  });

  it('lets each other coordinator join their cluster, which links their EE3 too', async () => {
    for (const code of codes.slice(1)) {
      const view = await coordinatorOf(code).say(`/lc joint ${code}`);
      const form = formOf(await coordinatorOf(code).press(findButton(view, `Join with ${code}`)));
      expect(textOf(await coordinatorOf(code).submit(form, { role: 'FIRST_EXPERIENCES' }))).toContain('the cluster takes part in the joint event');
    }
    const joint = await runtime.db.jointEvent.findFirstOrThrow({ include: { items: true } });
    expect(joint.items.map((i) => i.clusterId).sort()).toEqual(clusters.map((c) => c.id).sort());
    expect(textOf(await coordinatorOf('LC2').say('/lc joint LC2'))).toContain('Taking part: LC1, LC2, LC3, LC4, LC5');
    // Members see it as their cluster's EE3, with its title.
    expect(textOf(await talkAs(runtime.bot, 'web:lc4-m1').say('/lc timeline LC4'))).toContain('EE3: all clusters in Skopje');
  });
});

describe('when one coordinator moves the joint event once', () => {
  let answer: Awaited<ReturnType<ReturnType<typeof talkAs>['say']>>;
  let marksBefore: number;

  beforeAll(async () => {
    await runtime.scheduler.replanPending();
    marksBefore = await runtime.db.replanRequest.count();
    const view = await coordinatorOf('LC3').say('/lc joint LC3');
    const form = formOf(await coordinatorOf('LC3').press(findButton(view, 'Move or rename')));
    const values = Object.fromEntries(form.fields.map((f) => [f.name, String(f.initial ?? '')]));
    // LC3 plans in Sarajevo time, the same clock as Skopje's.
    answer = await coordinatorOf('LC3').submit(form, { ...values, startDate: '2027-03-01', endDate: '2027-03-03' });
  });

  it('moves every cluster\'s EE3 in one go and records the change in each cluster\'s audit trail', async () => {
    expect(textOf(answer)).toContain('is moved for all 5 clusters taking part');
    for (const c of clusters) {
      const ee3 = await ee3Of(c.id);
      expect(ee3.startsAt!.toISOString()).toBe('2027-03-01T08:30:00.000Z');
      expect(await runtime.db.timelineChange.count({ where: { itemId: ee3.id, action: 'joint' } })).toBe(2);
    }
  });

  it('marks every cluster of the programme for re-planning, and the re-plan moves every member\'s EE3 reminders', async () => {
    expect(marksBefore).toBe(0);
    const marks = await runtime.db.replanRequest.findMany({ where: { reason: 'joint-event' } });
    expect(marks.map((m) => m.clusterId).sort()).toEqual(clusters.map((c) => c.id).sort());
    await runtime.scheduler.replanPending();
    for (const c of clusters) {
      const ee3 = await ee3Of(c.id);
      const weekBefore = await runtime.db.plannedNudge.findMany({ where: { clusterId: c.id, kind: 'event-week-before', id: { endsWith: ee3.id }, status: 'PLANNED' }, include: { person: true } });
      expect(weekBefore.length).toBe(10);
      for (const n of weekBefore) {
        // A week before, inside the person's working hours of that day.
        const due = DateTime.fromJSDate(n.dueAt).setZone(n.person.timeZone);
        expect(due.toISODate()).toBe('2027-02-22');
        expect((n.payload as { startsAt: string }).startsAt).toBe('2027-03-01T08:30:00.000Z');
      }
    }
  });

  it('tells every other coordinator where the joint event went', async () => {
    for (const code of ['LC1', 'LC2', 'LC4', 'LC5']) {
      const inbox = await runtime.webSender.drain(`web:${code.toLowerCase()}-coordinator`);
      expect(textOf(inbox)).toContain('moved the joint event EE3: all clusters in Skopje');
    }
    expect(textOf(await runtime.webSender.drain('web:lc3-coordinator'))).not.toContain('moved the joint event');
  });

  it('refuses a move that would put EE3 before a cluster\'s application period, naming the cluster, and changes nothing', async () => {
    const view = await coordinatorOf('LC1').say('/lc joint LC1');
    const form = formOf(await coordinatorOf('LC1').press(findButton(view, 'Move or rename')));
    const values = Object.fromEntries(form.fields.map((f) => [f.name, String(f.initial ?? '')]));
    // The application periods of LC4 and LC5 start on 13 and 16 Dec 2026; 10 Dec is before them.
    const text = textOf(await coordinatorOf('LC1').submit(form, { ...values, startDate: '2026-12-10', endDate: '2026-12-11' }));
    expect(text).toContain('Nothing was changed, because it would break these timelines:');
    expect(text).toContain('LC4:');
    expect(text).toContain('LC5:');
    expect(text).not.toContain('LC1:');
    for (const c of clusters) expect((await ee3Of(c.id)).startsAt!.toISOString()).toBe('2027-03-01T08:30:00.000Z');
  });
});

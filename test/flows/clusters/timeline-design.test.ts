import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { runHousekeeping } from '../../../src/scheduler/housekeeping.js';
import { renderNudges } from '../../../src/scheduler/render.js';
import type { NudgePayload } from '../../../src/scheduler/plan.js';
import type { Runtime } from '../../../src/server/runtime.js';
import { openRoundAutomatically } from '../../../flows/feedback/delivery.js';
import { createLogger } from '../../../src/core/logger.js';
import { testRuntime } from '../../support/harness.js';
import { findButton, formOf, talkAs, textOf } from '../../support/transcript.js';
import { createCluster, type TestCluster } from '../../scheduler/fixtures.js';
import { selectOf } from './helpers.js';

/**
 * A cluster's own timeline: the coordinator adds an online coaching session and a field visit and removes
 * an exchange event; reminders follow the items that are there, and the coordinator sees what changes
 * before saving, including a role that no item plays any more.
 */

let runtime: Runtime;
let lc: TestCluster;
let lc2: TestCluster;
const clock = new ManualClock(new Date('2026-08-20T08:00:00Z'));

beforeAll(async () => {
  runtime = await testRuntime({ clock });
  // EE1 on 15 Sep 2026, EE2 on 27 Oct, EE3 on 5 Jan 2027 (test/scheduler/fixtures.ts).
  lc = await createCluster(runtime.db, { code: 'TD1', ee1: '2026-09-15', members: 3 });
  lc2 = await createCluster(runtime.db, { code: 'TD2', ee1: '2026-09-15', members: 3 });
  for (const c of [lc, lc2]) await runtime.scheduler.replan(c.clusterId);
});

const coordinator = () => talkAs(runtime.bot, lc.coordinator.externalId);
const planned = (clusterId: string, where: object = {}) => runtime.db.plannedNudge.findMany({ where: { clusterId, status: 'PLANNED', ...where }, orderBy: [{ personId: 'asc' }, { dueAt: 'asc' }] });
const itemNamed = async (clusterId: string, type: 'COACHING_SESSION' | 'FIELD_VISIT') => runtime.db.timelineItem.findFirstOrThrow({ where: { clusterId, type } });

/** Adds an item through the coordinator's forms, as a person would; returns the reply to the item form. */
async function add(type: string, values: Record<string, string | string[]>) {
  const view = await coordinator().say('/lc timeline TD1');
  const typeForm = formOf(await coordinator().press(findButton(view, 'Add an event or period')));
  const itemForm = formOf(await coordinator().submit(typeForm, { type, title: '' }));
  expect(itemForm.fields.map((f) => f.name)).toEqual(['title', 'startDate', 'startTime', 'endDate', 'endTime', 'location', 'roles', 'reminders']);
  return coordinator().submit(itemForm, values);
}

describe('when a coordinator adds an online coaching session between EE1 and EE2', () => {
  let preview: Awaited<ReturnType<typeof add>>;

  beforeAll(async () => {
    preview = await add('COACHING_SESSION', { title: '', startDate: '06.10.2026', startTime: '16:00', endDate: '06.10.2026', endTime: '17:30', location: 'https://meet.example.org/td1', roles: [], reminders: 'on' });
  });

  it('shows the reminders it brings before saving anything', async () => {
    const text = textOf(preview);
    expect(text).toContain('Add Online coaching session?');
    expect(text).toContain('New reminders:');
    // Three members and the resource person, the day before (an online hour needs no week's notice).
    expect(text).toMatch(/Online coaching session tomorrow: 4 people, first on Mon 5 Oct 2026/);
    expect(await runtime.db.timelineItem.count({ where: { clusterId: lc.clusterId, type: 'COACHING_SESSION' } })).toBe(0);
  });

  it('saves it when confirmed, records it, and plans a reminder the day before for members and the resource person', async () => {
    const saved = await coordinator().press(findButton(preview, 'Save'));
    expect(textOf(saved)).toContain('Online coaching session is added.');
    expect(textOf(saved)).toMatch(/Online coaching session\*?\*?: Tue 6 Oct 2026, 16:00–17:30 \(https:\/\/meet\.example\.org\/td1\)/);
    const session = await itemNamed(lc.clusterId, 'COACHING_SESSION');
    expect(await runtime.db.timelineChange.count({ where: { itemId: session.id, action: 'added' } })).toBe(1);
    await runtime.scheduler.replanPending();
    const reminders = await planned(lc.clusterId, { id: { endsWith: session.id } });
    expect(reminders.map((r) => r.kind)).toEqual(['event-day-before', 'event-day-before', 'event-day-before', 'event-day-before']);
    expect(new Set(reminders.map((r) => r.personId))).toEqual(new Set([...lc.members.map((m) => m.id), lc.rp.id]));
    const message = renderNudges([reminders[0].payload as unknown as NudgePayload], { locale: 'en', timeZone: 'Europe/Belgrade' });
    expect(textOf(message)).toContain('Online coaching session starts tomorrow: Tue 6 Oct 2026, 16:00 at https://meet.example.org/td1.');
  });
});

describe('when the coordinator adds a field visit and removes Exchange event 3', () => {
  it('reminds people a week and a day before the field visit', async () => {
    const preview = await add('FIELD_VISIT', { title: 'Visit to the day-care centre in Prizren', startDate: '2026-11-19', startTime: '08:00', endDate: '2026-11-19', endTime: '18:00', location: 'Prizren', roles: [], reminders: 'on' });
    expect(textOf(preview)).toMatch(/Visit to the day-care centre in Prizren in a week: 4 people/);
    expect(textOf(await coordinator().press(findButton(preview, 'Save')))).toContain('Visit to the day-care centre in Prizren is added.');
    await runtime.scheduler.replanPending();
    const visit = await itemNamed(lc.clusterId, 'FIELD_VISIT');
    const kinds = (await planned(lc.clusterId, { id: { endsWith: visit.id } })).map((r) => r.kind);
    expect(kinds.filter((k) => k === 'event-week-before')).toHaveLength(4);
    expect(kinds.filter((k) => k === 'event-day-before')).toHaveLength(4);
  });

  it('asks before removing, naming the reminders that go and the roles left without an item, then cancels them all', async () => {
    const view = await coordinator().say('/lc timeline TD1');
    const preview = await coordinator().choose(selectOf(view, 'timeline:remove'), `${lc.clusterId}|${lc.items.EE3}`);
    const text = textOf(preview);
    expect(text).toContain('Remove Exchange event 3?');
    expect(text).toContain('Reminders that will no longer be sent:');
    expect(text).toMatch(/Exchange event 3 in a week: 4 people/);
    expect(text).toContain('first experiences shared and evaluated: home and the report name no event for sharing first experiences.');
    expect(await planned(lc.clusterId, { id: { endsWith: lc.items.EE3 } })).toHaveLength(8);

    const removed = await coordinator().press(findButton(preview, 'Remove'));
    expect(textOf(removed)).toContain('Exchange event 3 is removed, with its reminders. Undo brings it back.');
    expect(textOf(removed)).not.toMatch(/- \*?\*?Exchange event 3/);
    await runtime.scheduler.replanPending();
    expect(await planned(lc.clusterId, { id: { endsWith: lc.items.EE3 } })).toHaveLength(0);
    expect(await runtime.db.plannedNudge.count({ where: { clusterId: lc.clusterId, id: { endsWith: lc.items.EE3 }, status: 'CANCELLED' } })).toBe(8);
    // The other items keep theirs.
    const visit = await itemNamed(lc.clusterId, 'FIELD_VISIT');
    expect(await planned(lc.clusterId, { id: { endsWith: visit.id } })).toHaveLength(8);

    // Undo is cheap: the event and its reminders come back.
    await coordinator().press(findButton(removed, 'Undo'));
    await runtime.scheduler.replanPending();
    expect(await planned(lc.clusterId, { id: { endsWith: lc.items.EE3 } })).toHaveLength(8);
  });

  it('keeps every edit in the history, with who made it', async () => {
    const view = await coordinator().say('/lc timeline TD1');
    const text = textOf(await coordinator().press(findButton(view, 'History')));
    expect(text).toContain('Changes to the timeline of TD1');
    expect(text).toMatch(/Coordinator TD1 · restored Exchange event/);
    expect(text).toMatch(/Coordinator TD1 · removed Exchange event/);
    expect(text).toContain('Coordinator TD1 · added Visit to the day-care centre in Prizren');
  });
});

describe('when a cluster has no exchange event in the "concepts presented" role', () => {
  const coordinator2 = () => talkAs(runtime.bot, lc2.coordinator.externalId);

  it('tells the coordinator before saving that no plan reminder and no automatic feedback round will follow', async () => {
    expect(await planned(lc2.clusterId, { kind: 'plan-due-before-ee2' })).toHaveLength(3);
    const view = await coordinator2().say('/lc timeline TD2');
    // The coordinator keeps EE2 as a meeting but takes away its role.
    const form = formOf(await coordinator2().choose(selectOf(view, 'timeline:edit'), `${lc2.clusterId}|${lc2.items.EE2}`));
    expect(form.fields.find((f) => f.name === 'roles')?.initial).toEqual(['CONCEPTS_PRESENTED']);
    const values = Object.fromEntries(form.fields.map((f) => [f.name, f.initial ?? ''])) as Record<string, string | string[]>;
    const preview = await coordinator2().submit(form, { ...values, roles: [] });
    const text = textOf(preview);
    expect(text).toContain('Save the changes to Exchange event 2?');
    expect(text).toMatch(/submit plan before Exchange event 2: 3 people/);
    expect(text).toContain('No item plays these roles');
    expect(text).toContain('concepts presented and get feedback: no reminder to submit plans before it, and no feedback round opens automatically.');
    expect(await runtime.db.timelineItem.findUniqueOrThrow({ where: { id: lc2.items.EE2 } })).toMatchObject({ roles: ['CONCEPTS_PRESENTED'] });

    const saved = await coordinator2().press(findButton(preview, 'Save'));
    expect(textOf(saved)).toContain('Exchange event 2 is changed.');
    // The timeline keeps saying so while no item plays the role.
    expect(textOf(saved)).toContain('concepts presented and get feedback: no reminder to submit plans before it');
  });

  it('plans no plan-due reminders, still reminds of the meeting itself, and opens no feedback round automatically', async () => {
    await runtime.scheduler.replanPending();
    expect(await planned(lc2.clusterId, { kind: 'plan-due-before-ee2' })).toHaveLength(0);
    expect(await planned(lc2.clusterId, { id: { endsWith: lc2.items.EE2 } })).toHaveLength(8);

    await runtime.db.cluster.update({ where: { id: lc2.clusterId }, data: { design: { feedbackRound: { autoOpenAtEe2: true } } } });
    for (const m of lc2.members) await runtime.db.actionPlan.create({ data: { clusterId: lc2.clusterId, authorId: m.id, stage: 'SUBMITTED', approach: 'Day-care', goal: 'A goal' } });
    clock.set(new Date(lc2.timeline.EE2.startsAt.getTime() + 3_600_000));
    expect(await openRoundAutomatically(runtime.services, lc2.clusterId)).toEqual({ status: 'noEe2' });
    expect((await runHousekeeping(runtime.services, createLogger('silent'))).roundsOpened).toBe(0);
    expect(await runtime.db.feedbackRound.count({ where: { clusterId: lc2.clusterId } })).toBe(0);
    clock.set(new Date('2026-08-20T08:00:00Z'));
  });
});

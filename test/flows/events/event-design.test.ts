import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { seedDemo } from '../../../src/domain/demo-seed.js';
import type { Runtime } from '../../../src/server/runtime.js';
import { testRuntime } from '../../support/harness.js';
import { clusterByCode } from '../../support/plans.js';
import { genericItem } from '../../support/timeline.js';
import { findButton, formOf, talkAs, textOf } from '../../support/transcript.js';
import { selectOf } from '../clusters/helpers.js';

/**
 * Issue 19, item 2: the detailed design of an exchange event (Annex 2). A coordinator and a resource person
 * of LC1 draft EE2's two-day agenda together, one session at a time; a member reads the agenda without the
 * moderators' instructions or the preparation notes and cannot edit it; LC2 copies LC1's design.
 */

let runtime: Runtime;
const now = new Date('2026-11-23T09:00:00Z');
const clock = new ManualClock(now);
const MODERATOR = 'Split into groups of four; 20 minutes per concept, then plenary';
const PREPARATION = 'Print the concepts; two flipcharts per group';

const coordinator = () => talkAs(runtime.bot, 'web:lc1-coordinator');
const rp = () => talkAs(runtime.bot, 'web:lc1-rp1');
const member = () => talkAs(runtime.bot, 'web:lc1-m1');

async function ee2(code: string) {
  const cluster = await clusterByCode(runtime.db, code);
  return genericItem(runtime.db, cluster.id, 'EE2');
}

beforeAll(async () => {
  runtime = await testRuntime({ clock });
  await seedDemo(runtime.db, now);
});

describe('when the coordinator and a resource person draft EE2 together', () => {
  it('lets the coordinator set the goal and objectives through the form', async () => {
    const view = await coordinator().say('/lc event design LC1 EE2');
    expect(textOf(view)).toContain('Design: Exchange event 2 (LC1)');
    const form = formOf(await coordinator().press(findButton(view, 'Goal and objectives')));
    expect(form.fields.map((f) => f.name)).toEqual(['goal', 'objectives', 'output', 'indicator']);
    const saved = await coordinator().submit(form, { goal: 'Members present their concepts and get feedback', objectives: '- Present every concept\n- Agree the next steps', output: 'Output 2: concepts consolidated', indicator: '80% of members consolidate their concept' });
    expect(textOf(saved)).toContain('Saved.');
    const design = await runtime.db.eventDesign.findUniqueOrThrow({ where: { itemId: (await ee2('LC1')).id } });
    expect(design.objectives).toEqual(['Present every concept', 'Agree the next steps']);
    expect(design.version).toBe(1);
  });

  it('lets the resource person add sessions on two days, placed by their time, with friendly mistakes', async () => {
    const view = await rp().say('/lc event design LC1 EE2');
    const form = formOf(await rp().press(findButton(view, 'Add a session')));
    expect(form.fields.map((f) => f.name)).toEqual(['day', 'startTime', 'endTime', 'name', 'objective', 'content', 'responsible', 'responsibleText', 'moderatorNotes', 'preparationNotes']);
    expect(form.fields[0].options!.map((o) => o.label)).toHaveLength(2);
    const wrong = await rp().submit(form, { day: '1', startTime: 'soon', endTime: '09:00', name: '' });
    const errors = formOf(wrong).errors!;
    expect(errors.startTime).toMatch(/time/i);
    expect(errors.name).toBeTruthy();
    const rpPerson = await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: 'web:lc1-rp1' } });
    await rp().submit(formOf(wrong), { day: '1', startTime: '11:00', endTime: '12:30', name: 'Concepts in groups', objective: 'Each member gets feedback on their concept', content: 'Peer feedback on the concepts', responsible: rpPerson.personId, moderatorNotes: MODERATOR, preparationNotes: PREPARATION });
    const again = await rp().say('/lc event design LC1 EE2');
    await rp().submit(formOf(await rp().press(findButton(again, 'Add a session'))), { day: '1', startTime: '9:30', endTime: '10:00', name: 'Welcome <b>and</b> *agenda*', responsibleText: 'Host coordinator' });
    const third = await rp().say('/lc event design LC1 EE2');
    const saved = await rp().submit(formOf(await rp().press(findButton(third, 'Add a session'))), { day: '2', startTime: '09:00', name: 'Consolidation plan' });
    const text = textOf(saved);
    expect(text.indexOf('09:30–10:00 Welcome <b>and</b> *agenda*')).toBeGreaterThan(-1);
    expect(text.indexOf('09:30')).toBeLessThan(text.indexOf('11:00–12:30'));
    expect(text).toContain(MODERATOR);
  });

  it('moves a session up, records every edit with who made it, and refuses a stale button', async () => {
    const view = await coordinator().say('/lc event design LC1 EE2');
    const up = selectOf(view, 'event:up');
    const concepts = up.options.find((o) => o.label.includes('Concepts in groups'))!;
    const moved = await coordinator().choose(up, concepts.value);
    expect(textOf(moved).indexOf('Concepts in groups')).toBeLessThan(textOf(moved).indexOf('Welcome'));
    // The same choice again carries the old version: nothing moves twice.
    const repeated = await coordinator().choose(up, concepts.value);
    expect(textOf(repeated)).toContain('Someone else changed this design meanwhile');
    const design = await runtime.db.eventDesign.findUniqueOrThrow({ where: { itemId: (await ee2('LC1')).id }, include: { changes: { include: { changedBy: true }, orderBy: { changedAt: 'asc' } } } });
    expect(design.changes.map((c) => c.action)).toEqual(['goals', 'session-added', 'session-added', 'session-added', 'session-moved']);
    expect(new Set(design.changes.map((c) => c.changedBy?.displayName)).size).toBe(2);
  });

  it('copies day 1 to day 2 with all its notes', async () => {
    const view = await coordinator().say('/lc event design LC1 EE2');
    const form = formOf(await coordinator().press(findButton(view, 'Copy a day')));
    const same = await coordinator().submit(form, { from: '1', to: '1' });
    expect(formOf(same).errors!.to).toBe('Choose two different days.');
    await coordinator().submit(formOf(same), { from: '1', to: '2' });
    const sessions = await runtime.db.eventSession.findMany({ where: { design: { itemId: (await ee2('LC1')).id }, day: 2 }, orderBy: { position: 'asc' } });
    expect(sessions.map((s) => s.name)).toEqual(['Consolidation plan', 'Concepts in groups', 'Welcome <b>and</b> *agenda*']);
    expect(sessions[1].moderatorNotes).toBe(MODERATOR);
  });
});

describe('when a member reads the agenda', () => {
  it('shows day, time, session, objective and who is responsible, never the moderators\' instructions or preparation notes', async () => {
    const replies = await member().say('/lc event LC1 EE2');
    const text = textOf(replies);
    expect(text).toContain('Agenda: Exchange event 2 (LC1)');
    expect(text).toMatch(/Day 1 · \w{3} \d+ \w{3} 2026/);
    expect(text).toContain('11:00–12:30 Concepts in groups: Each member gets feedback on their concept');
    expect(text).toContain('Responsible: Host coordinator');
    expect(text).toContain('Members present their concepts and get feedback');
    const all = JSON.stringify(replies);
    expect(all).not.toContain(MODERATOR);
    expect(all).not.toContain(PREPARATION);
    expect(all).not.toContain('Output 2');
    expect(() => findButton(replies, 'Edit the design')).toThrow();
  });

  it('finds the next event without naming it', async () => {
    expect(textOf(await member().say('/lc event'))).toContain('Agenda: Exchange event 2 (LC1)');
  });
});

describe('when a member tries to edit', () => {
  it('answers politely with the agenda instead of the design', async () => {
    const replies = await member().say('/lc event design LC1 EE2');
    expect(textOf(replies)).toContain('Only the coordinators and resource persons of the cluster write the design');
    expect(JSON.stringify(replies)).not.toContain(MODERATOR);
  });

  it('refuses a forged form or button and changes nothing', async () => {
    const item = await ee2('LC1');
    const cluster = await clusterByCode(runtime.db, 'LC1');
    const before = await runtime.db.eventDesign.findUniqueOrThrow({ where: { itemId: item.id } });
    const opened = await member().press({ actionId: 'event:add', value: `${cluster.id}|${item.id}` });
    expect(textOf(opened)).not.toContain('New session');
    const session = await runtime.db.eventSession.findFirstOrThrow({ where: { designId: before.id } });
    await member().press({ actionId: 'event:removeConfirm', value: `${cluster.id}|${item.id}|${session.id}|${before.version}` });
    const after = await runtime.db.eventDesign.findUniqueOrThrow({ where: { itemId: item.id } });
    expect(after.version).toBe(before.version);
    expect(await runtime.db.eventSession.count({ where: { id: session.id } })).toBe(1);
  });
});

describe('when LC2\'s coordinator copies EE2 from LC1', () => {
  it('copies goal, objectives and every session, naming LC1\'s people as text', async () => {
    const lc2 = () => talkAs(runtime.bot, 'web:lc2-coordinator');
    const view = await lc2().say('/lc event design LC2 EE2');
    const form = formOf(await lc2().press(findButton(view, 'Copy from another cluster')));
    expect(form.fields[0].options!.map((o) => o.label)).toEqual(['LC1: 5 sessions']);
    const copied = await lc2().submit(form, { source: form.fields[0].options![0].value });
    expect(textOf(copied)).toContain('Members present their concepts and get feedback');
    const design = await runtime.db.eventDesign.findUniqueOrThrow({ where: { itemId: (await ee2('LC2')).id }, include: { sessions: true, changes: true } });
    expect(design.sessions).toHaveLength(5);
    expect(design.sessions.every((s) => s.responsibleId === null)).toBe(true);
    expect(design.changes.map((c) => c.action)).toEqual(['design-copied']);
    // LC1 is untouched.
    expect(await runtime.db.eventSession.count({ where: { design: { itemId: (await ee2('LC1')).id } } })).toBe(5);
  });
});

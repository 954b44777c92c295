import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { Prisma } from '../../src/generated/prisma/client.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { personOf } from '../support/plans.js';
import { findButton, formOf, talkAs, textOf } from '../support/transcript.js';

/**
 * The coordinator's own reminder, `/lc nudge`: the form (recipients by name or role, message, when),
 * the typed grammar (names with spaces, quotes, mentions, local dates), the preview naming every
 * recipient with their local time, and delivery inside each recipient's working hours.
 * LC1 runs in Europe/Belgrade; its resource person Drita Berisha works from London.
 */
const monday = new Date('2026-11-23T09:00:00Z'); // Mon 23 Nov 2026, 10:00 in Belgrade
const clock = new ManualClock(monday);
let runtime: Runtime;
let genta: string;
let drita: string;
const coordinator = () => talkAs(runtime.bot, 'web:lc1-coordinator');

beforeAll(async () => {
  runtime = await testRuntime({ clock });
  await seedDemo(runtime.db, monday);
  genta = (await personOf(runtime.db, 'web:lc1-m2')).id;
  drita = (await personOf(runtime.db, 'web:lc1-rp2')).id;
  expect((await personOf(runtime.db, 'web:lc1-m2')).displayName).toBe('Genta Morina');
  expect((await personOf(runtime.db, 'web:lc1-rp2')).displayName).toBe('Drita Berisha');
});
beforeEach(() => clock.set(monday));

async function manualRows() {
  return runtime.db.plannedNudge.findMany({ where: { kind: 'manual', status: 'PLANNED' }, orderBy: { createdAt: 'desc' } });
}

describe('when a coordinator writes a reminder in the form', () => {
  it('opens from `/lc nudge` alone and from the button in `/lc nudges`, with people by name and roles', async () => {
    const form = formOf(await coordinator().say('/lc nudge'));
    expect(form.formId).toBe('nudge:compose');
    const options = form.fields.find((f) => f.name === 'recipients')!.options!.map((o) => o.label);
    expect(options).toEqual(expect.arrayContaining(['Everyone in LC1 (10)', 'All members (8)', 'All resource persons (2)', 'Genta Morina (member)', 'Drita Berisha (resource person)']));
    expect(form.fields.map((f) => f.name)).toEqual(['recipients', 'message', 'when', 'date', 'time', 'days']);
    const list = await coordinator().say('/lc nudges');
    expect(formOf(await coordinator().press(findButton(list, 'Write a reminder'))).formId).toBe('nudge:compose');
  });

  it('schedules for two named people at 01.12.2026 10:00, the preview naming both with their own local time', async () => {
    const form = formOf(await coordinator().say('/lc nudge'));
    const before = (await manualRows()).length;
    const preview = await coordinator().submit(form, { recipients: [`person:${genta}`, `person:${drita}`], message: 'Please bring one photo of your case.', when: 'at', date: '01.12.2026', time: '10:00', days: '' });
    const text = textOf(preview);
    expect(text).toContain('Send this reminder to 2 people in LC1?');
    expect(text).toContain('Please bring one photo of your case.');
    expect(text).toContain('Genta Morina: Tue 1 Dec 2026, 10:00');
    expect(text).toContain('Drita Berisha: Tue 1 Dec 2026, 09:00 United Kingdom Time');
    expect(await manualRows()).toHaveLength(before);
    const done = await coordinator().press(findButton(preview, 'Send'));
    expect(textOf(done)).toContain('the reminder goes to 2 people');
    const rows = (await manualRows()).slice(0, 2);
    expect(Object.fromEntries(rows.map((r) => [r.personId, r.dueAt.toISOString()]))).toEqual({ [genta]: '2026-12-01T09:00:00.000Z', [drita]: '2026-12-01T09:00:00.000Z' });
  });

  it('reports every mistake of the form at once and keeps what was typed', async () => {
    const form = formOf(await coordinator().say('/lc nudge'));
    const again = formOf(await coordinator().submit(form, { recipients: [], message: '  ', when: 'at', date: '', time: '25:00', days: '' }));
    expect(again.errors).toEqual({
      recipients: 'This field is required.',
      message: 'This field is required.',
      date: 'Please give the date, e.g. 01.12.2026.',
      time: 'Please give a time of day, e.g. 09:30.',
    });
    expect(again.fields.find((f) => f.name === 'time')?.initial).toBe('25:00');
    const past = formOf(await coordinator().submit(form, { recipients: ['role:MEMBER'], message: 'Hello', when: 'at', date: '20.11.2026', time: '10:00', days: '' }));
    expect(past.errors).toEqual({ date: 'Fri 20 Nov 2026, 10:00 GMT+1 has already passed. Please choose a later time.' });
  });

  it('sends "now" to a role at once, without waiting for working hours', async () => {
    clock.set(new Date('2026-11-23T21:30:00Z')); // 22:30 in Belgrade
    const form = formOf(await coordinator().say('/lc nudge'));
    const preview = await coordinator().submit(form, { recipients: ['role:RESOURCE_PERSON'], message: 'Urgent: the venue changed.', when: 'now', date: '', time: '', days: '' });
    expect(textOf(preview)).toContain('Besnik Gashi and Drita Berisha: now');
    await coordinator().press(findButton(preview, 'Send'));
    const rows = (await manualRows()).slice(0, 2);
    expect(rows.map((r) => r.dueAt.toISOString())).toEqual(['2026-11-23T21:30:00.000Z', '2026-11-23T21:30:00.000Z']);
  });
});

describe('when a coordinator types the reminder', () => {
  it('reads a name with spaces and a local date, and leaves neither in the message', async () => {
    const preview = textOf(await coordinator().say('/lc nudge LC1 @Genta Morina Faleminderit për punën at 01.12.2026 10:00'));
    expect(preview).toContain('Send this reminder to 1 person in LC1?');
    expect(preview).toContain('Faleminderit për punën');
    expect(preview).not.toContain('Morina Faleminderit');
    expect(preview).not.toContain('01.12.2026');
    expect(preview).toContain('Genta Morina: Tue 1 Dec 2026, 10:00');
  });

  it('reads quoted names, Teams and Slack mentions, and first names, each person once', async () => {
    await runtime.db.platformIdentity.create({ data: { personId: genta, platform: 'SLACK', externalId: 'T1:UGENTA' } });
    const preview = textOf(await coordinator().say('/lc nudge "Drita Berisha", <at>Genta Morina</at> <@UGENTA|genta> @Ilir See you on Thursday'));
    expect(preview).toContain('Send this reminder to 3 people in LC1?');
    expect(preview).toContain('Drita Berisha, Genta Morina, and Ilir Shala: now');
    expect(preview).toContain('See you on Thursday');
  });

  it('moves `in 2d` typed just after midnight into the recipients\' working hours', async () => {
    clock.set(new Date('2026-11-23T23:01:00Z')); // Tue 24 Nov, 00:01 in Belgrade
    const preview = await coordinator().say('/lc nudge @Genta Morina, @Drita Berisha Please check the agenda in 2d');
    const text = textOf(preview);
    expect(text).toContain('Genta Morina: Thu 26 Nov 2026, 09:00');
    expect(text).toContain('Drita Berisha: Thu 26 Nov 2026, 09:00 United Kingdom Time');
    await coordinator().press(findButton(preview, 'Send'));
    const rows = (await manualRows()).slice(0, 2);
    expect(Object.fromEntries(rows.map((r) => [r.personId, r.dueAt.toISOString()]))).toEqual({ [genta]: '2026-11-26T08:00:00.000Z', [drita]: '2026-11-26T09:00:00.000Z' });
  });

  it('follows a person\'s own working hours', async () => {
    await runtime.db.person.update({ where: { id: genta }, data: { workingHours: { start: '13:00', end: '17:00', days: [1, 2, 3, 4, 5] } } });
    try {
      const text = textOf(await coordinator().say('/lc nudge @Genta Morina Call me at 01.12.2026 10:00'));
      expect(text).toContain('Genta Morina: Tue 1 Dec 2026, 13:00');
    } finally {
      // Back to the cluster's hours for the tests after this one: SQL NULL (Prisma reads `undefined` as "no change").
      await runtime.db.person.update({ where: { id: genta }, data: { workingHours: Prisma.DbNull } });
    }
    expect((await runtime.db.person.findUniqueOrThrow({ where: { id: genta }, select: { workingHours: true } })).workingHours).toBeNull();
    expect(textOf(await coordinator().say('/lc nudge @Genta Morina Call me at 01.12.2026 10:00'))).toContain('Genta Morina: Tue 1 Dec 2026, 10:00');
  });

  it('reads the when in the region\'s languages: za 2 dana, за 1 недела, pas 2 ditësh, dana 1. 12. 2026. u 10h', async () => {
    const cases: [string, string, string][] = [
      ['/lc nudge @Genta Morina Molim vas, donesite slučaj za 2 dana', 'Molim vas, donesite slučaj', 'Genta Morina: Wed 25 Nov 2026'],
      ['/lc nudge @Genta Morina Ве молиме, донесете го случајот за 1 недела', 'донесете го случајот', 'Genta Morina: Mon 30 Nov 2026'],
      ['/lc nudge @Genta Morina Ju lutem sillni rastin pas 2 ditësh', 'Ju lutem sillni rastin', 'Genta Morina: Wed 25 Nov 2026'],
      ['/lc nudge @Genta Morina Molim vas, donesite slučaj dana 1. 12. 2026. u 10h', 'Molim vas, donesite slučaj', 'Genta Morina: Tue 1 Dec 2026'],
      ['/lc nudge @Genta Morina Ju lutem sillni rastin më 01.12.2026 në orën 10:00', 'Ju lutem sillni rastin', 'Genta Morina: Tue 1 Dec 2026'],
      ['/lc nudge @Genta Morina Донесете го случајот на 01.12.2026 во 10:00', 'Донесете го случајот', 'Genta Morina: Tue 1 Dec 2026'],
    ];
    for (const [typed, message, when] of cases) {
      const text = textOf(await coordinator().say(typed));
      expect(text, typed).toContain(message);
      expect(text, typed).toContain(when);
      expect(text, typed).not.toMatch(/za 2 dana|1 недела|2 ditësh|1\. 12\. 2026|01\.12\.2026/);
    }
  });

  it('keeps "per 2 people" in the message: only `in` after the message insists on a when', async () => {
    const text = textOf(await coordinator().say('/lc nudge @Genta Morina Bring one copy per 2 people'));
    expect(text).toContain('Bring one copy per 2 people');
    expect(text).toContain('Genta Morina: now');
  });

  it('names what it could not read, and saves nothing', async () => {
    const before = await runtime.db.plannedNudge.count({ where: { kind: 'manual' } });
    expect(textOf(await coordinator().say('/lc nudge @Gentiana hello'))).toContain('Nobody in this cluster is called @Gentiana');
    expect(textOf(await coordinator().say('/lc nudge "Nobody Here" hello'))).toContain('Nobody in this cluster is called Nobody Here');
    expect(textOf(await coordinator().say('/lc nudge members hi at 31.02.2027 10:00'))).toContain('I could not read when to send it');
    expect(textOf(await coordinator().say('/lc nudge members hi at 01.01.2020'))).toContain('has already passed');
    expect(await runtime.db.plannedNudge.count({ where: { kind: 'manual' } })).toBe(before);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { seedDemo } from '../../../src/domain/demo-seed.js';
import type { Runtime } from '../../../src/server/runtime.js';
import { testRuntime } from '../../support/harness.js';
import { personOf } from '../../support/plans.js';
import { findButton, formOf, talkAs, textOf } from '../../support/transcript.js';

/**
 * Validation that catches what people really type: codes checked against real lists, every mistake
 * of a form reported at once in the person's words, an incomplete email called one, and a second
 * role offered instead of a duplicate membership.
 */
const now = new Date('2026-11-23T09:00:00Z');
let runtime: Runtime;
const coordinator = () => talkAs(runtime.bot, 'web:lc1-coordinator');

beforeAll(async () => {
  runtime = await testRuntime({ clock: new ManualClock(now) });
  await seedDemo(runtime.db, now);
});

describe('when a coordinator creates a cluster with codes that do not exist', () => {
  it('reports the unknown country and language, capacity 0 and a taken code at once, each in plain words', async () => {
    const form = formOf(await coordinator().say('/lc create'));
    const again = formOf(await coordinator().submit(form, { code: 'lc1', name: 'Home Care', approach: 'Home Care', hosts: 'AKM', hostCountry: 'QQ', timeZone: 'Europe/Belgrade', language: 'xx', capacity: '0' }));
    expect(again.errors).toEqual({
      code: 'LC1 is already used in this programme. Pick another code or leave it empty.',
      hostCountry: 'QQ is not a country code I know. Please give the two letters of the country, e.g. RS, XK, BA, MK or AL.',
      language: "I don't know the language code xx. Please give codes like en, sq, sr, bs, hr or mk.",
      capacity: 'Please give a whole number from 1 to 100.',
    });
    expect(again.fields.find((f) => f.name === 'capacity')?.initial).toBe('0');
    expect(await runtime.db.cluster.count({ where: { name: 'Home Care' } })).toBe(0);
  });

  it('accepts Kosovo (XK) and a language with its script, stored in its usual spelling', async () => {
    const form = formOf(await coordinator().say('/lc create'));
    const done = await coordinator().submit(form, { code: '', name: 'Home Care', approach: 'Home Care', hosts: 'AKM', hostCountry: 'xk', timeZone: 'Europe/Belgrade', language: 'SR-latn', capacity: '4' });
    expect(textOf(done)).toContain('is created');
    expect(await runtime.db.cluster.findFirstOrThrow({ where: { name: 'Home Care' } })).toMatchObject({ language: 'sr-Latn', capacity: 4 });
  });
});

describe('when someone registers with mistakes in several fields', () => {
  it('names the unknown language codes and every other mistake in one answer', async () => {
    const me = talkAs(runtime.bot, 'web:validation-newcomer');
    const form = formOf(await me.say('/lc join'));
    const lc1 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
    const again = formOf(
      await me.submit(form, { choice1: lc1.id, choice2: lc1.id, choice3: '', organisationName: '', position: '', country: 'QQ', languages: 'sq, xx, qq', timeZone: 'Europe/Belgrade', caseDescription: '', topics: '', consent: 'true' }),
    );
    expect(again.errors).toEqual({
      choice2: 'You already chose this cluster above. Pick a different one or leave this empty.',
      organisationName: 'This field is required.',
      country: 'QQ is not a country code I know. Please give the two letters of the country, e.g. RS, XK, BA, MK or AL.',
      languages: "I don't know the language code xx, qq. Please give codes like en, sq, sr, bs, hr or mk.",
    });
  });
});

describe('when a coordinator opens a feedback round with a deadline in the past and another mistake', () => {
  it('reports the past deadline together with the other mistake', async () => {
    const form = formOf(await coordinator().say('/lc feedback-round LC1'));
    const again = formOf(await coordinator().submit(form, { deadline: '01.11.2026', reviewersPerPlan: '0', resourcePersons: 'no', anonymous: 'no', delivery: 'asSubmitted' }));
    expect(Object.keys(again.errors ?? {}).sort()).toEqual(['deadline', 'reviewersPerPlan']);
    expect(again.errors?.deadline).toBe('The deadline must be in the future.');
  });
});

describe('when a coordinator invites people', () => {
  it('calls "foo@" an incomplete email address instead of searching for a person of that name', async () => {
    const text = textOf(await coordinator().say('/lc invite LC1 foo@, bar@example as observer'));
    expect(text).toContain('foo@ is not a complete email address. Please write it like name@example.org.');
    expect(text).toContain('bar@example is not a complete email address');
    expect(text).not.toContain('found nobody called');
  });

  it('offers a second role to a resource person invited as member, and never lists them twice', async () => {
    const rp = await personOf(runtime.db, 'web:lc1-rp1');
    const replies = await coordinator().say(`/lc invite LC1 ${rp.displayName} as member`);
    expect(textOf(replies)).toContain(`${rp.displayName}: already in this cluster as resource person; nothing was sent.`);
    expect(await runtime.db.membership.count({ where: { personId: rp.id, role: 'MEMBER' } })).toBe(0);
    const added = await coordinator().press(findButton(replies, `Add the member role for ${rp.displayName}`));
    expect(textOf(added)).toContain(`${rp.displayName} now also has the member role in LC1.`);
    expect(textOf(await runtime.webSender.drain('web:lc1-rp1'))).toContain('gave you the member role in LC1 too');
    // Pressed again (a double click): still one membership per role.
    await coordinator().press(findButton(replies, `Add the member role for ${rp.displayName}`));
    expect(await runtime.db.membership.count({ where: { personId: rp.id, clusterId: (await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } })).id } })).toBe(2);
    const roster = textOf(await coordinator().say('/lc members LC1'));
    expect(roster.split('\n').filter((line) => line.startsWith(`- ${rp.displayName}:`))).toHaveLength(1);
    expect(roster).toContain(`${rp.displayName}: resource person and member`);
    expect(textOf(await coordinator().say(`/lc invite LC1 ${rp.displayName} as member`))).toContain('already a member or invited');
  });

  it('never adds a role for a forged button from someone who does not coordinate the cluster', async () => {
    const rp2 = await personOf(runtime.db, 'web:lc1-rp2');
    const lc1 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
    const replies = await talkAs(runtime.bot, 'web:lc1-m1').press({ actionId: 'invite:addRole', value: `${lc1.id}|${rp2.id}|COORDINATOR` });
    expect(textOf(replies)).toMatch(/only a coordinator/i);
    expect(await runtime.db.membership.count({ where: { personId: rp2.id, role: 'COORDINATOR' } })).toBe(0);
  });
});

describe('when the web chat lists the demo identities', () => {
  it('names each role once, however many clusters a person has it in', async () => {
    const arta = await personOf(runtime.db, 'web:lc1-coordinator');
    const lc2 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC2' } });
    await runtime.db.membership.create({ data: { personId: arta.id, clusterId: lc2.id, role: 'COORDINATOR' } });
    const port = await runtime.listen(0);
    const people = (await (await fetch(`http://127.0.0.1:${port}/web/identities`)).json()) as { key: string; roles: { role: string }[] }[];
    const entry = people.find((p) => p.key === 'lc1-coordinator')!;
    expect(entry.roles.map((r) => r.role)).toEqual(['COORDINATOR']);
  });
});

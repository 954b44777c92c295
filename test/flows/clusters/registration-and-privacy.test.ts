import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../../src/domain/demo-seed.js';
import type { Runtime } from '../../../src/server/runtime.js';
import { testRuntime } from '../../support/harness.js';
import { findButton, formOf, talkAs, textOf } from '../../support/transcript.js';
import { registrationValues, selectOf } from './helpers.js';

let runtime: Runtime;
let lc1: string;
let lc2: string;
let lc3: string;
beforeAll(async () => {
  runtime = await testRuntime();
  await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
  [lc1, lc2, lc3] = await Promise.all(['LC1', 'LC2', 'LC3'].map(async (code) => (await runtime.db.cluster.findFirstOrThrow({ where: { code } })).id));
});

let port: number | undefined;
/** One HTTP server per file: the runtime stops only the one it started last. */
async function serverPort() {
  return (port ??= await runtime.listen(0));
}

/** The stored registration of a person with everything but ids and times, to compare across platforms. */
async function storedRegistration(externalId: string) {
  const identity = await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId }, include: { person: true } });
  const r = await runtime.db.registration.findFirstOrThrow({ where: { personId: identity.personId }, include: { preferences: { include: { cluster: true }, orderBy: { rank: 'asc' } } } });
  return {
    organisationName: r.organisationName,
    position: r.position,
    country: r.country,
    languages: r.languages,
    timeZone: r.timeZone,
    caseDescription: r.caseDescription,
    status: r.status,
    preferences: r.preferences.map((p) => [p.rank, p.cluster.code]),
    person: { country: identity.person.country, position: identity.person.position, timeZone: identity.person.timeZone },
  };
}

describe('when the same registration is done in the web chat, Slack and Teams', () => {
  it('stores the same data for each', async () => {
    const ids = [['web:same-1', 'WEB'], ['T9:U123', 'SLACK'], ['tenant:aad-1', 'TEAMS']] as const;
    for (const [id, platform] of ids) {
      const me = talkAs(runtime.bot, id, { platform, displayName: 'Same Person' });
      const form = formOf(await me.say('/lc join'));
      // Arrays from multi-value widgets (Teams cards send lists) are read the same way.
      await me.submit(form, { ...registrationValues([lc2, lc1]), choice1: platform === 'TEAMS' ? [lc2] : lc2 } as Record<string, string | string[]>);
    }
    const [web, slack, teams] = await Promise.all(ids.map(([id]) => storedRegistration(id)));
    expect(web).toEqual({
      organisationName: 'Prizren',
      position: 'Social worker',
      country: 'XK',
      languages: ['sq', 'en'],
      timeZone: 'Europe/Belgrade',
      caseDescription: 'Elderly people living alone in villages.',
      status: 'SUBMITTED',
      preferences: [[1, 'LC2'], [2, 'LC1']],
      person: { country: 'XK', position: 'Social worker', timeZone: 'Europe/Belgrade' },
    });
    expect(slack).toEqual(web);
    expect(teams).toEqual(web);
  });
});

describe('when a registration form is filled wrongly', () => {
  it('returns the same form with a message next to each wrong field and keeps what was typed', async () => {
    const me = talkAs(runtime.bot, 'web:sloppy');
    const form = formOf(await me.say('/lc join'));
    const replies = await me.submit(form, registrationValues([lc1, lc1, lc3], { country: 'Kosovo', timeZone: 'Prishtina', consent: 'false', languages: '' }));
    const again = formOf(replies);
    expect(again.formId).toBe('join:registration');
    expect(again.errors).toEqual({
      choice2: 'You already chose this cluster above. Pick a different one or leave this empty.',
      country: 'Please give the two-letter country code, e.g. RS, XK, BA, MK or AL.',
      languages: 'This field is required.',
      timeZone: 'Please give a time zone like Europe/Belgrade (continent/city).',
      consent: expect.stringContaining('Please tick this box'),
    });
    expect(again.fields.find((f) => f.name === 'caseDescription')?.initial).toBe('Elderly people living alone in villages.');
    expect(await runtime.db.registration.count({ where: { person: { identities: { some: { externalId: 'web:sloppy' } } } } })).toBe(0);
  });

  it('prefills the time zone from the person', async () => {
    await runtime.db.person.updateMany({ where: { identities: { some: { externalId: 'web:lc3-m1' } } }, data: { timeZone: 'Europe/Sarajevo' } });
    const form = formOf(await talkAs(runtime.bot, 'web:lc3-m1').say('/lc join'));
    expect(form.fields.find((f) => f.name === 'timeZone')?.initial).toBe('Europe/Sarajevo');
  });
});

describe('when a person edits their registration with /lc profile', () => {
  it('saves the change, keeps the original registration time and tells the coordinators', async () => {
    const me = talkAs(runtime.bot, 'web:same-1');
    const before = await runtime.db.registration.findFirstOrThrow({ where: { person: { identities: { some: { externalId: 'web:same-1' } } } } });
    const form = formOf(await me.say('/lc profile'));
    expect(form.fields.find((f) => f.name === 'choice1')?.initial).toBe(lc2);
    const replies = await me.submit(form, registrationValues([lc3], { organisationName: 'Gjakova' }));
    expect(textOf(replies)).toContain('Your registration is updated');
    const after = await runtime.db.registration.findFirstOrThrow({ where: { id: before.id }, include: { preferences: true } });
    expect(after.createdAt).toEqual(before.createdAt);
    expect(after.preferences.map((p) => p.clusterId)).toEqual([lc3]);
    expect(textOf(await runtime.webSender.drain('web:lc3-coordinator'))).toContain('changed their registration: LC3');
  });

  it('lets a resource person keep their expertise topics', async () => {
    const rp = talkAs(runtime.bot, 'web:lc1-rp1');
    const form = formOf(await rp.say('/lc profile'));
    expect(form.formId).toBe('join:topics');
    await rp.submit(form, { topics: 'premises, legal, licensing', position: 'Director' });
    const m = await runtime.db.membership.findFirstOrThrow({ where: { role: 'RESOURCE_PERSON', person: { identities: { some: { externalId: 'web:lc1-rp1' } } } } });
    expect(m.topics).toEqual(['premises', 'legal', 'licensing']);
  });
});

describe('when a coordinator invites people', () => {
  it('invites a Slack user by mention, who accepts from the direct message', async () => {
    const slackUser = talkAs(runtime.bot, 'T9:U555', { platform: 'SLACK', displayName: 'Sara Slack' });
    await slackUser.say('/lc help');
    const replies = await talkAs(runtime.bot, 'web:lc1-coordinator').say('/lc invite LC1 <@U555|sara> as resource person');
    expect(textOf(replies)).toContain('<@U555>: invited');
    const membership = await runtime.db.membership.findFirstOrThrow({ where: { clusterId: lc1, person: { displayName: 'Sara Slack' } } });
    expect([membership.role, membership.status]).toEqual(['RESOURCE_PERSON', 'INVITED']);
    // No Slack sender in this core test: the invitation stays reachable through /lc join.
    const join = await slackUser.say('/lc join');
    expect(textOf(join)).toContain('You are invited to LC1: Day-care Centers as resource person');
    const accepted = await slackUser.press(findButton(join, 'Accept'));
    expect(textOf(accepted)).toContain('You are now a resource person of LC1');
    expect((await runtime.db.membership.findUniqueOrThrow({ where: { id: membership.id } })).status).toBe('ACTIVE');
    expect(textOf(await runtime.webSender.drain('web:lc1-coordinator'))).toContain('Sara Slack accepted your invitation to LC1');
  });

  it('invites by email someone not on any platform yet, and links them when they arrive with that email', async () => {
    const replies = await talkAs(runtime.bot, 'web:lc1-coordinator').say('/lc invite LC1 Dana.New@Example.org');
    expect(textOf(replies)).toContain('dana.new@example.org: invited; they will see it when they first open the bot');
    const arriving = await runtime.bot.handle({
      identity: { platform: 'TEAMS', externalId: 'tenant:dana', loadProfile: async () => ({ displayName: 'Dana New', verifiedEmail: 'dana.new@example.org' }) },
      event: { type: 'command', verb: 'join', args: '', text: '/lc join' },
      origin: { direct: true },
    });
    expect(textOf(arriving.messages)).toContain('You are invited to LC1');
  });

  it('invites a web user by display name through the form, and the invitee gets a message with Accept', async () => {
    const coordinator = talkAs(runtime.bot, 'web:lc1-coordinator');
    const form = formOf(await coordinator.say('/lc invite LC1'));
    const bad = formOf(await coordinator.submit(form, { people: '', role: 'OBSERVER' }));
    expect(bad.errors?.people).toBe('This field is required.');
    const replies = await coordinator.submit(form, { people: 'Ana Petrović, Nobody Atall', role: 'OBSERVER' });
    expect(textOf(replies)).toContain('Ana Petrović: invited; they got a message');
    expect(textOf(replies)).toContain('I found nobody called Nobody Atall');
    const dm = await runtime.webSender.drain('web:lc2-coordinator');
    expect(textOf(dm)).toContain('Arta Krasniqi invites you to learning cluster LC1');
    const declined = await talkAs(runtime.bot, 'web:lc2-coordinator').press(findButton(dm, 'Decline'));
    expect(textOf(declined)).toContain('You declined the invitation to LC1');
  });

  it('does not let someone else answer an invitation', async () => {
    const membership = await runtime.db.membership.findFirstOrThrow({ where: { status: 'INVITED', person: { email: 'dana.new@example.org' } } });
    const text = textOf(await talkAs(runtime.bot, 'web:lc1-m2').press({ actionId: 'invite:accept', value: membership.id }));
    expect(text).toContain('That invitation is not for you');
    expect((await runtime.db.membership.findUniqueOrThrow({ where: { id: membership.id } })).status).toBe('INVITED');
  });
});

describe('when a command takes a cluster and the person has several', () => {
  it('asks with a menu and runs for the chosen one', async () => {
    const lc2coordinator = talkAs(runtime.bot, 'web:lc2-coordinator');
    await runtime.db.membership.create({ data: { personId: (await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: 'web:lc2-coordinator' } })).personId, clusterId: lc3, role: 'COORDINATOR' } });
    const ask = await lc2coordinator.say('/lc status');
    expect(textOf(ask)).toContain('Which cluster do you mean?');
    const picked = await lc2coordinator.choose(selectOf(ask, 'status:cluster'), lc3);
    expect(textOf(picked)).toContain('Status of LC3');
  });

  it('says so when the code is unknown', async () => {
    expect(textOf(await talkAs(runtime.bot, 'web:lc1-coordinator').say('/lc status LC99'))).toContain("I don't know a cluster called LC99");
  });
});

describe('when a member changes role or leaves', () => {
  it('lets the coordinator change a role from the members list and tells the person', async () => {
    const coordinator = talkAs(runtime.bot, 'web:lc1-coordinator');
    const roster = await coordinator.say('/lc members LC1');
    const m7 = await runtime.db.membership.findFirstOrThrow({ where: { clusterId: lc1, person: { identities: { some: { externalId: 'web:lc1-m7' } } } } });
    const roles = await coordinator.choose(selectOf(roster, 'members:pick'), m7.id);
    expect(textOf(roles)).toContain('is now a member. Choose their new role');
    const after = await coordinator.choose(selectOf(roles, 'members:role'), `${m7.id}|OBSERVER`);
    expect(textOf(after)).toContain("role is now: observer");
    expect((await runtime.db.membership.findUniqueOrThrow({ where: { id: m7.id } })).role).toBe('OBSERVER');
    expect(textOf(await runtime.webSender.drain('web:lc1-m7'))).toContain('Your role in LC1 is now: observer');
  });

  it('refuses to demote the only coordinator', async () => {
    const self = await runtime.db.membership.findFirstOrThrow({ where: { clusterId: lc1, role: 'COORDINATOR', person: { identities: { some: { externalId: 'web:lc1-coordinator' } } } } });
    const text = textOf(await talkAs(runtime.bot, 'web:lc1-coordinator').press({ actionId: 'members:role', value: `${self.id}|MEMBER` }));
    expect(text).toContain("cluster's only coordinator");
  });

  it('lets a member leave after confirming, and tells the coordinator', async () => {
    const member = talkAs(runtime.bot, 'web:lc1-m6');
    const offer = await member.say('/lc leave');
    const button = findButton(offer, 'Leave LC1');
    expect(button.confirm?.text).toContain('You will leave LC1');
    expect(textOf(await member.press(button))).toContain('You left LC1');
    const m = await runtime.db.membership.findFirstOrThrow({ where: { clusterId: lc1, person: { identities: { some: { externalId: 'web:lc1-m6' } } } } });
    expect(m.status).toBe('LEFT');
    expect(textOf(await runtime.webSender.drain('web:lc1-coordinator'))).toContain('left LC1');
  });

  it('lets a registered person withdraw their registration', async () => {
    const me = talkAs(runtime.bot, 'T9:U123', { platform: 'SLACK' });
    expect(textOf(await me.press(findButton(await me.say('/lc leave'), 'Withdraw my registration')))).toContain('withdrawn');
    expect((await storedRegistration('T9:U123')).status).toBe('WITHDRAWN');
  });
});

describe('when a person asks for their data and then to be forgotten', () => {
  it('shows everything stored as a message and a JSON download', async () => {
    const replies = await talkAs(runtime.bot, 'tenant:aad-1', { platform: 'TEAMS' }).say('/lc my-data');
    const text = textOf(replies);
    expect(text).toContain('Registrations: 1');
    const url = /\((http[^)]+\/files\/([\w-]{43})\/my-data\.json)\)/.exec(replies.flatMap((m) => m.blocks).map((b) => (b.type === 'text' ? b.text : '')).join('\n'));
    expect(url).not.toBeNull();
    const file = await runtime.db.download.findUniqueOrThrow({ where: { id: url![2] } });
    const data = JSON.parse(Buffer.from(file.body).toString('utf8'));
    expect(data.registrations[0].organisationName).toBe('Prizren');
    expect(data.registrations[0].preferences).toEqual([{ rank: 1, cluster: 'LC2' }, { rank: 2, cluster: 'LC1' }]);
    expect(data.platformAccounts).toEqual([expect.objectContaining({ platform: 'TEAMS', externalId: 'tenant:aad-1' })]);
  });

  it('asks before erasing, then erases personal data but keeps anonymous counts', async () => {
    const me = talkAs(runtime.bot, 'tenant:aad-1', { platform: 'TEAMS' });
    const identity = await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: 'tenant:aad-1' } });
    await runtime.db.membership.create({ data: { personId: identity.personId, clusterId: lc2, role: 'MEMBER' } });
    await runtime.db.actionPlan.create({ data: { clusterId: lc2, authorId: identity.personId, approach: 'Awareness Raising', goal: 'Reach the Roma families of Prizren', stage: 'SUBMITTED', activities: { create: { position: 1, activity: 'Meet Ms Berisha at the school' } } } });
    const warning = await me.say('/lc forget-me');
    const button = findButton(warning, 'Erase my data');
    expect(button.confirm?.text).toContain('cannot be undone');
    const plansBefore = await runtime.db.actionPlan.count({ where: { clusterId: lc2, stage: 'SUBMITTED' } });
    expect(textOf(await me.press(button))).toContain('your personal data is erased');

    const person = await runtime.db.person.findUniqueOrThrow({ where: { id: identity.personId }, include: { identities: true, registrations: true, memberships: true, plans: { include: { activities: true } } } });
    expect(person.erasedAt).not.toBeNull();
    expect([person.displayName, person.email, person.country, person.position]).toEqual(['Erased person', null, null, null]);
    expect(person.identities).toEqual([]);
    expect(person.registrations.map((r) => [r.organisationName, r.caseDescription, r.languages, r.status])).toEqual([['', null, [], 'WITHDRAWN']]);
    expect(person.memberships.every((m) => m.status === 'LEFT')).toBe(true);
    expect(person.plans.map((p) => [p.goal, p.activities.length, p.stage])).toEqual([[null, 0, 'SUBMITTED']]);
    // The aggregate stays: the plan still counts as submitted.
    expect(await runtime.db.actionPlan.count({ where: { clusterId: lc2, stage: 'SUBMITTED' } })).toBe(plansBefore);
    expect(await runtime.db.download.count({ where: { createdById: identity.personId } })).toBe(0);
    // Writing again is a new, empty person.
    expect(textOf(await me.say('/lc my-data'))).toContain('Registrations: 0');
  });
});

describe('when someone follows the privacy link of the consent field', () => {
  it('serves the privacy text from docs/privacy.md', async () => {
    const port = await serverPort();
    const response = await fetch(`http://127.0.0.1:${port}/privacy`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<h1>Privacy: what Cluster Bot stores about you, and why</h1>');
    expect(html).toContain('/lc forget-me');
  });
});

describe('when someone registers through the web chat over HTTP', () => {
  it('takes the form from /web/events and stores the registration', async () => {
    const port = await serverPort();
    const post = async (input: unknown) => (await (await fetch(`http://127.0.0.1:${port}/web/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identity: 'http-guest', input }) })).json()) as { messages: Parameters<typeof formOf>[0] };
    const form = formOf((await post({ type: 'typed', text: '/lc join' })).messages);
    const saved = await post({ type: 'form', formId: form.formId, values: registrationValues([lc3, lc2], { organisationName: 'Bihać' }) });
    expect(textOf(saved.messages)).toContain('you are registered');
    expect((await storedRegistration('web:http-guest')).preferences).toEqual([[1, 'LC3'], [2, 'LC2']]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { findButton, formOf, talkAs, textOf } from '../support/transcript.js';
import { cardText, FakeBotConnector, teamsActivity } from '../support/fake-bot-connector.js';

const clock = new ManualClock(new Date('2026-11-23T09:00:00Z'));
let runtime: Runtime;
let connector: FakeBotConnector;
let botUrl: string;

beforeAll(async () => {
  connector = await new FakeBotConnector().start();
  runtime = await testRuntime({ clock });
  await seedDemo(runtime.db, clock.now());
  botUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
});
afterAll(() => connector.stop());

/** Says something in Teams as one user and returns the text of the bot's answer. */
async function teamsSays(user: string, text: string): Promise<string> {
  const before = connector.sent().length;
  const res = await fetch(`${botUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(teamsActivity(connector.url, { text, from: { id: `29:${user}`, name: user, aadObjectId: `aad-${user}` }, conversation: { id: `a:${user}` } })),
  });
  expect(res.status).toBe(200);
  return connector.sent().slice(before).map((c) => cardText(c.body)).join('\n');
}

function codeIn(text: string): string {
  const match = /([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(text);
  if (!match) throw new Error(`no code in: ${text}`);
  return match[1];
}

describe('when a member links their web-chat account to Teams with a one-time code', () => {
  it('makes one person of both accounts: the Teams user sees the member’s clusters, and nothing is duplicated', async () => {
    const web = talkAs(runtime.bot, 'web:lc1-m3');
    const member = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'WEB', externalId: 'web:lc1-m3' } } });
    const membershipsBefore = await runtime.db.membership.count({ where: { personId: member.personId } });

    const shown = textOf(await web.say('/lc link'));
    expect(shown).toContain('It works once');
    const code = codeIn(shown);

    await teamsSays('linker', 'help'); // the Teams account exists as its own (new) person first
    const answer = await teamsSays('linker', `link ${code.toLowerCase()}`);
    expect(answer).toContain('Done: your accounts are linked');

    const teams = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'TEAMS', externalId: 'tenant-1:aad-linker' } } });
    expect(teams.personId).toBe(member.personId);
    expect(await runtime.db.membership.count({ where: { personId: member.personId } })).toBe(membershipsBefore);
    expect(await runtime.db.person.count({ where: { displayName: 'linker' } })).toBe(0);
    expect(await teamsSays('linker', 'me')).toContain('LC1: Day-care Centers');
    // Used codes are gone.
    expect(await teamsSays('linker', `link ${code}`)).toContain('not valid or has expired');
  });

  it('moves the Teams account’s clusters to the surviving person when the code was made on the web', async () => {
    // A coordinator of LC2 on Teams only (e.g. added by hand) links to the LC2 coordinator's web account.
    const teamsOnly = await runtime.db.person.create({ data: { displayName: 'Teams twin' } });
    const lc5 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC5' } });
    await runtime.db.membership.create({ data: { personId: teamsOnly.id, clusterId: lc5.id, role: 'OBSERVER' } });
    await runtime.db.platformIdentity.create({ data: { personId: teamsOnly.id, platform: 'TEAMS', externalId: 'tenant-1:aad-twin' } });

    const code = codeIn(textOf(await talkAs(runtime.bot, 'web:lc2-coordinator').say('/lc link')));
    expect(await teamsSays('twin', `lc link ${code}`)).toContain('Done');

    const web = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'WEB', externalId: 'web:lc2-coordinator' } } });
    const roles = await runtime.db.membership.findMany({ where: { personId: web.personId }, include: { cluster: true } });
    expect(roles.map((r) => `${r.cluster.code}:${r.role}`).sort()).toEqual(['LC2:COORDINATOR', 'LC5:OBSERVER']);
    expect(await runtime.db.person.findUnique({ where: { id: teamsOnly.id } })).toBeNull();
    expect(runtime.services.scheduler).toMatchObject({ announcements: expect.arrayContaining([{ clusterId: lc5.id, reason: 'identity-linked' }]) });
  });
});

describe('when a link code is wrong', () => {
  it('refuses an expired code and links nobody', async () => {
    const code = codeIn(textOf(await talkAs(runtime.bot, 'web:lc3-m1').say('/lc link')));
    clock.advance(11 * 60 * 1000);
    expect(await teamsSays('late', `link ${code}`)).toContain('not valid or has expired');
    const late = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'TEAMS', externalId: 'tenant-1:aad-late' } } });
    const web = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'WEB', externalId: 'web:lc3-m1' } } });
    expect(late.personId).not.toBe(web.personId);
  });

  it('refuses a code typed on the same platform it was made on', async () => {
    const code = codeIn(textOf(await talkAs(runtime.bot, 'web:lc3-m2').say('/lc link')));
    expect(textOf(await talkAs(runtime.bot, 'web:lc3-m3').say(`/lc link ${code}`))).toContain('made on this app too');
  });

  it('shows a badly typed code as a message next to the field of the form, keeping the input', async () => {
    const web = talkAs(runtime.bot, 'web:lc4-m1');
    const replies = await web.press(findButton(await web.say('/lc link'), 'I have a code from another app'));
    const form = formOf(replies);
    const again = formOf(await web.submit(form, { code: 'nope' }));
    expect(again.formId).toBe(form.formId);
    expect(again.errors?.code).toContain('8 letters and digits');
    expect(again.fields[0].initial).toBe('nope');
  });

  it('refuses, changing nothing, when both accounts registered for the same programme', async () => {
    const programme = await runtime.db.programme.findFirstOrThrow();
    const web = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'WEB', externalId: 'web:lc4-m2' } } });
    await teamsSays('clasher', 'help');
    const teams = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'TEAMS', externalId: 'tenant-1:aad-clasher' } } });
    for (const personId of [web.personId, teams.personId]) {
      await runtime.db.registration.create({ data: { personId, programmeId: programme.id, organisationName: 'Bitola', timeZone: 'Europe/Skopje', consentAt: clock.now() } });
    }
    const code = codeIn(textOf(await talkAs(runtime.bot, 'web:lc4-m2').say('/lc link')));
    expect(await teamsSays('clasher', `link ${code}`)).toContain('Both accounts already have a registration for the same programme');
    expect(await runtime.db.person.count({ where: { id: { in: [web.personId, teams.personId] } } })).toBe(2);
    expect(await runtime.db.registration.count({ where: { personId: { in: [web.personId, teams.personId] } } })).toBe(2);
  });

  it('stops accepting codes after five wrong ones, so codes cannot be guessed', async () => {
    const guesser = talkAs(runtime.bot, 'web:guesser');
    for (let i = 0; i < 5; i++) expect(textOf(await guesser.say('/lc link ZZZZ-ZZZZ'))).toContain('not valid');
    const code = codeIn(await teamsSays('victim', 'link'));
    expect(textOf(await guesser.say(`/lc link ${code}`))).toContain('Too many wrong codes');
    expect(await runtime.db.linkCode.count({ where: { code: code.replace('-', '') } })).toBe(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { ui } from '../../src/core/messages.js';
import { tableDigests } from '../support/db-snapshot.js';
import { cardText, FakeBotConnector, teamsActivity } from '../support/fake-bot-connector.js';
import { testRuntime } from '../support/harness.js';
import { LocalTokenService, localOutboundCredentials } from '../support/teams-auth.js';
import { textOf, talkAs } from '../support/transcript.js';

/**
 * Who a Teams activity may claim to be. Without credentials (emulator mode, never in production) the
 * bot talks only to a connector on this machine and believes no e-mail address; with credentials it
 * believes an address only from a member lookup at the serviceUrl the token vouches for, and only
 * for a tenant it trusts (TEAMS_TRUSTED_TENANTS). An address is what invitations by e-mail and
 * linking to a known person hang on, so a wrong belief would hand someone else's account over.
 */
const COORDINATOR_EMAIL = 'arta.coordinator@lc1.example.org';

async function inviteByEmail(runtime: Runtime, email: string): Promise<string> {
  const replies = await talkAs(runtime.bot, 'web:lc1-coordinator').say(`/lc invite LC1 ${email} as observer`);
  expect(textOf(replies)).toContain(`${email}: invited`);
  return (await runtime.db.person.findUniqueOrThrow({ where: { email } })).id;
}

async function post(url: string, activity: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(activity) });
  return { status: res.status, body: await res.text() };
}

describe('when Teams runs without credentials (emulator mode, outside production)', () => {
  let runtime: Runtime;
  let connector: FakeBotConnector;
  let botUrl: string;

  beforeAll(async () => {
    connector = await new FakeBotConnector().start();
    runtime = await testRuntime();
    await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
    botUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
  });
  afterAll(() => connector.stop());

  it('refuses an activity whose serviceUrl is not on this machine with 403 and a sentence: no row changes and nothing is called', async () => {
    connector.clear();
    const before = await tableDigests(runtime.db);
    // 0.0.0.0 reaches this machine's listeners, so the fake connector would see any call the bot made.
    const elsewhere = connector.url.replace('127.0.0.1', '0.0.0.0');
    connector.setMember('29:attacker', { name: 'Attacker', email: COORDINATOR_EMAIL });
    const res = await post(botUrl, teamsActivity(elsewhere, { text: 'me', from: { id: '29:attacker', name: 'Attacker', aadObjectId: 'aad-attacker' } }));
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).error).toMatch(/^This bot has no Teams credentials, so it answers only a Bot Framework Emulator on its own machine .*nothing was done\./);
    expect(await tableDigests(runtime.db)).toEqual(before);
    expect(connector.requests).toHaveLength(0);
  });

  it('believes no e-mail address: a newcomer whose member lookup would return an invited address is not linked, and the lookup is never made', async () => {
    const invitedId = await inviteByEmail(runtime, COORDINATOR_EMAIL);
    connector.clear();
    connector.setMember('29:claimant', { name: 'Claimant', email: COORDINATOR_EMAIL });
    const res = await post(botUrl, teamsActivity(connector.url, { text: 'me', from: { id: '29:claimant', name: 'Claimant', aadObjectId: 'aad-claimant' }, conversation: { id: 'a:claimant' } }));
    expect(res.status).toBe(200);
    const identity = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'TEAMS', externalId: 'tenant-1:aad-claimant' } }, include: { person: true } });
    expect(identity.personId).not.toBe(invitedId);
    expect(identity.person.email).toBeNull();
    expect(connector.requests.filter((r) => r.path.includes('/members/'))).toHaveLength(0);
    // The invitation still waits for the real person; the claimant sees no cluster.
    expect(await runtime.db.membership.count({ where: { personId: invitedId, status: 'INVITED' } })).toBe(1);
    expect(cardText(connector.sent('a:claimant')[0].body)).not.toContain('LC1');
  });

  it('sends a proactive message only to a service URL on this machine: a stored reference elsewhere counts as unreachable and is not called', async () => {
    const person = await runtime.db.person.create({ data: { displayName: 'Far Away' } });
    const elsewhere = connector.url.replace('127.0.0.1', '0.0.0.0');
    await runtime.db.platformIdentity.create({
      data: { personId: person.id, platform: 'TEAMS', externalId: 'tenant-1:aad-far', conversationRef: { v: 1, kind: 'conversation', reference: { serviceUrl: elsewhere, channelId: 'msteams', conversation: { id: 'a:far' }, bot: { id: '28:bot' }, user: { id: '29:far' } } } },
    });
    connector.clear();
    const result = await runtime.notifier.notify(person.id, ui.text('Hello from far away'));
    expect(result.delivered).toBe(false);
    expect(connector.requests).toHaveLength(0);
  });

  describe('when a Teams display name carries NUL and other control characters', () => {
    it('answers every message from that person, and keeps the name without them', async () => {
      connector.clear();
      const from = { id: '29:odd-name', name: 'Ma\u0000ja \u202eEvil\u0007 Name', aadObjectId: 'aad-odd-name' };
      for (const text of ['help', 'me']) {
        const res = await post(botUrl, teamsActivity(connector.url, { text, from, conversation: { id: 'a:odd-name' } }));
        expect(res.status).toBe(200);
      }
      const replies = connector.sent('a:odd-name');
      expect(replies).toHaveLength(2);
      expect(cardText(replies[1].body)).toContain('You are Ma ja Evil Name');
      const person = await runtime.db.person.findFirstOrThrow({ where: { identities: { some: { externalId: 'tenant-1:aad-odd-name' } } } });
      expect(person.displayName).toBe('Ma ja Evil Name');
    });
  });
});

describe('when Teams runs with credentials', () => {
  const tokens = new LocalTokenService();
  let runtime: Runtime;
  let connector: FakeBotConnector;
  let botUrl: string;

  beforeAll(async () => {
    await tokens.start();
    connector = await new FakeBotConnector().start();
    runtime = await testRuntime({ env: { ...tokens.env(), TEAMS_TRUSTED_TENANTS: 'tenant-1' }, teams: { credentialsFactory: localOutboundCredentials } });
    await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
    botUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
  });
  afterAll(async () => {
    await connector.stop();
    await tokens.stop();
  });

  it('links a member of a trusted tenant to the person invited with the address Teams vouches for', async () => {
    const invitedId = await inviteByEmail(runtime, 'dana.trusted@lc1.example.org');
    connector.clear();
    connector.setMember('29:dana', { name: 'Dana Trusted', email: 'Dana.Trusted@lc1.example.org' });
    const activity = teamsActivity(connector.url, { text: 'join', from: { id: '29:dana', name: 'Dana', aadObjectId: 'aad-dana' }, conversation: { id: 'a:dana' } });
    const res = await post(botUrl, activity, { authorization: tokens.authorization(connector.url) });
    expect(res.status).toBe(200);
    const identity = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'TEAMS', externalId: 'tenant-1:aad-dana' } } });
    expect(identity.personId).toBe(invitedId);
    expect(connector.requests.some((r) => r.method === 'GET' && r.path.endsWith('/members/29:dana') && r.authorization === 'Bearer local-outbound-token')).toBe(true);
    expect(cardText(connector.sent('a:dana')[0].body)).toContain('You are invited to LC1');
  });

  it('does not link a member of another tenant, whose admin could have given them any address', async () => {
    const invitedId = await inviteByEmail(runtime, 'lena.other@lc1.example.org');
    connector.clear();
    connector.setMember('29:lena', { name: 'Lena Elsewhere', email: 'lena.other@lc1.example.org' });
    const activity = teamsActivity(connector.url, {
      text: 'join',
      from: { id: '29:lena', name: 'Lena', aadObjectId: 'aad-lena' },
      conversation: { id: 'a:lena', tenantId: 'tenant-2' },
      channelData: { tenant: { id: 'tenant-2' } },
    });
    const res = await post(botUrl, activity, { authorization: tokens.authorization(connector.url) });
    expect(res.status).toBe(200);
    const identity = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'TEAMS', externalId: 'tenant-2:aad-lena' } }, include: { person: true } });
    expect(identity.personId).not.toBe(invitedId);
    expect(identity.person.email).toBeNull();
    expect(identity.person.displayName).toBe('Lena Elsewhere');
    expect(await runtime.db.membership.count({ where: { personId: invitedId, status: 'INVITED' } })).toBe(1);
  });
});

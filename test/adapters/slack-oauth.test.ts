import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { ui } from '../../src/core/messages.js';
import type { Runtime } from '../../src/server/runtime.js';
import type { FakeSlack } from '../support/fake-slack.js';
import type { slackClient } from '../support/slack-requests.js';
import { followRedirect, installThroughOAuth, openInstallPage, testSlackOAuthRuntime } from '../support/slack-oauth.js';

const SECRET = 'signing-secret-for-the-oauth-tests';
let runtime: Runtime;
let fake: FakeSlack;
let slack: ReturnType<typeof slackClient>;
let url: string;

beforeAll(async () => {
  ({ runtime, fake, slack, url } = await testSlackOAuthRuntime(SECRET));
});

const installations = () => runtime.db.slackInstallation.findMany({ orderBy: { installationKey: 'asc' } });

/** A DM to the bot from a person of a workspace, as the Events API delivers it. */
function directMessage(teamId: string, user: string, text: string, eventId: string) {
  return slack.event({
    type: 'event_callback',
    team_id: teamId,
    api_app_id: 'A1',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: teamId, enterprise_id: null, is_enterprise_install: false, user_id: `UBOT${teamId}`, is_bot: true }],
    event: { type: 'message', channel_type: 'im', channel: `D${user}`, user, text, ts: `${Date.now() / 1000}`, team: teamId },
  });
}

describe('when a workspace admin installs the bot through /slack/install', () => {
  it('shows an Add to Slack page in the browser\'s language, with a signed one-time state and its cookie', async () => {
    const page = await openInstallPage(url, { 'accept-language': 'sq,en;q=0.5' });
    expect(page.status).toBe(200);
    expect(page.html).toContain('<html lang="sq">');
    expect(page.href).toMatch(/^https:\/\/slack\.com\/oauth\/v2\/authorize\?/);
    const authorize = new URL(page.href!);
    expect(authorize.searchParams.get('client_id')).toBe('111.222');
    expect(authorize.searchParams.get('scope')!.split(',')).toContain('chat:write');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${runtime.config.PUBLIC_URL}/slack/oauth_redirect`);
    expect(page.state).toMatch(/^[\w-]{24}\.[\w-]+$/);
    expect(page.cookie).toContain(page.state);
  });

  it('exchanges the code with oauth.v2.access and stores the installation, with a friendly page naming the workspace (escaped)', async () => {
    const done = await installThroughOAuth(url, fake, { teamId: 'TACME', teamName: 'Acme <b>& Co</b>', installerUserId: 'UADMIN1' });
    expect(done.status).toBe(200);
    expect(done.html).toContain('Acme &lt;b&gt;&amp; Co&lt;/b&gt;');
    expect(done.html).not.toContain('<b>&');
    const exchange = fake.callsOf('oauth.v2.access').at(-1)!;
    expect(exchange.params.code).toMatch(/^code-/);
    const [stored] = (await installations()).filter((i) => i.installationKey === 'TACME');
    expect(stored).toMatchObject({ teamId: 'TACME', isEnterpriseInstall: false, botUserId: 'UBOTTACME', installerUserId: 'UADMIN1' });
    expect(stored.scopes).toContain('users:read.email');
  });

  it('refuses a state used a second time, and exchanges no code for it', async () => {
    const page = await openInstallPage(url);
    const first = await followRedirect(url, { code: fake.oauthCode({ teamId: 'TONCE' }), state: page.state! }, page.cookie);
    expect(first.status).toBe(200);
    const exchanges = fake.callsOf('oauth.v2.access').length;
    const again = await followRedirect(url, { code: fake.oauthCode({ teamId: 'TTWICE' }), state: page.state! }, page.cookie);
    expect(again.status).toBe(400);
    expect(again.html).toContain('expired or was already used');
    expect(fake.callsOf('oauth.v2.access')).toHaveLength(exchanges);
    expect((await installations()).map((i) => i.installationKey)).not.toContain('TTWICE');
  });

  it('refuses a forged state, and a state from another browser', async () => {
    const page = await openInstallPage(url);
    const [id] = page.state!.split('.');
    const forged = `${id}.${'A'.repeat(43)}`;
    const exchanges = fake.callsOf('oauth.v2.access').length;
    expect((await followRedirect(url, { code: fake.oauthCode({ teamId: 'TFORGED' }), state: forged }, `slack-app-oauth-state=${forged}`)).status).toBe(400);
    const other = await openInstallPage(url);
    expect((await followRedirect(url, { code: fake.oauthCode({ teamId: 'TFORGED' }), state: page.state! }, other.cookie)).status).toBe(400);
    expect(fake.callsOf('oauth.v2.access')).toHaveLength(exchanges);
    expect((await installations()).map((i) => i.installationKey)).not.toContain('TFORGED');
  });

  it('says the installation was cancelled when the admin declined on Slack', async () => {
    const page = await openInstallPage(url);
    const declined = await followRedirect(url, { error: 'access_denied', state: page.state! }, page.cookie);
    expect(declined.status).toBe(400);
    expect(declined.html).toContain('cancelled');
  });

  it('keeps the bot token unreadable in the database without the key', async () => {
    const client = new pg.Client({ connectionString: runtime.config.DATABASE_URL });
    await client.connect();
    const { rows } = await client.query('SELECT * FROM "SlackInstallation"');
    await client.end();
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain('xoxb-');
    expect(rows[0].botTokenSealed).toMatch(/^v1\.[0-9a-f]{8}\./);
  });
});

describe('when two workspaces have installed the bot', () => {
  beforeAll(async () => {
    for (const teamId of ['TWSA', 'TWSB']) expect((await installThroughOAuth(url, fake, { teamId, teamName: teamId })).status).toBe(200);
    for (const [team, user] of [['TWSA', 'UANA'], ['TWSB', 'UBEN']]) fake.addUser({ id: user, team_id: team, real_name: user });
  });

  it('answers each person with their own workspace\'s token', async () => {
    expect((await directMessage('TWSA', 'UANA', 'help', 'Ev-oauth-a')).status).toBe(200);
    expect((await directMessage('TWSB', 'UBEN', 'help', 'Ev-oauth-b')).status).toBe(200);
    const toAna = await fake.waitFor('chat.postMessage', (p) => p.channel === 'DUANA');
    const toBen = await fake.waitFor('chat.postMessage', (p) => p.channel === 'DUBEN');
    expect(toAna.token).toBe(fake.tokenFor('TWSA'));
    expect(toBen.token).toBe(fake.tokenFor('TWSB'));
    // The profile on first contact is read in the person's own workspace too.
    expect(fake.callsOf('users.info').find((c) => c.params.user === 'UANA')?.token).toBe(fake.tokenFor('TWSA'));
  });

  it('sends a later nudge to each person with their own workspace\'s token', async () => {
    for (const [team, user] of [['TWSA', 'UNUDGEA'], ['TWSB', 'UNUDGEB']]) {
      const person = await runtime.db.person.create({ data: { displayName: user } });
      await runtime.db.platformIdentity.create({ data: { personId: person.id, platform: 'SLACK', externalId: `${team}:${user}` } });
      expect(await runtime.notifier.notify(person.id, ui.text('EE2 starts tomorrow at 10:00.', { deliveryKey: `nudge-${user}` }))).toEqual({ delivered: true, platform: 'SLACK' });
    }
    expect((await fake.waitFor('chat.postMessage', (p) => p.channel === 'DNUDGEA')).token).toBe(fake.tokenFor('TWSA'));
    expect((await fake.waitFor('chat.postMessage', (p) => p.channel === 'DNUDGEB')).token).toBe(fake.tokenFor('TWSB'));
  });

  it('refuses a request from a workspace where the bot is not installed, without calling Slack for it', async () => {
    const before = fake.calls.length;
    await directMessage('TNOWHERE', 'UNOBODY', 'help', 'Ev-oauth-nowhere');
    await runtime.slack!.settled();
    expect(fake.calls.slice(before).filter((c) => c.method === 'chat.postMessage')).toEqual([]);
  });
});

/** An Events API callback about the app itself (no user), as Slack sends app_uninstalled and tokens_revoked. */
function appEvent(teamId: string, event: Record<string, unknown>, eventId: string) {
  return slack.event({ type: 'event_callback', team_id: teamId, api_app_id: 'A1', event_id: eventId, event_time: Math.floor(Date.now() / 1000), event });
}

describe('when a workspace uninstalls the bot', () => {
  let stayingId: string;
  let leavingIdentity: string;
  let personId: string;

  beforeAll(async () => {
    for (const teamId of ['TLEAVE', 'TSTAY', 'TREVOKE']) expect((await installThroughOAuth(url, fake, { teamId, teamName: teamId })).status).toBe(200);
    const person = await runtime.db.person.create({ data: { displayName: 'Two Workspaces' } });
    personId = person.id;
    leavingIdentity = (await runtime.db.platformIdentity.create({ data: { personId, platform: 'SLACK', externalId: 'TLEAVE:ULEFT' } })).id;
    stayingId = (await runtime.db.platformIdentity.create({ data: { personId, platform: 'SLACK', externalId: 'TSTAY:USTAYS' } })).id;
  });

  it('removes its installation and marks its people unreachable, and nothing else', async () => {
    const otherInstalls = (await installations()).filter((i) => i.installationKey !== 'TLEAVE');
    expect((await appEvent('TLEAVE', { type: 'app_uninstalled' }, 'Ev-uninstall-1')).status).toBe(200);
    await runtime.slack!.settled();
    const after = await installations();
    expect(after.map((i) => i.installationKey)).not.toContain('TLEAVE');
    expect(after).toEqual(otherInstalls);
    expect((await runtime.db.platformIdentity.findUniqueOrThrow({ where: { id: leavingIdentity } })).unreachableAt).not.toBeNull();
    expect((await runtime.db.platformIdentity.findUniqueOrThrow({ where: { id: stayingId } })).unreachableAt).toBeNull();
    expect(await runtime.db.person.findUnique({ where: { id: personId } })).not.toBeNull();
  });

  it('changes nothing when Slack delivers the uninstall again', async () => {
    const before = await installations();
    expect((await appEvent('TLEAVE', { type: 'app_uninstalled' }, 'Ev-uninstall-2')).status).toBe(200);
    await runtime.slack!.settled();
    expect(await installations()).toEqual(before);
  });

  it('reaches the person through the workspace that stays; a later message to the one that left goes nowhere', async () => {
    const result = await runtime.notifier.notify(personId, ui.text('Still here?', { deliveryKey: 'after-uninstall' }));
    expect(result).toEqual({ delivered: true, platform: 'SLACK' });
    expect((await fake.waitFor('chat.postMessage', (p) => p.channel === 'DSTAYS')).token).toBe(fake.tokenFor('TSTAY'));
    expect(fake.callsOf('chat.postMessage').filter((c) => c.params.channel === 'DLEFT')).toEqual([]);
  });

  it('removes the installation when its bot token is revoked, but not for a revoked user token', async () => {
    await appEvent('TREVOKE', { type: 'tokens_revoked', tokens: { oauth: ['UADMIN'] } }, 'Ev-revoke-user');
    await runtime.slack!.settled();
    expect((await installations()).map((i) => i.installationKey)).toContain('TREVOKE');
    await appEvent('TREVOKE', { type: 'tokens_revoked', tokens: { bot: ['UBOTTREVOKE'] } }, 'Ev-revoke-bot');
    await runtime.slack!.settled();
    expect((await installations()).map((i) => i.installationKey)).not.toContain('TREVOKE');
  });

  it('makes the workspace\'s people reachable again when it installs the bot again', async () => {
    expect((await installThroughOAuth(url, fake, { teamId: 'TLEAVE', teamName: 'TLEAVE' })).status).toBe(200);
    expect((await runtime.db.platformIdentity.findUniqueOrThrow({ where: { id: leavingIdentity } })).unreachableAt).toBeNull();
  });
});

describe('when the token key is rotated', () => {
  it('opens tokens sealed with the old key and seals them again with the new one', async () => {
    const { SecretBox } = await import('../../src/core/secret-box.js');
    const { SlackInstallations } = await import('../../adapters/slack/installations.js');
    const { TEST_TOKEN_KEY } = await import('../support/slack-oauth.js');
    const newKey = Buffer.alloc(32, 9).toString('base64');
    const rotated = new SlackInstallations(runtime.db, new SecretBox(newKey, [TEST_TOKEN_KEY]));
    const sealedBefore = (await runtime.db.slackInstallation.findUniqueOrThrow({ where: { installationKey: 'TWSA' } })).botTokenSealed;
    expect((await rotated.find({ teamId: 'TWSA' }))?.botToken).toBe(fake.tokenFor('TWSA'));
    const sealedAfter = (await runtime.db.slackInstallation.findUniqueOrThrow({ where: { installationKey: 'TWSA' } })).botTokenSealed;
    expect(sealedAfter).not.toBe(sealedBefore);
    // Everything else in one pass (scripts/rotate-slack-key.ts); a second pass finds nothing to do.
    expect(await rotated.resealAll()).toBeGreaterThan(0);
    expect(await rotated.resealAll()).toBe(0);
    const newOnly = new SlackInstallations(runtime.db, new SecretBox(newKey));
    expect((await newOnly.find({ teamId: 'TWSB' }))?.botToken).toBe(fake.tokenFor('TWSB'));
  });
});

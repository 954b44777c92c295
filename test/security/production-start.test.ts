import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/server/runtime.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { ui } from '../../src/core/messages.js';
import { tableDigests } from '../support/db-snapshot.js';
import { FakeBotConnector, teamsActivity } from '../support/fake-bot-connector.js';
import { FakeSlack } from '../support/fake-slack.js';
import { startProductionBot } from '../support/harness.js';
import { slackClient } from '../support/slack-requests.js';

/**
 * The bot started the way `npm start` starts it (src/server/start.ts), with NODE_ENV=production and
 * only Slack configured, attacked as issue 15 describes: an anonymous Teams activity, a web chat
 * request that names someone else, and a look for demo data.
 */
const SECRET = 'prod-signing-secret-0123456789abcdef';
const slackEnv = (fake: FakeSlack) => ({ SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test-prod', SLACK_API_URL: fake.apiUrl });

let fake: FakeSlack;
let connector: FakeBotConnector;

beforeAll(async () => {
  fake = await new FakeSlack().start();
  connector = await new FakeBotConnector().start();
});
afterAll(async () => {
  await connector?.stop();
  await fake?.stop();
});

describe('when the bot starts in production with only Slack configured', () => {
  let runtime: Runtime;
  let url: string;

  beforeAll(async () => {
    ({ runtime, url } = await startProductionBot(slackEnv(fake)));
  });

  it('loads no demo data: the database has no programme and no person', async () => {
    expect(runtime.config.SEED_DEMO_ON_EMPTY).toBe(false);
    expect(await runtime.db.programme.count()).toBe(0);
    expect(await runtime.db.person.count()).toBe(0);
  });

  it('answers an anonymous Teams activity with 404 and one sentence: no row is created and nothing is called', async () => {
    const before = await tableDigests(runtime.db);
    const slackCalls = fake.calls.length;
    connector.clear();
    connector.setMember('29:attacker', { name: 'Attacker', email: 'coordinator@lc1.example.org' });
    for (const serviceUrl of [connector.url, connector.url.replace('127.0.0.1', '0.0.0.0')]) {
      for (const headers of [{}, { authorization: 'Bearer forged.token.here' }] as Record<string, string>[]) {
        const activity = teamsActivity(serviceUrl, { text: 'lc my-data', from: { id: '29:attacker', name: 'Attacker', aadObjectId: 'aad-attacker' } });
        const res = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(activity) });
        expect(res.status).toBe(404);
        const { error } = (await res.json()) as { error: string };
        expect(error).toBe('Teams is not configured on this bot: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD.');
      }
    }
    expect(await tableDigests(runtime.db)).toEqual(before);
    expect(connector.requests).toHaveLength(0);
    expect(fake.calls.length).toBe(slackCalls);
  });

  it('serves no web chat: the page says it is off and the web chat endpoints do not exist', async () => {
    expect(runtime.config.webChatEnabled).toBe(false);
    expect(await (await fetch(url)).text()).toContain('The web chat is off');
    const res = await fetch(`${url}/web/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identity: 'lc1-coordinator', input: { type: 'typed', text: '/lc me' } }) });
    expect(res.status).toBe(404);
  });
});

describe('when the bot runs in production with WEB_CHAT=on', () => {
  let runtime: Runtime;
  let url: string;
  let databaseUrl: string;
  let prefix: string;
  let slack: ReturnType<typeof slackClient>;
  const env = () => ({ ...slackEnv(fake), WEB_CHAT: 'on', PUBLIC_URL: 'https://clusterbot.example.org' });

  beforeAll(async () => {
    const started = await startProductionBot(env());
    ({ runtime, url } = started);
    databaseUrl = started.config.DATABASE_URL;
    prefix = started.config.REDIS_PREFIX;
    // A database that still holds the demo people from an earlier local try-out: their keys must open nothing.
    await seedDemo(runtime.db, new Date());
    slack = slackClient(`${url}/slack/events`, SECRET);
    fake.addUser({ id: 'UANA', real_name: 'Ana Slack' });
  });

  /** `/lc link` in Slack, as Ana: the one-time code the bot answers with. */
  async function codeFromSlack(userId = 'UANA'): Promise<string> {
    const responseUrl = fake.responseUrl();
    const res = await slack.command({ team_id: 'T1', channel_id: 'D1', user_id: userId, user_name: userId.toLowerCase(), text: 'link', response_url: responseUrl, trigger_id: `t-${Date.now()}` });
    expect(res.status).toBe(200);
    const reply = await fake.waitFor('response_url', (p) => p.url === responseUrl);
    const text = JSON.stringify(reply.params);
    expect(text).toContain('https://clusterbot.example.org');
    const code = /\b([A-Z2-9]{4}-[A-Z2-9]{4})\b/.exec(text)?.[1];
    expect(code).toBeDefined();
    return code!;
  }

  async function signIn(code: string, client = '198.51.100.1') {
    const res = await fetch(`${url}/web/session`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': client }, body: JSON.stringify({ code }) });
    const cookie = res.headers.get('set-cookie') ?? '';
    return { status: res.status, body: (await res.json()) as Record<string, any>, setCookie: cookie, cookie: cookie.split(';')[0] };
  }

  const events = (body: unknown, cookie?: string) =>
    fetch(`${url}/web/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body: JSON.stringify(body) });

  it('accepts no client-chosen identity: demo identities, events and inboxes need a session, and nothing changes', async () => {
    const coordinator = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'WEB', externalId: 'web:lc1-coordinator' } } });
    await runtime.webSender.send({ externalId: coordinator.externalId }, ui.text('A private note for the coordinator'));
    const before = await tableDigests(runtime.db);

    const identities = await fetch(`${url}/web/identities`);
    expect(identities.status).toBe(404);
    expect((await identities.json()).error).toBe('Demo identities are only available in a local demo. Sign in with a code from /lc link instead.');

    const asCoordinator = await events({ identity: 'lc1-coordinator', input: { type: 'typed', text: '/lc my-data' } });
    expect(asCoordinator.status).toBe(401);
    expect((await asCoordinator.json()).error).toBe('Please sign in first: send /lc link to Cluster Bot in Slack or Teams and type the code on this page.');

    const inbox = await fetch(`${url}/web/inbox?identity=lc1-coordinator`);
    expect(inbox.status).toBe(401);
    expect(await tableDigests(runtime.db)).toEqual(before);
    expect(await runtime.webSender.drain(coordinator.externalId)).toHaveLength(1);
  });

  it('signs a Slack person in with the code from /lc link, in an httpOnly, Secure, SameSite cookie, and acts only as them', async () => {
    const code = await codeFromSlack();
    const signedIn = await signIn(code);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.signedIn).toEqual({ name: 'Ana Slack' });
    expect(signedIn.setCookie).toMatch(/^__Host-cb_session=[\w-]{40,};/);
    expect(signedIn.setCookie).toMatch(/; HttpOnly/i);
    expect(signedIn.setCookie).toMatch(/; Secure/i);
    expect(signedIn.setCookie).toMatch(/; SameSite=Strict/i);
    expect(signedIn.setCookie).toMatch(/; Path=\//);
    // Only the token's hash is stored.
    const [session] = await runtime.db.webSession.findMany();
    expect(signedIn.cookie).not.toContain(session.id);

    // The identity the client names is ignored: the session decides.
    const me = await events({ identity: 'lc1-coordinator', input: { type: 'typed', text: '/lc me' } }, signedIn.cookie);
    expect(me.status).toBe(200);
    const text = JSON.stringify((await me.json()).messages);
    expect(text).toContain('You are Ana Slack');
    expect(text).not.toContain('Arta');
    const inbox = await fetch(`${url}/web/inbox?identity=lc1-coordinator`, { headers: { cookie: signedIn.cookie } });
    expect(inbox.status).toBe(200);
    expect((await inbox.json()).messages).toEqual([]);

    const status = await fetch(`${url}/web/session`, { headers: { cookie: signedIn.cookie } });
    expect((await status.json()).signedIn).toEqual({ name: 'Ana Slack' });

    // The code worked once.
    const again = await signIn(code);
    expect(again.status).toBe(401);
    expect(again.body.error).toMatch(/^This code is not valid, was already used, or has expired/);
  });

  it('refuses a wrong code with a sentence and creates nothing; after five wrong codes it asks the client to wait', async () => {
    const sessions = await runtime.db.webSession.count();
    const malformed = await signIn('not a code', '203.0.113.7');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe('A code has 8 letters and digits, like ABCD-2345. Please check it and try again.');
    for (let i = 0; i < 5; i++) expect((await signIn('ABCD-2345', '203.0.113.7')).status).toBe(401);
    const blocked = await signIn(await codeFromSlack(), '203.0.113.7');
    expect(blocked.status).toBe(429);
    expect(blocked.body.error).toMatch(/^Too many wrong codes\. Please wait 10 minutes/);
    expect(blocked.setCookie).toBe('');
    expect(await runtime.db.webSession.count()).toBe(sessions);
  });

  it('refuses a request that another website sends with the cookie', async () => {
    const { cookie } = await signIn(await codeFromSlack());
    const res = await fetch(`${url}/web/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin: 'https://evil.example' },
      body: JSON.stringify({ input: { type: 'typed', text: '/lc forget-me' } }),
    });
    expect(res.status).toBe(403);
    expect((await res.json()).error).toMatch(/^This request came from another website/);
  });

  it('keeps a session across an instance restart, then signs it out so the cookie opens nothing', async () => {
    const { cookie } = await signIn(await codeFromSlack());
    await runtime.stop();
    ({ runtime, url } = await startProductionBot(env(), { DATABASE_URL: databaseUrl, REDIS_PREFIX: prefix }));
    slack = slackClient(`${url}/slack/events`, SECRET);
    const after = await events({ input: { type: 'typed', text: '/lc me' } }, cookie);
    expect(after.status).toBe(200);
    expect(JSON.stringify((await after.json()).messages)).toContain('You are Ana Slack');

    const out = await fetch(`${url}/web/session`, { method: 'DELETE', headers: { cookie } });
    expect(out.status).toBe(200);
    expect((await out.json()).message).toBe('You are signed out on this device.');
    expect(out.headers.get('set-cookie')).toMatch(/^__Host-cb_session=;.*Expires=Thu, 01 Jan 1970/);
    const refused = await events({ input: { type: 'typed', text: '/lc me' } }, cookie);
    expect(refused.status).toBe(401);
    expect((await refused.json()).error).toBe('Your sign-in on this device has ended. Please sign in again with a new code from /lc link.');
  });

  it('ends a session unused for WEB_SESSION_IDLE_DAYS, and one past WEB_SESSION_DAYS, and deletes it', async () => {
    const idle = await signIn(await codeFromSlack());
    const old = await signIn(await codeFromSlack());
    const [idleRow, oldRow] = await runtime.db.webSession.findMany({ orderBy: { createdAt: 'desc' }, take: 2 }).then((rows) => rows.reverse());
    await runtime.db.webSession.update({ where: { id: idleRow.id }, data: { lastUsedAt: new Date(Date.now() - 8 * 24 * 3600_000) } });
    await runtime.db.webSession.update({ where: { id: oldRow.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    for (const { cookie } of [idle, old]) {
      const res = await fetch(`${url}/web/inbox`, { headers: { cookie } });
      expect(res.status).toBe(401);
    }
    expect(await runtime.db.webSession.count({ where: { id: { in: [idleRow.id, oldRow.id] } } })).toBe(0);
  });

  it('signs a person out on every device at once', async () => {
    const phone = await signIn(await codeFromSlack());
    const laptop = await signIn(await codeFromSlack());
    const out = await fetch(`${url}/web/session?everywhere=true`, { method: 'DELETE', headers: { cookie: phone.cookie } });
    expect((await out.json()).message).toMatch(/^You are signed out on all devices \(\d+ sessions ended\)\.$/);
    for (const { cookie } of [phone, laptop]) expect((await fetch(`${url}/web/inbox`, { headers: { cookie } })).status).toBe(401);
  });
});

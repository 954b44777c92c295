import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ui } from '../../src/core/messages.js';
import { attachWorkspace } from '../../src/domain/programme-workspaces.js';
import { adminMount } from '../../src/server/admin/mount.js';
import type { Runtime } from '../../src/server/runtime.js';
import type { FakeSlack } from '../support/fake-slack.js';
import { launchChromium } from '../support/browser.js';
import { testRuntime, testSlackRuntime } from '../support/harness.js';
import { installThroughOAuth, testSlackOAuthRuntime } from '../support/slack-oauth.js';

/**
 * The operator's view (issue 21 item 5), over real HTTP against the real app in OAuth mode with two
 * workspaces installed through the fake Slack's OAuth round trip: /admin lists installations and
 * tenants with programmes, people reached and last activity, and detaches one installation (form token,
 * confirmation, post/redirect/get) without touching the other.
 */
const SECRET = 'signing-secret-for-the-admin-tests';
const ADMIN_TOKEN = 'an-admin-token-for-the-operator-view';
const HOSTILE = '<img src=x onerror=alert(1)>';
const ARTIFACTS = 'test-artifacts';

let runtime: Runtime;
let fake: FakeSlack;
let url: string;
let clusterOfA: string;

const basic = (token: string) => ({ authorization: `Basic ${Buffer.from(`operator:${token}`).toString('base64')}` });
const asOperator = basic(ADMIN_TOKEN);

async function adminPage(path = '/admin', headers: Record<string, string> = asOperator) {
  const response = await fetch(`${url}${path}`, { headers });
  return { status: response.status, html: await response.text(), headers: response.headers };
}

/** The detach form as a browser sends it (redirects not followed, so the 303 can be checked). */
function detach(body: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${url}/admin/detach`, { method: 'POST', redirect: 'manual', headers: { ...asOperator, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body) });
}

const formTokenOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)![1];
/** The table row (or card) that names this id. */
const rowOf = (html: string, id: string) => html.split('<tr>').find((row) => row.includes(id)) ?? '';

async function identity(externalId: string, displayName: string, lastSeenAt: string, platform: 'SLACK' | 'TEAMS' = 'SLACK', unreachable = false) {
  const person = await runtime.db.person.create({ data: { displayName } });
  await runtime.db.platformIdentity.create({ data: { personId: person.id, platform, externalId, lastSeenAt: new Date(lastSeenAt), unreachableAt: unreachable ? new Date('2026-11-02T00:00:00Z') : null } });
  return person.id;
}

const slackIdentities = (team: string) => runtime.db.platformIdentity.findMany({ where: { externalId: { startsWith: `${team}:` } }, orderBy: { externalId: 'asc' } });

beforeAll(async () => {
  ({ runtime, fake, url } = await testSlackOAuthRuntime(SECRET, { ADMIN_TOKEN }));
  expect((await installThroughOAuth(url, fake, { teamId: 'TADMA', teamName: HOSTILE, installerUserId: 'UADMINA' })).status).toBe(200);
  expect((await installThroughOAuth(url, fake, { teamId: 'TADMB', teamName: 'Beta & Co', installerUserId: 'UADMINB' })).status).toBe(200);
  // People after the installs (an install marks its workspace's people reachable again).
  const ana = await identity('TADMA:UADMINA', 'Ana Admin', '2026-11-20T10:15:00Z');
  await identity('TADMA:UAONE', 'Arta', '2026-11-25T08:30:00Z');
  await identity('TADMA:UAGONE', 'Alban', '2026-11-01T07:00:00Z', 'SLACK', true);
  await identity('TADMB:UBONE', 'Besa', '2026-10-05T12:00:00Z');
  await identity('TADMB:UBTWO', 'Bora', '2026-09-01T12:00:00Z');
  await identity('tenant-adm:aad1', 'Tara', '2026-11-30T09:00:00Z', 'TEAMS');
  // A Teams account without an AAD id is a channel account ("29:…"): no tenant of its own.
  await identity('29:channel-account', 'Nobody', '2026-11-30T09:00:00Z', 'TEAMS');
  const programmeA = await runtime.db.programme.create({ data: { name: 'Programme <A>' } });
  const programmeB = await runtime.db.programme.create({ data: { name: 'Programme B' } });
  const programmeT = await runtime.db.programme.create({ data: { name: 'Tenant programme' } });
  await attachWorkspace(runtime.db, programmeA.id, { platform: 'slack', externalId: 'TADMA' });
  await attachWorkspace(runtime.db, programmeB.id, { platform: 'slack', externalId: 'TADMB' });
  await attachWorkspace(runtime.db, programmeT.id, { platform: 'teams', externalId: 'tenant-adm', name: 'Contoso' });
  const cluster = await runtime.db.cluster.create({ data: { programmeId: programmeA.id, code: 'ADM1', name: 'Cluster of A', approach: 'x', timeZone: 'UTC', language: 'en', capacity: 5 } });
  clusterOfA = cluster.id;
  await runtime.db.membership.create({ data: { personId: ana, clusterId: cluster.id, role: 'MEMBER', status: 'ACTIVE' } });
});

describe('when nobody set ADMIN_TOKEN', () => {
  it('has no /admin at all: the page and the detach answer 404', async () => {
    const plain = await testRuntime();
    const base = `http://127.0.0.1:${await plain.listen(0)}`;
    expect((await fetch(`${base}/admin`, { headers: asOperator })).status).toBe(404);
    expect((await fetch(`${base}/admin/detach`, { method: 'POST', headers: asOperator })).status).toBe(404);
    expect((await fetch(`${base}/admin/queues`, { headers: asOperator })).status).toBe(404);
  });
});

describe('when someone without the admin token opens /admin', () => {
  it('answers 401 with a Basic challenge, with no token, a wrong one, or a wrong Bearer token, and shows nothing', async () => {
    for (const headers of [{}, basic('not-the-admin-token-at-all'), { authorization: 'Bearer not-the-admin-token-at-all' }]) {
      const page = await adminPage('/admin', headers);
      expect(page.status).toBe(401);
      expect(page.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(page.html).not.toContain('TADMA');
    }
    expect((await detach({ installationKey: 'TADMA', confirm: 'yes' }, basic('not-the-admin-token-at-all'))).status).toBe(401);
    expect(await runtime.db.slackInstallation.count({ where: { installationKey: 'TADMA' } })).toBe(1);
  });

  it('takes the same token for /admin and /admin/queues, as Basic password or Bearer', async () => {
    expect((await adminPage('/admin', { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(200);
    expect((await fetch(`${url}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);
  });
});

describe('when the operator opens /admin', () => {
  it('lists both Slack installations with name, id, kind, installer, scopes, programmes, people reached and last activity', async () => {
    const { status, html } = await adminPage();
    expect(status).toBe(200);
    const a = rowOf(html, 'TADMA');
    expect(a).toContain('one workspace');
    expect(a).toContain('Ana Admin');
    expect(a).toContain('UADMINA');
    expect(a).toContain('users:read.email');
    expect(a).toContain('Programme &lt;A&gt;');
    expect(a).not.toContain('Programme B');
    // Two of its three people can be reached (Alban was marked unreachable); the latest use was Arta's.
    expect(a).toMatch(/data-label="People reached">2</);
    expect(a).toContain('2026-11-25 08:30 UTC');
    const b = rowOf(html, 'TADMB');
    expect(b).toContain('Beta &amp; Co');
    expect(b).toContain('Programme B');
    expect(b).toMatch(/data-label="People reached">2</);
    expect(b).toContain('2026-10-05 12:00 UTC');
    expect(b).toContain('UADMINB');
    expect(html).toContain('href="/admin/queues"');
  });

  it('lists the Teams tenants met, with their programme and name, and no tenant for a channel account', async () => {
    const { html } = await adminPage();
    const tenant = rowOf(html, 'tenant-adm');
    expect(tenant).toContain('Contoso');
    expect(tenant).toContain('Tenant programme');
    expect(tenant).toMatch(/data-label="People reached">1</);
    expect(tenant).toContain('2026-11-30 09:00 UTC');
    expect(html).not.toMatch(/class="id">29</);
  });

  it('shows a workspace name with HTML in it as text, and runs no script (CSP)', async () => {
    const { html, headers } = await adminPage();
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
    expect(headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(headers.get('content-security-policy')).toContain("form-action 'self'");
    expect(headers.get('cache-control')).toBe('no-store');
  });

  it('speaks the browser\'s language', async () => {
    const { html } = await adminPage('/admin', { ...asOperator, 'accept-language': 'mk' });
    expect(html).toContain('<html lang="mk">');
    expect(html).toContain('Инсталации во Slack');
  });
});

describe('when a detach is not sent from the operator\'s page', () => {
  it('refuses it with 403 without a form token, with a forged or expired one, and from another site; nothing removed', async () => {
    const token = formTokenOf((await adminPage()).html);
    const [issued] = token.split('.');
    const stale = `${(parseInt(issued, 36) - 3 * 3600).toString(36)}.${token.split('.')[1]}`;
    const attempts = [
      detach({ installationKey: 'TADMA', confirm: 'yes' }),
      detach({ installationKey: 'TADMA', confirm: 'yes', csrf: `${issued}.${'A'.repeat(43)}` }),
      detach({ installationKey: 'TADMA', confirm: 'yes', csrf: stale }),
      detach({ installationKey: 'TADMA', confirm: 'yes', csrf: token }, { origin: 'https://evil.example' }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('Nothing was changed');
    }
    expect(await runtime.db.slackInstallation.count({ where: { installationKey: { in: ['TADMA', 'TADMB'] } } })).toBe(2);
    expect((await slackIdentities('TADMA')).filter((i) => i.unreachableAt === null)).toHaveLength(2);
  });

  it('ignores a result banner that the page did not sign', async () => {
    const forged = Buffer.from(JSON.stringify({ outcome: 'detached', workspace: 'Beta & Co', people: 9 })).toString('base64url');
    const { html } = await adminPage(`/admin?result=${forged}.${'A'.repeat(43)}`);
    expect(html).not.toContain('was detached');
  });
});

describe('when the operator detaches one workspace', () => {
  let firstMarks: (Date | null)[];

  it('asks first, naming the workspace and what stays, and changes nothing yet', async () => {
    const response = await detach({ installationKey: 'TADMA', name: 'ignored', csrf: formTokenOf((await adminPage()).html) });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('Detach &lt;img src=x onerror=alert(1)&gt;?');
    expect(html).toContain('This removes its token; its people become unreachable; their clusters, plans and answers stay.');
    expect(html).toContain('name="confirm" value="yes"');
    expect(html).not.toContain('<img');
    expect(await runtime.db.slackInstallation.count({ where: { installationKey: 'TADMA' } })).toBe(1);
  });

  it('removes only that installation once confirmed, marks its people unreachable, and says so after a redirect', async () => {
    const confirm = await detach({ installationKey: 'TADMA', name: HOSTILE, csrf: formTokenOf((await adminPage()).html), confirm: 'yes' });
    expect(confirm.status).toBe(303);
    const location = confirm.headers.get('location')!;
    expect(location).toMatch(/^\/admin\?result=/);
    const { html } = await adminPage(location);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; was detached. People now marked unreachable on Slack: 2.');
    expect(rowOf(html, 'TADMA')).toBe('');
    expect(rowOf(html, 'TADMB')).toContain('Beta &amp; Co');

    expect((await runtime.db.slackInstallation.findMany()).map((i) => i.installationKey)).toEqual(['TADMB']);
    const peopleOfA = await slackIdentities('TADMA');
    expect(peopleOfA.every((i) => i.unreachableAt !== null)).toBe(true);
    firstMarks = peopleOfA.map((i) => i.unreachableAt);
    expect((await slackIdentities('TADMB')).map((i) => i.unreachableAt)).toEqual([null, null]);
    // Their clusters and memberships stay.
    expect(await runtime.db.membership.count({ where: { clusterId: clusterOfA } })).toBe(1);
    expect(await runtime.db.programmeWorkspace.count({ where: { externalId: 'TADMA' } })).toBe(1);
  });

  it('says "already detached" to the same POST sent again, with no second effect', async () => {
    const token = formTokenOf((await adminPage()).html);
    const again = await detach({ installationKey: 'TADMA', name: HOSTILE, csrf: token, confirm: 'yes' });
    expect(again.status).toBe(303);
    const { html } = await adminPage(again.headers.get('location')!);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; was already detached. Nothing changed.');
    expect((await slackIdentities('TADMA')).map((i) => i.unreachableAt)).toEqual(firstMarks);
    expect(await runtime.db.slackInstallation.count()).toBe(1);
  });

  it('lets the other workspace\'s people be reached with its own token still', async () => {
    const person = (await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: 'TADMB:UBONE' } })).personId;
    fake.addUser({ id: 'UBONE', team_id: 'TADMB', real_name: 'Besa' });
    expect(await runtime.notifier.notify(person, ui.text('Still here.', { deliveryKey: 'admin-after-detach' }))).toEqual({ delivered: true, platform: 'SLACK' });
    expect((await fake.waitFor('chat.postMessage', (p) => p.channel === 'DBONE')).token).toBe(fake.tokenFor('TADMB'));
  });

  it('shows the empty state once no installation is left', async () => {
    const token = formTokenOf((await adminPage()).html);
    expect((await detach({ installationKey: 'TADMB', csrf: token, confirm: 'yes' })).status).toBe(303);
    const { html } = await adminPage();
    expect(html).toContain('The bot is not installed in any Slack workspace yet.');
    expect(html).not.toContain('name="csrf"');
  });
});

describe('when the bot runs with one configured token (single-workspace mode)', () => {
  it('shows that one workspace, its people and programmes, and offers no Detach', async () => {
    const single = await testSlackRuntime(SECRET, { env: { ADMIN_TOKEN } });
    const person = await single.runtime.db.person.create({ data: { displayName: 'Solo' } });
    await single.runtime.db.platformIdentity.create({ data: { personId: person.id, platform: 'SLACK', externalId: 'TSOLO:USOLO', lastSeenAt: new Date('2026-11-29T16:45:00Z') } });
    const response = await fetch(`${single.url}/admin`, { headers: asOperator });
    const html = await response.text();
    expect(html).toContain('single-workspace mode (configured token)');
    expect(html).toContain('TSOLO');
    expect(html).toMatch(/data-label="People reached">1</);
    expect(html).toContain('2026-11-29 16:45 UTC');
    expect(html).not.toContain('/admin/detach');
    const refused = await fetch(`${single.url}/admin/detach`, { method: 'POST', headers: { ...asOperator, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ installationKey: 'TSOLO', confirm: 'yes' }) });
    expect(refused.status).toBe(403);
  });
});

describe('on a phone (390 × 844)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('reads without sideways scrolling: each installation becomes a card, and the confirmation too; Detach works from the page', async () => {
    // A fresh pair of long-named workspaces, so the page has rows to lay out.
    for (const [teamId, teamName] of [['TPHONEONE', 'Municipality of Example-Long-Name Social Services Department of the Region of Somewhere-Far-Away'], ['TPHONETWO', HOSTILE]]) {
      expect((await installThroughOAuth(url, fake, { teamId, teamName, installerUserId: 'UINSTALLERWITHAVERYLONGID' })).status).toBe(200);
    }
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, httpCredentials: { username: 'operator', password: ADMIN_TOKEN } });
    const page = await context.newPage();
    await page.goto(`${url}/admin`);
    const sizes = await page.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, inner: window.innerWidth, theadShown: getComputedStyle(document.querySelector('thead')!).display !== 'none' }));
    expect(sizes.scroll).toBeLessThanOrEqual(sizes.inner);
    expect(sizes.theadShown).toBe(false);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/admin-phone.png`, fullPage: true });
    // The confirmation, with the longest name: its button wraps instead of pushing the page sideways.
    await page.locator('tr', { hasText: 'TPHONEONE' }).getByRole('button', { name: 'Detach' }).click();
    await page.waitForURL('**/admin/detach');
    expect(await page.textContent('h1')).toContain('Detach Municipality of Example-Long-Name');
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/admin-phone-confirm.png`, fullPage: true });
    expect(await runtime.db.slackInstallation.count({ where: { installationKey: 'TPHONEONE' } })).toBe(1);
    // Confirmed in the browser: its own form passes the Origin and token checks, and the redirect shows the result.
    await page.getByRole('button', { name: /^Detach Municipality/ }).click();
    await page.waitForURL(/\/admin\?result=/);
    expect(await page.textContent('[role=status]')).toContain('was detached');
    expect(await runtime.db.slackInstallation.count({ where: { installationKey: 'TPHONEONE' } })).toBe(0);
    await context.close();
  });
});

describe('when an operator detaches, the log', () => {
  it('records the operator action, the installation and what it did, once per outcome', async () => {
    expect((await installThroughOAuth(url, fake, { teamId: 'TLOGGED', teamName: 'Logged workspace' })).status).toBe(200);
    // The same mount on an app of its own, with a logger the test reads.
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _encoding, done) => (lines.push(JSON.parse(String(chunk))), done()) }));
    const app = express();
    adminMount({ adminToken: ADMIN_TOKEN, db: runtime.db, logger, publicUrl: runtime.config.PUBLIC_URL, defaultLocale: 'en', slackMode: 'oauth', oauthWorkspaces: runtime.slack!.oauthWorkspaces }).mount(app);
    const server = app.listen(0);
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const csrf = formTokenOf(await (await fetch(`${base}/admin`, { headers: asOperator })).text());
      const send = () => fetch(`${base}/admin/detach`, { method: 'POST', redirect: 'manual', headers: { ...asOperator, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ installationKey: 'TLOGGED', name: 'Logged workspace', csrf, confirm: 'yes' }) });
      expect((await send()).status).toBe(303);
      expect((await send()).status).toBe(303);
    } finally {
      server.close();
    }
    const detaches = lines.filter((line) => line.operatorAction === 'detach');
    expect(detaches.map((line) => [line.installationKey, line.workspace, line.removed, line.msg])).toEqual([
      ['TLOGGED', 'Logged workspace', true, 'operator detached a slack installation'],
      ['TLOGGED', 'Logged workspace', false, 'operator detach: installation was already gone'],
    ]);
  });
});

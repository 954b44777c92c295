import type { FakeInstall, FakeSlack } from './fake-slack.js';
import { testSlackRuntime } from './harness.js';

/** A 32-byte key as SLACK_TOKEN_ENCRYPTION_KEY takes it (base64). */
export const TEST_TOKEN_KEY = Buffer.alloc(32, 7).toString('base64');

/** testSlackRuntime in OAuth mode: no SLACK_BOT_TOKEN, the fake Slack's client id and secret. */
export async function testSlackOAuthRuntime(secret: string, env: Record<string, string> = {}) {
  return testSlackRuntime(secret, {
    env: {
      SLACK_BOT_TOKEN: '',
      SLACK_CLIENT_ID: '111.222',
      SLACK_CLIENT_SECRET: 'fake-client-secret',
      SLACK_STATE_SECRET: 'a-state-secret-for-the-tests',
      SLACK_TOKEN_ENCRYPTION_KEY: TEST_TOKEN_KEY,
      ...env,
    },
  });
}

/** What a browser sees of the install: the page, the authorize URL's state and the state cookie. */
export async function openInstallPage(baseUrl: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}/slack/install`, { headers });
  const html = await response.text();
  const href = /href="([^"]*oauth[^"]*)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
  const state = href ? new URL(href).searchParams.get('state') : null;
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0];
  return { status: response.status, html, href, state, cookie };
}

/** Slack's redirect back after the consent screen, as the browser follows it. */
export async function followRedirect(baseUrl: string, query: Record<string, string>, cookie: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}/slack/oauth_redirect?${new URLSearchParams(query)}`, { headers: { cookie, ...headers } });
  return { status: response.status, html: await response.text() };
}

/** The whole "Add to Slack" round trip for one workspace (or org), through the fake Slack's oauth.v2.access. */
export async function installThroughOAuth(baseUrl: string, fake: FakeSlack, install: FakeInstall) {
  const page = await openInstallPage(baseUrl);
  if (!page.state) throw new Error(`no install link on the page: ${page.html}`);
  return followRedirect(baseUrl, { code: fake.oauthCode(install), state: page.state }, page.cookie);
}

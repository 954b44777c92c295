import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Runtime } from '../../src/server/runtime.js';
import { FakeSlack } from '../support/fake-slack.js';
import { startProductionBot } from '../support/harness.js';
import { slackClient } from '../support/slack-requests.js';
import { launchChromium } from '../support/browser.js';

/**
 * The production web chat in a real browser on a phone-sized screen: the page explains where the
 * code comes from, takes it, and from then on the chat is the signed-in person's. The session lives
 * in an httpOnly cookie the page's script cannot read.
 */
const ARTIFACTS = 'test-artifacts';
const SECRET = 'browser-signing-secret-0123456789abcdef';

let browser: Browser;
let fake: FakeSlack;
let runtime: Runtime;
let baseUrl: string;
let slack: ReturnType<typeof slackClient>;

beforeAll(async () => {
  fake = await new FakeSlack().start();
  fake.addUser({ id: 'UPHONE', real_name: 'Petra Phone' });
  const started = await startProductionBot({ SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test-browser', SLACK_API_URL: fake.apiUrl, WEB_CHAT: 'on', PUBLIC_URL: 'https://clusterbot.example.org' });
  runtime = started.runtime;
  // localhost is a secure context for Chromium, so it keeps the Secure cookie over plain HTTP here.
  baseUrl = started.url.replace('127.0.0.1', 'localhost');
  slack = slackClient(`${started.url}/slack/events`, SECRET);
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await fake?.stop();
});

async function codeFromSlack(): Promise<string> {
  const responseUrl = fake.responseUrl();
  await slack.command({ team_id: 'T1', channel_id: 'D1', user_id: 'UPHONE', user_name: 'petra', text: 'link', response_url: responseUrl, trigger_id: 't-phone' });
  const reply = await fake.waitFor('response_url', (p) => p.url === responseUrl);
  return /\b([A-Z2-9]{4}-[A-Z2-9]{4})\b/.exec(JSON.stringify(reply.params))![1];
}

describe('when a person opens the production web chat on a phone', () => {
  it('shows how to get a code in Slack, signs in with it, chats as that person, and signs out', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(baseUrl);
    const panel = page.locator('#sign-in');
    await panel.waitFor({ state: 'visible' });
    const instructions = await panel.textContent();
    expect(instructions).toContain('Sign in to Cluster Bot');
    expect(instructions).toContain('In Slack, open your chat with Cluster Bot and send /lc link.');
    expect(instructions).toContain('The bot answers with a code like ABCD-2345');
    expect(await page.locator('#identity').isVisible()).toBe(false);
    expect(await page.locator('#composer').isVisible()).toBe(false);
    // Nothing overflows the phone's width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${ARTIFACTS}/web-chat-sign-in-390.png`, fullPage: true });

    await page.fill('#code', 'wxyz-2345');
    await page.click('#sign-in-submit');
    await expect.poll(() => page.locator('#sign-in-error').textContent()).toMatch(/^This code is not valid, was already used, or has expired/);
    expect(await page.inputValue('#code')).toBe('wxyz-2345');

    const code = await codeFromSlack();
    await page.fill('#code', code.toLowerCase());
    await page.click('#sign-in-submit');
    await page.locator('#composer').waitFor({ state: 'visible' });
    expect(await page.locator('#signed-in-as').textContent()).toBe('Signed in as Petra Phone');
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const cookies = await context.cookies();
    expect(cookies).toEqual([expect.objectContaining({ name: '__Host-cb_session', httpOnly: true, secure: true, sameSite: 'Strict' })]);

    await page.fill('#text', '/lc me');
    await page.press('#text', 'Enter');
    await expect.poll(() => page.getByTestId('bot-message').last().textContent()).toContain('You are Petra Phone');
    await page.screenshot({ path: `${ARTIFACTS}/web-chat-signed-in-390.png`, fullPage: true });

    // After a reload the session is still there.
    await page.reload();
    await page.locator('#composer').waitFor({ state: 'visible' });

    await page.click('#signed-in-as');
    await page.click('#sign-out');
    await panel.waitFor({ state: 'visible' });
    expect(await page.locator('#sign-in-error').textContent()).toBe('You are signed out on this device.');
    expect(await context.cookies()).toEqual([]);
    expect(await runtime.db.webSession.count()).toBe(0);
    await context.close();
  });
});

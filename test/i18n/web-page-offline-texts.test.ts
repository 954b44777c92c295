import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { translator } from '../../src/core/i18n.js';
import { plainText } from '../../src/core/markup.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { launchChromium } from '../support/browser.js';

/**
 * The web chat page's last words of its own: what it says when the bot cannot be reached or a request
 * fails (the page's script shows them, so they come with the page, in every language, as a JSON data
 * block), and the "[Sent]" bubble of a form sent without a label. With Albanian chosen on the page they
 * are Albanian, even when the server never answers the page's first request.
 */
let browser: Browser;
let baseUrl: string;
let runtime: Runtime;
const sq = (key: string) => plainText(translator('sq')(key));

beforeAll(async () => {
  runtime = await testRuntime();
  await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
  baseUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** A page in an English browser on which Albanian was chosen earlier (kept in the browser, as the picker keeps it). */
async function albanianPage(): Promise<Page> {
  const page = await browser.newPage({ locale: 'en-GB' });
  const violations: string[] = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  await page.goto(baseUrl);
  await page.evaluate(() => localStorage.setItem('cb-language', 'sq'));
  (page as Page & { violations: string[] }).violations = violations;
  return page;
}
const systemLines = (page: Page) => page.$$eval('#log .msg.context', (lines) => lines.map((l) => l.textContent ?? ''));

describe('when the page cannot reach the bot at all', () => {
  it('says so in Albanian, from the texts that came with the page, with no script run inline', async () => {
    const page = await albanianPage();
    await page.route('**/web/session*', (route) => route.abort());
    await page.reload();
    await expect.poll(() => systemLines(page), { timeout: 15_000 }).toEqual([sq('web:page.startFailed')]);
    // Its own words too (button, placeholder, language label), before and without the server's answer.
    expect(await page.textContent('#send')).toBe(sq('web:page.send'));
    expect(await page.getAttribute('#text', 'placeholder')).toBe(sq('web:page.messagePlaceholder'));
    expect(await page.textContent('#language-label')).toBe(sq('me:language'));
    expect(await page.title()).toBe(`Cluster Bot · ${sq('web:page.demoSubtitle')}`);
    expect(sq('web:page.startFailed')).not.toBe(plainText(translator('en')('web:page.startFailed')));
    // The texts are data, not script: the page's CSP (no inline script) had nothing to refuse.
    expect((page as Page & { violations: string[] }).violations).toEqual([]);
    await page.close();
  });
});

describe('when the bot stops answering while someone talks', () => {
  it('says that it cannot be reached, and that a request failed, in Albanian', async () => {
    const page = await albanianPage();
    await page.reload();
    await page.waitForSelector('#identity optgroup[label="LC1"]', { state: 'attached' });
    await page.selectOption('#identity', 'lc1-m6');
    await expect.poll(() => page.textContent('#send'), { timeout: 15_000 }).toBe(sq('web:page.send'));

    await page.route('**/web/events', (route) => route.abort());
    await page.fill('#text', '/lc help');
    await page.press('#text', 'Enter');
    await expect.poll(async () => (await systemLines(page)).at(-1), { timeout: 15_000 }).toBe(sq('web:page.unreachable'));

    await page.unroute('**/web/events');
    await page.route('**/web/events', (route) => route.fulfill({ status: 500, contentType: 'application/json', body: '{}' }));
    await page.fill('#text', '/lc help');
    await page.press('#text', 'Enter');
    await expect.poll(async () => (await systemLines(page)).at(-1), { timeout: 15_000 }).toBe(sq('web:page.failed'));
    await page.close();
  });
});

describe('when a form arrives without the label of its button', () => {
  it('shows the person\'s bubble as "[Dërguar]" for someone who reads Albanian', async () => {
    await runtime.db.person.updateMany({ where: { identities: { some: { externalId: 'web:lc1-m7' } } }, data: { locale: 'sq' } });
    const page = await albanianPage();
    await page.reload();
    await page.waitForSelector('#identity optgroup[label="LC1"]', { state: 'attached' });
    await page.selectOption('#identity', 'lc1-m7');
    const status = await page.evaluate(async () => {
      const res = await fetch('web/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identity: 'lc1-m7', input: { type: 'form', formId: 'plan:goal:nothing', values: {} } }) });
      return res.status;
    });
    expect(status).toBe(200);
    await page.reload();
    await expect.poll(() => page.getByTestId('my-message').last().textContent(), { timeout: 15_000 }).toContain(`[${sq('web:page.sent')}]`);
    expect(sq('web:page.sent')).toBe('Dërguar');
    // The bot's answer (only for this person) says so in Albanian too.
    expect(await page.getByTestId('bot-message').last().locator('.who').textContent()).toContain(` · ${sq('web:page.onlyYou')}`);
    await page.close();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { translator } from '../../src/core/i18n.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { launchChromium } from '../support/browser.js';

/**
 * The web chat page speaks the chosen language: its own words (title line, identity picker, placeholder,
 * buttons) follow the browser's language and the page's language picker, and choosing a language while
 * talking as someone makes it that person's language, so the bot's replies come in it too.
 */
let browser: Browser;
let baseUrl: string;
let runtime: Runtime;

beforeAll(async () => {
  runtime = await testRuntime();
  await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
  baseUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('when the web chat page opens in a browser set to Macedonian', () => {
  it('shows its own words in Macedonian, with a language picker naming every language in itself', async () => {
    const page = await browser.newPage({ locale: 'mk-MK' });
    await page.goto(baseUrl);
    const mk = translator('mk');
    await expect.poll(() => page.textContent('#send'), { timeout: 15_000 }).toBe(mk('web:page.send'));
    expect(await page.getAttribute('#text', 'placeholder')).toBe(mk('web:page.messagePlaceholder'));
    expect(await page.textContent('#talk-as')).toBe(mk('web:page.talkAs'));
    expect(await page.getAttribute('html', 'lang')).toBe('mk');
    expect(await page.$$eval('#language option', (options) => options.map((o) => o.textContent))).toEqual(['English', 'Shqip', 'Srpski (latinica)', 'Српски (ћирилица)', 'Bosanski', 'Hrvatski', 'Македонски']);
    expect(await page.inputValue('#language')).toBe('mk');
    await page.close();
  });
});

describe('when someone picks a demo person who reads another language', () => {
  it('speaks that person\'s language, as long as the browser has not chosen one on the page', async () => {
    await runtime.db.person.updateMany({ where: { identities: { some: { externalId: 'web:lc1-m2' } } }, data: { locale: 'mk' } });
    const page = await browser.newPage({ locale: 'en-GB' });
    await page.goto(baseUrl);
    await page.waitForSelector('#identity optgroup[label="LC1"]', { state: 'attached' });
    expect(await page.textContent('#send')).toBe(translator('en')('web:page.send'));
    await page.selectOption('#identity', 'lc1-m2');
    await expect.poll(() => page.textContent('#send'), { timeout: 15_000 }).toBe(translator('mk')('web:page.send'));
    await page.close();
  });
});

describe('when a person picks a language on the page', () => {
  it('turns the page to it at once and, talking as a demo person, makes it their language for the replies', async () => {
    const page = await browser.newPage({ locale: 'en-GB' });
    await page.goto(baseUrl);
    await page.waitForSelector('#identity optgroup[label="LC1"]', { state: 'attached' });
    await page.selectOption('#identity', 'lc1-m5');
    await page.selectOption('#language', 'sq');
    await expect.poll(() => page.textContent('#send'), { timeout: 15_000 }).toBe(translator('sq')('web:page.send'));
    await expect.poll(async () => (await runtime.db.person.findFirstOrThrow({ where: { identities: { some: { externalId: 'web:lc1-m5' } } } })).locale, { timeout: 15_000 }).toBe('sq');

    await page.fill('#text', '/lc help');
    await page.press('#text', 'Enter');
    await expect.poll(() => page.getByTestId('bot-message').last().textContent(), { timeout: 15_000 }).toContain(translator('sq')('help:title'));

    // A reload keeps the page's language.
    await page.reload();
    await expect.poll(() => page.textContent('#send'), { timeout: 15_000 }).toBe(translator('sq')('web:page.send'));
    await page.close();
  });
});

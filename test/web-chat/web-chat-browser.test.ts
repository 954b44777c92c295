import { existsSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { testRuntime } from '../support/harness.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';

let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it with "apt-get install -y chromium" (or set CHROMIUM_PATH).`);
  const runtime = await testRuntime();
  await seedDemo(runtime.db);
  baseUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});

describe('when a person uses the web chat in a real browser', () => {
  it('picks a demo identity, gets help for /lc help, and presses a button that answers', async () => {
    const page = await browser.newPage({ viewport: { width: 420, height: 900 } });
    await page.goto(baseUrl);
    await page.waitForSelector('#identity optgroup[label="LC1"]', { state: 'attached' });
    await page.selectOption('#identity', 'lc1-coordinator');

    await page.fill('#text', '/lc help');
    await page.press('#text', 'Enter');
    const help = page.getByTestId('bot-message').last();
    await expect.poll(() => help.textContent()).toContain('Cluster Bot: what you can do');
    expect(await help.textContent()).toContain('/lc me');

    await help.getByRole('button', { name: 'My clusters' }).click();
    const me = page.getByTestId('bot-message').last();
    await expect.poll(() => me.textContent()).toContain('LC1: Day-care Centers');
    expect(await me.textContent()).toContain('Your role: coordinator');

    await page.screenshot({ path: `${ARTIFACTS}/web-chat-help.png`, fullPage: true });
    expect(existsSync(`${ARTIFACTS}/web-chat-help.png`)).toBe(true);
    await page.close();
  });

  it('shows a friendly suggestion for a mistyped command', async () => {
    const page = await browser.newPage();
    await page.goto(baseUrl);
    await page.waitForSelector('#identity optgroup[label="LC2"]', { state: 'attached' });
    await page.selectOption('#identity', 'lc2-m3');
    await page.fill('#text', '/lc hepl');
    await page.press('#text', 'Enter');
    const reply = page.getByTestId('bot-message').last();
    await expect.poll(() => reply.textContent()).toContain('Did you mean /lc help?');
    await reply.getByRole('button', { name: '/lc help' }).click();
    await expect.poll(() => page.getByTestId('bot-message').last().textContent()).toContain('Cluster Bot: what you can do');
    await page.close();
  });
});

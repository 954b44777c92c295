import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { findButton, formOf, talkAs } from '../support/transcript.js';
import { launchChromium } from '../support/browser.js';

/**
 * Issue 19 item 2: members read an event's agenda on a phone. A realistic two-day EE2 (seven sessions a
 * day, long names and objectives) shown in the web chat in Chromium on a 390 × 844 phone: each day fits
 * the chat area on its own, and the screenshots are saved in test-artifacts/ to be looked at.
 */

const ARTIFACTS = 'test-artifacts';
const POLL = { timeout: 20_000, interval: 100 };

const DAY = [
  ['09:00', '09:30', 'Welcome and the agenda of the two days', 'Everyone knows what the event is for'],
  ['09:30', '11:00', 'Concepts presented in groups of four', 'Each member presents their concept and hears questions'],
  ['11:00', '11:20', 'Coffee break', ''],
  ['11:20', '12:45', 'Peer feedback: what works, what is missing', 'Each concept gets three pieces of feedback'],
  ['12:45', '13:45', 'Lunch', ''],
  ['13:45', '15:15', 'The resource person on legal aspects of premises', 'Members know which permits a day-care centre needs'],
  ['15:15', '16:00', 'Wrap-up and the tasks until tomorrow', 'Everyone knows what to consolidate'],
];

let browser: Browser;
let baseUrl: string;
let runtime: Runtime;

beforeAll(async () => {
  runtime = await testRuntime();
  await seedDemo(runtime.db);
  const rp = talkAs(runtime.bot, 'web:lc1-rp1');
  for (const day of ['1', '2']) {
    for (const [startTime, endTime, name, objective] of DAY) {
      const view = await rp.say('/lc event design LC1 EE2');
      await rp.submit(formOf(await rp.press(findButton(view, 'Add a session'))), { day, startTime, endTime, name, objective, responsibleText: 'Resource person and host coordinator', moderatorNotes: 'Timing strictly as planned' });
    }
  }
  baseUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

describe('when a member opens a two-day agenda on a 390 × 844 phone', () => {
  it('shows each day on one screen', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    await page.goto(baseUrl);
    await page.waitForSelector('#identity option[value="lc1-m2"]', { state: 'attached' });
    await page.selectOption('#identity', 'lc1-m2');
    const before = await page.getByTestId('bot-message').count();
    await page.fill('#text', '/lc event LC1 EE2');
    await page.press('#text', 'Enter');
    await expect.poll(() => page.getByTestId('bot-message').count(), POLL).toBeGreaterThan(before);
    const reply = page.getByTestId('bot-message').last();
    await expect.poll(() => reply.textContent(), POLL).toContain('Agenda: Exchange event 2');
    const area = await page.evaluate(() => document.getElementById('log')!.clientHeight);
    for (const day of ['Day 1', 'Day 2']) {
      const block = reply.locator(':scope > *', { hasText: day }).first();
      await block.scrollIntoViewIfNeeded();
      await block.screenshot({ path: `${ARTIFACTS}/phone-agenda-${day.replace(' ', '-').toLowerCase()}.png` });
      const box = (await block.boundingBox())!;
      expect(Math.round(box.height), `${day} is ${Math.round(box.height)} px high; the chat area is ${area} px`).toBeLessThanOrEqual(area);
    }
    expect(await reply.textContent()).not.toContain('Timing strictly as planned');
    await page.close();
  }, 90_000);
});

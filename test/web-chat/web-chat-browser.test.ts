import { existsSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { launchChromium } from '../support/browser.js';

const ARTIFACTS = 'test-artifacts';

let browser: Browser;
let baseUrl: string;
let runtime: Runtime;

beforeAll(async () => {
  runtime = await testRuntime();
  await seedDemo(runtime.db);
  baseUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
  browser = await launchChromium();
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

    await help.getByRole('button', { name: 'All commands' }).click();
    const all = page.getByTestId('bot-message').last();
    await expect.poll(() => all.textContent()).toContain('For everyone');
    expect(await all.textContent()).toContain('/lc me');

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

describe('when a person reloads the web chat', () => {
  it('shows the conversation again with its times, including a message that arrived while the page was closed', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    let page = await context.newPage();
    await page.goto(baseUrl);
    await page.waitForSelector('#identity optgroup[label="LC1"]', { state: 'attached' });
    await page.selectOption('#identity', 'lc1-m2');
    await page.fill('#text', '/lc me');
    await page.press('#text', 'Enter');
    await expect.poll(() => page.getByTestId('bot-message').last().textContent()).toContain('You are');
    await page.close();

    // While the page is closed, the bot sends something (a nudge, a notice).
    const person = await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: 'web:lc1-m2' } });
    await runtime.notifier.notify(person.personId, { summary: 'A note', blocks: [{ type: 'text', text: 'Please bring one photo of your case to EE2.' }] });

    page = await context.newPage();
    await page.goto(baseUrl);
    await expect.poll(() => page.getByTestId('my-message').first().textContent()).toContain('/lc me');
    const messages = page.getByTestId('bot-message');
    await expect.poll(() => messages.last().textContent()).toContain('Please bring one photo of your case to EE2.');
    // "10:42" today, "Dec 1 10:42" when the first message is from another day (a run across midnight).
    expect(await messages.first().textContent()).toMatch(/Cluster Bot · (?:[A-Z][a-z]{2} \d{1,2} )?\d{2}:\d{2}/);
    await page.screenshot({ path: `${ARTIFACTS}/web-chat-reload-390.png`, fullPage: false });
    await context.close();
  });

  it('keeps a new guest\'s identity in the browser, so their conversation comes back', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    let page = await context.newPage();
    await page.goto(baseUrl);
    await page.waitForSelector('#identity optgroup[label="LC1"]', { state: 'attached' });
    const guest = await page.locator('#identity option', { hasText: 'A new person' }).getAttribute('value');
    await page.selectOption('#identity', guest!);
    await page.fill('#text', '/lc me');
    await page.press('#text', 'Enter');
    await expect.poll(() => page.getByTestId('bot-message').last().textContent()).toContain('You are Guest');
    await page.close();

    page = await context.newPage();
    await page.goto(baseUrl);
    await expect.poll(() => page.locator('#identity').inputValue()).toBe(guest);
    await expect.poll(() => page.getByTestId('bot-message').last().textContent()).toContain('You are Guest');
    await context.close();
  });

  it('replaces a used button\'s message with its outcome, and a resource person answers a question after a reload', async () => {
    const member = await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: 'web:lc1-m3' } });
    const rp = await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: 'web:lc1-rp2' } });
    const lc1 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
    const question = await runtime.db.routedQuestion.create({ data: { clusterId: lc1.id, askerId: member.personId, text: 'Who signs the lease of the centre?' } });
    await runtime.db.questionAsk.create({ data: { questionId: question.id, personId: rp.personId } });

    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(baseUrl);
    await page.waitForSelector('#identity optgroup[label="LC1"]', { state: 'attached' });
    await page.selectOption('#identity', 'lc1-rp2');
    await page.reload();
    await page.fill('#text', '/lc questions');
    await page.press('#text', 'Enter');
    const list = page.getByTestId('bot-message').last();
    await expect.poll(() => list.textContent()).toContain('Who signs the lease of the centre?');
    await list.getByRole('button', { name: 'Answer' }).click();
    const form = page.locator('form.bot-form').last();
    await form.locator('textarea').fill('The mayor, after the council votes.');
    await form.getByRole('button').click();
    await expect.poll(async () => (await runtime.db.questionAnswer.count({ where: { questionId: question.id } }))).toBe(1);
    // The form's message now shows the outcome, with no form left to send twice.
    await expect.poll(() => page.locator('form.bot-form').count()).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}/web-chat-answered-390.png`, fullPage: true });
    await context.close();
  });
});

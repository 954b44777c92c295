import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { syncQuestionnaires } from '../../src/domain/questionnaires/catalogue.js';
import type { Runtime } from '../../src/server/runtime.js';
import type { Db } from '../../src/core/db.js';
import { submitPlan } from '../../src/domain/plans/versions.js';
import { testRuntime } from '../support/harness.js';
import { findButton, formOf, talkAs } from '../support/transcript.js';
import { launchChromium } from '../support/browser.js';

/**
 * "A message fits one phone screen wherever it can" (issue 16 item 7) and "charts people can read"
 * (issue 17 item 6), looked at the way a person sees them: the web chat in Chromium on a 390 × 844 phone.
 * Each of the longest messages of the main journeys must fit the chat area between the header and the
 * composer; each is saved as a screenshot in test-artifacts/ to be looked at.
 */

const ARTIFACTS = 'test-artifacts';
const PHONE = { width: 390, height: 844 };
/** A busy machine (the full suite on two cores) answers slowly: wait for the bot with a deadline, not a guess. */
const POLL = { timeout: 20_000, interval: 100 };
const SCREEN_TIMEOUT = 90_000;

/** A complete plan of three activities, submitted as a member would (with its frozen version). */
async function submittedPlan(db: Db, externalId: string) {
  const identity = await db.platformIdentity.findFirstOrThrow({ where: { externalId } });
  const cluster = await db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
  const plan = await db.actionPlan.create({
    data: {
      clusterId: cluster.id,
      authorId: identity.personId,
      approach: cluster.approach,
      goal: 'A day-care centre for 20 elderly people in our municipality, open five days a week',
      change: 'Fewer elderly people alone at home during the day',
      targetGroup: 'Elderly people living alone',
      beneficiaries: 'Elderly people and their families',
      activities: {
        create: ['Secure premises and ownership rights for the centre', 'Hire and train four carers', 'Open the centre and welcome the first 10 people'].map((activity, i) => ({
          position: i,
          activity,
          responsible: 'Social services department',
          deadline: new Date(Date.UTC(2027, i + 1, 1)),
          resources: 'Municipal budget line and two staff',
          results: 'The centre open five days a week',
        })),
      },
    },
  });
  await submitPlan(db, plan.id);
}

/** A goal longer than the overview shows (it clips to 75 characters; the whole is behind "Goal"). */
const LONG_GOAL = 'A day-care centre for 20 elderly people in each of the three districts of our municipality, open five days a week, with a warm lunch and transport for those who cannot walk';

/** A draft plan still being written: a long goal, three activities, some parts missing. */
async function draftPlan(db: Db, externalId: string, clusterCode: string) {
  const identity = await db.platformIdentity.findFirstOrThrow({ where: { externalId } });
  const cluster = await db.cluster.findFirstOrThrow({ where: { code: clusterCode } });
  await db.actionPlan.create({
    data: {
      clusterId: cluster.id,
      authorId: identity.personId,
      approach: cluster.approach,
      goal: LONG_GOAL,
      change: 'Fewer elderly people alone at home during the day',
      activities: {
        create: ['Secure premises and ownership rights for the centre in the old school building', 'Hire and train four carers with the Red Cross', 'Open the centre and welcome the first 10 people'].map((activity, i) => ({
          position: i,
          activity,
          responsible: i === 2 ? null : 'Social services department',
          deadline: new Date(Date.UTC(2027, i + 1, 1)),
        })),
      },
    },
  });
}

/** A date some days from now, as a form takes it. */
function inDays(days: number): string {
  return new Date(Date.now() + days * 24 * 3600 * 1000).toISOString().slice(0, 10);
}

/** A free local port, so the bot's public address (in its links to charts) is the one the browser opens. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let browser: Browser;
let baseUrl: string;
let runtime: Runtime;

beforeAll(async () => {
  const port = await freePort();
  // The real clock: the browser fetches the charts' downloads, which expire by it.
  runtime = await testRuntime({ env: { PUBLIC_URL: `http://127.0.0.1:${port}` } });
  await seedDemo(runtime.db);
  await syncQuestionnaires(runtime.db, runtime.questionnaires);
  // A cluster in full swing: eight submitted plans of three activities, an open feedback round, a questionnaire answered by six.
  for (let i = 1; i <= 8; i++) await submittedPlan(runtime.db, `web:lc1-m${i}`);
  const lc1 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
  const coordinator = talkAs(runtime.bot, 'web:lc1-coordinator');
  const preview = await coordinator.submit(formOf(await coordinator.say('/lc feedback-round LC1')), { deadline: inDays(20), reviewersPerPlan: '2', resourcePersons: 'no', anonymous: 'yes', delivery: 'asSubmitted' });
  await coordinator.press(findButton(preview, 'Confirm and notify'));
  await coordinator.submit(formOf(await coordinator.say('/lc survey send')), { questionnaire: 'ee2-evaluation', cluster: lc1.id, when: 'now', closes: inDays(14), anonymous: 'yes', minGroupSize: '5' });
  const run = await runtime.db.questionnaireRun.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
  for (let i = 1; i <= 6; i++) {
    const member = talkAs(runtime.bot, `web:lc1-m${i}`);
    await member.submit(formOf(await member.press({ actionId: 'survey:form', value: run.id })), { feedback_useful: String((i % 5) + 1), method_suited: String(((i + 2) % 5) + 1), next_step: i % 2 ? 'start' : 'consolidate', support_needed: ['rp_coaching'], improve_method: i === 1 ? 'More time for feedback' : '' });
  }
  await draftPlan(runtime.db, 'web:lc2-m1', 'LC2');
  baseUrl = `http://127.0.0.1:${await runtime.listen(port)}`;
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

/** Opens the web chat on a phone as a demo identity. */
async function phoneAs(identity: string): Promise<Page> {
  const page = await browser.newPage({ viewport: PHONE, deviceScaleFactor: 2 });
  await page.goto(baseUrl);
  await page.waitForSelector(`#identity option[value="${identity}"]`, { state: 'attached' });
  await page.selectOption('#identity', identity);
  return page;
}

/** Sends a command and waits for the bot's answer to it (a new last message containing `expected`). */
async function send(page: Page, text: string, expected: string) {
  const before = await page.getByTestId('bot-message').count();
  await page.fill('#text', text);
  await page.press('#text', 'Enter');
  await expect.poll(() => page.getByTestId('bot-message').count(), POLL).toBeGreaterThan(before);
  const reply = page.getByTestId('bot-message').last();
  await expect.poll(() => reply.textContent(), POLL).toContain(expected);
  // Images load before they are measured.
  await page.waitForFunction(() => [...document.images].every((img) => img.complete), undefined, { timeout: 20_000 });
  return reply;
}

/** The message's height and the chat area's, in CSS px, and the screenshot saved for the eye. */
async function measure(page: Page, reply: ReturnType<Page['getByTestId']>, name: string) {
  await reply.scrollIntoViewIfNeeded();
  await reply.screenshot({ path: `${ARTIFACTS}/phone-${name}.png` });
  const box = (await reply.boundingBox())!;
  const area = await page.evaluate(() => document.getElementById('log')!.clientHeight);
  return { height: Math.round(box.height), area };
}

const screens: { who: string; command: string; expected: string; name: string }[] = [
  { who: 'lc1-coordinator', command: '/lc status LC1', expected: 'Status of LC1', name: 'status' },
  { who: 'lc1-coordinator', command: '/lc home', expected: 'Waiting for you', name: 'home-coordinator' },
  { who: 'lc1-m2', command: '/lc home', expected: 'Waiting for you', name: 'home-member' },
  { who: 'lc1-m2', command: '/lc timeline', expected: 'Timeline of LC1', name: 'timeline' },
  { who: 'lc1-coordinator', command: '/lc report LC1', expected: 'summary report', name: 'report' },
  { who: 'lc1-coordinator', command: '/lc feedback', expected: 'Feedback round of LC1', name: 'feedback-coordinator' },
  { who: 'lc1-m2', command: '/lc feedback', expected: 'Reviews you give', name: 'feedback-member' },
  { who: 'lc1-coordinator', command: '/lc results', expected: 'Questionnaire results', name: 'results-list' },
  { who: 'lc1-coordinator', command: '/lc help', expected: 'what you will need most', name: 'help' },
  { who: 'lc1-m2', command: '/lc plan', expected: 'Your action plan', name: 'plan' },
  { who: 'lc1-m2', command: '/lc practice', expected: 'Good practice: Day-care Centers', name: 'practice' },
];

describe('when the longest messages of the main journeys are shown on a 390 × 844 phone', () => {
  for (const screen of screens) {
    it(`fits ${screen.command} for ${screen.who} on one screen`, async () => {
      const page = await phoneAs(screen.who);
      const reply = await send(page, screen.command, screen.expected);
      const { height, area } = await measure(page, reply, screen.name);
      expect(height, `${screen.command} is ${height} px high; the chat area is ${area} px`).toBeLessThanOrEqual(area);
      await page.close();
    }, SCREEN_TIMEOUT);
  }

  it('shows one activity of a submitted plan, every field and its actions, on one screen, and goes back to the plan', async () => {
    const page = await phoneAs('lc1-m2');
    const overview = await send(page, '/lc plan', 'Your action plan');
    await overview.getByRole('button', { name: 'Activity 2' }).click();
    const activity = page.getByTestId('bot-message').last();
    await expect.poll(() => activity.textContent(), POLL).toContain('Activity 2 of 3');
    for (const field of ['Hire and train four carers', 'Responsible', 'Deadline', 'Challenges', 'Mitigation', 'Resources', 'Results']) expect(await activity.textContent()).toContain(field);
    const { height, area } = await measure(page, activity, 'plan-activity');
    expect(height, `an activity is ${height} px high; the chat area is ${area} px`).toBeLessThanOrEqual(area);
    await activity.getByRole('button', { name: /Back to the plan/ }).click();
    await expect.poll(() => page.getByTestId('bot-message').last().textContent(), POLL).toContain('Activities (3)');
    await page.close();
  }, SCREEN_TIMEOUT);

  it('shows a draft plan with a long goal and three activities on one screen, the goal clipped between words', async () => {
    const page = await phoneAs('lc2-m1');
    const overview = await send(page, '/lc plan', 'Your action plan');
    const text = (await overview.textContent())!;
    expect(text).toContain('A day-care centre for 20 elderly people in each of the three districts of…');
    expect(text).not.toContain('our municipality');
    for (const activity of ['Secure premises', 'Hire and train four carers', 'Open the centre']) expect(text).toContain(activity);
    const { height, area } = await measure(page, overview, 'plan-draft-long-goal');
    expect(height, `the draft plan is ${height} px high; the chat area is ${area} px`).toBeLessThanOrEqual(area);
    // Every button is within the message on screen, none cut off at the edge of the phone.
    for (const button of await overview.getByRole('button').all()) {
      const box = (await button.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    }
    // The whole goal is one tap away.
    expect(await overview.getByRole('button', { name: 'Edit goal and beneficiaries' }).isVisible()).toBe(true);
    await page.close();
  }, SCREEN_TIMEOUT);

  it('shows the results short on one screen, and each question\'s chart readable under Details', async () => {
    const page = await phoneAs('lc1-coordinator');
    const run = await runtime.db.questionnaireRun.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
    const short = await send(page, `/lc results ${run.id}`, 'answered');
    const { height, area } = await measure(page, short, 'results');
    expect(height).toBeLessThanOrEqual(area);
    await short.getByRole('button', { name: 'Details' }).click();
    const details = page.getByTestId('bot-message').last();
    // Three questions have answers to draw (the fourth is asked only of the unsure, and nobody was).
    await expect.poll(() => details.locator('img.chart').count(), POLL).toBeGreaterThanOrEqual(3);
    await page.waitForFunction(() => [...document.images].every((img) => img.complete && img.naturalWidth > 0), undefined, { timeout: 20_000 });
    const first = details.locator('img.chart').first();
    await first.scrollIntoViewIfNeeded();
    await first.screenshot({ path: `${ARTIFACTS}/phone-results-chart.png` });
    // Shown inside the message on a phone, the 360 px chart is drawn at least 336 px wide: its 15 px text stays at least 14 px.
    const shown = (await first.boundingBox())!;
    expect(shown.width).toBeGreaterThanOrEqual(336);
    expect(await first.getAttribute('alt')).toMatch(/Answers: 6/);
    await page.close();
  }, SCREEN_TIMEOUT);
});

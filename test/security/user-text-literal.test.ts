import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { FakeSlack } from '../support/fake-slack.js';
import { FakeBotConnector, teamsActivity } from '../support/fake-bot-connector.js';
import { testRuntime } from '../support/harness.js';
import { clusterByCode, linkIdentity, personOf } from '../support/plans.js';
import { slackClient } from '../support/slack-requests.js';
import { findButton, formOf, talkAs } from '../support/transcript.js';
import { launchChromium } from '../support/browser.js';

/**
 * Issue 15 item 10: a member writes a plan goal that looks like a login link. Everyone who reads the plan,
 * on every platform, must see that text as typed: never a link whose label hides where it goes.
 */
const SECRET = 'test-signing-secret-0123456789abcdef';
const DISGUISED = '[Open Slack login](https://evil.example/login)';
const ACTIVITY = 'Train staff **now** <@U0BOSS> <!channel> _urgent_';

let runtime: Runtime;
let fake: FakeSlack;
let connector: FakeBotConnector;
let slack: ReturnType<typeof slackClient>;
let baseUrl: string;

beforeAll(async () => {
  fake = await new FakeSlack().start();
  connector = await new FakeBotConnector().start();
  runtime = await testRuntime({ env: { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: fake.apiUrl, WEB_CHAT: 'on' } });
  await seedDemo(runtime.db, new Date());
  baseUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
  slack = slackClient(`${baseUrl}/slack/events`, SECRET);
  // The author writes the goal and an activity through the plan's own forms, as anyone would.
  const author = talkAs(runtime.bot, 'web:lc1-m1');
  const plan = await author.say('/lc plan');
  const goalForm = formOf(await author.press(findButton(plan, /^Edit goal/)));
  const values = Object.fromEntries(goalForm.fields.map((f) => [f.name, (f.initial as string | undefined) ?? '']));
  const saved = await author.submit(goalForm, { ...values, approach: values.approach || 'Day-care Centers', goal: DISGUISED });
  expect(formOrNull(saved)).toBeNull();
  const lc1 = await clusterByCode(runtime.db, 'LC1');
  const person = await personOf(runtime.db, 'web:lc1-m1');
  const stored = await runtime.db.actionPlan.findUniqueOrThrow({ where: { clusterId_authorId: { clusterId: lc1.id, authorId: person.id } } });
  expect(stored.goal).toBe(DISGUISED);
  await runtime.db.activity.create({ data: { planId: stored.id, position: 99, activity: ACTIVITY } });
  // The same member also uses Slack and Teams.
  await linkIdentity(runtime.db, 'web:lc1-m1', 'SLACK', 'T1:UM1');
  await linkIdentity(runtime.db, 'web:lc1-m1', 'TEAMS', 'tenant-1:aad-m1');
});
afterAll(async () => {
  await runtime?.slack?.settled();
  await fake?.stop();
  await connector?.stop();
});

function formOrNull(messages: Awaited<ReturnType<ReturnType<typeof talkAs>['say']>>) {
  try {
    return formOf(messages);
  } catch {
    return null;
  }
}

/** Every mrkdwn text in a Slack payload, with the top-level text. */
function slackTexts(params: Record<string, any>): { text: string; verbatim?: boolean; kind: string }[] {
  const out: { text: string; verbatim?: boolean; kind: string }[] = [{ text: String(params.text ?? ''), kind: 'top-level' }];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const object = node as Record<string, unknown>;
    if (object.type === 'mrkdwn' && typeof object.text === 'string') out.push({ text: object.text, verbatim: object.verbatim as boolean | undefined, kind: 'mrkdwn' });
    Object.values(object).forEach(walk);
  };
  walk(params.blocks);
  return out;
}

describe('when a plan goal is a disguised link and the plan is read on Slack', () => {
  it('arrives as literal text: no <url|label> link, no mention, no formatting, and Slack is told not to link addresses', async () => {
    const request = { team_id: 'T1', team_domain: 'clusters', channel_id: 'D1', channel_name: 'directmessage', user_id: 'UM1', user_name: 'um1', text: 'plan', response_url: fake.responseUrl(), trigger_id: 'trigger-1', api_app_id: 'A1', token: 'legacy' };
    expect((await slack.command(request)).status).toBe(200);
    await runtime.slack!.settled();
    const replies = fake.callsOf('response_url').filter((c) => c.params.url === request.response_url).map((c) => c.params);
    const texts = replies.flatMap(slackTexts);
    const withGoal = texts.filter((t) => t.text.includes('evil.example'));
    expect(withGoal.length).toBeGreaterThan(0);
    for (const t of withGoal) {
      expect(t.text).toContain(DISGUISED);
      expect(t.text).not.toMatch(/<https?:\/\/evil\.example[^>]*\|/);
      if (t.kind === 'mrkdwn') expect(t.verbatim).toBe(true);
    }
    const all = texts.map((t) => t.text).join('\n');
    // The activity's mention and broadcast stay text; its asterisks and underscores are shown as typed.
    expect(all).toContain('&lt;@U0BOSS&gt; &lt;!channel&gt;');
    expect(all).not.toContain('<@U0BOSS>');
    expect(all).toContain('<!date^00000000^{_}|**>now<!date^00000000^{_}|**>');
  });
});

describe('when the same plan is read in Teams', () => {
  it('arrives in the card with the brackets escaped, so Teams makes no link, and the summary is plain', async () => {
    connector.clear();
    const res = await fetch(`${baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(teamsActivity(connector.url, { text: 'lc plan', from: { id: '29:m1', name: 'Member One', aadObjectId: 'aad-m1' }, conversation: { id: 'a:m1' } })),
    });
    expect(res.status).toBe(200);
    const sent = connector.sent('a:m1');
    expect(sent.length).toBeGreaterThan(0);
    const blocks = sent.flatMap((s) => s.body.attachments.flatMap((a: any) => a.content.body)).filter((e: any) => e.type === 'TextBlock');
    const goal = blocks.find((b: any) => String(b.text).includes('evil.example'));
    expect(goal.text).toContain('\\[Open Slack login\\](https\\://evil.example/login)');
    expect(goal.text).not.toMatch(/(^|[^\\])\[Open Slack login\]\(/);
    const activity = blocks.find((b: any) => String(b.text).includes('Train staff'));
    expect(activity.text).toContain('Train staff \\*\\*now\\*\\* \\<\\@U0BOSS\\> \\<!channel\\> \\_urgent\\_');
    for (const s of sent) {
      expect(s.body.summary).not.toMatch(/\*\*|`|\]\(|\/lc\b/);
    }
  });
});

describe('when the same plan is read in the web chat, in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync('test-artifacts', { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the goal as text: no <a> element is made from it, while the bot’s own links stay links', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(baseUrl);
    await page.waitForSelector('#identity optgroup[label="LC1"]', { state: 'attached' });
    await page.selectOption('#identity', 'lc1-m1');
    await page.fill('#text', '/lc plan');
    await page.press('#text', 'Enter');
    const reply = page.getByTestId('bot-message').last();
    await expect.poll(() => reply.textContent()).toContain(DISGUISED);
    expect(await reply.textContent()).toContain(ACTIVITY);
    const links = await page.$$eval('a', (as) => as.map((a) => ({ text: a.textContent, href: a.getAttribute('href') })));
    expect(links.filter((l) => l.href?.includes('evil.example') || l.text === 'Open Slack login')).toEqual([]);
    expect(await page.$$eval('#log strong, #log em', (els) => els.map((e) => e.textContent))).not.toContain('now');
    await page.screenshot({ path: 'test-artifacts/web-chat-literal-goal.png', fullPage: true });
    // The bot's own link (the download of one's data) is still a link.
    await page.fill('#text', '/lc my-data');
    await page.press('#text', 'Enter');
    await expect.poll(async () => page.$$eval('#log a', (as) => as.map((a) => a.getAttribute('href') ?? ''))).toContainEqual(expect.stringContaining('/files/'));
    // The page itself runs under a policy that allows only its own script.
    const csp = (await page.request.get(baseUrl)).headers()['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    await page.close();
  });
});

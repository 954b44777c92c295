import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanText } from '../../src/core/inbound-text.js';
import type { Button, OutboundMessage } from '../../src/core/messages.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { createRuntime, type Runtime } from '../../src/server/runtime.js';
import { cardText, FakeBotConnector, teamsActivity } from '../support/fake-bot-connector.js';
import { FakeSlack } from '../support/fake-slack.js';
import { testConfig } from '../support/harness.js';
import { linkIdentity, personOf } from '../support/plans.js';
import { slackClient } from '../support/slack-requests.js';

/**
 * Issue 15 item 11: NUL (PostgreSQL refuses 0x00 in text and jsonb), lone surrogates (jsonb refuses their
 * escapes) and other control characters, typed into commands, form fields and button values on the web
 * chat, Slack and Teams. None of them may give "Something went wrong", log an error, or save half of
 * what was asked: text is cleaned where it enters the core (src/core/inbound-text.ts) and saved whole.
 */
const SECRET = 'odd-characters-signing-secret';
const INTERNAL = /Something went wrong/;
const RUNS = Number(process.env.FUZZ_RUNS ?? 300) > 300 ? 2_000 : 150;
/** The characters that broke requests, alone and mixed with ordinary text. */
const ODD = ['\u0000', '\ud800', '\udfff', '\u0001\u0007\u001b\u007f', '\ud83d', 'a\u0000\ud800b', '\u0000'.repeat(20)];

let runtime: Runtime;
let fake: FakeSlack;
let connector: FakeBotConnector;
let baseUrl: string;
let slack: ReturnType<typeof slackClient>;
/** Every line logged at error level: an internal error is one. */
const errors: { msg?: string; err?: unknown }[] = [];

beforeAll(async () => {
  fake = await new FakeSlack().start();
  connector = await new FakeBotConnector().start();
  const config = await testConfig({ LOG_LEVEL: 'error', SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: fake.apiUrl, WEB_CHAT: 'on', REQUEST_DEADLINE_MS: '60000' });
  const logger = pino({ level: 'error' }, { write: (line: string) => void errors.push(JSON.parse(line)) });
  let clock = Date.now();
  runtime = createRuntime(config, logger, { teams: { sleep: async () => undefined, now: () => (clock += 1_000) } });
  await seedDemo(runtime.db, new Date());
  baseUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
  slack = slackClient(`${baseUrl}/slack/events`, SECRET);
  // The same members on Slack and Teams (the web chat uses the demo identities themselves).
  await linkIdentity(runtime.db, 'web:lc1-m2', 'SLACK', 'T1:UODD');
  await linkIdentity(runtime.db, 'web:lc1-m3', 'TEAMS', 'tenant-1:aad-odd');
}, 120_000);
afterAll(async () => {
  await runtime?.slack?.settled();
  await runtime?.stop();
  await fake?.stop();
  await connector?.stop();
});

type WebInput = { type: 'typed'; text: string } | { type: 'action'; actionId: string; value: string } | { type: 'form'; formId: string; values: Record<string, string | string[]> };

async function web(identity: string, input: WebInput): Promise<OutboundMessage[]> {
  const res = await fetch(`${baseUrl}/web/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identity, input }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: OutboundMessage[] }).messages;
}

const textOf = (messages: OutboundMessage[]) => JSON.stringify(messages);

let slackSeq = 0;
async function slackCommand(text: string): Promise<{ replies: string; triggerId: string }> {
  const request = { team_id: 'T1', team_domain: 'clusters', channel_id: 'D1', channel_name: 'directmessage', user_id: 'UODD', user_name: 'odd', text, response_url: fake.responseUrl(), trigger_id: `trigger-odd-${++slackSeq}`, api_app_id: 'A1', token: 'legacy' };
  const res = await slack.command(request);
  expect(res.status).toBe(200);
  await runtime.slack!.settled();
  const replies = fake.callsOf('response_url').filter((c) => c.params.url === request.response_url).map((c) => JSON.stringify(c.params));
  return { replies: replies.join('\n'), triggerId: request.trigger_id };
}

async function teams(text: string): Promise<string> {
  connector.clear();
  const res = await fetch(`${baseUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(teamsActivity(connector.url, { text, from: { id: '29:odd', name: 'Odd\u0000 Member', aadObjectId: 'aad-odd' }, conversation: { id: 'a:odd' } })),
  });
  expect(res.status).toBeLessThan(300);
  return connector.sent('a:odd').map((s) => cardText(s.body) + (s.body.text ?? '')).join('\n');
}

describe('when odd characters are typed into commands on every platform', () => {
  it('answers /lc faq, /lc ask and other commands normally: no internal error, nothing logged', async () => {
    for (const odd of ODD) {
      for (const command of [`/lc faq day${odd}care`, `/lc ask How do we${odd} start?`, `/lc me${odd}`, `/lc ${odd}`, `/lc help ${odd}`, `/lc timeline LC1${odd}`, `/lc snooze 1${odd}w`]) {
        expect(textOf(await web('lc1-m1', { type: 'typed', text: command }))).not.toMatch(INTERNAL);
        expect((await slackCommand(command.replace(/^\/lc ?/, ''))).replies).not.toMatch(INTERNAL);
        expect(await teams(command.replace(/^\/lc/, 'lc'))).not.toMatch(INTERNAL);
      }
    }
    expect(errors).toEqual([]);
  }, 180_000);
});

describe('when a question with odd characters is sent through the ask form', () => {
  const typed = 'How do we\u0000 start the day\ud800-care centre\u0007 in winter?';
  const saved = cleanText(typed);

  it('saves it once, cleaned, and tells the member who has it (web chat)', async () => {
    const asker = await personOf(runtime.db, 'web:lc1-m1');
    const before = await runtime.db.routedQuestion.count({ where: { askerId: asker.id } });
    await web('lc1-m1', { type: 'typed', text: '/lc ask' });
    const reply = await web('lc1-m1', { type: 'form', formId: 'ask:question', values: { question: typed, urgent: 'no\u0000' } });
    expect(textOf(reply)).not.toMatch(INTERNAL);
    const questions = await runtime.db.routedQuestion.findMany({ where: { askerId: asker.id } });
    expect(questions).toHaveLength(before + 1);
    expect(questions.some((q) => q.text === saved)).toBe(true);
    expect(saved).toBe('How do we start the day\ufffd-care centre in winter?');
  });

  it('saves it once, cleaned, from a Slack modal', async () => {
    const asker = await personOf(runtime.db, 'web:lc1-m2');
    const before = await runtime.db.routedQuestion.count({ where: { askerId: asker.id } });
    const { triggerId } = await slackCommand('ask');
    const opened = await fake.waitFor('views.open', (p) => p.trigger_id === triggerId);
    const view = opened.params.view;
    const values = Object.fromEntries(
      view.blocks
        .filter((b: any) => b.type === 'input')
        .map((b: any) => [b.block_id, { [b.block_id]: b.block_id === 'question' ? { type: 'plain_text_input', value: typed } : { type: 'static_select', selected_option: b.element.initial_option ?? b.element.options?.[0] } }]),
    );
    const res = await slack.interaction({
      type: 'view_submission',
      team: { id: 'T1', domain: 'clusters' },
      user: { id: 'UODD', team_id: 'T1', username: 'odd', name: 'odd' },
      api_app_id: 'A1',
      token: 'legacy',
      trigger_id: 'trigger-odd-submit',
      view: { id: 'V1', type: 'modal', callback_id: 'lc-form', private_metadata: view.private_metadata, state: { values }, hash: 'h' },
      response_urls: [],
    });
    expect(res.status).toBe(200);
    await runtime.slack!.settled();
    expect(res.body).not.toMatch(INTERNAL);
    const questions = await runtime.db.routedQuestion.findMany({ where: { askerId: asker.id } });
    expect(questions).toHaveLength(before + 1);
    expect(questions.some((q) => q.text === saved)).toBe(true);
    expect(errors).toEqual([]);
  });

  it('saves it once, cleaned, from a Teams card', async () => {
    const asker = await personOf(runtime.db, 'web:lc1-m3');
    const before = await runtime.db.routedQuestion.count({ where: { askerId: asker.id } });
    connector.clear();
    const res = await fetch(`${baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(teamsActivity(connector.url, { text: undefined, value: { lcForm: 'ask:question', question: typed, urgent: 'no' }, from: { id: '29:odd', name: 'Odd\u0000 Member', aadObjectId: 'aad-odd' }, conversation: { id: 'a:odd' } })),
    });
    expect(res.status).toBeLessThan(300);
    expect(connector.sent('a:odd').map((s) => cardText(s.body)).join('\n')).not.toMatch(INTERNAL);
    const questions = await runtime.db.routedQuestion.findMany({ where: { askerId: asker.id } });
    expect(questions).toHaveLength(before + 1);
    expect(questions.some((q) => q.text === saved)).toBe(true);
    expect(errors).toEqual([]);
  });
});

/** Every button and select the bot shows a person for a set of commands: what a forger would start from. */
async function controlsOf(identity: string, verbs: string[]): Promise<{ actionId: string; value: string }[]> {
  const found = new Map<string, { actionId: string; value: string }>();
  for (const verb of verbs) {
    for (const message of await web(identity, { type: 'typed', text: `/lc ${verb}` })) {
      for (const block of message.blocks) {
        if (block.type !== 'actions') continue;
        for (const element of block.elements) {
          const values = element.type === 'button' ? [(element as Button).value ?? ''] : element.options.map((o) => o.value);
          for (const value of values) found.set(`${element.actionId}|${value}`, { actionId: element.actionId, value });
        }
      }
    }
  }
  return [...found.values()];
}

describe('when buttons and selects come back forged, with odd characters or parts of their value missing', () => {
  it('answers every one without an internal error (a plan:diff with one version id included)', async () => {
    const verbs = ['me', 'home', 'help all', 'plan', 'plans LC1', 'feedback', 'questions', 'faq day care', 'timeline LC1', 'status LC1', 'members LC1', 'results LC1', 'nudges LC1', 'survey', 'profile'];
    // Commands that would end the crawl itself (leaving, erasing) are not pressed.
    const harmless = (c: { actionId: string; value: string }) => !(c.actionId === 'cmd' && /forget|leave/.test(c.value));
    for (const identity of ['lc1-coordinator', 'lc1-m1', 'lc1-rp1']) {
      const controls = (await controlsOf(identity, verbs)).filter(harmless);
      expect(controls.length).toBeGreaterThan(5);
      for (const control of controls) {
        const parts = control.value.split(':');
        const forged = new Set([`${control.value}\u0000`, `\ud800${control.value}`, parts[0], parts.slice(0, -1).join(':'), `${parts[0]}:`, `:${parts.at(-1)}`]);
        for (const value of forged) {
          const reply = await web(identity, { type: 'action', actionId: control.actionId, value });
          expect(textOf(reply), `${control.actionId} ${JSON.stringify(value)}`).not.toMatch(INTERNAL);
        }
      }
    }
    // The reported case, whatever the crawl found: a diff button with one version id.
    expect(textOf(await web('lc1-m1', { type: 'action', actionId: 'plan:diff', value: 'someversion' }))).not.toMatch(INTERNAL);
    expect(errors).toEqual([]);
  }, 300_000);
});

describe('when random commands and form values carry odd characters (property)', () => {
  const oddChar = fc.constantFrom(...ODD, '\u0000', '\ud800', '\udc00', '\u001f');
  const verb = fc.constantFrom('faq', 'ask', 'me', 'help', 'home', 'plan', 'timeline', 'join', 'profile', 'snooze', 'link', 'questions', 'survey');
  const withOdd = (base: fc.Arbitrary<string>) => fc.tuple(base, oddChar, fc.nat()).map(([s, odd, at]) => s.slice(0, at % (s.length + 1)) + odd + s.slice(at % (s.length + 1)));
  const command = withOdd(fc.tuple(verb, fc.string({ maxLength: 40 })).map(([v, a]) => `/lc ${v} ${a}`));
  const form = fc.record({
    formId: fc.constantFrom('ask:question', 'plan:goal', 'join:register', 'profile:edit', 'nudge:compose', 'link:code'),
    values: fc.dictionary(fc.constantFrom('question', 'goal', 'approach', 'name', 'text', 'urgent', 'code', 'message'), withOdd(fc.string({ maxLength: 60 })), { maxKeys: 5 }),
  });

  it(`answers ${RUNS} of them on the web chat without an internal error or a logged failure`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(command.map((text) => ({ type: 'typed' as const, text })), form.map((f) => ({ type: 'form' as const, ...f }))), async (input) => {
        expect(textOf(await web('lc2-m1', input))).not.toMatch(INTERNAL);
      }),
      { numRuns: RUNS, seed: 20261201 },
    );
    expect(errors).toEqual([]);
  }, 300_000);

  it(`answers ${Math.ceil(RUNS / 3)} of them on Slack and on Teams without an internal error or a logged failure`, async () => {
    await fc.assert(
      fc.asyncProperty(command, async (text) => {
        expect((await slackCommand(text.replace(/^\/lc ?/, ''))).replies).not.toMatch(INTERNAL);
        expect(await teams(text.replace(/^\/lc/, 'lc'))).not.toMatch(INTERNAL);
      }),
      { numRuns: Math.ceil(RUNS / 3), seed: 20261201 },
    );
    expect(errors).toEqual([]);
  }, 300_000);
});

import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { createRuntime, type Runtime } from '../../src/server/runtime.js';
import { tableCounts } from '../support/db-snapshot.js';
import { FakeSlack } from '../support/fake-slack.js';
import { actionId, anyJson, commandText, formValues } from '../support/fuzz.js';
import { testConfig } from '../support/harness.js';
import { slackClient, slackSignature } from '../support/slack-requests.js';

/** 300 in the everyday suite; `npm run test:slow` sets FUZZ_RUNS=10000. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SECRET = 'fuzz-signing-secret-0123456789';
const USERS = ['UFUZZ1', 'UFUZZ2', 'UFUZZ3'];

let runtime: Runtime;
let fake: FakeSlack;
let eventsUrl: string;
let slack: ReturnType<typeof slackClient>;
/** Every log line at warn or above: an error logged while handling fuzz is a crash we would not otherwise see. */
const errors: { msg?: string; what?: string; err?: unknown }[] = [];

beforeAll(async () => {
  fake = await new FakeSlack().start();
  for (const id of USERS) fake.addUser({ id, real_name: `Fuzz ${id}`, email: `${id.toLowerCase()}@example.org` } as never);
  const config = await testConfig({ SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: fake.apiUrl, LOG_LEVEL: 'error' });
  const logger = pino({ level: 'error' }, { write: (line: string) => void errors.push(JSON.parse(line)) });
  // A short submission budget: its slow path (ack first, answer later) is fuzzed as well as the quick one.
  runtime = createRuntime(config, logger, { slackBudgets: { submissionMs: 200 } });
  await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
  eventsUrl = `http://127.0.0.1:${await runtime.listen(0)}/slack/events`;
  slack = slackClient(eventsUrl, SECRET);
  // First contact creates each person (accepted input); the fuzz starts from there.
  for (const user of USERS) await slack.command({ team_id: 'T1', channel_id: 'D1', user_id: user, text: 'help', response_url: fake.responseUrl(), trigger_id: 't' });
  await runtime.slack!.settled();
});
afterAll(async () => {
  await runtime?.stop();
  await fake?.stop();
});

const user = fc.constantFrom(...USERS);
const channel = fc.constantFrom('D1', 'C100', 'G7', '', 'not-a-channel');
const slashCommand = fc.record(
  {
    team_id: fc.constant('T1'),
    user_id: user,
    channel_id: channel,
    text: commandText,
    command: fc.constantFrom('/lc', '/lc', '/LC', '/other', ''),
    response_url: fc.constant('RESPONSE_URL'),
    trigger_id: fc.oneof(fc.constant('trigger-fuzz'), fc.string({ maxLength: 20 })),
    extra: fc.string({ maxLength: 40 }),
  },
  { requiredKeys: ['team_id', 'user_id', 'command', 'response_url'] },
);
const blockAction = fc.record({
  type: fc.constant('block_actions'),
  team: fc.constant({ id: 'T1' }),
  user: user.map((id) => ({ id, team_id: 'T1' })),
  trigger_id: fc.constant('trigger-fuzz'),
  response_url: fc.constant('RESPONSE_URL'),
  channel: fc.option(channel.map((id) => ({ id })), { nil: undefined }),
  container: fc.option(fc.record({ type: fc.constantFrom('message', 'view'), channel_id: channel }), { nil: undefined }),
  view: fc.option(fc.record({ type: fc.constantFrom('home', 'modal', 'x') }), { nil: undefined }),
  actions: fc.array(
    fc.oneof(
      fc.record({ type: fc.constant('button'), action_id: actionId, value: fc.option(commandText, { nil: undefined }), block_id: fc.string({ maxLength: 10 }) }),
      fc.record({ type: fc.constant('static_select'), action_id: actionId, selected_option: fc.option(fc.record({ value: commandText }), { nil: null }) }),
      fc.record({ type: fc.constantFrom('overflow', 'datepicker', 'checkboxes', 'weird'), action_id: actionId, selected_date: fc.string({ maxLength: 12 }), selected_options: fc.array(fc.record({ value: commandText }), { maxLength: 3 }) }),
    ),
    { minLength: 1, maxLength: 2 },
  ),
});
const privateMetadata = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.record({ f: actionId, p: fc.integer({ min: -3, max: 300 }), s: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }) }).map((m) => JSON.stringify(m)),
  fc.record({ f: actionId, p: fc.constant(0), t: fc.record({ teamId: fc.constant('T1'), userId: user, direct: fc.boolean(), responseUrl: fc.constant('RESPONSE_URL') }) }).map((m) => JSON.stringify(m)),
  anyJson.map((j) => JSON.stringify(j)),
);
const viewSubmission = fc.record({
  type: fc.constant('view_submission'),
  team: fc.constant({ id: 'T1' }),
  user: user.map((id) => ({ id, team_id: 'T1' })),
  view: fc.record({
    id: fc.constant('V1'),
    type: fc.constant('modal'),
    callback_id: fc.constantFrom('lc-form', 'lc-form', 'other'),
    private_metadata: privateMetadata,
    state: fc.record({
      values: fc.oneof(
        formValues.map((values) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { [k]: { type: 'plain_text_input', value: v } }]))),
        fc.dictionary(fc.string({ maxLength: 10 }), fc.dictionary(fc.string({ maxLength: 10 }), anyJson, { maxKeys: 3 }), { maxKeys: 3 }),
      ),
    }),
  }),
});
const eventCallback = fc.record({
  type: fc.constant('event_callback'),
  team_id: fc.constant('T1'),
  api_app_id: fc.constant('A1'),
  event_id: fc.string({ minLength: 1, maxLength: 12 }).map((s) => `Ev${s}`),
  event: fc.oneof(
    fc.record({ type: fc.constant('message'), channel_type: fc.constantFrom('im', 'channel'), channel: channel, user: fc.option(user, { nil: undefined }), text: fc.option(commandText, { nil: undefined }), ts: fc.constant('1700000000.000100'), subtype: fc.option(fc.constantFrom('message_changed', 'bot_message'), { nil: undefined }) }),
    fc.record({ type: fc.constant('app_mention'), channel, user, text: commandText, ts: fc.constant('1700000000.000200') }),
    fc.record({ type: fc.constant('app_home_opened'), user, tab: fc.constantFrom('home', 'messages', 'about') }),
    fc.record({ type: fc.string({ maxLength: 20 }), user: fc.option(user, { nil: undefined }) }),
  ),
});

/** Signed, well-formed enough for Slack's shape: the bot must answer sensibly. */
const signed = fc.oneof(
  slashCommand.map((fields) => ({ kind: 'command' as const, fields })),
  blockAction.map((payload) => ({ kind: 'interaction' as const, payload: payload as Record<string, unknown> })),
  viewSubmission.map((payload) => ({ kind: 'interaction' as const, payload: payload as Record<string, unknown> })),
  eventCallback.map((body) => ({ kind: 'event' as const, body: body as Record<string, unknown> })),
  // Wrong shapes, correctly signed: a broken integration, or someone holding the secret.
  fc.record({ type: fc.constantFrom('block_actions', 'view_submission', 'shortcut', 'x'), rest: anyJson }).map(({ type, rest }) => ({ kind: 'interaction' as const, payload: { ...(typeof rest === 'object' && rest && !Array.isArray(rest) ? rest : {}), type } })),
  anyJson.map((body) => ({ kind: 'raw' as const, contentType: 'application/json', body: JSON.stringify(body) })),
  fc.string({ maxLength: 200 }).map((body) => ({ kind: 'raw' as const, contentType: 'application/x-www-form-urlencoded', body: `payload=${encodeURIComponent(body)}` })),
  fc.tuple(fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data'), fc.string({ maxLength: 200 })).map(([contentType, body]) => ({ kind: 'raw' as const, contentType, body })),
);
/** Not from Slack: unsigned, wrongly signed, stale or future. Must be refused and change nothing. */
const forged = fc.record({
  request: signed,
  how: fc.constantFrom('no-signature', 'wrong-secret', 'stale', 'future', 'tampered', 'garbage-timestamp'),
});

type Signed = typeof signed extends fc.Arbitrary<infer T> ? T : never;
function encode(request: Signed): { body: string; contentType: string } {
  const url = fake.responseUrl();
  const fill = (s: string) => s.replaceAll('RESPONSE_URL', url);
  switch (request.kind) {
    case 'command':
      return { body: fill(new URLSearchParams({ ...request.fields, extra: request.fields.extra ?? '' }).toString()), contentType: 'application/x-www-form-urlencoded' };
    case 'interaction':
      return { body: new URLSearchParams({ payload: fill(JSON.stringify(request.payload)) }).toString(), contentType: 'application/x-www-form-urlencoded' };
    case 'event':
      return { body: JSON.stringify(request.body), contentType: 'application/json' };
    case 'raw':
      return { body: request.body, contentType: request.contentType };
  }
}

/** Whatever the bot answered in the HTTP body must read as a message, an empty ack, or a clear refusal. */
function expectClearAnswer(status: number, text: string) {
  expect(status, text).not.toBe(500);
  expect([200, 400, 401, 404]).toContain(status);
  if (status === 400) expect(JSON.parse(text).error).toMatch(/\w{3,}/);
  if (status !== 200 || text === '') return;
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // Bolt answers some refusals in plain text; they must still say something.
    expect(text.trim().length).toBeGreaterThan(2);
    return;
  }
  if (json && typeof json.text === 'string') expect(json.text.trim().length).toBeGreaterThan(0);
}

async function post(body: string, headers: Record<string, string>) {
  const res = await fetch(eventsUrl, { method: 'POST', headers, body });
  return { status: res.status, text: await res.text() };
}

/** Everything the bot told Slack users through the fake Web API and response_urls must have words in it. */
function expectEveryOutgoingMessageReadable() {
  for (const call of fake.calls.filter((c) => ['chat.postMessage', 'chat.postEphemeral', 'response_url'].includes(c.method))) {
    const text = String(call.params.text ?? '');
    const blocks = JSON.stringify(call.params.blocks ?? []);
    expect(text.trim().length + (blocks.length > 2 ? 1 : 0), JSON.stringify(call.params).slice(0, 300)).toBeGreaterThan(0);
  }
}

describe('when Slack requests are signed but their content is random or malformed', () => {
  it(`answers ${RUNS} requests without a 500 or a logged failure, every reply readable, and only flow positions change`, async () => {
    const before = await tableCounts(runtime.db, ['FlowState']);
    await fc.assert(
      fc.asyncProperty(signed, async (request) => {
        const { body, contentType } = encode(request);
        const timestamp = Math.floor(Date.now() / 1000);
        const { status, text } = await post(body, { 'content-type': contentType, 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature(SECRET, timestamp, body) });
        expectClearAnswer(status, text);
        expect(status, 'a correctly signed request is never taken for a forged one').not.toBe(401);
      }),
      { numRuns: RUNS, seed: 20261123 },
    );
    await runtime.slack!.settled();
    expect(errors.map((e) => `${e.msg} ${e.what ?? ''} ${JSON.stringify(e.err ?? '').slice(0, 300)}`)).toEqual([]);
    expectEveryOutgoingMessageReadable();
    expect(await tableCounts(runtime.db, ['FlowState'])).toEqual(before);
  }, 60_000 + RUNS * 100);
});

describe('when requests do not come from Slack (unsigned, wrong secret, stale, future, tampered)', () => {
  it(`refuses ${RUNS} of them with 401, calls nothing on Slack and changes nothing`, async () => {
    await runtime.slack!.settled();
    const before = await tableCounts(runtime.db);
    const callsBefore = fake.calls.length;
    await fc.assert(
      fc.asyncProperty(forged, async ({ request, how }) => {
        const { body, contentType } = encode(request);
        const now = Math.floor(Date.now() / 1000);
        const timestamp = how === 'stale' ? now - 6 * 60 : how === 'future' ? now + 6 * 60 : now;
        const headers: Record<string, string> = { 'content-type': contentType, 'x-slack-request-timestamp': how === 'garbage-timestamp' ? 'soon' : String(timestamp) };
        if (how !== 'no-signature') headers['x-slack-signature'] = slackSignature(how === 'wrong-secret' ? 'not-the-secret' : SECRET, timestamp, body);
        const { status } = await post(how === 'tampered' ? `${body} ` : body, headers);
        expect(status).toBe(401);
      }),
      { numRuns: RUNS, seed: 20261124 },
    );
    await runtime.slack!.settled();
    expect(fake.calls.length).toBe(callsBefore);
    expect(await tableCounts(runtime.db)).toEqual(before);
  }, 60_000 + RUNS * 100);
});

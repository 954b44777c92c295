import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { createRuntime, type Runtime } from '../../src/server/runtime.js';
import { tableCounts } from '../support/db-snapshot.js';
import { cardText, FakeBotConnector, teamsActivity } from '../support/fake-bot-connector.js';
import { actionId, anyJson, commandText, formValues } from '../support/fuzz.js';
import { testConfig } from '../support/harness.js';

/** 300 in the everyday suite; `npm run test:slow` sets FUZZ_RUNS=10000. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const USERS = ['fuzz-a', 'fuzz-b', 'fuzz-c'];

let runtime: Runtime;
let connector: FakeBotConnector;
let botUrl: string;
/** Every log line at error level: a failure logged while handling fuzz is a crash we would not otherwise see. */
const errors: { msg?: string; err?: unknown }[] = [];

beforeAll(async () => {
  connector = await new FakeBotConnector().start();
  for (const id of USERS) connector.setMember(`29:${id}`, { name: `Fuzz ${id}`, email: `${id}@example.org`, aadObjectId: `aad-${id}` });
  // Emulator mode (no app credentials): the content is fuzzed here; tokens in test/security/teams-tokens.test.ts.
  const config = await testConfig({ LOG_LEVEL: 'error' });
  const logger = pino({ level: 'error' }, { write: (line: string) => void errors.push(JSON.parse(line)) });
  // The per-conversation rate limiter reads a clock that moves a second per look, so the fuzz is never
  // throttled (throttling is proved in test/security/teams-bursts.test.ts).
  let clock = Date.now();
  runtime = createRuntime(config, logger, { teams: { sleep: async () => undefined, now: () => (clock += 1_000) } });
  await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
  botUrl = `http://127.0.0.1:${await runtime.listen(0)}/api/messages`;
  // First contact (accepted input) creates each person and their conversation references.
  for (const id of USERS) {
    await post(JSON.stringify(teamsActivity(connector.url, { text: 'help', from: { id: `29:${id}`, aadObjectId: `aad-${id}` }, conversation: { id: `a:${id}` } })));
    await post(JSON.stringify(teamsActivity(connector.url, { text: '<at>Cluster Bot</at> help', from: { id: `29:${id}`, aadObjectId: `aad-${id}` }, conversation: { id: '19:channel@thread.tacv2;messageid=1', conversationType: 'channel' }, entities: [{ type: 'mention', mentioned: { id: '28:bot', name: 'Cluster Bot' }, text: '<at>Cluster Bot</at>' }] })));
  }
});
afterAll(async () => {
  await runtime?.stop();
  await connector?.stop();
});

async function post(body: string, contentType = 'application/json') {
  const res = await fetch(botUrl, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: res.status, text: await res.text() };
}

const user = fc.constantFrom(...USERS);
const conversation = fc.constantFrom('personal', 'channel');
const mention = { type: 'mention', mentioned: { id: '28:bot', name: 'Cluster Bot' }, text: '<at>Cluster Bot</at>' };
/** What our cards submit (`lc*` keys), with random content, and data no card of ours made. */
const cardData = fc.oneof(
  fc.record({ lcAction: actionId, lcValue: fc.option(fc.oneof(commandText, fc.integer()), { nil: undefined }) }),
  fc.tuple(actionId, formValues).map(([lcForm, values]) => ({ lcForm, ...values })),
  fc.tuple(actionId, formValues, fc.string({ maxLength: 20 })).map(([lcForm, values, multi]) => ({ lcForm, lcMulti: multi, ...values })),
  fc.record({ lcSelect: actionId, lcSelectInput: fc.string({ maxLength: 20 }) }),
  fc.record({ lcDialog: anyJson }),
  anyJson,
);

const activity = fc.record({ user, conversation, text: commandText, value: cardData, mentioned: fc.boolean(), kind: fc.constantFrom('text', 'text', 'submit', 'invoke', 'update', 'other') }).chain((a) =>
  (a.kind === 'invoke' ? fc.constantFrom('task/fetch', 'task/submit', 'adaptiveCard/action', 'composeExtension/query', 'signin/verifyState', '') : fc.constant('')).map((name) => {
    const conv = a.conversation === 'personal' ? { id: `a:${a.user}` } : { id: '19:channel@thread.tacv2;messageid=1', conversationType: 'channel' };
    const base = { from: { id: `29:${a.user}`, aadObjectId: `aad-${a.user}` }, conversation: conv };
    const text = a.mentioned ? `<at>Cluster Bot</at> ${a.text}` : a.text;
    const entities = a.mentioned ? [mention] : [];
    switch (a.kind) {
      case 'text':
        return teamsActivity(connector.url, { ...base, text, entities });
      case 'submit':
        return teamsActivity(connector.url, { ...base, text: undefined, value: a.value, entities });
      case 'invoke':
        return teamsActivity(connector.url, { ...base, type: 'invoke', name, value: name === 'task/fetch' || name === 'task/submit' ? { data: a.value } : name === 'adaptiveCard/action' ? { action: { type: 'Action.Execute', data: a.value } } : a.value });
      case 'update':
        return teamsActivity(connector.url, { ...base, type: 'conversationUpdate', membersAdded: [{ id: '28:bot' }, { id: `29:${a.user}` }] });
      default:
        return teamsActivity(connector.url, { ...base, type: a.text.slice(0, 20), value: a.value });
    }
  }),
);

/** Whatever the bot sent to Teams must have words in it. */
function expectEverySentActivityReadable() {
  for (const call of connector.calls) {
    if (call.body?.type === 'invokeResponse' || call.body?.type === 'typing') continue;
    expect(`${call.body?.text ?? ''}${cardText(call.body)}`.trim().length, JSON.stringify(call.body).slice(0, 300)).toBeGreaterThan(0);
  }
}

describe('when Teams activities carry random text, card data and invokes', () => {
  it(`answers ${RUNS} activities without a 500 or a logged failure, every reply readable, and only flow positions change`, async () => {
    const before = await tableCounts(runtime.db, ['FlowState']);
    await fc.assert(
      fc.asyncProperty(activity, async (a) => {
        const { status, text } = await post(JSON.stringify(a));
        expect(status, text).not.toBe(500);
        expect([200, 201, 202, 400]).toContain(status);
      }),
      { numRuns: RUNS, seed: 20261123 },
    );
    expect(errors.map((e) => `${e.msg} ${JSON.stringify(e.err ?? '').slice(0, 300)}`)).toEqual([]);
    expectEverySentActivityReadable();
    expect(await tableCounts(runtime.db, ['FlowState'])).toEqual(before);
  }, 60_000 + RUNS * 100);
});

const malformed = fc.oneof(
  anyJson.map((j) => ({ body: JSON.stringify(j), contentType: 'application/json' })),
  fc.string({ maxLength: 200 }).map((body) => ({ body, contentType: 'application/json' })),
  fc.string({ maxLength: 200 }).map((body) => ({ body: `{"type":"message","text":${JSON.stringify(body)}`, contentType: 'application/json' })),
  fc.tuple(fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml'), fc.string({ maxLength: 200 })).map(([contentType, body]) => ({ body, contentType })),
  // Shaped like an activity, but with the fields the SDK relies on missing or of the wrong type.
  fc.record({ type: fc.constantFrom('message', 'invoke', 'conversationUpdate'), text: anyJson, from: anyJson, conversation: anyJson, serviceUrl: fc.constantFrom(undefined, 42, ''), channelId: anyJson }, { requiredKeys: ['type'] }).map((a) => ({ body: JSON.stringify(a), contentType: 'application/json' })),
);

describe('when the body is not a Teams activity at all (malformed JSON, wrong shapes, wrong content type)', () => {
  it(`refuses ${RUNS} of them with a 4xx and a reason, sends nothing and changes nothing`, async () => {
    const before = await tableCounts(runtime.db);
    const sentBefore = connector.attempts.length;
    await fc.assert(
      fc.asyncProperty(malformed, async ({ body, contentType }) => {
        const { status, text } = await post(body, contentType);
        expect(status, text).toBeGreaterThanOrEqual(400);
        expect(status, text).toBeLessThan(500);
        expect(text.trim().length, `status ${status}`).toBeGreaterThan(2);
      }),
      { numRuns: RUNS, seed: 20261124 },
    );
    expect(connector.attempts.length).toBe(sentBefore);
    expect(errors.map((e) => `${e.msg} ${JSON.stringify(e.err ?? '').slice(0, 300)}`)).toEqual([]);
    expect(await tableCounts(runtime.db)).toEqual(before);
  }, 60_000 + RUNS * 100);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { syncQuestionnaires } from '../../src/domain/questionnaires/catalogue.js';
import type { Runtime } from '../../src/server/runtime.js';
import { EnglishFinder, englishSentences, typedData } from '../support/english.js';
import { FakeBotConnector, teamsActivity } from '../support/fake-bot-connector.js';
import { FakeSlack } from '../support/fake-slack.js';
import { testRuntime } from '../support/harness.js';
import { slackClient } from '../support/slack-requests.js';
import { formOf, talkAs } from '../support/transcript.js';

/**
 * How issue 18 is checked, on the platforms themselves: a Teams user whose locale is mk-MK and a Slack
 * user whose locale is sq-AL go through help, their plan and the EE2 evaluation, and every word the
 * platform shows them (the bot's texts and the adapter's own around them: card buttons, form chrome)
 * is searched for English. Through the real adapters, the local fake Bot Connector and fake Slack.
 */
const SECRET = 'test-signing-secret-0123456789abcdef';
const TODAY = new Date('2026-11-23T09:00:00Z');
let runtime: Runtime;
let fake: FakeSlack;
let connector: FakeBotConnector;
let botUrl: string;
let slack: ReturnType<typeof slackClient>;

beforeAll(async () => {
  fake = await new FakeSlack().start();
  connector = await new FakeBotConnector().start();
  runtime = await testRuntime({ clock: new ManualClock(TODAY), env: { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: fake.apiUrl } });
  await seedDemo(runtime.db, TODAY);
  await syncQuestionnaires(runtime.db, runtime.questionnaires);
  botUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
  slack = slackClient(`${botUrl}/slack/events`, SECRET);
});
afterAll(async () => {
  await runtime?.slack?.settled();
  await fake?.stop();
  await connector?.stop();
});

/** Every string a platform payload shows: texts, titles, labels, placeholders, choices (not ids, urls or data). */
function shown(payload: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown, key = ''): void => {
    if (typeof node === 'string') {
      if (['text', 'title', 'label', 'placeholder', 'altText', 'summary', 'errorMessage'].includes(key)) out.push(node);
      return;
    }
    if (Array.isArray(node)) return node.forEach((n) => walk(n, key === 'choices' ? '' : key));
    if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) if (k !== 'data' && k !== 'url' && k !== 'value' && k !== 'action_id' && k !== 'block_id') walk(v, k);
  };
  walk(payload);
  return out;
}

/** The card actions of the activities (Action.Submit data), by their lcAction. */
function actionsOf(activities: { body: unknown }[]): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const data = (node as { data?: Record<string, unknown> }).data;
    if (data && typeof data.lcAction === 'string') found.push(data);
    for (const v of Object.values(node)) walk(v);
  };
  activities.forEach((a) => walk(a.body));
  return found;
}

/** A member of `code` who reads via the platform; the demo person behind `externalId` gets the platform identity. */
async function demoPersonOn(externalId: string, platform: 'SLACK' | 'TEAMS', platformId: string) {
  const person = await runtime.db.person.findFirstOrThrow({ where: { identities: { some: { externalId } } } });
  await runtime.db.platformIdentity.create({ data: { personId: person.id, platform, externalId: platformId, lastSeenAt: new Date() } });
  return person;
}

async function sendEe2(code: string): Promise<string> {
  const coordinator = talkAs(runtime.bot, `web:${code.toLowerCase()}-coordinator`);
  const cluster = await runtime.db.cluster.findFirstOrThrow({ where: { code } });
  await coordinator.submit(formOf(await coordinator.say('/lc survey send')), { questionnaire: 'ee2-evaluation', cluster: cluster.id, when: 'now', closes: '2026-12-10', anonymous: 'no', minGroupSize: '5' });
  return (await runtime.db.questionnaireRun.findFirstOrThrow({ where: { clusterId: cluster.id }, orderBy: { createdAt: 'desc' } })).id;
}

describe('when a Teams user whose locale is mk-MK goes through help, their plan and the EE2 evaluation', () => {
  it('meets no English sentence on any card', { timeout: 120_000 }, async () => {
    const aad = 'aad-mk-member';
    const conversation = { id: 'a:mk-member' };
    const from = { id: '29:mk-member', name: 'Marija Teams', aadObjectId: aad };
    // The LC4 member's Teams account (the demo person reads English until Teams says otherwise).
    await demoPersonOn('web:lc4-m1', 'TEAMS', `tenant-1:${aad}`);
    const post = async (fields: Record<string, unknown>) => {
      const res = await fetch(`${botUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(teamsActivity(connector.url, { locale: 'mk-MK', from, conversation, ...fields })) });
      expect(res.status).toBe(200);
    };
    const press = async (lcAction: string, where = connector.sent(conversation.id)) => {
      const data = actionsOf(where).reverse().find((d) => d.lcAction === lcAction);
      if (!data) throw new Error(`no card action ${lcAction}`);
      await post({ text: undefined, value: data });
    };

    await post({ text: 'help' });
    await post({ text: 'plan' });
    await press('plan:guided');
    await post({ text: 'Дневен центар за децата во нашата општина' });
    await post({ text: 'stop' });
    const runId = await sendEe2('LC4');
    await post({ text: 'survey' });
    await press('survey:begin');
    // Answer the first questions with the card's own buttons.
    for (let i = 0; i < 3; i++) {
      const answer = actionsOf(connector.sent(conversation.id).slice(-1)).find((d) => typeof d.lcValue === 'string' && (d.lcValue as string).startsWith(`${runId}|`));
      if (!answer) break;
      await post({ text: undefined, value: answer });
    }

    const person = await runtime.db.person.findFirstOrThrow({ where: { identities: { some: { externalId: `tenant-1:${aad}` } } } });
    expect(person.locale).toBe('mk');
    const finder = new EnglishFinder();
    for (const activity of connector.sent(conversation.id)) finder.read('teams', shown(activity.body));
    expect(connector.sent(conversation.id).length).toBeGreaterThan(6);
    expect(finder.problems('mk', englishSentences('mk', runtime.questionnaires), await typedData(runtime.db, []))).toEqual([]);
  });
});

describe('when a Slack user whose locale is sq-AL goes through help, their plan and the EE2 evaluation', () => {
  it('meets no English sentence in any message', { timeout: 120_000 }, async () => {
    const person = await runtime.db.person.findFirstOrThrow({ where: { identities: { some: { externalId: 'web:lc1-m1' } } } });
    await runtime.db.person.update({ where: { id: person.id }, data: { email: 'usq@example.org' } });
    fake.addUser({ id: 'USQ', real_name: person.displayName, locale: 'sq-AL', email: 'usq@example.org' });
    const from = fake.calls.length;
    const command = async (text: string) => {
      const request = { token: 'legacy', team_id: 'T1', team_domain: 'clusters', channel_id: 'D1', channel_name: 'directmessage', user_id: 'USQ', user_name: 'usq', text, response_url: fake.responseUrl(), trigger_id: `trigger-${Math.random()}`, api_app_id: 'A1' };
      expect((await slack.command(request)).status).toBe(200);
      await runtime.slack!.settled();
    };
    await command('help');
    await command('plan');
    await sendEe2('LC1');
    await runtime.slack!.settled();
    await command('survey');

    expect((await runtime.db.person.findUniqueOrThrow({ where: { id: person.id } })).locale).toBe('sq');
    const finder = new EnglishFinder();
    const calls = fake.calls.slice(from).filter((c) => c.method === 'response_url' || c.method === 'chat.postMessage');
    expect(calls.length).toBeGreaterThan(3);
    for (const call of calls) finder.read(`slack ${call.method}`, shown(call.params));
    expect(finder.problems('sq', englishSentences('sq', runtime.questionnaires), await typedData(runtime.db, []))).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { ui } from '../../src/core/messages.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { textOf } from '../support/transcript.js';
import { cardText, FakeBotConnector, teamsActivity } from '../support/fake-bot-connector.js';

let runtime: Runtime;
let connector: FakeBotConnector;
let botUrl: string;
const sleeps: number[] = [];
let fakeNow = Date.now();

beforeAll(async () => {
  connector = await new FakeBotConnector().start();
  runtime = await testRuntime({
    // Backoff and rate-limit waits are recorded instead of waited for: the test proves the policy, not the clock.
    // The rate limiter reads the same hand-moved time the sleeps advance.
    teams: { now: () => fakeNow, sleep: async (ms) => void (sleeps.push(ms), (fakeNow += ms)), retryPolicy: { attempts: 3, baseDelayMs: 1_000, maxDelayMs: 30_000, maxRateWaitMs: 60_000 } },
  });
  await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
  botUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
});
afterAll(() => connector.stop());

async function post(activity: unknown) {
  const res = await fetch(`${botUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  expect(res.status).toBe(200);
}

/** A person who talked to the bot in Teams once, so a conversation reference is stored. */
async function teamsPerson(key: string): Promise<string> {
  await post(teamsActivity(connector.url, { text: 'lc me', from: { id: `29:${key}`, name: key, aadObjectId: `aad-${key}` }, conversation: { id: `a:${key}` } }));
  const identity = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'TEAMS', externalId: `tenant-1:aad-${key}` } } });
  return identity.personId;
}

describe('when the bot reaches a Teams user later through the stored reference', () => {
  it('posts a new message (not a reply) into their personal chat', async () => {
    const personId = await teamsPerson('proactive');
    connector.clear();
    const result = await runtime.notifier.notify(personId, ui.text('Reminder: **EE2** starts tomorrow at 10:00.'));
    expect(result).toEqual({ delivered: true, platform: 'TEAMS' });
    const [call] = connector.sent('a:proactive');
    expect(call.activityId).toBeUndefined();
    expect(cardText(call.body)).toContain('Reminder: **EE2** starts tomorrow at 10:00.');
  });

  it('replies in the thread a thread key names, e.g. the channel thread where a question was asked', async () => {
    const personId = await teamsPerson('threaded');
    connector.clear();
    await runtime.notifier.notify(personId, ui.text('Answer from the resource person', { threadKey: 'TEAMS:19:lc1@thread.tacv2;messageid=1700000000001:1700000000001' }));
    const [call] = connector.sent('19:lc1@thread.tacv2;messageid=1700000000001');
    expect(call.activityId).toBe('1700000000001');
    expect(cardText(call.body)).toContain('Answer from the resource person');
  });

  it('opens a personal chat for someone met only in a channel', async () => {
    await post(
      teamsActivity(connector.url, {
        text: '<at>Cluster Bot</at> help',
        from: { id: '29:channel-only', name: 'Chan Only', aadObjectId: 'aad-channel-only' },
        conversation: { id: '19:general@thread.tacv2', conversationType: 'channel' },
        entities: [{ type: 'mention', text: '<at>Cluster Bot</at>', mentioned: { id: '28:bot' } }],
      }),
    );
    const identity = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'TEAMS', externalId: 'tenant-1:aad-channel-only' } } });
    connector.clear();
    await runtime.notifier.notify(identity.personId, ui.text('A personal note'));
    const [call] = connector.sent('a:personal-29:channel-only');
    expect(cardText(call.body)).toContain('A personal note');
    expect(connector.sent('19:general@thread.tacv2')).toHaveLength(0);
  });

  it('retries a 429 after the Retry-After the service asked for, and the message arrives once', async () => {
    const personId = await teamsPerson('throttled');
    connector.clear();
    sleeps.length = 0;
    connector.answerNext({ status: 429, headers: { 'Retry-After': '2' } });
    await runtime.notifier.notify(personId, ui.text('Throttled but delivered'));
    expect(connector.attempts).toHaveLength(2);
    expect(connector.sent('a:throttled')).toHaveLength(1);
    expect(sleeps).toEqual([2_000]);
  });

  it('backs off exponentially on 502 and 504, and gives up after the last attempt so the job can retry', async () => {
    const personId = await teamsPerson('gateway');
    connector.clear();
    sleeps.length = 0;
    connector.answerNext({ status: 502 }, { status: 504 }, { status: 502 });
    await expect(runtime.notifier.notify(personId, ui.text('Gateway trouble'))).rejects.toThrow(/502 after 3 attempts/);
    expect(connector.attempts).toHaveLength(3);
    expect(connector.sent()).toHaveLength(0);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(750);
    expect(sleeps[0]).toBeLessThanOrEqual(1_250);
    expect(sleeps[1]).toBeGreaterThanOrEqual(1_500);
    expect(sleeps[1]).toBeLessThanOrEqual(2_500);
    // The identity stays reachable: a gateway error says nothing about the person.
    const identity = await runtime.db.platformIdentity.findFirstOrThrow({ where: { personId, platform: 'TEAMS' } });
    expect(identity.unreachableAt).toBeNull();
  });

  it('splits a long message so no activity exceeds the size limit', async () => {
    const personId = await teamsPerson('long');
    connector.clear();
    await expect(runtime.notifier.notify(personId, longReport())).resolves.toEqual({ delivered: true, platform: 'TEAMS' });
    const parts = connector.sent('a:long');
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) expect(Buffer.byteLength(JSON.stringify(part.body))).toBeLessThan(28_000);
    const text = parts.map((p) => cardText(p.body)).join('\n');
    expect(text.indexOf('Section 1\n')).toBeLessThan(text.indexOf('Section 12'));
  });

  it('resumes after a failed part when the send is retried, so no part reaches the person twice', async () => {
    const personId = await teamsPerson('resume');
    connector.clear();
    connector.answerNext({ pass: true }, { status: 500 });
    await expect(runtime.notifier.notify(personId, longReport())).rejects.toThrow();
    expect(connector.sent('a:resume')).toHaveLength(1);
    await runtime.notifier.notify(personId, longReport());
    const texts = connector.sent('a:resume').map((p) => cardText(p.body));
    expect(texts.filter((t) => t.includes('Section 1\n'))).toHaveLength(1);
    expect(texts.join('\n')).toContain('Section 12');
    // Complete now: sending the same report again on purpose delivers it again, in full.
    const before = texts.length;
    await runtime.notifier.notify(personId, longReport());
    expect(connector.sent('a:resume').length).toBeGreaterThan(before + 1);
  });
});

function longReport() {
  return ui.message('Long report', Array.from({ length: 12 }, (_, i) => ui.paragraph(`Section ${i + 1}\n${'Lorem ipsum dolor sit amet. '.repeat(250)}`)));
}

describe('when Teams answers 403 (the person blocked or removed the app)', () => {
  it('marks the Teams identity unreachable, falls back to their other account, and tells the cluster coordinator once', async () => {
    const member = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'WEB', externalId: 'web:lc1-m2' } }, include: { person: true } });
    const conversationRef = { v: 1, kind: 'conversation', reference: { serviceUrl: connector.url, channelId: 'msteams', conversation: { id: 'a:blocked', conversationType: 'personal', tenantId: 'tenant-1' }, bot: { id: '28:bot' }, user: { id: '29:blocked' } } };
    await runtime.db.platformIdentity.create({ data: { personId: member.personId, platform: 'TEAMS', externalId: 'tenant-1:aad-blocked', conversationRef, lastSeenAt: new Date(Date.now() + 60_000) } });
    await runtime.webSender.drain('web:lc1-m2');
    await runtime.webSender.drain('web:lc1-coordinator');
    connector.clear();
    connector.answerNext({ status: 403, body: { error: { code: 'BotDisabledByAdmin', message: 'The bot is blocked' } } });

    const result = await runtime.notifier.notify(member.personId, ui.text('Your plan is due on Friday.'));
    expect(result).toEqual({ delivered: true, platform: 'WEB' });
    expect(connector.attempts).toHaveLength(1);
    const teams = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'TEAMS', externalId: 'tenant-1:aad-blocked' } } });
    expect(teams.unreachableAt).not.toBeNull();
    expect(textOf(await runtime.webSender.drain('web:lc1-m2'))).toContain('Your plan is due on Friday.');
    const told = textOf(await runtime.webSender.drain('web:lc1-coordinator'));
    expect(told).toContain(`I can no longer reach ${member.person.displayName} on Microsoft Teams`);

    // Never retried forever: the next message skips Teams and nobody is told twice.
    await runtime.notifier.notify(member.personId, ui.text('Second note.'));
    expect(connector.attempts).toHaveLength(1);
    expect(await runtime.webSender.drain('web:lc1-coordinator')).toHaveLength(0);
  });
});

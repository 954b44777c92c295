import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMessage } from '../../adapters/slack/block-kit.js';
import { SlackSender } from '../../adapters/slack/sender.js';
import { SingleWorkspace, type SlackWorkspaces, type WorkspaceRef } from '../../adapters/slack/workspace-clients.js';
import { createLogger } from '../../src/core/logger.js';
import { ui } from '../../src/core/messages.js';
import { SendLater, UnreachableError } from '../../src/core/notifier.js';
import type { Runtime } from '../../src/server/runtime.js';
import { FakeSlack } from '../support/fake-slack.js';
import { testRuntime } from '../support/harness.js';

let fake: FakeSlack;
let runtime: Runtime;

beforeAll(async () => {
  fake = await new FakeSlack().start();
  runtime = await testRuntime({ env: { SLACK_SIGNING_SECRET: 'secret-for-the-sender-tests', SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: fake.apiUrl } });
});
afterAll(async () => {
  await fake?.stop();
});

/** A sender as one bot instance builds it; `waits` records every pause it asks for, without sleeping. */
function instance(clockMs: () => number) {
  const waits: number[] = [];
  const workspaces = new SingleWorkspace('xoxb-test', fake.apiUrl, createLogger('silent'));
  const sender = new SlackSender(workspaces, runtime.redis, runtime.config.REDIS_PREFIX, async (message) => renderMessage(message), {
    wait: async (ms) => void waits.push(ms),
    now: clockMs,
  });
  return { sender, waits };
}

const target = (user: string) => ({ externalId: `T1:${user}`, conversationRef: null });

describe('when the notifier reaches a Slack person', () => {
  it('opens the DM with conversations.open and posts there', async () => {
    const person = await runtime.db.person.create({ data: { displayName: 'Mirela Basha' } });
    await runtime.db.platformIdentity.create({ data: { personId: person.id, platform: 'SLACK', externalId: 'T1:UNOTE' } });
    const result = await runtime.notifier.notify(person.id, ui.text('EE2 starts tomorrow at 10:00.', { deliveryKey: 'nudge-1' }));
    expect(result).toEqual({ delivered: true, platform: 'SLACK' });
    expect(fake.callsOf('conversations.open').at(-1)?.params.users).toBe('UNOTE');
    const posted = await fake.waitFor('chat.postMessage', (p) => p.channel === 'DNOTE');
    expect(posted.params.text).toBe('EE2 starts tomorrow at 10:00.');
  });

  it('marks the identity unreachable when Slack says the user is gone', async () => {
    const person = await runtime.db.person.create({ data: { displayName: 'Gone Person' } });
    const identity = await runtime.db.platformIdentity.create({ data: { personId: person.id, platform: 'SLACK', externalId: 'T1:UGONE' } });
    fake.fail('conversations.open', 'user_not_found');
    const result = await runtime.notifier.notify(person.id, ui.text('Hello'));
    expect(result.delivered).toBe(false);
    expect((await runtime.db.platformIdentity.findUniqueOrThrow({ where: { id: identity.id } })).unreachableAt).not.toBeNull();
  });
});

describe('when a delivery is retried', () => {
  it('posts the same logical message once, even from another instance', async () => {
    const now = Date.now();
    const a = instance(() => now);
    const b = instance(() => now);
    const message = ui.text('Your feedback is due on Friday.', { deliveryKey: 'nudge-retry-1' });
    await a.sender.send(target('URETRY'), message);
    await a.sender.send(target('URETRY'), message);
    await b.sender.send(target('URETRY'), message);
    expect(fake.callsOf('chat.postMessage').filter((c) => c.params.channel === 'DRETRY')).toHaveLength(1);
  });

  it('still posts a different message to the same person', async () => {
    const now = Date.now() + 60_000;
    const a = instance(() => now);
    await a.sender.send(target('UTWO'), ui.text('First', { deliveryKey: 'k-first' }));
    await a.sender.send(target('UTWO'), ui.text('Second', { deliveryKey: 'k-second' }));
    expect(fake.callsOf('chat.postMessage').filter((c) => c.params.channel === 'DTWO').map((c) => c.params.text)).toEqual(['First', 'Second']);
  });

  it('releases a failed post so the retry can deliver it', async () => {
    const a = instance(() => Date.now() + 120_000);
    fake.fail('chat.postMessage', 'internal_error');
    await expect(a.sender.send(target('UFAIL'), ui.text('Retry me', { deliveryKey: 'k-fail' }))).rejects.toThrow();
    await a.sender.send(target('UFAIL'), ui.text('Retry me', { deliveryKey: 'k-fail' }));
    expect(fake.callsOf('chat.postMessage').filter((c) => c.params.channel === 'DFAIL' && c.params.text === 'Retry me')).toHaveLength(2);
  });
});

describe('when messages go to one channel', () => {
  it('spaces them one second apart across instances, using slots in Redis', async () => {
    const now = Date.now() + 180_000;
    const a = instance(() => now);
    const b = instance(() => now);
    await a.sender.send(target('UPACE'), ui.text('one', { deliveryKey: 'pace-1' }));
    await b.sender.send(target('UPACE'), ui.text('two', { deliveryKey: 'pace-2' }));
    await a.sender.send(target('UPACE'), ui.text('three', { deliveryKey: 'pace-3' }));
    expect(a.waits).toEqual([2000]);
    expect(b.waits).toEqual([1000]);
  });

  it("keeps each workspace's slots apart, so a 429 in one workspace does not hold back another", async () => {
    const now = Date.now() + 200_000;
    const a = instance(() => now);
    // Two workspaces' threads in channels with the same id (Slack counts limits per workspace).
    const inThread = (text: string, key: string) => ui.text(text, { deliveryKey: key, threadKey: 'SLACK:CSHARED:1700000000.000100' });
    fake.rateLimit('chat.postMessage', 5);
    await a.sender.send({ externalId: 'T1:USLOTA', conversationRef: null }, inThread('busy workspace', 'slot-a'));
    expect(a.waits).toEqual([5000]);
    const b = instance(() => now);
    await b.sender.send({ externalId: 'T2:USLOTB', conversationRef: null }, inThread('quiet workspace', 'slot-b'));
    expect(b.waits).toEqual([]);
  });

  it("sends a quiet workspace's message at once, with its own token, while a busy one waits out its 429", async () => {
    // Two installations, as in OAuth mode: each workspace answers with its own token.
    const logger = createLogger('silent');
    const byTeam: Record<string, SingleWorkspace> = { TBUSY: new SingleWorkspace('xoxb-test-busy', fake.apiUrl, logger), TQUIET: new SingleWorkspace('xoxb-test-quiet', fake.apiUrl, logger) };
    const workspaces: SlackWorkspaces = {
      authFor: (where: WorkspaceRef) => byTeam[where.teamId]!.authFor(where),
      clientFor: async (where: WorkspaceRef) => byTeam[where.teamId]!.client,
      forget: () => undefined,
    };
    // Real clock and real sleeping: "at once" is measured, not inferred from recorded waits.
    const sender = new SlackSender(workspaces, runtime.redis, runtime.config.REDIS_PREFIX, async (message) => renderMessage(message));
    // Same channel id in both workspaces: only the workspace tells their slots apart.
    const inThread = (text: string, key: string) => ui.text(text, { deliveryKey: key, threadKey: 'SLACK:CTWOORGS:1700000000.000200' });
    fake.rateLimit('chat.postMessage', 2, 1, { token: 'xoxb-test-busy' });
    const busy = sender.send({ externalId: 'TBUSY:UBUSY', conversationRef: null }, inThread('from the busy workspace', 'two-orgs-busy'));
    await fake.waitFor('chat.postMessage:429', (p) => p.text === 'from the busy workspace');
    const started = Date.now();
    await sender.send({ externalId: 'TQUIET:UQUIET', conversationRef: null }, inThread('from the quiet workspace', 'two-orgs-quiet'));
    expect(Date.now() - started).toBeLessThan(500);
    const posts = () => fake.callsOf('chat.postMessage').filter((c) => c.params.channel === 'CTWOORGS');
    // The quiet workspace's post went out with its own token while the busy one is still paused.
    expect(posts().map((c) => [c.params.text, c.token])).toEqual([['from the quiet workspace', 'xoxb-test-quiet']]);
    await busy;
    expect(Date.now() - started).toBeGreaterThan(1_000);
    expect(posts().map((c) => [c.params.text, c.token])).toEqual([
      ['from the quiet workspace', 'xoxb-test-quiet'],
      ['from the busy workspace', 'xoxb-test-busy'],
    ]);
  });

  it('waits out a 429 Retry-After and then posts once', async () => {
    const now = Date.now() + 240_000;
    const a = instance(() => now);
    fake.rateLimit('chat.postMessage', 7);
    await a.sender.send(target('ULIMIT'), ui.text('Rate limited once', { deliveryKey: 'limit-1' }));
    expect(fake.callsOf('chat.postMessage:429').filter((c) => c.params.channel === 'DLIMIT')).toHaveLength(1);
    expect(fake.callsOf('chat.postMessage').filter((c) => c.params.channel === 'DLIMIT')).toHaveLength(1);
    expect(a.waits).toEqual([7000]);
    // Another instance sending to that channel right after also respects the pause.
    const b = instance(() => now);
    await b.sender.send(target('ULIMIT'), ui.text('After the pause', { deliveryKey: 'limit-2' }));
    expect(b.waits).toEqual([8000]);
  });

  it('keeps a far slot for a caller that can come back later, instead of making it wait', async () => {
    const now = Date.now() + 300_000;
    const a = instance(() => now);
    await a.sender.send(target('UDEFER'), ui.text('first', { deliveryKey: 'defer-1' }));
    const later = await a.sender.send(target('UDEFER'), ui.text('second', { deliveryKey: 'defer-2' }), { canComeBackLater: true }).catch((error) => error);
    expect(later).toBeInstanceOf(SendLater);
    // Asked back a little before its slot (one second after the first), so it can post on time.
    expect((later as SendLater).notBefore).toBeGreaterThan(now + 500);
    expect((later as SendLater).notBefore).toBeLessThanOrEqual(now + 1000);
    expect(a.waits).toEqual([]);
    // The kept slot is taken: another message to the channel gets the one after it.
    const b = instance(() => now);
    await b.sender.send(target('UDEFER'), ui.text('third', { deliveryKey: 'defer-3' }));
    expect(b.waits).toEqual([2000]);
    // Coming back just before its slot, the message waits the rest and posts once.
    const back = instance(() => now + 900);
    await back.sender.send(target('UDEFER'), ui.text('second', { deliveryKey: 'defer-2' }), { canComeBackLater: true });
    expect(back.waits).toEqual([100]);
    expect(fake.callsOf('chat.postMessage').filter((c) => c.params.channel === 'DDEFER').map((c) => c.params.text)).toEqual(['first', 'third', 'second']);
  });

  it('refuses an identity that is not a Slack one', async () => {
    await expect(instance(Date.now).sender.send({ externalId: 'web:x', conversationRef: null }, ui.text('x'))).rejects.toBeInstanceOf(UnreachableError);
  });
});

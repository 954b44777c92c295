import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ui } from '../../src/core/messages.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { FakeBotConnector, teamsActivity } from '../support/fake-bot-connector.js';

/**
 * Teams throttles each conversation at 7 messages per second, 8 per 2 seconds and 60 per 30 seconds.
 * A burst of 100 proactive messages to one person is sent all at once; the fake connector stamps
 * every arrival with the bot's own (hand-moved) clock, and every window is counted there.
 */
const LIMITS = [
  { windowMs: 1_000, max: 7 },
  { windowMs: 2_000, max: 8 },
  { windowMs: 30_000, max: 60 },
];
let fakeNow = Date.UTC(2026, 10, 23, 9);
/**
 * The bot's waits park here; the test moves the clock only when every send is either asleep or done,
 * so no message is ever in flight while time jumps, and the connector's stamps are exact.
 */
const sleepers: { at: number; wake: () => void }[] = [];
const sleep = (ms: number) => new Promise<void>((wake) => sleepers.push({ at: fakeNow + ms, wake }));
let runtime: Runtime;
let connector: FakeBotConnector;

beforeAll(async () => {
  connector = await new FakeBotConnector(() => fakeNow).start();
  runtime = await testRuntime({
    teams: { now: () => fakeNow, sleep, retryPolicy: { attempts: 3, baseDelayMs: 1_000, maxDelayMs: 30_000, maxRateWaitMs: 10 * 60_000 } },
  });
  await runtime.listen(0).then((port) =>
    fetch(`http://127.0.0.1:${port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(teamsActivity(connector.url, { text: 'help', from: { id: '29:burst', aadObjectId: 'aad-burst' }, conversation: { id: 'a:burst' } })) }),
  );
});
afterAll(() => connector.stop());

/** The most arrivals inside any window of this length that starts at an arrival. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j] < sorted[i] + windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

describe('when 100 messages to one Teams conversation are sent at once', () => {
  it('delivers every one exactly once and never exceeds 7/s, 8/2 s or 60/30 s at the connector', async () => {
    const identity = await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: { endsWith: 'aad-burst' } } });
    connector.clear();
    let finished = 0;
    const sends = Array.from({ length: 100 }, (_, i) => runtime.notifier.notify(identity.personId, ui.text(`Burst message ${i + 1}`)).finally(() => finished++));
    // The clock driver: when nothing is running (all 100 asleep or done), jump to the earliest wake-up.
    while (finished < sends.length) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (finished + sleepers.length < sends.length || sleepers.length === 0) continue;
      sleepers.sort((a, b) => a.at - b.at);
      fakeNow = Math.max(fakeNow, sleepers[0].at);
      for (const sleeper of sleepers.splice(0, sleepers.filter((s) => s.at <= fakeNow).length)) sleeper.wake();
    }
    const results = await Promise.all(sends);
    expect(results.every((r) => r.delivered)).toBe(true);
    const sent = connector.sent('a:burst');
    const texts = sent.map((c) => JSON.stringify(c.body).match(/Burst message (\d+)/)?.[1]);
    expect(new Set(texts).size).toBe(100);
    expect(sent).toHaveLength(100);
    for (const { windowMs, max } of LIMITS) expect(busiestWindow(sent.map((c) => c.at), windowMs), `${max} per ${windowMs} ms`).toBeLessThanOrEqual(max);
    // The check can fail: without the limiter all 100 would land in one instant.
    expect(busiestWindow(sent.map((c) => c.at), 1_000)).toBeGreaterThan(1);
  }, 60_000);
});

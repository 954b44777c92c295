import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import type { Config } from '../../src/core/config.js';
import { createDb, type Db } from '../../src/core/db.js';
import { createRedis } from '../../src/core/redis.js';
import { NudgeQueue } from '../../src/scheduler/queue.js';
import { FakeSlack } from '../support/fake-slack.js';
import { testConfig } from '../support/harness.js';

/**
 * Two real `npm run worker` processes (src/scheduler/worker-main.ts) share the queue. The first
 * claims a nudge and posts it to a fake Slack that holds the request; it is killed with SIGKILL
 * while the post is in flight. The second must deliver the nudge, once, within a minute.
 */

let config: Config;
let db: Db;
let fake: FakeSlack;
const children: ChildProcess[] = [];

/** Starts a worker process; its log lines are collected so the test can tell who did what. */
function startWorker(name: string): { child: ChildProcess; log: string[] } {
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: config.DATABASE_URL,
    REDIS_URL: config.REDIS_URL,
    REDIS_PREFIX: config.REDIS_PREFIX,
    SLACK_SIGNING_SECRET: 'worker-killed-secret',
    // Each worker its own token, so the fake Slack can tell whose post it holds.
    SLACK_BOT_TOKEN: `xoxb-test-${name}`,
    SLACK_API_URL: fake.apiUrl,
    RECONCILE_EVERY_SECONDS: '3600',
    LOG_LEVEL: 'info',
  };
  // node itself (not npx/npm), so SIGKILL hits the process that holds the claim.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/scheduler/worker-main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  child.stdout!.on('data', (chunk) => log.push(`${name}: ${String(chunk)}`));
  child.stderr!.on('data', (chunk) => log.push(`${name} (stderr): ${String(chunk)}`));
  children.push(child);
  return { child, log };
}

async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  fake = await new FakeSlack().start();
  config = await testConfig();
  db = createDb(config.DATABASE_URL);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? once(c, 'exit') : undefined)));
  await db?.$disconnect();
  await fake?.stop();
});

describe('when a nudge worker is killed in the middle of a delivery', () => {
  it('another worker delivers the nudge, once, within a minute', { timeout: 150_000 }, async () => {
    fake.addUser({ id: 'UKILL', real_name: 'Ana Kovač' });
    const person = await db.person.create({ data: { displayName: 'Ana Kovač', identities: { create: { platform: 'SLACK', externalId: 'T1:UKILL' } } } });
    // Both workers up and idle; then the job. Whichever takes it finds its post held at Slack's door.
    fake.hold('chat.postMessage');
    const workers = { A: startWorker('A'), B: startWorker('B') };
    for (const w of Object.values(workers)) await waitUntil('worker running', async () => (w.log.some((line) => line.includes('nudge worker running')) ? true : undefined), 90_000);
    // Created only now: a worker's start-up reconciliation would otherwise queue it before the other is up.
    const dueAt = new Date();
    const nudge = await db.plannedNudge.create({
      data: {
        id: `manual.killtest.${person.id}`,
        personId: person.id,
        kind: 'manual',
        dueAt,
        payload: { kind: 'manual', clusterCode: 'K1', clusterName: 'Kill test', anchorAt: dueAt.toISOString(), usefulUntil: new Date(dueAt.getTime() + 86_400_000).toISOString(), event: false, text: 'Please bring your draft plan tomorrow.', from: 'Coordinator' },
      },
    });
    const connection = createRedis(config.REDIS_URL, { forQueues: true });
    const queue = new NudgeQueue(connection, config.REDIS_PREFIX, systemClock);
    await queue.ensure({ personId: person.id, dueAt: dueAt.getTime() });
    await queue.close();
    connection.disconnect();
    const held = await fake.waitFor('chat.postMessage:held', () => true, 60_000);
    const victimName = held.token === 'xoxb-test-A' ? 'A' : 'B';
    const [victim, survivor] = victimName === 'A' ? [workers.A, workers.B] : [workers.B, workers.A];

    // The claimant dies with its post in flight (well inside its 10 s client timeout).
    victim.child.kill('SIGKILL');
    await once(victim.child, 'exit');
    const claim = await db.nudgeDelivery.findUniqueOrThrow({ where: { nudgeId: nudge.id } });
    expect(claim.outcome).toBe('sending');

    // Within a minute of the kill, the other worker posts the nudge to Slack.
    const post = await fake.waitFor('chat.postMessage', (p) => String(p.text ?? '').includes('Please bring your draft plan tomorrow.'), 60_000);
    expect(post.token).toBe(`xoxb-test-${victimName === 'A' ? 'B' : 'A'}`);

    const delivery = await waitUntil('delivery recorded', async () => {
      const row = await db.nudgeDelivery.findUniqueOrThrow({ where: { nudgeId: nudge.id } });
      return row.outcome === 'sending' ? undefined : row;
    }, 30_000);
    expect(delivery).toMatchObject({ outcome: 'sent', platform: 'SLACK' });
    expect((await db.plannedNudge.findUniqueOrThrow({ where: { id: nudge.id } })).status).toBe('SENT');
    // Once: the held post never reached Slack, and the survivor posted exactly one message.
    expect(fake.callsOf('chat.postMessage')).toHaveLength(1);
    expect(fake.callsOf('chat.postMessage:held')).toHaveLength(1);
    // By the other worker, which took the dead claim over.
    expect(survivor.log.join('')).toContain('taking over a nudge delivery whose worker died mid-send');
  });
});

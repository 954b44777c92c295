import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { createLogger } from '../../src/core/logger.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { deadlineJobId, reconcileQuestions } from '../../src/scheduler/question-deadlines.js';
import { createRuntime, type Runtime } from '../../src/server/runtime.js';
import { FakeSlack } from '../support/fake-slack.js';
import { freshDatabase, freshRedisPrefix } from '../support/harness.js';
import { PrivateRedis } from '../support/outages.js';
import { linkIdentity, personOf } from '../support/plans.js';

/**
 * Issue 15 item 14: questions survive Redis loss. Redis is a private redis-server the test kills and
 * starts again empty (as after a crash or a restart without persistence). The resource persons of LC1 use
 * Slack, whose sender needs Redis, so while Redis is away nobody can be told; the member asks in the web
 * chat, which needs only PostgreSQL. The reconciler runs on its own timer (RECONCILE_EVERY_SECONDS=5).
 */
const INTERNAL = /Something went wrong/;

let runtime: Runtime;
let redis: PrivateRedis;
let fake: FakeSlack;
let baseUrl: string;

beforeAll(async () => {
  fake = await new FakeSlack().start();
  redis = await new PrivateRedis().start();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: await freshDatabase(),
    REDIS_URL: redis.url,
    REDIS_PREFIX: freshRedisPrefix(),
    LOG_LEVEL: 'silent',
    SLACK_SIGNING_SECRET: 'questions-redis-loss-secret',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: fake.apiUrl,
    RECONCILE_EVERY_SECONDS: '5',
    WEB_CHAT: 'on',
  });
  runtime = createRuntime(config, createLogger(config.LOG_LEVEL), { questionWorker: false });
  await seedDemo(runtime.db, new Date());
  // Every resource person of LC1 is on Slack, so whoever routing picks is told there.
  const rps = await runtime.db.membership.findMany({ where: { cluster: { code: 'LC1' }, role: 'RESOURCE_PERSON' }, include: { person: { include: { identities: true } } } });
  for (const [i, rp] of rps.entries()) {
    const web = rp.person.identities.find((identity) => identity.platform === 'WEB')!;
    fake.addUser({ id: `URP${i}` });
    await linkIdentity(runtime.db, web.externalId, 'SLACK', `T1:URP${i}`);
  }
  await runtime.startScheduler({ workers: false });
  await runtime.scheduler.firstPass;
  baseUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
}, 120_000);

afterAll(async () => {
  await runtime?.slack?.settled();
  await runtime?.stop();
  await redis?.kill();
  await fake?.stop();
});

async function web(input: object): Promise<string> {
  const res = await fetch(`${baseUrl}/web/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identity: 'lc1-m1', input }),
    signal: AbortSignal.timeout(60_000),
  });
  expect(res.status).toBe(200);
  return JSON.stringify(((await res.json()) as { messages: unknown[] }).messages);
}

/** As the member does it: /lc ask, then the form with the question. */
async function ask(question: string): Promise<string> {
  await web({ type: 'typed', text: '/lc ask' });
  return web({ type: 'form', formId: 'ask:question', values: { question, urgent: 'no' } });
}

/** Slack posts (to anyone) that carry the question's text. */
const postsOf = (text: string) => fake.callsOf('chat.postMessage').filter((call) => JSON.stringify(call.params).includes(text));

async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms = 90_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`waited ${ms / 1000} s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const jobOf = async (questionId: string, step: number) => runtime.questions.deadlines.queue.getJob(deadlineJobId(questionId, step));

describe('when Redis restarts empty', () => {
  it('gets every waiting question its deadline check back from PostgreSQL', async () => {
    const asker = await personOf(runtime.db, 'web:lc1-m1');
    const text = 'How did other municipalities recruit volunteers for day-care?';
    expect(await ask(text)).not.toMatch(INTERNAL);
    const question = await runtime.db.routedQuestion.findFirstOrThrow({ where: { askerId: asker.id, text } });
    expect(question.step).toBe(1);
    expect(await jobOf(question.id, 1)).toBeTruthy();
    expect(postsOf(text)).toHaveLength(1);

    await redis.kill();
    await redis.start();
    // Empty: the check is gone until the reconciler (its own timer) plans it again from the question row.
    await waitFor('the deadline check to be planned again', async () => Boolean(await jobOf(question.id, 1).catch(() => undefined)));
    const job = await jobOf(question.id, 1);
    expect(job!.data).toEqual({ questionId: question.id, step: 1 });
    expect(job!.timestamp + job!.delay).toBeGreaterThanOrEqual(question.dueAt!.getTime() - 60_000);
    // Told once, before the restart; nobody is told again.
    expect(postsOf(text)).toHaveLength(1);
  }, 120_000);
});

describe('when a member asks while Redis is away', () => {
  it('saves the question once (a retry included), tells the resource person once Redis is back, and plans its deadline', async () => {
    const asker = await personOf(runtime.db, 'web:lc1-m1');
    const text = 'Which budget line did you use for the after-school transport?';
    await redis.kill();

    const first = await ask(text);
    expect(first).not.toMatch(INTERNAL);
    // Whatever the first answer said, the member tries again, as people do.
    const retry = await ask(text);
    expect(retry).not.toMatch(INTERNAL);
    const saved = await runtime.db.routedQuestion.findMany({ where: { askerId: asker.id, text }, include: { asks: true } });
    expect(saved).toHaveLength(1);
    expect(saved[0].asks).toHaveLength(1);
    expect(saved[0].asks[0].notifiedAt).toBeNull();
    expect(postsOf(text)).toHaveLength(0);

    await redis.start();
    await waitFor('the resource person to be told on Slack', () => postsOf(text).length > 0);
    await waitFor('the deadline check to be planned', async () => Boolean(await jobOf(saved[0].id, 1).catch(() => undefined)));
    const rp = await runtime.db.platformIdentity.findFirstOrThrow({ where: { personId: saved[0].asks[0].personId, platform: 'SLACK' } });
    expect(postsOf(text).map((call) => call.params.channel ?? '')).toHaveLength(1);
    expect(rp.externalId).toMatch(/^T1:URP/);
    const ask1 = await runtime.db.questionAsk.findFirstOrThrow({ where: { questionId: saved[0].id } });
    expect(ask1.notifiedAt).not.toBeNull();

    // Another pass (every instance runs one) tells nobody again and plans nothing twice.
    await reconcileQuestions({ db: runtime.db, clock: runtime.services.clock, notifier: runtime.notifier, logger: createLogger('silent') }, runtime.questions.deadlines, { graceMs: 0 });
    expect(postsOf(text)).toHaveLength(1);
    expect(await runtime.db.routedQuestion.count({ where: { askerId: asker.id, text } })).toBe(1);
  }, 180_000);
});

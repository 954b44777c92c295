import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/logger.js';
import { createRedis } from '../../src/core/redis.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { answerQuestion, askQuestion, checkDeadline, type QuestionDeps } from '../../src/domain/questions/lifecycle.js';
import { createQuestionDeadlines, deadlineJobId, QUESTIONS_QUEUE } from '../../src/scheduler/question-deadlines.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { deadlineDriver } from './helpers.js';

const HOUR = 3_600_000;
// Monday 23 November 2026, 10:00 in Belgrade.
const clock = new ManualClock(new Date('2026-11-23T09:00:00Z'));
let runtime: Runtime;
let deps: QuestionDeps;
let driver: ReturnType<typeof deadlineDriver>;
const ids: Record<string, string> = {};
let lc1: string;

beforeAll(async () => {
  runtime = await testRuntime({ clock });
  await seedDemo(runtime.db, clock.now());
  deps = { db: runtime.db, clock, notifier: runtime.notifier, deadlines: runtime.services.questionDeadlines };
  driver = deadlineDriver(runtime);
  for (const key of ['lc1-rp1', 'lc1-rp2', 'lc1-coordinator', 'lc1-m1', 'lc1-m2', 'lc1-m3', 'lc1-m4']) {
    ids[key] = (await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'WEB', externalId: `web:${key}` } } })).personId;
  }
  lc1 = (await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } })).id;
});

async function asks(questionId: string) {
  return runtime.db.questionAsk.findMany({ where: { questionId }, orderBy: { askedAt: 'asc' } });
}

describe('when an urgent question is asked', () => {
  it('plans a BullMQ delayed job two hours out, with an id per question and step', async () => {
    const { questionId } = await askQuestion(deps, { askerId: ids['lc1-m1'], clusterId: lc1, text: 'Legal question on premises', urgent: true });
    const job = await driver.job(questionId, 1);
    expect(job?.id).toBe(deadlineJobId(questionId, 1));
    expect(job?.data).toEqual({ questionId, step: 1 });
    expect(job?.delay).toBe(2 * HOUR);
    expect(await job?.getState()).toBe('delayed');
    const question = await runtime.db.routedQuestion.findUniqueOrThrow({ where: { id: questionId } });
    expect(question.dueAt?.toISOString()).toBe('2026-11-23T11:00:00.000Z');
    expect(question.firstDueAt?.toISOString()).toBe('2026-11-23T11:00:00.000Z');
  });
});

describe('when a normal question is asked on a Monday morning', () => {
  it('plans its deadline 24 working hours later, in the resource person’s zone and working hours', async () => {
    const { questionId, assignment } = await askQuestion(deps, { askerId: ids['lc1-m2'], clusterId: lc1, text: 'How to train staff?', urgent: false });
    // rp2 works from London: asked Monday 09:00 London time; 9 working hours Monday and Tuesday, 6 more on Wednesday.
    expect(assignment?.personId).toBe(ids['lc1-rp2']);
    expect(assignment?.dueAt?.toISOString()).toBe('2026-11-25T15:00:00.000Z');
    const job = await driver.job(questionId, 1);
    expect(job?.delay).toBe(assignment!.dueAt!.getTime() - clock.now().getTime());
  });
});

describe('when an urgent question stays unanswered', () => {
  it('goes to the next resource person after two hours, then to the coordinator, asking nobody twice', async () => {
    clock.set(new Date('2026-11-23T09:00:00Z'));
    const { questionId, assignment } = await askQuestion(deps, { askerId: ids['lc1-m3'], clusterId: lc1, text: 'Urgent: legal problem with the premises lease', urgent: true });
    expect(assignment?.personId).toBe(ids['lc1-rp1']);

    // Fired before its time (a manual promote, clock skew): nothing moves, and the job waits again.
    expect(await checkDeadline(deps, questionId, 1)).toEqual({ outcome: 'early', dueAt: new Date('2026-11-23T11:00:00Z') });
    clock.advance(HOUR);
    await driver.fireEarly(questionId, 1);
    expect(await (await driver.job(questionId, 1))?.getState()).toBe('delayed');
    expect((await asks(questionId)).map((a) => a.personId)).toEqual([ids['lc1-rp1']]);

    clock.advance(HOUR); // two hours after asking
    expect(await driver.fire(questionId, 1)).toBe('escalated');
    let rows = await asks(questionId);
    expect(rows.map((a) => [a.personId, a.reason])).toEqual([
      [ids['lc1-rp1'], 'routed'],
      [ids['lc1-rp2'], 'escalated'],
    ]);
    expect(rows[0].passedAt).not.toBeNull();
    const step2 = await driver.job(questionId, 2);
    expect(step2?.delay).toBe(2 * HOUR);

    clock.advance(2 * HOUR);
    expect(await driver.fire(questionId, 2)).toBe('escalated');
    rows = await asks(questionId);
    expect(rows.map((a) => a.personId)).toEqual([ids['lc1-rp1'], ids['lc1-rp2'], ids['lc1-coordinator']]);
    const question = await runtime.db.routedQuestion.findUniqueOrThrow({ where: { id: questionId } });
    expect(question.status).toBe('ESCALATED_TO_COORDINATOR');
    expect(question.step).toBe(3);
    // The first deadline stays the measure of "answered in time".
    expect(question.firstDueAt?.toISOString()).toBe('2026-11-23T11:00:00.000Z');

    clock.advance(2 * HOUR);
    expect(await driver.fire(questionId, 3)).toBe('nobody-left');
    expect((await asks(questionId)).map((a) => a.personId)).toEqual([ids['lc1-rp1'], ids['lc1-rp2'], ids['lc1-coordinator']]);
    expect(await driver.job(questionId, 4)).toBeUndefined();
  });

  it('does nothing when a stale job for an earlier step fires again', async () => {
    clock.set(new Date('2026-11-23T09:00:00Z'));
    const { questionId } = await askQuestion(deps, { askerId: ids['lc1-m4'], clusterId: lc1, text: 'Premises legal', urgent: true });
    clock.advance(2 * HOUR);
    expect(await checkDeadline(deps, questionId, 1)).toMatchObject({ outcome: 'escalated' });
    expect(await checkDeadline(deps, questionId, 1)).toEqual({ outcome: 'stale' });
    expect(await asks(questionId)).toHaveLength(2);
  });
});

describe('when the person a question goes to cannot be reached on any platform', () => {
  it('moves the question on at once instead of waiting out the deadline', async () => {
    clock.set(new Date('2026-11-23T09:00:00Z'));
    await runtime.db.platformIdentity.updateMany({ where: { personId: ids['lc1-rp1'] }, data: { unreachableAt: clock.now() } });
    try {
      const { questionId, assignment } = await askQuestion(deps, { askerId: ids['lc1-m4'], clusterId: lc1, text: 'Legal premises, unreachable', urgent: false });
      expect(assignment?.personId).toBe(ids['lc1-rp1']);
      expect(await driver.finished(questionId, 1)).toBe('escalated');
      expect((await asks(questionId)).map((a) => a.personId)).toEqual([ids['lc1-rp1'], ids['lc1-rp2']]);
    } finally {
      await runtime.db.platformIdentity.updateMany({ where: { personId: ids['lc1-rp1'] }, data: { unreachableAt: null } });
    }
  });
});

describe('when two instances handle the same deadline at once', () => {
  it('moves the question once: one wins, the other finds it moved on', async () => {
    clock.set(new Date('2026-11-23T09:00:00Z'));
    const { questionId } = await askQuestion(deps, { askerId: ids['lc1-m2'], clusterId: lc1, text: 'Premises legal twice', urgent: true });
    clock.advance(2 * HOUR);
    const outcomes = await Promise.all([checkDeadline(deps, questionId, 1), checkDeadline(deps, questionId, 1)]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['escalated', 'stale']);
    expect((await asks(questionId)).map((a) => a.personId)).toEqual([ids['lc1-rp1'], ids['lc1-rp2']]);
  });
});

describe('when the question is answered before its deadline', () => {
  it('removes the delayed job, and a job that fires anyway changes nothing', async () => {
    clock.set(new Date('2026-11-23T09:00:00Z'));
    const { questionId, assignment } = await askQuestion(deps, { askerId: ids['lc1-m1'], clusterId: lc1, text: 'Financing the legal registration', urgent: true });
    expect(await driver.job(questionId, 1)).toBeDefined();
    clock.advance(HOUR);
    await answerQuestion(deps, questionId, assignment!.personId, 'Register first, then apply for the grant.');
    expect(await driver.job(questionId, 1)).toBeUndefined();

    // A duplicate planned by another instance before the answer arrived still fires: it must be harmless.
    await runtime.questions.deadlines.plan(questionId, 1, new Date(clock.now().getTime() + 2 * HOUR));
    clock.advance(2 * HOUR);
    expect(await driver.fire(questionId, 1)).toBe('stale');
    const question = await runtime.db.routedQuestion.findUniqueOrThrow({ where: { id: questionId } });
    expect(question.status).toBe('ANSWERED');
    expect(await asks(questionId)).toHaveLength(1);
  });
});

describe('when real time passes (end to end through Redis, no promote)', () => {
  it('the worker escalates a question whose short deadline has run out', async () => {
    const logger = createLogger('silent');
    const prefix = `${runtime.config.REDIS_PREFIX}-e2e`;
    // A policy of about a third of a second, on the system clock: the delayed job fires by itself.
    const fast = createQuestionDeadlines({ redisUrl: runtime.config.REDIS_URL, prefix, deps: { db: runtime.db, clock: systemClock, notifier: runtime.notifier, logger, policy: { normalWorkingHours: 24, urgentHours: 0.0001 } }, runWorker: true });
    const connection = createRedis(runtime.config.REDIS_URL, { forQueues: true });
    const events = new QueueEvents(QUESTIONS_QUEUE, { connection, prefix });
    afterAll(async () => {
      await events.close();
      connection.disconnect();
      await fast.close();
      const redis = createRedis(runtime.config.REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    });
    await events.waitUntilReady();
    const e2eDeps: QuestionDeps = { db: runtime.db, clock: systemClock, notifier: runtime.notifier, deadlines: fast.deadlines, policy: { normalWorkingHours: 24, urgentHours: 0.0001 } };
    const { questionId } = await askQuestion(e2eDeps, { askerId: ids['lc1-m2'], clusterId: lc1, text: 'Legal premises, real time', urgent: true });
    const finished = new Promise<string>((resolve) => {
      events.on('completed', ({ jobId, returnvalue }) => {
        if (jobId === deadlineJobId(questionId, 1)) resolve(String(returnvalue));
      });
    });
    expect(await finished).toBe('escalated');
    expect((await asks(questionId)).map((a) => a.personId)).toEqual([ids['lc1-rp1'], ids['lc1-rp2']]);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { buttonsOf, talkAs, textOf } from '../support/transcript.js';

const now = new Date('2026-11-23T09:00:00Z');
let runtime: Runtime;

async function personOf(key: string) {
  const identity = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'WEB', externalId: `web:${key}` } } });
  return identity.personId;
}

beforeAll(async () => {
  runtime = await testRuntime({ clock: new ManualClock(now) });
  await seedDemo(runtime.db, now);
  const lc2 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC2' } });
  const [m1, m2, rp1] = await Promise.all([personOf('lc2-m1'), personOf('lc2-m2'), personOf('lc2-rp1')]);

  // m1: a draft plan, a review to write for m2, a questionnaire to answer.
  await runtime.db.actionPlan.create({ data: { clusterId: lc2.id, authorId: m1, approach: 'Awareness Raising' } });
  const m2Plan = await runtime.db.actionPlan.create({ data: { clusterId: lc2.id, authorId: m2, approach: 'Awareness Raising', stage: 'SUBMITTED' } });
  const round = await runtime.db.feedbackRound.create({ data: { clusterId: lc2.id, status: 'OPEN', deadline: new Date('2026-12-04T16:00:00Z'), seed: 1 } });
  await runtime.db.feedbackAssignment.create({ data: { roundId: round.id, planId: m2Plan.id, reviewerId: m1 } });
  const questionnaire = await runtime.db.questionnaire.create({ data: { key: 'ee2', version: 1, definition: {} } });
  const run = await runtime.db.questionnaireRun.create({ data: { questionnaireId: questionnaire.id, clusterId: lc2.id, status: 'OPEN', opensAt: now, closesAt: new Date('2026-11-30T22:00:00Z') } });
  await runtime.db.runParticipation.create({ data: { runId: run.id, personId: m1 } });
  // A closed run and an answered one must not show.
  const closed = await runtime.db.questionnaireRun.create({ data: { questionnaireId: questionnaire.id, clusterId: lc2.id, status: 'CLOSED', opensAt: now, closesAt: now } });
  await runtime.db.runParticipation.create({ data: { runId: closed.id, personId: m1 } });

  // rp1: one urgent question still open, one already answered.
  const open = await runtime.db.routedQuestion.create({ data: { clusterId: lc2.id, askerId: m2, text: 'How do we reach Roma families without a mediator?', urgent: true } });
  await runtime.db.questionAsk.create({ data: { questionId: open.id, personId: rp1 } });
  const answered = await runtime.db.routedQuestion.create({ data: { clusterId: lc2.id, askerId: m2, text: 'Already answered question', status: 'ANSWERED' } });
  await runtime.db.questionAsk.create({ data: { questionId: answered.id, personId: rp1 } });
});

describe('when a member opens their overview (/lc home)', () => {
  it('lists their pending tasks first, then their cluster with the next dates', async () => {
    const replies = await talkAs(runtime.bot, 'web:lc2-m1').say('/lc home');
    const text = textOf(replies);
    expect(text).toMatch(/Finish your action plan for LC2: \d+ parts are missing, due .* 2026, 10:00\./);
    expect(text).toMatch(/Give feedback on the plan of .+ \(LC2\) by Fri 4 Dec 2026, 17:00/);
    expect(text).toContain('A questionnaire of LC2 waits for your answers');
    expect(text.match(/questionnaire of LC2/g)).toHaveLength(1);
    expect(text.indexOf('Waiting for you')).toBeLessThan(text.indexOf('LC2: '));
    expect(text).toMatch(/Exchange event 2: .* 2026, 10:00/);
    expect(buttonsOf(replies).map((b) => b.value)).toEqual(expect.arrayContaining(['me', 'help']));
  });

  it('offers command buttons only for commands the bot knows', async () => {
    const replies = await talkAs(runtime.bot, 'web:lc2-m1').say('/lc home');
    const known = new Set(runtime.bot.commands.map((c) => c.verb));
    for (const button of buttonsOf(replies).filter((b) => b.actionId === 'cmd')) expect(known.has(button.value!.split(' ')[0])).toBe(true);
  });
});

describe('when a resource person opens their overview', () => {
  it('shows the open question put to them, marked urgent, and not the answered one', async () => {
    const text = textOf(await talkAs(runtime.bot, 'web:lc2-rp1').say('/lc home'));
    expect(text).toContain('Urgent question from LC2');
    expect(text).toContain('How do we reach Roma families without a mediator?');
    expect(text).not.toContain('Already answered question');
  });
});

describe('when someone in no cluster opens their overview', () => {
  it('says nothing is waiting and how to join a cluster', async () => {
    const text = textOf(await talkAs(runtime.bot, 'web:newcomer').say('/lc home'));
    expect(text).toContain('Nothing is waiting for you right now.');
    expect(text).toContain('You are not in a learning cluster yet.');
  });
});

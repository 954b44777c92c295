import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { formatDateTime } from '../../src/core/format.js';
import { translator } from '../../src/core/i18n.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { buttonsOf, findButton, formOf, talkAs, textOf } from '../support/transcript.js';
import { addIdentity, RecordingSender, talkIn } from './helpers.js';

/**
 * What the bot posts once for many readers is in the cluster's language (issue 18, item 3): the only such
 * posts are the answers to a question, and the notice that it moved, sent back into the thread it was
 * asked in. Asked in a channel, everyone there reads them, so they come in the cluster's language (set
 * with `/lc language LC1 sq`), not the asker's nor the answerer's; asked in the asker's own chat, in theirs.
 */
const clock = new ManualClock(new Date('2026-11-23T09:00:00Z'));
const CHANNEL_THREAD = 'SLACK:C42:1700000000.000100';
const DM_THREAD = 'SLACK:D42:1700000000.000200';
let runtime: Runtime;
const slack = new RecordingSender('SLACK');
const teams = new RecordingSender('TEAMS');
const ids: Record<string, string> = {};
const sq = translator('sq');
const en = translator('en');

const rp1 = () => talkAs(runtime.bot, 'tenant1:aad-rp1', { platform: 'TEAMS' });

async function ask(threadKey: string, direct: boolean, question: string): Promise<string> {
  await talkIn(runtime.bot, 'SLACK', 'T1:U1', { threadKey, direct }).command('ask', question);
  // The form comes back from a modal, which has no thread: the flow kept it.
  await talkIn(runtime.bot, 'SLACK', 'T1:U1', { direct: false }).submit('ask:question', { question, urgent: 'no' });
  return (await runtime.db.routedQuestion.findFirstOrThrow({ where: { text: question } })).id;
}

async function answer(questionId: string, text: string): Promise<void> {
  const form = formOf(await rp1().press({ actionId: 'questions:answer', value: questionId }));
  await rp1().submit(form, { text });
}

beforeAll(async () => {
  runtime = await testRuntime({ clock });
  await seedDemo(runtime.db, clock.now());
  runtime.notifier.register(slack);
  runtime.notifier.register(teams);
  ids.m1 = await addIdentity(runtime, 'lc1-m1', 'SLACK', 'T1:U1');
  ids.rp1 = await addIdentity(runtime, 'lc1-rp1', 'TEAMS', 'tenant1:aad-rp1');
  await addIdentity(runtime, 'lc1-rp2', 'TEAMS', 'tenant1:aad-rp2');
  await addIdentity(runtime, 'lc1-coordinator', 'TEAMS', 'tenant1:aad-coord');
  // The asker reads English, the resource person Macedonian; the coordinator makes the cluster Albanian.
  await runtime.db.person.update({ where: { id: ids.rp1 }, data: { locale: 'mk' } });
  // ... and the asker lives far from the cluster, so a time for them would read differently.
  await runtime.db.person.update({ where: { id: ids.m1 }, data: { timeZone: 'Asia/Tokyo' } });
  expect(textOf(await talkAs(runtime.bot, 'web:lc1-coordinator').say('/lc language LC1 sq'))).toContain('Shqip');
  expect((await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } })).language).toBe('sq');
});

describe('when a question asked in a channel thread is answered', () => {
  let questionId: string;

  it('keeps that the thread is shared with the question', async () => {
    questionId = await ask(CHANNEL_THREAD, false, 'Who must own the premises before we can register the centre?');
    const question = await runtime.db.routedQuestion.findUniqueOrThrow({ where: { id: questionId } });
    expect(question.threadRef).toEqual({ threadKey: CHANNEL_THREAD, shared: true });
  });

  it('posts the answer into the channel thread in the cluster\'s language, buttons and the adapter\'s own words too', async () => {
    slack.clear();
    await answer(questionId, 'The municipality must own it or hold a long lease.');
    const [posted] = slack.to('T1:U1');
    expect(posted.threadKey).toBe(CHANNEL_THREAD);
    expect(posted.locale).toBe('sq');
    const who = (await runtime.db.person.findUniqueOrThrow({ where: { id: ids.rp1 } })).displayName;
    expect(posted.summary.startsWith(sq('questions:toAsker.answered', { who }))).toBe(true);
    expect(buttonsOf([posted]).map((b) => b.label)).toEqual(['questions:buttons.helpful', 'questions:buttons.reply', 'questions:buttons.followUp', 'questions:buttons.faqYes', 'questions:buttons.faqNo'].map((key) => sq(key)));
    // Neither the asker's English nor the answerer's Macedonian.
    expect(textOf([posted])).not.toContain(en('questions:toAsker.answered', { who }));
    expect(textOf([posted])).not.toMatch(/[\u0400-\u04FF]/);
  });

  it('tells the channel thread in the cluster\'s language when the question moves to the coordinator, with the time in the cluster\'s zone', async () => {
    const second = await ask(CHANNEL_THREAD, false, 'Can the lease be paid from the social budget, and who signs it?');
    slack.clear();
    await rp1().press({ actionId: 'questions:coordinator', value: second });
    const moved = slack.to('T1:U1');
    expect(moved).toHaveLength(1);
    expect(moved[0].threadKey).toBe(CHANNEL_THREAD);
    expect(moved[0].locale).toBe('sq');
    const coordinator = (await runtime.db.person.findFirstOrThrow({ where: { identities: { some: { externalId: 'web:lc1-coordinator' } } } })).displayName;
    expect(moved[0].summary).toBe(sq('questions:toAsker.moved', { who: coordinator, role: sq('roles.COORDINATOR') }));
    const { dueAt } = await runtime.db.routedQuestion.findUniqueOrThrow({ where: { id: second } });
    const lc1 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
    expect(textOf(moved)).toContain(sq('questions:toAsker.expected', { when: formatDateTime(dueAt!, lc1.timeZone, 'sq') }));
    expect(formatDateTime(dueAt!, lc1.timeZone, 'sq')).not.toBe(formatDateTime(dueAt!, 'Asia/Tokyo', 'sq'));
  });
});

describe('when a question asked in the asker\'s own chat is answered', () => {
  it('answers in the asker\'s language, not the cluster\'s', async () => {
    const questionId = await ask(DM_THREAD, true, 'Which legal form must the premises lease of the centre take?');
    expect((await runtime.db.routedQuestion.findUniqueOrThrow({ where: { id: questionId } })).threadRef).toEqual({ threadKey: DM_THREAD });
    slack.clear();
    await answer(questionId, 'Start with a two-day course and monthly supervision.');
    const [posted] = slack.to('T1:U1');
    expect(posted.threadKey).toBe(DM_THREAD);
    expect(posted.locale).toBe('en');
    expect(findButton([posted], en('questions:buttons.helpful'))).toBeTruthy();
    const who = (await runtime.db.person.findUniqueOrThrow({ where: { id: ids.rp1 } })).displayName;
    expect(posted.summary.startsWith(en('questions:toAsker.answered', { who }))).toBe(true);
  });
});

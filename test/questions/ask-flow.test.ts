import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { OutboundMessage, Select } from '../../src/core/messages.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { buttonsOf, findButton, formOf, talkAs, textOf } from '../support/transcript.js';
import { addIdentity, deadlineDriver, RecordingSender, talkIn } from './helpers.js';

const HOUR = 3_600_000;
const clock = new ManualClock(new Date('2026-11-23T09:00:00Z'));
const THREAD = 'SLACK:C42:1700000000.000100';
let runtime: Runtime;
let driver: ReturnType<typeof deadlineDriver>;
const slack = new RecordingSender('SLACK');
const teams = new RecordingSender('TEAMS');
const people: Record<string, string> = {};
let activityId: string;

const member = () => talkAs(runtime.bot, 'T1:U1', { platform: 'SLACK' });
const rp1 = () => talkAs(runtime.bot, 'tenant1:aad-rp1', { platform: 'TEAMS' });
const rp2 = () => talkAs(runtime.bot, 'tenant1:aad-rp2', { platform: 'TEAMS' });
const coordinator = () => talkAs(runtime.bot, 'tenant1:aad-coord', { platform: 'TEAMS' });

function selectOf(messages: OutboundMessage[]): Select {
  const select = messages.flatMap((m) => m.blocks).flatMap((b) => (b.type === 'actions' ? b.elements : [])).find((e): e is Select => e.type === 'select');
  if (!select) throw new Error('no select in the replies');
  return select;
}

beforeAll(async () => {
  runtime = await testRuntime({ clock });
  await seedDemo(runtime.db, clock.now());
  runtime.notifier.register(slack);
  runtime.notifier.register(teams);
  driver = deadlineDriver(runtime);
  people.m1 = await addIdentity(runtime, 'lc1-m1', 'SLACK', 'T1:U1');
  people.rp1 = await addIdentity(runtime, 'lc1-rp1', 'TEAMS', 'tenant1:aad-rp1');
  people.rp2 = await addIdentity(runtime, 'lc1-rp2', 'TEAMS', 'tenant1:aad-rp2');
  people.coordinator = await addIdentity(runtime, 'lc1-coordinator', 'TEAMS', 'tenant1:aad-coord');
  const lc1 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
  const plan = await runtime.db.actionPlan.create({
    data: {
      clusterId: lc1.id,
      authorId: people.m1,
      approach: lc1.approach,
      goal: 'A day-care centre for 20 elderly people in Gjilan',
      activities: {
        create: [
          { position: 1, activity: 'Find and secure premises for the centre', challenges: 'Ownership of the old school building is unclear', deadline: new Date('2027-01-31') },
          { position: 2, activity: 'Recruit two carers', challenges: 'Few trained carers apply' },
        ],
      },
    },
    include: { activities: { orderBy: { position: 'asc' } } },
  });
  activityId = plan.activities[0].id;
});

describe('when a Slack member asks about an activity and a Teams resource person answers', () => {
  let questionId: string;
  let firstAnswer: OutboundMessage[];

  it('routes the question with its plan context to the matching resource person on Teams', async () => {
    const inThread = talkIn(runtime.bot, 'SLACK', 'T1:U1', { threadKey: THREAD, direct: false });
    const form = formOf(await inThread.command('ask', 'Who must own the premises before we can register the centre?'));
    expect(form.fields.find((f) => f.name === 'question')?.initial).toBe('Who must own the premises before we can register the centre?');
    expect(form.fields.find((f) => f.name === 'link')?.options?.map((o) => o.label)).toContain('LC1 · Activity 1: Find and secure premises for the centre');

    // The modal submission carries no thread; the answer must still go to the thread the command came from.
    const modal = talkIn(runtime.bot, 'SLACK', 'T1:U1', { direct: false });
    const sent = await modal.submit('ask:question', { question: 'Who must own the premises before we can register the centre?', link: `activity:${activityId}`, urgent: 'yes' });
    expect(textOf(sent)).toContain('Your question went to Besnik Gashi (resource person)');
    expect(textOf(sent)).toMatch(/Expected by Mon 23 Nov 2026, 12:00/);

    const question = await runtime.db.routedQuestion.findFirstOrThrow({ where: { askerId: people.m1 } });
    questionId = question.id;
    // Asked in a channel thread (not the member's own chat): what goes back there is for everyone in it.
    expect(question.threadRef).toEqual({ threadKey: THREAD, shared: true });
    expect(question.planRef).toBe(activityId);

    const received = teams.to('tenant1:aad-rp1');
    expect(received).toHaveLength(1);
    const text = textOf(received);
    expect(text).toContain('URGENT');
    expect(text).toContain('A question for you from Fatmir Hoxha (Prishtina), LC1: Day-care Centers');
    expect(text).toContain('Activity 1: Find and secure premises for the centre');
    expect(text).toContain('Ownership of the old school building is unclear');
    expect(buttonsOf(received).map((b) => b.label)).toEqual(['Answer', 'Pass to another resource person', 'Ask the coordinator']);
    expect(slack.sent).toHaveLength(0);
  });

  it('delivers the answer to the member on Slack, in the thread they asked in', async () => {
    const answerForm = formOf(await rp1().press(findButton(teams.to('tenant1:aad-rp1'), 'Answer')));
    expect(answerForm.formId).toBe(`questions:answer:${questionId}`);
    const done = await rp1().submit(answerForm, { text: 'The municipality must own it or hold a lease of at least ten years; ask the cadastre first.' });
    expect(textOf(done)).toContain('Thank you! Your answer went to Fatmir Hoxha.');

    const answers = slack.to('T1:U1');
    firstAnswer = answers;
    expect(answers).toHaveLength(1);
    expect(answers[0].threadKey).toBe(THREAD);
    expect(textOf(answers)).toContain('Besnik Gashi answered your question');
    expect(textOf(answers)).toContain('hold a lease of at least ten years');
    expect(buttonsOf(answers).map((b) => b.label)).toEqual(['Helpful, thanks', 'Reply', 'Ask a follow-up', 'Yes, add it to the FAQ', 'No, keep it private']);
    expect(await driver.job(questionId, 1)).toBeUndefined();
  });

  it('lets the member mark it helpful, and the resource person hears so', async () => {
    teams.clear();
    const replies = await member().press(findButton(slack.to('T1:U1'), 'Helpful, thanks'));
    expect(textOf(replies)).toContain('Besnik Gashi will see that the answer helped');
    expect(textOf(teams.to('tenant1:aad-rp1'))).toContain('Fatmir Hoxha found your answer helpful');
  });

  it('relays a reply to the resource person, whose second answer reaches the same thread', async () => {
    teams.clear();
    slack.clear();
    const form = formOf(await member().press({ actionId: 'questions:reply', value: questionId }));
    expect(textOf(await member().submit(form, { text: 'The cadastre says the building belongs to the ministry.' }))).toContain('Your reply went to Besnik Gashi');
    const relayed = teams.to('tenant1:aad-rp1');
    expect(textOf(relayed)).toContain('Fatmir Hoxha replied to your answer');
    const second = formOf(await rp1().press(findButton(relayed, 'Answer')));
    await rp1().submit(second, { text: 'Then ask the ministry for a free-of-charge use agreement.' });
    expect(slack.to('T1:U1')[0].threadKey).toBe(THREAD);
    expect(textOf(slack.to('T1:U1'))).toContain('Besnik Gashi answered again');
  });

  it('sends a follow-up to the same resource person, even when its words match another one better', async () => {
    teams.clear();
    const form = formOf(await member().press({ actionId: 'questions:followup', value: questionId }));
    const sent = await member().submit(form, { text: 'And how do we train and monitor the staff there?' });
    expect(textOf(sent)).toContain('Your question went to Besnik Gashi');
    expect(textOf(teams.to('tenant1:aad-rp1'))).toContain('A follow-up to your answer, from Fatmir Hoxha');
    expect(teams.to('tenant1:aad-rp2')).toHaveLength(0);
  });

  it('refuses the asker’s buttons to anyone else', async () => {
    const text = textOf(await talkAs(runtime.bot, 'web:lc1-m2').press({ actionId: 'questions:faqYes', value: questionId }));
    expect(text).toContain('Only the person who asked can do that');
    expect((await runtime.db.routedQuestion.findUniqueOrThrow({ where: { id: questionId } })).inFaq).toBe(false);
  });

  it('publishes to the FAQ only after the asker consents, without the asker’s name', async () => {
    const colleague = talkAs(runtime.bot, 'web:lc1-m2');
    expect(textOf(await colleague.say('/lc faq premises own register'))).toContain("No answer in your cluster's FAQ matches");
    const consent = await member().press(findButton(firstAnswer, 'Yes, add it to the FAQ'));
    expect(textOf(consent)).toContain('now in your cluster');
    const found = textOf(await colleague.say('/lc faq premises own register'));
    expect(found).toContain('Who must own the premises before we can register the centre?');
    expect(found).toContain('hold a lease of at least ten years');
    expect(found).not.toContain('Fatmir');
  });
});

describe('when a member asks something the FAQ already answers', () => {
  const colleague = () => talkAs(runtime.bot, 'web:lc1-m2');
  const similar = 'Who has to own the premises when we register a day-care centre?';

  it('offers the closest answers first, and taking one sends nothing', async () => {
    const before = await runtime.db.routedQuestion.count();
    const form = formOf(await colleague().say(`/lc ask ${similar}`));
    const offer = await colleague().submit(form, { question: similar, urgent: 'no' });
    expect(textOf(offer)).toContain('these answers from your cluster and programme may already help');
    expect(textOf(offer)).toContain('hold a lease of at least ten years');
    const taken = await colleague().press(findButton(offer, 'This answers my question'));
    expect(textOf(taken)).toContain('glad an earlier answer helped');
    expect(await runtime.db.routedQuestion.count()).toBe(before);
  });

  it('sends the question on when the member chooses to, once only', async () => {
    const form = formOf(await colleague().say(`/lc ask ${similar}`));
    const offer = await colleague().submit(form, { question: similar, urgent: 'no' });
    const sent = await colleague().press(findButton(offer, 'Send my question to a resource person'));
    expect(textOf(sent)).toContain('Your question went to');
    expect(await runtime.db.routedQuestion.count({ where: { text: similar } })).toBe(1);
    // Pressed again: nothing is sent twice, and the answer says what already happened.
    const again = textOf(await colleague().press(findButton(offer, 'Send my question to a resource person')));
    expect(again).toContain('Already done at');
    expect(again).toContain('Send my question to a resource person: done by you at');
    expect(await runtime.db.routedQuestion.count({ where: { text: similar } })).toBe(1);
  });

  it('takes typed text as the question when the member writes instead of filling the form', async () => {
    await colleague().say('/lc ask');
    const form = formOf(await colleague().say('Can volunteers work in the centre?'));
    expect(form.fields.find((f) => f.name === 'question')?.initial).toBe('Can volunteers work in the centre?');
  });

  it('keeps what was typed when the question is too short or the link is not theirs', async () => {
    const form = formOf(await colleague().say('/lc ask'));
    const again = formOf(await colleague().submit(form, { question: 'hm?', urgent: 'maybe' }));
    expect(again.errors?.question).toContain('at least 5 characters');
    expect(again.errors?.urgent).toBe('Please pick one of the options.');
    expect(again.fields.find((f) => f.name === 'question')?.initial).toBe('hm?');
    const stolen = formOf(await colleague().submit(form, { question: 'May I link your activity?', link: `activity:${activityId}`, urgent: 'no' }));
    expect(stolen.errors?.link).toContain('your own action plan');
  });
});

describe('when an urgent question from the web chat is not answered', () => {
  it('escalates after two simulated hours to the next resource person, then to the coordinator, asking nobody twice', async () => {
    clock.set(new Date('2026-11-23T13:00:00Z'));
    teams.clear();
    const asker = talkAs(runtime.bot, 'web:lc1-m3');
    const form = formOf(await asker.say('/lc ask'));
    const sent = await asker.submit(form, { question: 'Legal question: can the financing start before registration?', urgent: 'yes' });
    expect(textOf(sent)).toContain('Besnik Gashi');
    const question = await runtime.db.routedQuestion.findFirstOrThrow({ where: { askerId: (await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: 'web:lc1-m3' } })).personId } });

    clock.advance(2 * HOUR);
    await driver.fire(question.id, 1);
    expect(textOf(teams.to('tenant1:aad-rp2'))).toContain('was not answered in time and comes to you now');
    clock.advance(2 * HOUR);
    await driver.fire(question.id, 2);
    const toCoordinator = teams.to('tenant1:aad-coord');
    expect(textOf(toCoordinator)).toContain('was not answered in time');
    // A coordinator answers; there is nobody to pass to above them.
    expect(buttonsOf(toCoordinator).map((b) => b.label)).toEqual(['Answer']);
    const asks = await runtime.db.questionAsk.findMany({ where: { questionId: question.id }, orderBy: { askedAt: 'asc' } });
    expect(asks.map((a) => a.personId)).toEqual([people.rp1, people.rp2, people.coordinator]);
    expect(new Set(asks.map((a) => a.personId)).size).toBe(asks.length);
    // The asker was told each time where the question went.
    const inbox = await runtime.webSender.drain('web:lc1-m3');
    expect(textOf(inbox)).toContain('Your question is now with Drita Berisha (resource person)');
    expect(textOf(inbox)).toContain('Your question is now with Arta Krasniqi (coordinator)');

    // The first resource person can still answer late; the answer goes through.
    const late = formOf(await rp1().press({ actionId: 'questions:answer', value: question.id }));
    await rp1().submit(late, { text: 'Sorry for the delay: no, register first.' });
    expect((await runtime.db.routedQuestion.findUniqueOrThrow({ where: { id: question.id } })).status).toBe('ANSWERED');
  });
});

describe('when a resource person passes a question on', () => {
  it('offers only colleagues not yet asked, and the chosen one receives it', async () => {
    clock.set(new Date('2026-11-24T09:00:00Z'));
    teams.clear();
    const asker = talkAs(runtime.bot, 'web:lc1-m4');
    await asker.submit(formOf(await asker.say('/lc ask')), { question: 'Which legal permits for the premises?', urgent: 'no' });
    const received = teams.to('tenant1:aad-rp1');
    const choose = await rp1().press(findButton(received, 'Pass to another resource person'));
    const select = selectOf(choose);
    expect(select.options.map((o) => o.label)).toEqual([expect.stringMatching(/^Drita Berisha \(\d+ open\)$/)]);
    expect(textOf(await rp1().choose(select, select.options[0].value))).toContain('Passed on to Drita Berisha');
    const passed = teams.to('tenant1:aad-rp2');
    expect(textOf(passed)).toContain('was passed on to you');

    // rp1 no longer holds it; rp2 sends it up to the coordinator.
    expect(textOf(await rp1().press(findButton(received, 'Ask the coordinator')))).toContain('moved on to someone else');
    expect(textOf(await rp2().press(findButton(passed, 'Ask the coordinator')))).toContain('Passed to the coordinator Arta Krasniqi');
    expect(textOf(teams.to('tenant1:aad-coord'))).toContain('asks you, as coordinator, to take this question');
    expect(textOf(await coordinator().press({ actionId: 'questions:pass', value: 'nonsense id!' }))).toContain("couldn't find that question");
  });

  it('refuses a pass to someone outside the cluster or already asked', async () => {
    const q = await runtime.db.routedQuestion.findFirstOrThrow({ where: { text: 'Which legal permits for the premises?' } });
    const text = textOf(await coordinator().press({ actionId: 'questions:passTo', value: `${q.id}|${people.rp1}` }));
    expect(text).toMatch(/moved on|only pass it to/);
  });
});

describe('when a coordinator looks at the status', () => {
  it('shows open questions, the median time to answer and the share answered in time', async () => {
    const text = textOf(await coordinator().say('/lc status LC1'));
    // Open: the colleague's question sent on, the passed question, and the follow-up, which inherited
    // urgency from its question and is past its two hours.
    expect(text).toContain('Open questions: 3 (1 overdue)');
    // Answered: the first one at once (same manual instant), the escalated one after 4 h.
    expect(text).toContain('Median time to answer: 2 h');
    // Judged: the two answered and the overdue follow-up; only the first was answered in time.
    expect(text).toContain('Answered in time: 33 %');
  });
});

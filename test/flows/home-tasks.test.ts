import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { syncQuestionnaires } from '../../src/domain/questionnaires/catalogue.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { buttonsOf, findButton, formOf, talkAs, textOf } from '../support/transcript.js';
import { datedGenericItem } from '../support/timeline.js';
import { submittedPlan } from './feedback/factory.js';

/**
 * `/lc home` as a task list, at several points of a cluster's timeline, for a member, a resource
 * person and a coordinator: each task with its due date and a button that does it, soonest first,
 * and an empty list that says what comes next.
 */

const seeded = new Date('2026-11-23T09:00:00Z');
const clock = new ManualClock(seeded);
let runtime: Runtime;
let lc1: { id: string; timeZone: string };
let ee2: Date;
const DAY = 24 * 3600 * 1000;

async function personOf(key: string) {
  return (await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'WEB', externalId: `web:${key}` } } })).personId;
}
const lc1Zone = () => lc1.timeZone;
const home = async (key: string) => talkAs(runtime.bot, `web:${key}`).say('/lc home');

beforeAll(async () => {
  runtime = await testRuntime({ clock });
  await seedDemo(runtime.db, seeded);
  lc1 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
  ee2 = (await datedGenericItem(runtime.db, lc1.id, 'EE2')).startsAt;
});

describe('when a member has no plan a week before EE2', () => {
  it('lists "Write your action plan, due …" with a button that opens it', async () => {
    clock.set(new Date(ee2.getTime() - 7 * DAY));
    const replies = await home('lc1-m1');
    expect(textOf(replies)).toMatch(/Write your action plan for LC1, due \w{3} \d+ \w{3} 2026, 10:00\./);
    const write = findButton(replies, 'Write my plan');
    const opened = await talkAs(runtime.bot, 'web:lc1-m1').press(write);
    expect(textOf(opened)).toContain('Your action plan (LC1: Day-care Centers)');
  });

  it('then lists the plan as unfinished, with the parts still missing, until it is submitted', async () => {
    const text = textOf(await home('lc1-m1'));
    expect(text).toMatch(/Finish your action plan for LC1: \d+ parts are missing, due /);
    expect(text).not.toContain('Write your action plan');
  });

  it('puts a review due before EE2 above the plan: soonest first', async () => {
    const m2 = await personOf('lc1-m2');
    const plan = await runtime.db.actionPlan.create({ data: { clusterId: lc1.id, authorId: m2, approach: 'Day-care Centers', stage: 'SUBMITTED' } });
    const round = await runtime.db.feedbackRound.create({ data: { clusterId: lc1.id, status: 'OPEN', deadline: new Date(ee2.getTime() - 2 * DAY), seed: 1 } });
    const assignment = await runtime.db.feedbackAssignment.create({ data: { roundId: round.id, planId: plan.id, reviewerId: await personOf('lc1-m1') } });
    const replies = await home('lc1-m1');
    const text = textOf(replies);
    expect(text.indexOf('Give feedback on the plan of')).toBeLessThan(text.indexOf('Finish your action plan'));
    expect(findButton(replies, 'Write feedback')).toMatchObject({ actionId: 'feedback:write', value: assignment.id });
  });
});

describe('when a member with a submitted plan has nothing to do', () => {
  it('says nothing is waiting and what comes next, and when', async () => {
    clock.set(new Date(ee2.getTime() - 7 * DAY));
    await runtime.db.actionPlan.create({ data: { clusterId: lc1.id, authorId: await personOf('lc1-m3'), approach: 'Day-care Centers', stage: 'SUBMITTED' } });
    expect(textOf(await home('lc1-m3'))).toMatch(/Nothing is waiting for you right now\. Next: Exchange event 2 of LC1, \w{3} \d+ \w{3} 2026, 10:00/);
  });
});

describe('when a member is applying their plan', () => {
  it('lists the activities due within two weeks, each with a button to record progress', async () => {
    clock.set(new Date(ee2.getTime() + 20 * DAY));
    await runtime.db.actionPlan.create({
      data: {
        clusterId: lc1.id,
        authorId: await personOf('lc1-m4'),
        approach: 'Day-care Centers',
        stage: 'IN_APPLICATION',
        activities: {
          create: [
            { position: 1, activity: 'Sign the lease of the premises', deadline: new Date(clock.now().getTime() + 5 * DAY) },
            { position: 2, activity: 'Open the centre', deadline: new Date(clock.now().getTime() + 60 * DAY) },
            { position: 3, activity: 'Hire two carers', deadline: new Date(clock.now().getTime() + 3 * DAY), progress: 'DONE' },
          ],
        },
      },
    });
    const replies = await home('lc1-m4');
    const text = textOf(replies);
    expect(text).toContain('Plan activity Sign the lease of the premises is due');
    expect(text).not.toContain('Open the centre is due');
    expect(text).not.toContain('Hire two carers');
    const form = formOf(await talkAs(runtime.bot, 'web:lc1-m4').press(findButton(replies, 'Record progress')));
    expect(form.formId).toContain('progress');
  });
});

describe('when a question waits for a resource person', () => {
  it('shows it on home with Answer and Pass on, lists it in /lc questions, and answering it there takes it off', async () => {
    clock.set(seeded);
    const member = talkAs(runtime.bot, 'web:lc1-m5');
    await member.submit(formOf(await member.say('/lc ask')), { question: 'Can volunteers work in the day-care centre?', urgent: 'no' });
    const question = await runtime.db.routedQuestion.findFirstOrThrow({ where: { text: { contains: 'volunteers' } }, include: { asks: { include: { person: { include: { identities: true } } } } } });
    const rpKey = question.asks[0].person.identities.find((i) => i.platform === 'WEB')!.externalId.replace(/^web:/, '');

    const onHome = await home(rpKey);
    expect(textOf(onHome)).toContain('Can volunteers work in the day-care centre?');
    expect(findButton(onHome, 'Answer')).toMatchObject({ value: question.id, repeatable: true });
    expect(findButton(onHome, 'Pass on').value).toBe(question.id);
    expect(findButton(onHome, 'My questions').value).toBe('questions');

    // After a reload nothing but the command is left: /lc questions finds it and answers it.
    const rp = talkAs(runtime.bot, `web:${rpKey}`);
    const list = await rp.say('/lc questions');
    expect(textOf(list)).toContain('1 question waits for your answer');
    expect(textOf(list)).toContain('Can volunteers work in the day-care centre?');
    const form = formOf(await rp.press(findButton(list, 'Answer')));
    await rp.submit(form, { text: 'Yes, with a signed volunteer agreement.' });
    const after = textOf(await rp.say('/lc questions'));
    expect(after).toContain('0 questions wait for your answer');
    expect(after).toContain('Your latest answers');
    // Listed with when it was answered, in the resource person's zone (10:00 in Prishtina is 09:00 UTC).
    expect(after).toContain('- LC1, 10:00: Can volunteers work in the day-care centre?');
    expect(textOf(await home(rpKey))).not.toContain('Can volunteers work');
  });

  it('passes a question on from /lc questions: it leaves my list and reaches the one I chose', async () => {
    const member = talkAs(runtime.bot, 'web:lc1-m5');
    await member.submit(formOf(await member.say('/lc ask')), { question: 'Who pays the carers in the first year?', urgent: 'no' });
    const question = await runtime.db.routedQuestion.findFirstOrThrow({ where: { text: { contains: 'pays the carers' } }, include: { asks: { include: { person: { include: { identities: true } } } } } });
    const fromKey = question.asks[0].person.identities.find((i) => i.platform === 'WEB')!.externalId;
    const rp = talkAs(runtime.bot, fromKey);
    const list = await rp.say('/lc questions');
    const pass = buttonsOf(list).find((b) => b.label === 'Pass on' && b.value === question.id)!;
    const choose = await rp.press(pass);
    const select = choose.flatMap((m) => m.blocks).flatMap((b) => (b.type === 'actions' ? b.elements : [])).find((e) => e.type === 'select')!;
    expect(select.type === 'select' && select.options.length).toBeGreaterThan(0);
    const option = select.type === 'select' ? select.options[0] : undefined;
    const toId = option!.value.split('|')[1];
    const passed = textOf(await rp.press({ actionId: 'questions:passTo', value: option!.value }));
    expect(passed).toContain('Passed on to');
    expect(textOf(await rp.say('/lc questions'))).not.toContain('Who pays the carers');
    const to = await runtime.db.platformIdentity.findFirstOrThrow({ where: { personId: toId, platform: 'WEB' } });
    const theirs = await talkAs(runtime.bot, to.externalId).say('/lc questions');
    expect(textOf(theirs)).toContain('Who pays the carers in the first year?');
    expect(buttonsOf(theirs).some((b) => b.label === 'Answer' && b.value === question.id)).toBe(true);
  });

  it('is offered in help to resource persons and coordinators, and refused to members', async () => {
    const help = await talkAs(runtime.bot, 'web:lc1-rp1').say('/lc help');
    expect(findButton(help, 'My questions').value).toBe('questions');
    expect(textOf(await talkAs(runtime.bot, 'web:lc1-rp1').say('/lc help all'))).toContain('/lc questions: the questions waiting for your answer');
    expect(textOf(await talkAs(runtime.bot, 'web:lc1-m6').say('/lc questions'))).toContain('is for other roles');
  });
});

describe('when a coordinator has registrations and invitations open', () => {
  it('lists registrations to approve and invitations not yet accepted, each with a button to the members list', async () => {
    const coordinator = talkAs(runtime.bot, 'web:lc1-coordinator');
    await coordinator.submit(formOf(await coordinator.say('/lc invite LC1')), { people: 'Ana Petrović', role: 'OBSERVER' });
    const newcomer = await runtime.db.person.create({ data: { displayName: 'Nora New', identities: { create: { platform: 'WEB', externalId: 'web:nora' } } } });
    await runtime.db.registration.create({ data: { personId: newcomer.id, programmeId: (await runtime.db.cluster.findUniqueOrThrow({ where: { id: lc1.id } })).programmeId, status: 'ASSIGNED', assignedClusterId: lc1.id, organisationName: 'Prizren', timeZone: 'Europe/Belgrade', consentAt: seeded } });
    const replies = await home('lc1-coordinator');
    const text = textOf(replies);
    expect(text).toContain('1 registration for LC1 waits for your approval.');
    expect(text).toContain('1 invitation to LC1 is not accepted yet.');
    const open = buttonsOf(replies).filter((b) => b.label === 'Open members');
    expect(open.map((b) => b.value)).toEqual(['members LC1', 'members LC1']);
    expect(textOf(await coordinator.press(open[0]))).toContain('waiting for your decision');
  });
});

describe('when feedback reaches a member and questionnaires wait for their answers, around EE2', () => {
  /** Noon in New York (17:00 UTC) on the day `days` after `from`: the member reads 12:00 EST, the cluster 18:00. */
  const noonInNewYork = (from: Date, days: number) => new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate() + days, 17));
  let application: Awaited<ReturnType<typeof datedGenericItem>>;
  let firstRun: { id: string; closesAt: Date };
  let laterRun: { id: string; closesAt: Date };
  let roundId: string;
  const m7 = () => talkAs(runtime.bot, 'web:lc1-m7');

  it('lists neither before feedback has arrived or a questionnaire is sent', async () => {
    await syncQuestionnaires(runtime.db, runtime.questionnaires);
    application = await datedGenericItem(runtime.db, lc1.id, 'APPLICATION');
    clock.set(new Date(ee2.getTime() - 10 * DAY));
    await runtime.db.person.update({ where: { id: await personOf('lc1-m7') }, data: { timeZone: 'America/New_York' } });
    await submittedPlan(runtime.db, 'LC1', 'web:lc1-m7');
    const text = textOf(await home('lc1-m7'));
    expect(text).not.toContain('feedback on your plan');
    expect(text).not.toContain('questionnaire');
  });

  it('lists the feedback received, due when the application period begins, and the questionnaires by closing time, soonest first, in the member\'s time zone', async () => {
    clock.set(new Date(ee2.getTime() - 2 * DAY));
    const author = await personOf('lc1-m7');
    const plan = await runtime.db.actionPlan.findFirstOrThrow({ where: { authorId: author, clusterId: lc1.id } });
    const round = await runtime.db.feedbackRound.create({ data: { clusterId: lc1.id, status: 'CLOSED', deadline: clock.now(), seed: 7 } });
    roundId = round.id;
    for (const reviewer of ['lc1-m8', 'lc1-m6']) {
      const assignment = await runtime.db.feedbackAssignment.create({ data: { roundId: round.id, planId: plan.id, reviewerId: await personOf(reviewer), status: 'SUBMITTED' } });
      await runtime.db.feedback.create({ data: { assignmentId: assignment.id, content: { strengths: `Clear goal, says ${reviewer}` }, rating: 4, submittedAt: clock.now(), deliveredAt: clock.now() } });
    }
    const questionnaire = await runtime.db.questionnaire.findFirstOrThrow({ where: { key: 'ee1-evaluation' } });
    const run = (closesAt: Date) =>
      runtime.db.questionnaireRun.create({ data: { questionnaireId: questionnaire.id, clusterId: lc1.id, anonymous: false, minGroupSize: 1, status: 'OPEN', opensAt: clock.now(), closesAt, participations: { create: { personId: author } } } });
    // One closes before the application period begins (the feedback's due date), one after.
    firstRun = await run(noonInNewYork(clock.now(), 1));
    laterRun = await run(noonInNewYork(application.startsAt, 10));
    expect(firstRun.closesAt.getTime()).toBeLessThan(application.startsAt.getTime());

    const replies = await home('lc1-m7');
    const text = textOf(replies);
    const day = (d: Date) => new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'America/New_York' }).format(d).replace(',', '');
    const first = `A questionnaire of LC1 waits for your answers (closes ${day(firstRun.closesAt)}, 12:00 EST).`;
    const feedback = /You received 2 pieces of feedback on your plan for LC1: read them, mark what you take up, then save the consolidated version, due \w{3} \d+ \w{3} 20\d\d\./;
    const later = `A questionnaire of LC1 waits for your answers (closes ${day(laterRun.closesAt)}, 12:00 EST).`;
    expect(text).toContain(first);
    expect(text).toMatch(feedback);
    expect(text).toContain(later);
    // Soonest first: the questionnaire closing tomorrow, the plan to consolidate, the questionnaire closing later.
    expect(text.indexOf(first)).toBeLessThan(text.search(feedback));
    expect(text.search(feedback)).toBeLessThan(text.indexOf(later));
    // The feedback's due date is the first day of the application period, as the cluster's calendar has it.
    expect(text).toContain(`version, due ${new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: lc1Zone() }).format(application.startsAt).replace(',', '')}.`);

    // Each task's button does it: the feedback opens, the questionnaire's form opens.
    const opened = await m7().press(findButton(replies, 'Open the feedback'));
    expect(textOf(opened)).toContain('LC1: 2 of 2 received');
    const answers = buttonsOf(replies).filter((b) => b.label === 'Answer');
    expect(answers.map((b) => b.value)).toEqual([firstRun.id, laterRun.id]);
    const form = formOf(await m7().press(answers[0]));
    expect(form.formId).toBe('survey:all');
  });

  it('takes each off once done: the questionnaire answered, the plan consolidated', async () => {
    const form = formOf(await m7().press({ actionId: 'survey:form', value: firstRun.id }));
    await m7().submit(form, { input_useful: '4', template_clear: '5', recommend: '8', learned_most: '' });
    const after = await home('lc1-m7');
    let text = textOf(after);
    expect(buttonsOf(after).filter((b) => b.label === 'Answer').map((b) => b.value)).toEqual([laterRun.id]);
    expect(text.match(/A questionnaire of LC1 waits/g)).toHaveLength(1);
    expect(text).toContain('pieces of feedback on your plan for LC1');

    const overview = await m7().say('/lc feedback');
    const consolidate = formOf(await m7().press(findButton(overview, 'Consolidate my plan')));
    await m7().submit(consolidate, { note: 'Added a budget line' });
    text = textOf(await home('lc1-m7'));
    expect(text).not.toContain('feedback on your plan');
    expect(await runtime.db.actionPlanVersion.count({ where: { answersRoundId: roundId } })).toBe(1);

    // Past its closing time the later questionnaire is gone too.
    clock.set(new Date(laterRun.closesAt.getTime() + 3600_000));
    expect(buttonsOf(await home('lc1-m7')).filter((b) => b.label === 'Answer')).toEqual([]);
  });
});

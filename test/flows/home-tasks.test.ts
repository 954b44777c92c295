import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { buttonsOf, findButton, formOf, talkAs, textOf } from '../support/transcript.js';

/**
 * `/lc home` as a task list, at several points of a cluster's timeline, for a member, a resource
 * person and a coordinator: each task with its due date and a button that does it, soonest first,
 * and an empty list that says what comes next.
 */

const seeded = new Date('2026-11-23T09:00:00Z');
const clock = new ManualClock(seeded);
let runtime: Runtime;
let lc1: { id: string };
let ee2: Date;
const DAY = 24 * 3600 * 1000;

async function personOf(key: string) {
  return (await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'WEB', externalId: `web:${key}` } } })).personId;
}
const home = async (key: string) => talkAs(runtime.bot, `web:${key}`).say('/lc home');

beforeAll(async () => {
  runtime = await testRuntime({ clock });
  await seedDemo(runtime.db, seeded);
  lc1 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
  ee2 = (await runtime.db.timelineItem.findFirstOrThrow({ where: { clusterId: lc1.id, kind: 'EE2' } })).startsAt;
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
    expect(after).toContain('Can volunteers work in the day-care centre?');
    expect(textOf(await home(rpKey))).not.toContain('Can volunteers work');
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

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import type { LoggingSchedulerPort } from '../../src/core/scheduler-port.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { createRuntime, type Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { downloadIdOf, linkIdentity, personOf } from '../support/plans.js';
import { buttonsOf, findButton, talkAs, textOf } from '../support/transcript.js';

let runtime: Runtime;
let restarted: Runtime | undefined;
beforeAll(async () => {
  runtime = await testRuntime();
  await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
});
afterAll(async () => {
  await restarted?.stop();
});

const activities = [
  { activity: 'Secure premises for the day-care centre and clarify ownership rights', responsible: 'Head of social services', deadline: '2027-01-31', challenges: 'The building belongs to the ministry', mitigation: 'Ask for a free lease early', resources: 'Legal advice', results: 'A signed lease' },
  { activity: 'Hire and train four carers', responsible: 'HR office', deadline: '2027-02-28', challenges: 'Few trained carers', mitigation: 'Train with the resource person', resources: 'Training budget', results: 'Four trained carers' },
  { activity: 'Open the centre to 20 children', responsible: 'Centre manager', deadline: '2027-03-31', challenges: 'Parents may not trust it', mitigation: 'Open days', resources: 'Furniture', results: 'Twenty children attend' },
];
const order = ['responsible', 'deadline', 'challenges', 'mitigation', 'resources', 'results'] as const;

describe('when a member drafts a plan step by step over two sittings, on the web and then in Slack', () => {
  it('saves every answer at once, resumes after a restart on another platform, submits, exports, and only the cluster may read it', async () => {
    const web = talkAs(runtime.bot, 'web:lc1-m1');
    let replies = await web.say('/lc plan');
    expect(textOf(replies)).toContain('Your action plan (LC1: Day-care Centers)');
    expect(textOf(replies)).toContain('Goal: not written yet');

    replies = await web.press(findButton(replies, 'Answer step by step'));
    expect(textOf(replies)).toContain('Question 1 of 11');
    expect(textOf(replies)).toContain('What do you want to achieve by implementing this approach?');

    replies = await web.say('A day-care centre for children with disabilities');
    expect(textOf(replies)).toContain('Saved: Goal.');
    expect(textOf(replies)).toContain('What do you want to change or improve in your municipality?');
    // Autosave: the answer is in the plan row already, not only in the conversation.
    const author = await personOf(runtime.db, 'web:lc1-m1');
    const stored = await runtime.db.actionPlan.findFirstOrThrow({ where: { authorId: author.id } });
    expect(stored.goal).toBe('A day-care centre for children with disabilities');

    replies = await web.say('skip');
    expect(textOf(replies)).toContain('Who do you want to target?');
    replies = await web.say('back');
    expect(textOf(replies)).toContain('What do you want to change or improve');
    await web.say('Families get daytime care close to home');
    await web.say('Children with disabilities aged 3 to 14');
    replies = await web.say('Children and their parents');
    expect(textOf(replies)).toContain('New activity: what shall be done?');
    expect(textOf(replies)).toContain('legal aspects');

    replies = await web.say(activities[0].activity);
    expect(textOf(replies)).toContain('Who is responsible');
    await web.say(activities[0].responsible);
    replies = await web.say('31.02.2027');
    expect(textOf(replies)).toContain('Please give a real date, e.g. 31.12.2026');
    // Typed the local way, and outside the timeline: saved, with a note.
    replies = await web.say('31.01.2030');
    expect(textOf(replies)).toContain("Thu 31 Jan 2030 is outside the cluster's timeline");
    expect(textOf(replies)).toContain('What challenges might you face');
    replies = await web.say('stop');
    expect(textOf(replies)).toContain('Everything you answered is saved');
    findButton(replies, 'Continue where I left off');

    // A restart: a new runtime on the same database (nothing was kept in memory).
    restarted = createRuntime(runtime.config, createLogger('silent'));
    await linkIdentity(restarted.db, 'web:lc1-m1', 'SLACK', 'T1:U1');
    const slack = talkAs(restarted.bot, 'T1:U1', { platform: 'SLACK' });
    replies = await slack.say('/lc plan');
    expect(textOf(replies)).toContain('A day-care centre for children with disabilities');
    replies = await slack.press(findButton(replies, 'Continue where I left off'));
    expect(textOf(replies)).toContain('What challenges might you face');
    expect(textOf(replies)).toContain('Activity 1');

    // Fix the year first: "back" returns to the deadline, showing the saved answer.
    replies = await slack.say('back');
    expect(textOf(replies)).toContain('Current answer: 2030-01-31');
    await slack.say(activities[0].deadline);
    for (const field of order.slice(2)) replies = await slack.say(activities[0][field]);
    expect(textOf(replies)).toContain('Do you want to add another activity?');
    for (const a of activities.slice(1)) {
      // Typing the next activity directly at "another?" starts it.
      replies = await slack.say(a.activity);
      for (const field of order) replies = await slack.say(a[field]);
    }
    replies = await slack.press(findButton(replies, 'Finish for now'));
    expect(textOf(replies)).toContain('you went through the whole plan');

    const plan = await restarted.db.actionPlan.findFirstOrThrow({ where: { authorId: author.id }, include: { activities: { orderBy: { position: 'asc' } } } });
    expect(plan).toMatchObject({ goal: 'A day-care centre for children with disabilities', change: 'Families get daytime care close to home', targetGroup: 'Children with disabilities aged 3 to 14', beneficiaries: 'Children and their parents' });
    expect(plan.activities.map((a) => ({ ...a, deadline: a.deadline?.toISOString().slice(0, 10) }))).toMatchObject(activities);

    replies = await slack.press(findButton(replies, 'Submit my plan'));
    expect(textOf(replies)).toContain('Submitted! Version 1');
    expect((restarted.services.scheduler as LoggingSchedulerPort).announcements).toContainEqual({ clusterId: plan.clusterId, reason: 'plan' });

    replies = await slack.press(findButton(replies, 'Export'));
    replies = await slack.press(findButton(replies, 'Markdown'));
    const file = await restarted.db.download.findUniqueOrThrow({ where: { id: downloadIdOf(textOf(replies)) } });
    const markdown = Buffer.from(file.body).toString('utf8');
    for (const a of activities) for (const value of Object.values(a)) expect(markdown).toContain(value);

    // Another member of LC1 reads the submitted plan from /lc plans.
    const peer = talkAs(restarted.bot, 'web:lc1-m2');
    replies = await peer.say('/lc plans');
    expect(textOf(replies)).toContain('Submitted plans of your cluster');
    const select = replies.flatMap((m) => m.blocks).flatMap((b) => (b.type === 'actions' ? b.elements : [])).find((e) => e.type === 'select');
    expect(select?.type).toBe('select');
    replies = await peer.choose(select as never, plan.id);
    expect(textOf(replies)).toContain('A day-care centre for children with disabilities');
    expect(textOf(replies)).toContain(activities[1].activity);
    expect(textOf(replies)).not.toContain('[Edit');
    // Each activity and the goal open in full, read only.
    replies = await peer.press(findButton(replies, 'Activity 3'));
    expect(textOf(replies)).toContain('Activity 3 of 3');
    for (const value of Object.values(activities[2]).filter((v) => !v.startsWith('2027'))) expect(textOf(replies)).toContain(value);
    expect(textOf(replies)).not.toContain('[Edit');
    replies = await peer.press(findButton(replies, /Back to the plan/));
    replies = await peer.press(findButton(replies, 'Goal and beneficiaries'));
    expect(textOf(replies)).toContain('Families get daytime care close to home');
    expect(textOf(replies)).not.toContain('[Edit');

    // A member of another cluster is refused, whatever button they forge.
    const outsider = talkAs(restarted.bot, 'web:lc2-m1');
    replies = await outsider.press({ actionId: 'plan:open', value: plan.id });
    expect(textOf(replies)).toContain('only read action plans of your own cluster');
    replies = await outsider.press({ actionId: 'plan:export', value: `${plan.id}:csv` });
    expect(textOf(replies)).toContain('only read action plans of your own cluster');
  });
});

describe('when a guided answer is too long', () => {
  it('refuses it naming the limit, hands the text back, saves nothing and stays on the question', async () => {
    const member = talkAs(runtime.bot, 'web:lc1-m5');
    let replies = await member.say('/lc plan');
    replies = await member.press(findButton(replies, 'Answer step by step'));
    const long = `${'word '.repeat(400)}end`;
    replies = await member.say(long);
    const text = textOf(replies);
    expect(text).toContain(`That answer has ${long.length} characters; at most 2000 fit here`);
    expect(text).toContain(long);
    expect(text).toContain('What do you want to achieve');
    const author = await personOf(runtime.db, 'web:lc1-m5');
    expect((await runtime.db.actionPlan.findFirstOrThrow({ where: { authorId: author.id } })).goal).toBeNull();
    replies = await member.say('A shorter goal');
    expect(textOf(replies)).toContain('Saved: Goal.');
  });
});

describe('when a member asks for help', () => {
  it('lists /lc plan and /lc plans with their usage among all commands', async () => {
    const text = textOf(await talkAs(runtime.bot, 'web:lc1-m6').say('/lc help all'));
    expect(text).toContain('/lc plan [cluster]: write your action plan');
    expect(text).toContain('/lc plans [cluster]');
  });
});

describe('when a member presses a button on an old question of the step-by-step plan', () => {
  it('acts on nothing, says the question is behind them, and shows where they are now', async () => {
    const member = talkAs(runtime.bot, 'web:lc1-m7');
    const question1 = await member.press(findButton(await member.say('/lc plan'), 'Answer step by step'));
    expect(textOf(question1)).toContain('Question 1 of');
    await member.say('Daytime care for elderly people');
    const question3 = await member.say('Fewer elderly people alone at home');
    expect(textOf(question3)).toContain('Question 3 of');

    const old = await member.press(findButton(question1, 'Skip'));
    expect(textOf(old)).toContain('That button was for question 1, which you have moved on from, so nothing was changed.');
    expect(textOf(old)).toContain('Question 3 of');
    expect(old[0].replaceOriginal).toBe(true);
    // Still at question 3: the next answer lands there, and question 1's answer is untouched.
    await member.say('Elderly people living alone');
    const plan = await runtime.db.actionPlan.findFirstOrThrow({ where: { authorId: (await personOf(runtime.db, 'web:lc1-m7')).id } });
    expect(plan).toMatchObject({ goal: 'Daytime care for elderly people', change: 'Fewer elderly people alone at home', targetGroup: 'Elderly people living alone' });
  });

  it('after the member stopped, says the step is over and offers to carry on', async () => {
    const member = talkAs(runtime.bot, 'web:lc1-m7');
    const question = await member.say('Elderly people and their families');
    await member.press(findButton(question, 'Stop'));
    const late = await member.press(findButton(question, 'Skip'));
    expect(textOf(late)).toContain('That button belongs to a step that is already over');
    expect(textOf(late)).not.toContain('earlier version');
    expect(findButton(late, 'Carry on: /lc plan').value).toBe('plan');
  });
});

describe('when a member who reads Serbian in Cyrillic answers step by step on a Latin keyboard', () => {
  it('takes the Latin word, with or without diacritics (preskoci), as the Cyrillic one', async () => {
    const member = talkAs(runtime.bot, 'web:lc2-m2');
    await member.say('/lc me');
    await runtime.db.person.updateMany({ where: { identities: { some: { externalId: 'web:lc2-m2' } } }, data: { locale: 'sr-Cyrl' } });
    let replies = await member.say('/lc plan');
    replies = await member.press(buttonsOf(replies).find((b) => b.actionId === 'plan:guided')!);
    const first = textOf(replies);
    replies = await member.say('preskoci');
    expect(textOf(replies)).not.toBe(first);
    // Skipped, not saved as the answer.
    const author = await personOf(runtime.db, 'web:lc2-m2');
    expect((await runtime.db.actionPlan.findFirstOrThrow({ where: { authorId: author.id } })).goal ?? '').not.toContain('preskoci');
    replies = await member.say('nazad');
    expect(textOf(replies)).toContain(first.split('\n').find((line) => line.includes('?'))!);
  });
});

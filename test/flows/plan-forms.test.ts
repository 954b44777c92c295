import { beforeAll, describe, expect, it } from 'vitest';
import type { LoggingSchedulerPort } from '../../src/core/scheduler-port.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { linkIdentity, personOf } from '../support/plans.js';
import { buttonsOf, findButton, formOf, talkAs, textOf } from '../support/transcript.js';

let runtime: Runtime;
beforeAll(async () => {
  runtime = await testRuntime();
  await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
});

const activityValues = (activity: string, extra: Record<string, string> = {}) => ({
  activity,
  responsible: '',
  deadline: '',
  challenges: '',
  mitigation: '',
  resources: '',
  results: '',
  ...extra,
});

async function planOf(webId: string) {
  const person = await personOf(runtime.db, webId);
  return runtime.db.actionPlan.findFirstOrThrow({ where: { authorId: person.id }, include: { activities: { orderBy: { position: 'asc' } } } });
}

describe('when a member writes the plan with the section forms', () => {
  it('shows the guiding questions and limits, refuses an over-long answer naming the limit and keeps the text', async () => {
    const member = talkAs(runtime.bot, 'web:lc1-m3');
    let replies = await member.say('/lc plan');
    replies = await member.press(findButton(replies, 'Edit goal and beneficiaries'));
    const form = formOf(replies);
    expect(form.fields.map((f) => f.name)).toEqual(['approach', 'goal', 'change', 'targetGroup', 'beneficiaries']);
    expect(form.fields[0].initial).toBe('Day-care Centers');
    expect(form.fields[1].hint).toContain('What do you want to achieve');
    expect(form.fields[1].hint).toContain('At most 2000 characters.');

    const tooLong = 'x'.repeat(2001);
    replies = await member.submit(form, { approach: 'Day-care Centers', goal: tooLong, change: 'Better care', targetGroup: '', beneficiaries: '' });
    const again = formOf(replies);
    expect(again.formId).toBe(form.formId);
    expect(again.errors?.goal).toBe('At most 2000 characters (you wrote 2001).');
    expect(again.fields.find((f) => f.name === 'goal')?.initial).toBe(tooLong);
    expect(again.fields.find((f) => f.name === 'change')?.initial).toBe('Better care');
    expect((await planOf('web:lc1-m3')).goal).toBeNull();

    replies = await member.submit(form, { approach: 'Day-care Centers', goal: 'Daytime care', change: 'Better care', targetGroup: 'Children', beneficiaries: 'Families' });
    expect(textOf(replies)).toContain('Saved.');
    expect(await planOf('web:lc1-m3')).toMatchObject({ goal: 'Daytime care', change: 'Better care', targetGroup: 'Children', beneficiaries: 'Families' });
  });

  it('adds, edits, reorders and removes activities with undo; a wrong date is refused, a date outside the timeline only warned about', async () => {
    const member = talkAs(runtime.bot, 'web:lc1-m3');
    let replies = await member.say('/lc plan');
    replies = await member.press(findButton(replies, 'Add activity'));
    let form = formOf(replies);
    expect(form.fields.map((f) => f.name)).toEqual(['activity', 'responsible', 'deadline', 'challenges', 'mitigation', 'resources', 'results']);
    expect(form.fields[0].hint).toContain('legal aspects');
    expect(form.fields[2].hint).toMatch(/timeline runs from \w{3} \d{1,2} \w{3} \d{4} to \w{3} \d{1,2} \w{3} \d{4}/);

    replies = await member.submit(form, activityValues('Find premises', { deadline: '2027-02-30' }));
    expect(formOf(replies).errors?.deadline).toContain('Please give a real date');
    expect((await planOf('web:lc1-m3')).activities).toHaveLength(0);

    const scheduler = runtime.services.scheduler as LoggingSchedulerPort;
    const announced = scheduler.announcements.length;
    replies = await member.submit(form, activityValues('Find premises', { deadline: '2031-05-01', responsible: 'Mayor' }));
    expect(textOf(replies)).toContain("Thu 1 May 2031 is outside the cluster's timeline");
    // A new deadline re-plans the cluster's nudges.
    expect(scheduler.announcements.slice(announced)).toEqual([{ clusterId: (await planOf('web:lc1-m3')).clusterId, reason: 'plan' }]);
    replies = await member.press(findButton(replies, 'Add activity'));
    replies = await member.submit(formOf(replies), activityValues('Hire carers'));
    replies = await member.press(findButton(replies, 'Add activity'));
    replies = await member.submit(formOf(replies), activityValues('Open the centre'));
    expect((await planOf('web:lc1-m3')).activities.map((a) => a.activity)).toEqual(['Find premises', 'Hire carers', 'Open the centre']);

    const [premises] = (await planOf('web:lc1-m3')).activities;
    replies = await member.press({ actionId: 'plan:editActivity', value: premises.id });
    form = formOf(replies);
    expect(form.fields.find((f) => f.name === 'responsible')?.initial).toBe('Mayor');
    replies = await member.submit(form, activityValues('Find premises and check ownership', { deadline: '2027-01-15', responsible: 'Mayor' }));
    expect(textOf(replies)).not.toContain('outside');

    replies = await member.press({ actionId: 'plan:move', value: `${premises.id}:down` });
    // Moved from its own view, the activity stays in view at its new place.
    expect(textOf(replies)).toContain('Moved.');
    expect(textOf(replies)).toContain('Activity 2 of 3');
    expect(textOf(replies)).toContain('Find premises and check ownership');
    expect((await planOf('web:lc1-m3')).activities.map((a) => a.activity)).toEqual(['Hire carers', 'Find premises and check ownership', 'Open the centre']);

    const removeButton = { actionId: 'plan:removeActivity', value: (await planOf('web:lc1-m3')).activities[2].id };
    const remove = findButton(replies, 'Remove');
    expect(remove.confirm?.title).toBe('Remove this activity?');
    replies = await member.press(removeButton);
    expect(textOf(replies)).toContain('Removed activity "Open the centre"');
    expect((await planOf('web:lc1-m3')).activities).toHaveLength(2);
    replies = await member.press(findButton(replies, 'Undo'));
    expect(textOf(replies)).toContain('is back in place');
    expect((await planOf('web:lc1-m3')).activities.map((a) => [a.activity, a.position])).toEqual([
      ['Hire carers', 0],
      ['Find premises and check ownership', 1],
      ['Open the centre', 2],
    ]);
  });

  it('lists exactly what is missing on submit, then submits once complete, and records progress in application (continued in Teams)', async () => {
    const member = talkAs(runtime.bot, 'web:lc1-m3');
    let replies = await member.say('/lc plan');
    replies = await member.press(findButton(replies, 'Submit my plan'));
    const text = textOf(replies);
    expect(text).toContain('10 parts are missing');
    expect(text).toContain('Activity 1: Responsible\n- Activity 1: Deadline\n- Activity 1: Resources\n- Activity 1: Results\n- Activity 2: Resources\n- Activity 2: Results\n- Activity 3: Responsible\n- Activity 3: Deadline\n- Activity 3: Resources\n- Activity 3: Results');
    // Fewer than 10 lines would mean something is hidden; more that something filled is reported.
    expect(text.match(/^- Activity/gm)).toHaveLength(10);
    const plan = await planOf('web:lc1-m3');
    expect(plan.stage).toBe('DRAFT');
    expect(await runtime.db.actionPlanVersion.count({ where: { planId: plan.id } })).toBe(0);

    await linkIdentity(runtime.db, 'web:lc1-m3', 'TEAMS', 'tenant:aad-m3');
    const teams = talkAs(runtime.bot, 'tenant:aad-m3', { platform: 'TEAMS' });
    for (const [i, a] of plan.activities.entries()) {
      replies = await teams.press({ actionId: 'plan:editActivity', value: a.id });
      replies = await teams.submit(formOf(replies), activityValues(a.activity, { responsible: 'Team', deadline: `2027-0${i + 1}-15`, resources: 'Budget', results: 'Done well' }));
      // An edited activity is shown as saved, in full, with the way back to the plan.
      expect(textOf(replies)).toContain(`Saved.`);
      expect(textOf(replies)).toContain(`Activity ${i + 1} of 3`);
      expect(textOf(replies)).toContain('Responsible: Team');
    }
    replies = await teams.press(findButton(replies, /Back to the plan/));
    expect(textOf(replies)).not.toContain('missing');
    replies = await teams.press(findButton(replies, 'Submit my plan'));
    expect(textOf(replies)).toContain('Submitted! Version 1');
    expect(findButton(replies, 'Start applying')).toBeTruthy();

    expect(buttonsOf(replies).map((b) => b.label)).not.toContain('Save consolidated version');

    // After feedback at EE2 the member works it in; the changed plan can be saved as a consolidated version.
    replies = await teams.press({ actionId: 'plan:editActivity', value: plan.activities[0].id });
    replies = await teams.submit(formOf(replies), activityValues(plan.activities[0].activity, { responsible: 'Team and NGO partner', deadline: '2027-01-15', resources: 'Budget', results: 'Done well' }));
    replies = await teams.press(findButton(replies, /Back to the plan/));
    replies = await teams.press(findButton(replies, 'Save consolidated version'));
    expect(textOf(replies)).toContain('Saved as version 2 (consolidated)');

    replies = await teams.press(findButton(replies, 'Start applying'));
    expect(textOf(replies)).toContain('now in application (version 3)');
    expect(textOf(replies)).toContain(`1. ${plan.activities[0].activity}`);
    expect(textOf(replies)).toContain('Not started');
    replies = await teams.press(findButton(replies, 'Activity 1'));
    replies = await teams.press(findButton(replies, 'Update progress'));
    const progress = formOf(replies);
    replies = await teams.submit(progress, { progress: 'BLOCKED', note: 'x'.repeat(1001) });
    expect(formOf(replies).errors?.note).toContain('At most 1000');
    replies = await teams.submit(progress, { progress: 'BLOCKED', note: 'Waiting for the ministry' });
    expect(textOf(replies)).toContain('Progress: Blocked: Waiting for the ministry');
    const stored = await planOf('web:lc1-m3');
    expect(stored.stage).toBe('IN_APPLICATION');
    expect(stored.activities[0]).toMatchObject({ progress: 'BLOCKED', progressNote: 'Waiting for the ministry' });
  });

  it('refuses to let anyone but the author change the plan', async () => {
    const plan = await planOf('web:lc1-m3');
    const coordinator = talkAs(runtime.bot, 'web:lc1-coordinator');
    const replies = await coordinator.press({ actionId: 'plan:editGoal', value: plan.id });
    expect(textOf(replies)).toContain('Only the author can change this plan');
    const forged = await coordinator.submit({ formId: `plan:goal:${plan.id}` }, { approach: 'Hijacked', goal: 'x', change: '', targetGroup: '', beneficiaries: '' });
    expect(textOf(forged)).toContain('Only the author can change this plan');
    expect((await planOf('web:lc1-m3')).approach).toBe('Day-care Centers');
  });
});

describe('when a member belongs to two clusters', () => {
  it('asks which cluster, accepts the code as an argument, and refuses a code that is not theirs', async () => {
    const person = await personOf(runtime.db, 'web:lc1-m7');
    const lc2 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC2' } });
    await runtime.db.membership.create({ data: { personId: person.id, clusterId: lc2.id, role: 'MEMBER' } });
    const member = talkAs(runtime.bot, 'web:lc1-m7');
    let replies = await member.say('/lc plan');
    expect(textOf(replies)).toContain('You are in several clusters. Which one?');
    replies = await member.press(findButton(replies, 'LC2: Awareness Raising'));
    expect(textOf(replies)).toContain('Your action plan (LC2: Awareness Raising)');
    expect(textOf(await member.say('/lc plan lc1'))).toContain('Your action plan (LC1: Day-care Centers)');
    expect(textOf(await member.say('/lc plan LC9'))).toContain("I don't know a cluster LC9 of yours. Your clusters: LC1, LC2.");
    expect(await runtime.db.actionPlan.count({ where: { authorId: person.id } })).toBe(2);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { syncQuestionnaires } from '../../src/domain/questionnaires/catalogue.js';
import type { Runtime } from '../../src/server/runtime.js';
import { RecordingSender, submittedPlan } from '../flows/feedback/factory.js';
import { registrationValues } from '../flows/clusters/helpers.js';
import { testRuntime } from '../support/harness.js';
import { buttonsOf, findButton, formOf, talkAs, textOf } from '../support/transcript.js';

/**
 * The double-submit matrix of issue 16: every save, submit and confirm pressed ten times at once
 * with the same one-time token (a double click, a retried request, two instances) acts once, and
 * every other press answers "already done" with the outcome, never with an error.
 */

const TODAY = new Date('2026-11-23T09:00:00Z');
let runtime: Runtime;
let inbox: RecordingSender;
let lc1: { id: string };

beforeAll(async () => {
  runtime = await testRuntime({ clock: new ManualClock(TODAY) });
  await seedDemo(runtime.db, TODAY);
  await syncQuestionnaires(runtime.db, runtime.questionnaires);
  inbox = new RecordingSender();
  runtime.notifier.register(inbox);
  lc1 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
});

const ERROR_TEXT = /went wrong|cannot move|earlier version|another window|has expired|not allowed|couldn't|try again/i;
const REPEAT_TEXT = /Already done at|being done right now/;

/** Ten uses at once of the same button or form; checks the answers and returns the one that acted. */
async function tenAtOnce(use: () => Promise<OutboundMessage[]>): Promise<OutboundMessage[]> {
  const answers = await Promise.all(Array.from({ length: 10 }, use));
  for (const answer of answers) expect(textOf(answer)).not.toMatch(ERROR_TEXT);
  const acted = answers.filter((a) => !REPEAT_TEXT.test(textOf(a)));
  expect(acted).toHaveLength(1);
  // Each repeat takes the place of the used message, like the first answer did.
  for (const repeat of answers.filter((a) => a !== acted[0])) expect(repeat[0].replaceOriginal).toBe(true);
  return acted[0];
}

const activityValues = { activity: 'Find premises', responsible: 'Mayor', deadline: '2027-02-15', challenges: '', mitigation: '', resources: 'Budget', results: 'Premises found' };
const goalValues = { approach: 'Day-care Centers', goal: 'Daytime care for elderly people', change: 'Fewer alone at home', targetGroup: 'Elderly people', beneficiaries: 'Families' };

describe('when a member double-clicks through writing and submitting the action plan', () => {
  const member = () => talkAs(runtime.bot, 'web:lc1-m3');
  const plan = async () => {
    const person = await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: 'web:lc1-m3' } });
    return runtime.db.actionPlan.findFirstOrThrow({ where: { authorId: person.personId }, include: { activities: true, versions: true } });
  };

  it('saves an activity once', async () => {
    const form = formOf(await member().press(findButton(await member().say('/lc plan'), 'Add activity')));
    const acted = await tenAtOnce(() => member().submit(form, activityValues));
    expect(textOf(acted)).toContain('Find premises');
    expect((await plan()).activities).toHaveLength(1);
  });

  it('saves the goal once', async () => {
    const form = formOf(await member().press(findButton(await member().say('/lc plan'), 'Edit goal and beneficiaries')));
    const acted = await tenAtOnce(() => member().submit(form, goalValues));
    expect(textOf(acted)).toContain('Saved.');
    expect((await plan()).goal).toBe('Daytime care for elderly people');
  });

  it('submits the plan once', async () => {
    const submit = findButton(await member().say('/lc plan'), 'Submit my plan');
    const acted = await tenAtOnce(() => member().press(submit));
    expect(textOf(acted)).toContain('Submitted! Version 1');
    const after = await plan();
    expect(after.stage).toBe('SUBMITTED');
    expect(after.versions).toHaveLength(1);
  });

  it('saves the consolidated version once', async () => {
    const form = formOf(await member().press(findButton(await member().say('/lc plan'), 'Edit goal and beneficiaries')));
    await member().submit(form, { ...goalValues, goal: 'Daytime care for 20 elderly people' });
    const consolidate = findButton(await member().say('/lc plan'), 'Save consolidated version');
    expect(textOf(await tenAtOnce(() => member().press(consolidate)))).toContain('Saved as version 2 (consolidated)');
    expect((await plan()).versions).toHaveLength(2);
  });
});

describe('when a feedback round is confirmed, written and sent with double clicks', () => {
  let confirm: ReturnType<typeof findButton>;
  it('confirms the round once, telling each reviewer once', async () => {
    for (const m of ['web:lc1-m4', 'web:lc1-m5', 'web:lc1-m6', 'web:lc1-m7']) await submittedPlan(runtime.db, 'LC1', m);
    const coordinator = talkAs(runtime.bot, 'web:lc1-coordinator');
    const settings = formOf(await coordinator.say('/lc feedback-round'));
    const preview = await coordinator.submit(settings, { deadline: '2026-12-20', reviewersPerPlan: '2', resourcePersons: 'no', anonymous: 'no', delivery: 'asSubmitted' });
    confirm = findButton(preview, 'Confirm and notify');
    const acted = await tenAtOnce(() => coordinator.press(confirm));
    expect(textOf(acted)).toContain('The feedback round of LC1 is open');
    const round = await runtime.db.feedbackRound.findFirstOrThrow({ include: { assignments: true } });
    expect(round.status).toBe('OPEN');
    const notices = inbox.sent.filter((s) => textOf(s.message).includes('You are asked to give feedback'));
    expect(notices).toHaveLength(round.assignments.length);
  });

  it('sends a piece of feedback once, delivering it to the author once', async () => {
    const assignment = await runtime.db.feedbackAssignment.findFirstOrThrow({
      where: { plan: { activities: { some: {} }, author: { identities: { some: { externalId: 'web:lc1-m4' } } } } },
      include: { reviewer: { include: { identities: true } } },
    });
    const reviewer = talkAs(runtime.bot, assignment.reviewer.identities[0].externalId);
    let replies = await reviewer.press({ actionId: 'feedback:write', value: assignment.id });
    while (replies.some((m) => m.blocks.some((b) => b.type === 'form'))) {
      const form = formOf(replies);
      replies = await reviewer.submit(form, form.formId.startsWith('feedback:overall') ? { rating: '4' } : { strengths: 'Clear goal', questions: '', suggestions: 'Add a budget line' });
    }
    const send = findButton(replies, 'Send feedback');
    await tenAtOnce(() => reviewer.press(send));
    expect((await runtime.db.feedbackAssignment.findUniqueOrThrow({ where: { id: assignment.id } })).status).toBe('SUBMITTED');
    expect(inbox.to('web:lc1-m4').filter((m) => textOf(m).includes('Feedback on your action plan'))).toHaveLength(1);

    // The round confirmed again after this review was sent: the round as it stands now, not the first note.
    const coordinator = talkAs(runtime.bot, 'web:lc1-coordinator');
    const noticesBefore = inbox.sent.filter((s) => textOf(s.message).includes('You are asked to give feedback')).length;
    const again = textOf(await coordinator.press(confirm));
    expect(again).toContain('Already done at');
    expect(again).toContain('Feedback round of LC1');
    expect(again).toContain(`${assignment.reviewer.displayName}: reviews done 1`);
    expect(again).not.toContain('The feedback round of LC1 is open');
    expect(inbox.sent.filter((s) => textOf(s.message).includes('You are asked to give feedback'))).toHaveLength(noticesBefore);
    expect((await runtime.db.feedbackRound.findFirstOrThrow()).status).toBe('OPEN');
  });
});

describe('when a member sends questionnaire answers with a double click', () => {
  it('saves one response', async () => {
    const coordinator = talkAs(runtime.bot, 'web:lc1-coordinator');
    await coordinator.submit(formOf(await coordinator.say('/lc survey send')), { questionnaire: 'ee1-evaluation', cluster: lc1.id, when: 'now', closes: '', anonymous: 'no', minGroupSize: '5' });
    const run = await runtime.db.questionnaireRun.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
    const member = talkAs(runtime.bot, 'web:lc1-m1');
    const form = formOf(await member.press({ actionId: 'survey:form', value: run.id }));
    const acted = await tenAtOnce(() => member.submit(form, { input_useful: '4', template_clear: '5', recommend: '8', learned_most: 'The template' }));
    expect(textOf(acted)).toContain('Your answers are saved');
    expect(await runtime.db.response.count({ where: { runId: run.id, answers: { some: {} } } })).toBe(1);
    expect(await runtime.db.answer.count({ where: { response: { runId: run.id }, question: { key: 'learned_most' } } })).toBe(1);
  });

  it('answers the same form sent again with "already done" and the answers as they are now, saving nothing', async () => {
    const run = await runtime.db.questionnaireRun.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
    const member = talkAs(runtime.bot, 'web:lc1-m3');
    const form = formOf(await member.press({ actionId: 'survey:form', value: run.id }));
    const answers = await Promise.all(Array.from({ length: 10 }, () => member.submit(form, { input_useful: '4', template_clear: '5', recommend: '8', learned_most: 'The template' })));
    const repeats = answers.filter((a) => REPEAT_TEXT.test(textOf(a)));
    expect(repeats).toHaveLength(9);
    // Changed since, one by one: the repeats show the answers of then, not the first "saved".
    await member.press({ actionId: 'survey:answer', value: `${run.id}|input_useful|2` });
    const again = textOf(await member.submit(form, { input_useful: '5', template_clear: '5', recommend: '10', learned_most: 'Something else' }));
    expect(again).toContain('Already done at 10:00');
    expect(again).toContain('Your answers: Evaluation of exchange event 1');
    expect(again).toContain('Questions answered: 4 of 4.');
    expect(again).toContain("- The resource persons' input on the approach was useful for…: 2 · Disagree");
    expect(again).toContain('- What did you learn that you will use?: The template');
    expect(again).not.toContain('Your answers are saved');
    const response = await runtime.db.response.findFirstOrThrow({ where: { runId: run.id, respondent: { identities: { some: { externalId: 'web:lc1-m3' } } } }, include: { answers: { include: { question: true } } } });
    expect(response.answers.map((a) => [a.question.key, a.value]).sort()).toEqual([['input_useful', 2], ['learned_most', 'The template'], ['recommend', 8], ['template_clear', 5]]);
    for (const repeat of repeats) expect(textOf(repeat)).toContain('Questions answered: 4 of 4.');
  });
});

describe('when a resource person answers a question with a double click', () => {
  it('saves one answer and tells the member once', async () => {
    const member = talkAs(runtime.bot, 'web:lc1-m2');
    await member.submit(formOf(await member.say('/lc ask')), { question: 'Who must own the premises of a day-care centre?', urgent: 'no' });
    const question = await runtime.db.routedQuestion.findFirstOrThrow({ where: { text: { contains: 'own the premises' } }, include: { asks: { include: { person: { include: { identities: true } } } } } });
    const rpId = question.asks[0].person.identities.find((i) => i.platform === 'WEB')!.externalId;
    const notice = inbox.to(rpId).find((m) => buttonsOf([m]).some((b) => b.value === question.id))!;
    const rp = talkAs(runtime.bot, rpId);
    const form = formOf(await rp.press(findButton([notice], 'Answer')));
    const answers = await Promise.all(Array.from({ length: 10 }, () => rp.submit(form, { text: 'The municipality, or a lease of at least five years.' })));
    for (const answer of answers) expect(textOf(answer)).not.toMatch(ERROR_TEXT);
    const repeats = answers.filter((a) => REPEAT_TEXT.test(textOf(a)));
    expect(repeats).toHaveLength(9);
    expect(await runtime.db.questionAnswer.count({ where: { questionId: question.id } })).toBe(1);
    expect(inbox.to('web:lc1-m2').filter((m) => textOf(m).includes('a lease of at least five years'))).toHaveLength(1);
    // Each repeat: the question as answered, by whom and when, instead of the first "thank you".
    for (const repeat of repeats) {
      const text = textOf(repeat);
      expect(text).toContain('The question and its answers');
      expect(text).toContain('Who must own the premises of a day-care centre?');
      expect(text).toContain('Your answer, 10:00:');
      expect(text).toContain('The municipality, or a lease of at least five years.');
      expect(text).not.toContain('Thank you! Your answer went to');
    }

    // Sent again after the member asked for more and the resource person answered a second time.
    const again = await rp.press(findButton(await rp.press({ actionId: 'questions:view', value: question.id }), 'Answer'));
    await rp.submit(formOf(again), { text: 'A public-private partnership also works.' });
    const repeated = textOf(await rp.submit(form, { text: 'The municipality, or a lease of at least five years.' }));
    expect(repeated).toContain('Already done at 10:00');
    expect(repeated).toContain('A public-private partnership also works.');
    const asker = await runtime.db.person.findFirstOrThrow({ where: { identities: { some: { externalId: 'web:lc1-m2' } } } });
    expect(repeated).toContain(`Asked by ${asker.displayName} (LC1)`);
    expect(await runtime.db.questionAnswer.count({ where: { questionId: question.id } })).toBe(2);
  });
});

describe('when people answer invitations and registrations with double clicks', () => {
  it('accepts an invitation once, telling the coordinator once', async () => {
    const coordinator = talkAs(runtime.bot, 'web:lc1-coordinator');
    await coordinator.submit(formOf(await coordinator.say('/lc invite LC1')), { people: 'Ana Petrović', role: 'OBSERVER' });
    const invitation = inbox.to('web:lc2-coordinator').find((m) => textOf(m).includes('invites you to learning cluster LC1'))!;
    const accept = findButton([invitation], 'Accept');
    const invitee = talkAs(runtime.bot, 'web:lc2-coordinator');
    await tenAtOnce(() => invitee.press(accept));
    expect(await runtime.db.membership.count({ where: { clusterId: lc1.id, role: 'OBSERVER', status: 'ACTIVE', person: { identities: { some: { externalId: 'web:lc2-coordinator' } } } } })).toBe(1);
    expect(inbox.to('web:lc1-coordinator').filter((m) => textOf(m).includes('accepted your invitation'))).toHaveLength(1);
    // Accepted again after the cluster was renamed: the cluster as it is now, not the first welcome.
    await runtime.db.cluster.update({ where: { id: lc1.id }, data: { name: 'Prizren day care, renamed' } });
    const again = textOf(await invitee.press(accept));
    expect(again).toContain('Already done at');
    expect(again).toContain('Timeline of LC1: Prizren day care, renamed');
    expect(again).not.toContain('Welcome!');
    expect(await runtime.db.membership.count({ where: { clusterId: lc1.id, person: { identities: { some: { externalId: 'web:lc2-coordinator' } } } } })).toBe(1);
    expect(inbox.to('web:lc1-coordinator').filter((m) => textOf(m).includes('accepted your invitation'))).toHaveLength(1);
  });

  it('confirms an assignment once and approves a registration once, each person told once', async () => {
    const newcomer = talkAs(runtime.bot, 'web:newcomer', { displayName: 'Nora Newcomer' });
    await newcomer.submit(formOf(await newcomer.say('/lc join')), registrationValues([lc1.id], { organisationName: 'Prizren' }));
    const coordinator = talkAs(runtime.bot, 'web:lc1-coordinator');
    const confirm = findButton(await coordinator.say('/lc assign'), 'Confirm and tell everyone');
    await tenAtOnce(() => coordinator.press(confirm));
    expect(inbox.to('web:newcomer').filter((m) => textOf(m).includes('You are in LC1'))).toHaveLength(1);

    const approve = findButton(await coordinator.say('/lc members LC1'), 'Approve');
    await tenAtOnce(() => coordinator.press(approve));
    // The assignment confirmed again after Nora was approved: the roster as it is now, not the first count.
    const confirmedAgain = await coordinator.press(confirm);
    expect(textOf(confirmedAgain)).toContain('Already done at');
    expect(textOf(confirmedAgain)).toContain('Members of LC1');
    expect(textOf(confirmedAgain)).toContain('Nora Newcomer');
    expect(textOf(confirmedAgain)).not.toContain('is assigned, and everyone is told');
    expect(inbox.to('web:newcomer').filter((m) => textOf(m).includes('You are in LC1'))).toHaveLength(1);
    // Pressed again later: the roster as it is now, Nora in it, not the first answer's note.
    const again = textOf(await coordinator.press(approve));
    expect(again).toContain('Already done at');
    expect(again).toContain('Nora Newcomer');
    expect(again).not.toContain('is approved and now a member');
    expect(await runtime.db.membership.count({ where: { clusterId: lc1.id, role: 'MEMBER', person: { identities: { some: { externalId: 'web:newcomer' } } } } })).toBe(1);
    expect(inbox.to('web:newcomer').filter((m) => textOf(m).includes('you are admitted to learning cluster LC1'))).toHaveLength(1);
  });
});

describe('when a used button is pressed again later', () => {
  it('answers with what happened the first time and changes nothing', async () => {
    const member = talkAs(runtime.bot, 'web:lc1-m8');
    const form = formOf(await member.press(findButton(await member.say('/lc plan'), 'Add activity')));
    const first = await member.submit(form, activityValues);
    expect(first[0]).toMatchObject({ replaceOriginal: true });
    const again = await member.submit(form, { ...activityValues, activity: 'Something else' });
    expect(textOf(again)).toContain('Already done at 10:00, so nothing was changed again.');
    const person = await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: 'web:lc1-m8' } });
    expect(await runtime.db.activity.count({ where: { plan: { authorId: person.personId } } })).toBe(1);
  });

  it('gives the token back when the form came back with a mistake, so the corrected form saves', async () => {
    const member = talkAs(runtime.bot, 'web:lc1-m8');
    const form = formOf(await member.press(findButton(await member.say('/lc plan'), 'Add activity')));
    const refused = formOf(await member.submit(form, { ...activityValues, deadline: '2027-02-30' }));
    expect(refused.errors?.deadline).toContain('real date');
    expect(textOf(await member.submit(form, { ...activityValues, activity: 'Hire carers' }))).not.toMatch(REPEAT_TEXT);
  });
});

describe('when a used button or form is used again after what it acted on has changed', () => {
  const member = () => talkAs(runtime.bot, 'web:lc1-m1');
  const editGoal = async (goal: string) => {
    const form = formOf(await member().press(findButton(await member().say('/lc plan'), 'Edit goal and beneficiaries')));
    await member().submit(form, { ...goalValues, goal });
  };

  it('answers a second "Save activity" with "already done" and the plan as it is now, saving nothing more', async () => {
    const form = formOf(await member().press(findButton(await member().say('/lc plan'), 'Add activity')));
    const first = await member().submit(form, activityValues);
    expect(textOf(first)).toContain('Saved.');
    await editGoal('Daytime care written after the first save');
    const again = await member().submit(form, { ...activityValues, activity: 'Something else' });
    expect(again).toHaveLength(1);
    expect(again[0].replaceOriginal).toBe(true);
    const text = textOf(again);
    expect(text).toContain('Already done at 10:00, so nothing was changed again.');
    // The plan now (the goal changed since), not a copy of the first answer (which said "Saved." and had the old goal).
    expect(text).toContain('Goal: Daytime care written after the first save');
    expect(text).not.toContain('Saved.');
    expect(text).toContain('1. Find premises');
    const person = await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: 'web:lc1-m1' } });
    expect(await runtime.db.activity.count({ where: { plan: { authorId: person.personId } } })).toBe(1);
  });

  it('answers a second "Submit my plan" with "already done" and the plan as it is now (changed since, so it offers the consolidated version)', async () => {
    const submit = findButton(await member().say('/lc plan'), 'Submit my plan');
    expect(textOf(await member().press(submit))).toContain('Submitted! Version 1');
    await editGoal('Daytime care, changed after submitting');
    const again = await member().press(submit);
    const text = textOf(again);
    expect(text).toContain('Already done at 10:00');
    expect(text).toContain('Submitted ·');
    expect(text).toContain('Goal: Daytime care, changed after submitting');
    expect(text).not.toContain('Submitted! Version 1');
    expect(buttonsOf(again).map((b) => b.label)).toContain('Save consolidated version');
    // The view's own acting buttons are fresh: pressing one acts once, like any other.
    expect(findButton(again, 'Save consolidated version').token).toBeTruthy();
    expect(findButton(again, 'Save consolidated version').token).not.toBe(submit.token);
    const person = await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: 'web:lc1-m1' } });
    expect(await runtime.db.actionPlanVersion.count({ where: { plan: { authorId: person.personId } } })).toBe(1);
  });

  it('answers a second "Send feedback" with "already done" and the feedback as it stands, the author\'s reply included', async () => {
    const assignment = await runtime.db.feedbackAssignment.findFirstOrThrow({
      where: { status: 'PENDING', plan: { activities: { some: {} } }, round: { status: 'OPEN' } },
      include: { reviewer: { include: { identities: true } }, plan: { include: { author: { include: { identities: true } } } } },
    });
    const reviewer = talkAs(runtime.bot, assignment.reviewer.identities[0].externalId);
    let replies = await reviewer.press({ actionId: 'feedback:write', value: assignment.id });
    while (replies.some((m) => m.blocks.some((b) => b.type === 'form'))) {
      const form = formOf(replies);
      replies = await reviewer.submit(form, form.formId.startsWith('feedback:overall') ? { rating: '5' } : { strengths: 'Realistic steps', questions: '', suggestions: 'Name a partner NGO' });
    }
    const send = findButton(replies, 'Send feedback');
    expect(textOf(await reviewer.press(send))).not.toMatch(REPEAT_TEXT);
    const feedback = await runtime.db.feedback.findFirstOrThrow({ where: { assignmentId: assignment.id } });
    const author = talkAs(runtime.bot, assignment.plan.author.identities[0].externalId);
    await author.submit(formOf(await author.press({ actionId: 'feedback:reply', value: feedback.id })), { text: 'Thank you, we will ask the Red Cross.' });

    const again = await reviewer.press(send);
    const text = textOf(again);
    expect(text).toContain('Already done at 10:00');
    expect(text).toContain('Name a partner NGO');
    expect(text).toContain('Thank you, we will ask the Red Cross.');
    expect(await runtime.db.feedback.count({ where: { assignmentId: assignment.id } })).toBe(1);
    expect(inbox.to(assignment.plan.author.identities[0].externalId).filter((m) => textOf(m).includes('Name a partner NGO'))).toHaveLength(1);
  });

  it('answers with the first outcome when what it acted on can no longer be shown', async () => {
    const form = formOf(await member().press(findButton(await member().say('/lc plan'), 'Add activity')));
    await member().submit(form, { ...activityValues, activity: 'Visit the host municipality' });
    const plan = await runtime.db.actionPlan.findFirstOrThrow({ where: { author: { identities: { some: { externalId: 'web:lc1-m1' } } } }, include: { activities: { orderBy: { position: 'asc' } } } });
    const added = plan.activities.find((a) => a.activity === 'Visit the host municipality')!;
    const edit = formOf(await member().press({ actionId: 'plan:editActivity', value: added.id }));
    await member().submit(edit, { ...activityValues, activity: 'Visit the host municipality twice' });
    // Removed since: its own view is gone, so the repeat shows what took the form's place the first time.
    await member().press({ actionId: 'plan:removeActivity', value: added.id });
    const again = await member().submit(edit, activityValues);
    const text = textOf(again);
    expect(text).toContain('Already done at 10:00');
    expect(text).toContain('Sent by you at 10:00');
    expect(text).not.toMatch(ERROR_TEXT);
    expect(await runtime.db.activity.count({ where: { id: added.id } })).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { RecordingSender, submittedPlan } from '../flows/feedback/factory.js';
import { adaptiveCardProblems } from '../support/card-schema.js';
import { cardText, FakeBotConnector, teamsActivity, type ConnectorCall } from '../support/fake-bot-connector.js';
import { testRuntime } from '../support/harness.js';
import { submitActionsOf } from '../support/card-actions.js';

/**
 * Issue 16 on Teams: the same Adaptive Card action sent twice, and ten times at once (a double click,
 * Teams' own retry, two instances), has one effect. The card it was on is updated in place (a PUT of
 * that activity on the connector) with the outcome and no spent action, within the Adaptive Card
 * schema; a later use answers "already done" with the state as it is then. Real flows, real HTTP.
 */

const TODAY = new Date('2026-11-23T09:00:00Z');
const ERROR_TEXT = /went wrong|cannot move|earlier version|another window|has expired|not allowed|couldn't|try again/i;

let runtime: Runtime;
let connector: FakeBotConnector;
let botUrl: string;
let inbox: RecordingSender;

beforeAll(async () => {
  connector = await new FakeBotConnector().start();
  runtime = await testRuntime({ clock: new ManualClock(TODAY) });
  await seedDemo(runtime.db, TODAY);
  // The demo's reviewers are reached through the web chat: their notices are recorded here.
  inbox = new RecordingSender();
  runtime.notifier.register(inbox);
  botUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
});
afterAll(() => connector.stop());

/** A demo person of LC1, reached on Teams too: their Teams identity joins the same person. */
async function onTeams(webId: string, aad: string) {
  const web = await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: webId } });
  await runtime.db.platformIdentity.create({ data: { personId: web.personId, platform: 'TEAMS', externalId: `tenant-1:${aad}` } });
  const from = { id: `29:${aad}`, name: aad, aadObjectId: aad };
  const conversation = { id: `a:${aad}` };
  return {
    personId: web.personId,
    conversation: conversation.id,
    say: (text: string) => post(teamsActivity(connector.url, { text, from, conversation })),
    /** A card's Action.Submit, sent as Teams sends it: a message activity whose value is the action's data (plus inputs). */
    submit: (data: Record<string, unknown>, cardId: string) => post(teamsActivity(connector.url, { text: undefined, value: data, replyToId: cardId, from, conversation })),
    invoke: (name: string, data: Record<string, unknown>, cardId?: string) => post(teamsActivity(connector.url, { type: 'invoke', name, text: undefined, value: { data }, from, conversation, ...(cardId ? { replyToId: cardId } : {}) })),
  };
}

async function post(activity: unknown): Promise<{ status: number; body: string }> {
  const res = await fetch(`${botUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  return { status: res.status, body: await res.text() };
}

function action(calls: ConnectorCall[], title: string): any {
  const found = calls.flatMap((c) => submitActionsOf(c.body)).find((a) => a.title === title);
  if (!found) throw new Error(`no "${title}" in ${calls.map((c) => cardText(c.body)).join('\n---\n')}`);
  return found;
}

/** Every card the bot sent or updated since the last clear: none may say something went wrong, all fit the schema. */
function expectCleanCards(): void {
  for (const call of connector.calls) {
    expect(cardText(call.body)).not.toMatch(ERROR_TEXT);
    for (const attachment of call.body.attachments ?? []) expect(adaptiveCardProblems(attachment.content)).toEqual([]);
  }
}

const NOTICE = 'You are asked to give feedback';
let teamsNotices = 0;

/** Review requests sent so far, web chat and Teams together; waits up to 3 s for `expected` (proactive sends follow the request). */
async function noticesAfterAWhile(expected: number): Promise<number> {
  const count = () => inbox.sent.filter((s) => JSON.stringify(s.message.blocks).includes(NOTICE)).length + teamsNotices + connector.calls.filter((c) => c.method === 'POST' && cardText(c.body).includes(NOTICE)).length;
  for (let waited = 0; count() < expected && waited < 3_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
  return count();
}

const tokenOf = (data: Record<string, unknown>) => data.lcToken as string;
const carries = (call: ConnectorCall, token: string) => submitActionsOf(call.body).some((a) => a.data?.lcToken === token || a.data?.lcDialog?.token === token);

describe('when a Teams member sends the "Add activity" dialog twice, and ten times at once', () => {
  it('saves one activity, updates the card the dialog came from in place, and answers a later send with the plan as it is then', async () => {
    const member = await onTeams('web:lc1-m3', 'aad-double-member');
    connector.clear();
    await member.say('lc plan');
    const add = action(connector.sent(member.conversation), 'Add activity');
    connector.clear();
    await member.submit(add.data, 'plan-card');
    // The activity form is long: it opens in a dialog, fetched as Teams does, and submitted from there.
    const launcher = connector.calls.flatMap((c) => submitActionsOf(c.body)).find((a) => a.data?.lcDialog);
    expect(launcher, cardText(connector.calls[0]?.body)).toBeDefined();
    const fetched = JSON.parse((await member.invoke('task/fetch', launcher.data, 'form-card')).body);
    const send = submitActionsOf(fetched.task.value.card.content).find((a) => a.data?.lcForm);
    expect(tokenOf(send.data)).toMatch(/^[\w-]{16}$/);
    const values = { ...send.data, activity: 'Find premises', responsible: 'Mayor', deadline: '2027-02-15', challenges: '', mitigation: '', resources: 'Budget', results: 'Premises found' };

    connector.clear();
    const answers = await Promise.all(Array.from({ length: 10 }, () => member.invoke('task/submit', values, 'form-card')));
    for (const answer of answers) expect(answer.status).toBe(200);
    expect(await runtime.db.activity.count({ where: { plan: { authorId: member.personId } } })).toBe(1);
    expectCleanCards();
    const updates = connector.updates();
    expect(updates.length).toBeGreaterThanOrEqual(1);
    for (const update of updates) expect(update.path).toBe(`/v3/conversations/${member.conversation}/activities/form-card`);
    const texts = updates.map((u) => cardText(u.body));
    expect(texts.filter((t) => !t.includes('Already done at'))).toHaveLength(1);
    // The card says who saved and when; the plan with its new activity follows once, as a new message.
    expect(texts.find((t) => !t.includes('Already done at'))).toContain('Save: done by you at 10:00');
    expect(connector.sent(member.conversation).filter((c) => cardText(c.body).includes('Find premises'))).toHaveLength(1);
    // No card offers the spent form again.
    for (const call of connector.calls) expect(carries(call, tokenOf(send.data))).toBe(false);

    // The goal changed since; the same dialog sent once more: "already done", and the plan as it is now.
    await runtime.db.actionPlan.updateMany({ where: { authorId: member.personId }, data: { goal: 'Daytime care, changed on Teams' } });
    connector.clear();
    await member.invoke('task/submit', { ...values, activity: 'Something else' }, 'form-card');
    const [again] = connector.updates();
    expect(again.path).toBe(`/v3/conversations/${member.conversation}/activities/form-card`);
    const text = cardText(again.body);
    expect(text).toContain('Already done at 10:00');
    expect(text).toContain('**Goal:** Daytime care, changed on Teams');
    expect(text).toContain('Find premises');
    expect(text).not.toContain('Something else');
    expect(carries(again, tokenOf(send.data))).toBe(false);
    expect(adaptiveCardProblems(again.body.attachments[0].content)).toEqual([]);
    expect(await runtime.db.activity.count({ where: { plan: { authorId: member.personId } } })).toBe(1);
  });
});

describe('when a Teams coordinator presses "Confirm and notify" twice, and ten times at once', () => {
  it('opens the round once, tells each reviewer once, updates the card in place, and answers a later press with the round as it stands', async () => {
    for (const m of ['web:lc1-m4', 'web:lc1-m5', 'web:lc1-m6', 'web:lc1-m7']) await submittedPlan(runtime.db, 'LC1', m);
    const coordinator = await onTeams('web:lc1-coordinator', 'aad-double-coordinator');
    connector.clear();
    await coordinator.say('lc feedback-round');
    const settings = connector.calls.flatMap((c) => submitActionsOf(c.body));
    const inline = settings.find((a) => a.data?.lcForm);
    const launcher = settings.find((a) => a.data?.lcDialog);
    const values = { deadline: '2026-12-20', reviewersPerPlan: '2', resourcePersons: 'no', anonymous: 'no', delivery: 'asSubmitted' };
    connector.clear();
    if (inline) await coordinator.submit({ ...inline.data, ...values }, 'settings-card');
    else {
      const fetched = JSON.parse((await coordinator.invoke('task/fetch', launcher.data, 'settings-card')).body);
      const send = submitActionsOf(fetched.task.value.card.content).find((a) => a.data?.lcForm);
      await coordinator.invoke('task/submit', { ...send.data, ...values }, 'settings-card');
    }
    const confirm = action(connector.calls, 'Confirm and notify');
    expect(tokenOf(confirm.data)).toMatch(/^[\w-]{16}$/);

    connector.clear();
    const answers = await Promise.all(Array.from({ length: 10 }, () => coordinator.submit(confirm.data, 'preview-card')));
    for (const answer of answers) expect(answer.status).toBe(200);
    const round = await runtime.db.feedbackRound.findFirstOrThrow({ where: { cluster: { code: 'LC1' } }, include: { assignments: true } });
    expect(round.status).toBe('OPEN');
    expect(await runtime.db.feedbackRound.count({ where: { cluster: { code: 'LC1' } } })).toBe(1);
    expect(round.assignments.length).toBeGreaterThan(0);
    // Each reviewer told once per plan to review, however many presses (in the web chat, or on Teams for the member of the test above).
    expect(await noticesAfterAWhile(round.assignments.length)).toBe(round.assignments.length);
    expectCleanCards();
    const updates = connector.updates();
    for (const update of updates) expect(update.path).toBe(`/v3/conversations/${coordinator.conversation}/activities/preview-card`);
    const texts = updates.map((u) => cardText(u.body));
    expect(texts.filter((t) => !t.includes('Already done at'))).toHaveLength(1);
    // The pressed card says who did it and when; the outcome follows it once, as a new message.
    expect(texts.find((t) => !t.includes('Already done at'))).toContain('Confirm and notify: done by you at 10:00');
    expect(connector.sent(coordinator.conversation).filter((c) => cardText(c.body).includes('The feedback round of LC1 is open'))).toHaveLength(1);
    for (const call of connector.calls) expect(carries(call, tokenOf(confirm.data))).toBe(false);

    // A review sent since: pressed once more, the round as it stands now, not the first note.
    const assignment = round.assignments[0];
    await runtime.db.feedbackAssignment.update({ where: { id: assignment.id }, data: { status: 'SUBMITTED' } });
    const reviewer = await runtime.db.person.findUniqueOrThrow({ where: { id: assignment.reviewerId } });
    teamsNotices += connector.calls.filter((c) => c.method === 'POST' && cardText(c.body).includes(NOTICE)).length;
    connector.clear();
    await coordinator.submit(confirm.data, 'preview-card');
    const [again] = connector.updates();
    expect(again.path).toBe(`/v3/conversations/${coordinator.conversation}/activities/preview-card`);
    const text = cardText(again.body);
    expect(text).toContain('Already done at 10:00');
    expect(text).toContain('Feedback round of LC1');
    expect(text).toContain(`${reviewer.displayName}: reviews done 1`);
    expect(text).not.toContain('The feedback round of LC1 is open');
    expect(carries(again, tokenOf(confirm.data))).toBe(false);
    expect(adaptiveCardProblems(again.body.attachments[0].content)).toEqual([]);
    expect(await noticesAfterAWhile(round.assignments.length + 1)).toBe(round.assignments.length);
  });
});

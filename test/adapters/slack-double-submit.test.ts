import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { RecordingSender, submittedPlan } from '../flows/feedback/factory.js';
import { messageProblems, viewProblems } from '../support/block-kit-limits.js';
import type { FakeSlack, SlackCall } from '../support/fake-slack.js';
import { testSlackRuntime } from '../support/harness.js';
import { linkIdentity } from '../support/plans.js';
import { buttonPress, slackClient } from '../support/slack-requests.js';

/**
 * Issue 16 on Slack: the same modal submitted, or the same button pressed, ten times at once (a double
 * click, Slack's own retry, two instances) has one effect. Every answer is a 200 with no error text; the
 * message a pressed button was on is replaced in place with the outcome and no spent action; a later use
 * answers "already done" with the state as it is then. Real flows, the real Slack adapter over signed
 * HTTP, the fake Slack Web API holding every message and view to Block Kit's limits.
 */

const SECRET = 'test-signing-secret-double-0123456789';
const TODAY = new Date('2026-11-23T09:00:00Z');
const ERROR_TEXT = /went wrong|cannot move|earlier version|another window|has expired|not allowed|couldn't|try again/i;

let runtime: Runtime;
let fake: FakeSlack;
let slack: ReturnType<typeof slackClient>;
let inbox: RecordingSender;

beforeAll(async () => {
  ({ runtime, fake, slack } = await testSlackRuntime(SECRET, { clock: new ManualClock(TODAY) }));
  await seedDemo(runtime.db, TODAY);
  // The demo's reviewers are reached through the web chat: their notices are recorded here.
  inbox = new RecordingSender();
  runtime.notifier.register(inbox);
});

const textOfCall = (params: Record<string, any>) => JSON.stringify(params.blocks ?? []) + (params.text ?? '');
const textOfView = (view: any) => JSON.stringify(view?.blocks ?? []);
const buttonsOf = (blocks: any[] = []) => blocks.flatMap((b: any) => (b.type === 'actions' ? b.elements : b.accessory?.type === 'button' ? [b.accessory] : []));
const buttonsOfCall = (call: SlackCall) => buttonsOf(call.params.blocks ?? call.params.view?.blocks);
const tokenOfButton = (button: { action_id: string }) => button.action_id.split('.').at(-1)!;

/** A demo person of LC1, on Slack too: their Slack account joins the same person. */
async function onSlack(webId: string, user: string) {
  fake.addUser({ id: user, real_name: user });
  const person = await linkIdentity(runtime.db, webId, 'SLACK', `T1:${user}`);
  const channel = `D${user}`;
  return {
    personId: person.id,
    channel,
    async say(text: string) {
      const url = fake.responseUrl();
      const answer = await slack.command({ team_id: 'T1', channel_id: channel, user_id: user, text, response_url: url, trigger_id: `trigger-${Math.random().toString(36).slice(2)}` });
      expect(answer.status).toBe(200);
      await runtime.slack!.settled();
      return { answer, url };
    },
    press(button: any, container: Record<string, unknown>) {
      return slack.interaction(buttonPress(user, button, container, fake.responseUrl()));
    },
    submit(view: any, values: Record<string, string>) {
      return slack.interaction({ type: 'view_submission', team: { id: 'T1' }, user: { id: user, team_id: 'T1' }, api_app_id: 'A1', token: 'legacy', trigger_id: 'trigger-submit', view: { id: 'VFORM', type: 'modal', callback_id: view.callback_id ?? 'lc-form', title: view.title, private_metadata: view.private_metadata, state: stateOf(view, values), hash: 'hform' } });
    },
  };
}

/** The view's state as Slack sends it on submission: each input block's value in the shape its element has. */
function stateOf(view: any, values: Record<string, string>) {
  const state: Record<string, Record<string, unknown>> = {};
  for (const block of view.blocks ?? []) {
    if (block.type !== 'input' || !(block.block_id in values)) continue;
    const value = values[block.block_id];
    const element = block.element;
    const input =
      element.type === 'datepicker' ? { type: 'datepicker', selected_date: value }
      : element.type === 'static_select' ? { type: 'static_select', selected_option: { value } }
      : element.type === 'radio_buttons' ? { type: 'radio_buttons', selected_option: { value } }
      : { type: element.type, value };
    state[block.block_id] = { [element.action_id ?? block.block_id]: input };
  }
  return { values: state };
}

/** Every message and view the bot sent since `from`: none says something went wrong, all within Block Kit's limits. */
function expectCleanCalls(from: number): void {
  for (const call of fake.calls.slice(from)) {
    expect(textOfCall(call.params) + textOfView(call.params.view)).not.toMatch(ERROR_TEXT);
    if (call.params.view) expect(viewProblems(call.params.view)).toEqual([]);
    else if (call.params.blocks) expect(messageProblems(call.params)).toEqual([]);
  }
}

describe('when a Slack member submits the "Add activity" modal ten times at once', () => {
  it('saves one activity, answers every submission with a 200, and a later one with "already done" and the plan as it is then', async () => {
    const member = await onSlack('web:lc1-m3', 'UM3');
    const { url } = await member.say('plan');
    const reply = fake.callsOf('response_url').find((c) => c.params.url === url)!;
    const add = buttonsOfCall(reply).find((b: any) => b.text.text === 'Add activity');
    expect(add).toBeDefined();
    const opens = fake.callsOf('views.open').length;
    await member.press(add, { type: 'message', message_ts: '1700000400.000100', channel_id: member.channel, is_ephemeral: true });
    await expect.poll(() => fake.callsOf('views.open').length).toBeGreaterThan(opens);
    const view = fake.callsOf('views.open').at(-1)!.params.view;
    const key = JSON.parse(view.private_metadata).k;
    expect(key).toMatch(/^[\w-]{16}$/);
    const values = { activity: 'Find premises', responsible: 'Mayor', deadline: '2027-02-15', challenges: '', mitigation: '', resources: 'Budget', results: 'Premises found' };

    const from = fake.calls.length;
    const answers = await Promise.all(Array.from({ length: 10 }, () => member.submit(view, values)));
    await runtime.slack!.settled();
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body).not.toMatch(ERROR_TEXT);
    }
    expect(await runtime.db.activity.count({ where: { plan: { authorId: member.personId } } })).toBe(1);
    // One submission closes the modal; the nine repeats keep it open and show "already done" with the plan.
    expect(answers.filter((a) => a.body === '')).toHaveLength(1);
    const repeats = answers.filter((a) => a.body !== '').map((a) => a.json());
    expect(repeats).toHaveLength(9);
    for (const repeat of repeats) {
      expect(repeat.response_action).toBe('update');
      expect(viewProblems(repeat.view)).toEqual([]);
      expect(repeat.view.submit).toBeUndefined();
      expect(textOfView(repeat.view)).toContain('Already done at 10:00');
      expect(textOfView(repeat.view)).toContain('Find premises');
    }
    // The outcome reaches the conversation once: the plan with its new activity.
    const saved = fake.calls.slice(from).filter((c) => textOfCall(c.params).includes('Saved.'));
    expect(saved).toHaveLength(1);
    expect(textOfCall(saved[0].params)).toContain('Find premises');
    expect(fake.calls.slice(from).filter((c) => c.method !== 'views.open' && textOfCall(c.params).includes('Already done'))).toEqual([]);
    expectCleanCalls(from);

    // The goal changed since; the same modal submitted once more: "already done", and the plan as it is now.
    await runtime.db.actionPlan.updateMany({ where: { authorId: member.personId }, data: { goal: 'Daytime care, changed on Slack' } });
    const again = await member.submit(view, { ...values, activity: 'Something else' });
    await runtime.slack!.settled();
    expect(again.status).toBe(200);
    const repeat = again.json();
    expect(repeat.response_action).toBe('update');
    expect(textOfView(repeat.view)).toContain('Already done at 10:00');
    expect(textOfView(repeat.view)).toContain('Daytime care, changed on Slack');
    expect(textOfView(repeat.view)).toContain('Find premises');
    expect(textOfView(repeat.view)).not.toContain('Something else');
    expect(viewProblems(repeat.view)).toEqual([]);
    expect(await runtime.db.activity.count({ where: { plan: { authorId: member.personId } } })).toBe(1);
  });
});

describe('when a Slack member presses "Submit my plan" ten times at once', () => {
  it('submits the plan once, with one version, and the pressed message shows the outcome without the spent button', async () => {
    // A complete draft: a submitted plan made in the database, taken back to draft before its first version.
    const { plan } = await submittedPlan(runtime.db, 'LC1', 'web:lc1-m2');
    await runtime.db.actionPlanVersion.deleteMany({ where: { planId: plan.id } });
    await runtime.db.actionPlan.update({ where: { id: plan.id }, data: { stage: 'DRAFT' } });
    const member = await onSlack('web:lc1-m2', 'UM2');
    const { url } = await member.say('plan');
    const reply = fake.callsOf('response_url').find((c) => c.params.url === url)!;
    const submit = buttonsOfCall(reply).find((b: any) => b.text.text === 'Submit my plan');
    expect(submit.action_id).toMatch(/^plan:submit#\d+\.[\w-]{16}$/);
    const container = { type: 'message', message_ts: '1700000500.000100', channel_id: member.channel, is_ephemeral: true };

    const from = fake.calls.length;
    const answers = await Promise.all(Array.from({ length: 10 }, () => member.press(submit, container)));
    await runtime.slack!.settled();
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body).not.toMatch(ERROR_TEXT);
    }
    expect((await runtime.db.actionPlan.findUniqueOrThrow({ where: { id: plan.id } })).stage).toBe('SUBMITTED');
    expect(await runtime.db.actionPlanVersion.count({ where: { planId: plan.id } })).toBe(1);
    expectCleanCalls(from);
    const calls = fake.calls.slice(from);
    const texts = calls.filter((c) => c.method === 'response_url' && c.params.replace_original === true).map((c) => textOfCall(c.params));
    expect(texts.filter((t) => !t.includes('Already done at'))).toHaveLength(1);
    expect(texts.find((t) => !t.includes('Already done at'))).toContain('Submit my plan: done by you at 10:00');
    expect(texts.filter((t) => t.includes('Already done at'))).toHaveLength(9);
    for (const call of calls) expect(buttonsOfCall(call).some((b: any) => tokenOfButton(b) === tokenOfButton(submit))).toBe(false);
  });
});

const NOTICE = 'You are asked to give feedback';

/** Review requests sent so far, web chat and Slack together; waits up to 3 s for `expected` (proactive sends follow the press). */
async function noticesAfterAWhile(expected: number): Promise<number> {
  const count = () => inbox.sent.filter((s) => JSON.stringify(s.message.blocks).includes(NOTICE)).length + fake.callsOf('chat.postMessage').filter((c) => textOfCall(c.params).includes(NOTICE)).length;
  for (let waited = 0; count() < expected && waited < 3_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
  return count();
}

describe('when a Slack coordinator presses "Confirm and notify" ten times at once', () => {
  it('opens the round once, tells each reviewer once, replaces the message in place, and answers a later press with the round as it stands', async () => {
    for (const m of ['web:lc1-m4', 'web:lc1-m5', 'web:lc1-m6', 'web:lc1-m7']) await submittedPlan(runtime.db, 'LC1', m);
    const coordinator = await onSlack('web:lc1-coordinator', 'UCOORD');
    const opens = fake.callsOf('views.open').length;
    const before = fake.calls.length;
    await coordinator.say('feedback-round');
    await expect.poll(() => fake.callsOf('views.open').length).toBeGreaterThan(opens);
    const settings = fake.callsOf('views.open').at(-1)!.params.view;
    const sent = await coordinator.submit(settings, { deadline: '2026-12-20', reviewersPerPlan: '2', resourcePersons: 'no', anonymous: 'no', delivery: 'asSubmitted' });
    expect(sent.status).toBe(200);
    await runtime.slack!.settled();
    const preview = await fake.waitFor('response_url', (p) => textOfCall(p).includes('Preview: feedback round of LC1'));
    const confirm = buttonsOfCall(preview).find((b: any) => b.text.text === 'Confirm and notify');
    expect(confirm.action_id).toMatch(/^feedback-round:confirm#\d+\.[\w-]{16}$/);
    const container = { type: 'message', message_ts: '1700000600.000100', channel_id: coordinator.channel, is_ephemeral: true };

    const from = fake.calls.length;
    const answers = await Promise.all(Array.from({ length: 10 }, () => coordinator.press(confirm, container)));
    await runtime.slack!.settled();
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body).not.toMatch(ERROR_TEXT);
    }
    const round = await runtime.db.feedbackRound.findFirstOrThrow({ where: { cluster: { code: 'LC1' } }, include: { assignments: true } });
    expect(round.status).toBe('OPEN');
    expect(await runtime.db.feedbackRound.count({ where: { cluster: { code: 'LC1' } } })).toBe(1);
    expect(round.assignments.length).toBeGreaterThan(0);
    // Each reviewer told once per plan to review, however many presses.
    expect(await noticesAfterAWhile(round.assignments.length)).toBe(round.assignments.length);
    // ... and each reviewer once per plan: in the web chat, or in their Slack DM (the members above who use Slack).
    for (const reviewerId of new Set(round.assignments.map((a) => a.reviewerId))) {
      const web = await runtime.db.platformIdentity.findFirstOrThrow({ where: { personId: reviewerId, platform: 'WEB' } });
      const onSlackToo = await runtime.db.platformIdentity.findFirst({ where: { personId: reviewerId, platform: 'SLACK' } });
      // The DM they used the bot in (onSlack's channel "D" + user id), where the bot reaches them.
      const dm = onSlackToo && `D${onSlackToo.externalId.split(':')[1]}`;
      const told = inbox.to(web.externalId).filter((m) => JSON.stringify(m.blocks).includes(NOTICE)).length + fake.callsOf('chat.postMessage').filter((c) => c.params.channel === dm && textOfCall(c.params).includes(NOTICE)).length;
      expect(told).toBe(round.assignments.filter((a) => a.reviewerId === reviewerId).length);
    }
    expectCleanCalls(from);
    const calls = fake.calls.slice(from);
    // The pressed preview is replaced in place: who did it and when, once; the repeats say "already done".
    const replaced = calls.filter((c) => c.method === 'response_url' && c.params.replace_original === true);
    const texts = replaced.map((c) => textOfCall(c.params));
    expect(texts.filter((t) => !t.includes('Already done at'))).toHaveLength(1);
    expect(texts.find((t) => !t.includes('Already done at'))).toContain('Confirm and notify: done by you at 10:00');
    expect(calls.filter((c) => textOfCall(c.params).includes('The feedback round of LC1 is open'))).toHaveLength(1);
    // No message offers the spent button again.
    for (const call of calls) expect(buttonsOfCall(call).some((b: any) => b.action_id === confirm.action_id || tokenOfButton(b) === tokenOfButton(confirm))).toBe(false);

    // A review sent since: pressed once more, the round as it stands now, not the first note.
    const assignment = round.assignments[0];
    await runtime.db.feedbackAssignment.update({ where: { id: assignment.id }, data: { status: 'SUBMITTED' } });
    const reviewer = await runtime.db.person.findUniqueOrThrow({ where: { id: assignment.reviewerId } });
    const later = fake.calls.length;
    expect((await coordinator.press(confirm, container)).status).toBe(200);
    await runtime.slack!.settled();
    const [again] = fake.calls.slice(later).filter((c) => c.method === 'response_url' && c.params.replace_original === true);
    const text = textOfCall(again.params);
    expect(text).toContain('Already done at 10:00');
    expect(text).toContain('Feedback round of LC1');
    expect(text).toContain(`${reviewer.displayName}: reviews done 1`);
    expect(text).not.toContain('The feedback round of LC1 is open');
    expect(buttonsOfCall(again).some((b: any) => b.action_id === confirm.action_id)).toBe(false);
    expect(messageProblems(again.params)).toEqual([]);
    expect(await noticesAfterAWhile(round.assignments.length + 1)).toBe(round.assignments.length);
    expect(await runtime.db.feedbackRound.count({ where: { cluster: { code: 'LC1' } } })).toBe(1);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { translator } from '../../src/core/i18n.js';
import { createLogger } from '../../src/core/logger.js';
import { deliverSlot } from '../../src/scheduler/deliver.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import type { FakeSlack } from '../support/fake-slack.js';
import { testSlackRuntime } from '../support/harness.js';
import { slackClient } from '../support/slack-requests.js';
import { findButton, formOf, talkAs } from '../support/transcript.js';
import { submittedPlan } from '../flows/feedback/factory.js';

/**
 * Messages sent later are written in each recipient's language, never the sender's: a coordinator who
 * reads English sends a reminder and a member gets it in Albanian, then in Cyrillic once they choose
 * it; a reviewer writing in English delivers feedback its author reads in Albanian. Through the real
 * scheduler delivery and feedback delivery, to the local fake Slack.
 */
const SECRET = 'test-signing-secret-0123456789abcdef';
const today = new Date('2026-11-23T09:00:00Z'); // a Monday, 10:00 in Belgrade
const clock = new ManualClock(today);
let runtime: Runtime;
let fake: FakeSlack;
let slack: ReturnType<typeof slackClient>;

beforeAll(async () => {
  ({ runtime, fake, slack } = await testSlackRuntime(SECRET, { clock }));
  await seedDemo(runtime.db, today);
});

async function slash(user: string, text: string): Promise<void> {
  const request = { token: 'legacy', team_id: 'T1', team_domain: 'clusters', channel_id: 'D1', channel_name: 'directmessage', user_id: user, user_name: user.toLowerCase(), text, response_url: fake.responseUrl(), trigger_id: `trigger-${Math.random()}`, api_app_id: 'A1' };
  expect((await slack.command(request)).status).toBe(200);
  await runtime.slack!.settled();
}

/** A demo person who also uses Slack (linked by a vouched address) and last wrote from there, in the given locale. */
async function onSlack(externalId: string, slackUser: string, locale: string) {
  const person = await runtime.db.person.findFirstOrThrow({ where: { identities: { some: { externalId } } } });
  await runtime.db.person.update({ where: { id: person.id }, data: { email: `${slackUser.toLowerCase()}@example.org` } });
  fake.addUser({ id: slackUser, real_name: person.displayName, locale, email: `${slackUser.toLowerCase()}@example.org` });
  await slash(slackUser, 'me');
  return runtime.db.person.findUniqueOrThrow({ where: { id: person.id } });
}

/** Text of the messages the bot posted (chat.postMessage) since `from`. */
function postedSince(from: number): string {
  return fake.calls.slice(from).filter((c) => c.method === 'chat.postMessage').map((c) => JSON.stringify(c.params.blocks ?? []) + (c.params.text ?? '')).join('\n');
}

/** The coordinator (English) sends a reminder now to one person through the composer, and the scheduler delivers it. */
async function remind(personId: string, message: string): Promise<string> {
  const coordinator = talkAs(runtime.bot, 'web:lc1-coordinator');
  const from = fake.calls.length;
  const form = formOf(await coordinator.say('/lc nudge LC1'));
  const preview = await coordinator.submit(form, { recipients: [`person:${personId}`], message, when: 'now', date: '', time: '', days: '' });
  await coordinator.press(findButton(preview, translator('en')('scheduler:button.send')));
  // What the scheduler's worker does when the slot is due: re-plan the cluster the send changed, deliver the slot.
  await runtime.scheduler.replan((await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } })).id);
  const nudge = await runtime.db.plannedNudge.findFirstOrThrow({ where: { personId, kind: 'manual', status: 'PLANNED' }, orderBy: { createdAt: 'desc' } });
  // As the worker's job would: a platform pace that says "later" (SendLater, or a claim still held) is retried.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const outcome = await deliverSlot({ db: runtime.db, clock, notifier: runtime.notifier, logger: createLogger('silent') }, { personId, dueAt: nudge.dueAt.getTime() }, { lateByMs: 0, finalAttempt: false }).catch((error: Error) => error.message);
    if (outcome === 'sent' || postedSince(from).includes(message)) break;
    if (Date.now() > deadline) throw new Error(`the reminder was not delivered: ${outcome}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return postedSince(from);
}

describe('when a coordinator who reads English sends a reminder to a member who reads Albanian', () => {
  it('delivers it in Albanian, then in Cyrillic once the member chooses sr-Cyrl', async () => {
    const member = await onSlack('web:lc1-m1', 'UFATMIR', 'sq-AL');
    expect(member.locale).toBe('sq');
    const coordinatorLocale = (await runtime.db.person.findFirstOrThrow({ where: { identities: { some: { externalId: 'web:lc1-coordinator' } } } })).locale;
    expect(coordinatorLocale).toBe('en');

    const vars = { from: (await runtime.db.person.findFirstOrThrow({ where: { identities: { some: { externalId: 'web:lc1-coordinator' } } } })).displayName, cluster: 'LC1' };
    const albanian = await remind(member.id, 'Please bring your case.');
    expect(albanian).toContain(translator('sq')('scheduler:title', { cluster: 'LC1' }));
    expect(albanian).toContain(translator('sq')('scheduler:fromCoordinator', vars));
    expect(albanian).not.toContain(translator('en')('scheduler:title', { cluster: 'LC1' }));
    expect(albanian).toContain('Please bring your case.');

    await slash('UFATMIR', 'language sr-Cyrl');
    clock.set(new Date(today.getTime() + 3_600_000)); // an hour later: another delivery slot
    const cyrillic = await remind(member.id, 'Bring the photos too.');
    expect(cyrillic).toContain(translator('sr-Cyrl')('scheduler:title', { cluster: 'LC1' }));
    expect(translator('sr-Cyrl')('scheduler:title', { cluster: 'LC1' })).toMatch(/[\u0400-\u04ff]/);
    expect(cyrillic).not.toContain(translator('sq')('scheduler:title', { cluster: 'LC1' }));
  });
});

describe('when a reviewer who reads English sends feedback to an author who reads Albanian', () => {
  it('delivers the feedback in Albanian', async () => {
    for (let i = 1; i <= 8; i++) await submittedPlan(runtime.db, 'LC2', `web:lc2-m${i}`);
    const author = await onSlack('web:lc2-m1', 'UANA', 'sq-AL');
    const coordinator = talkAs(runtime.bot, 'web:lc2-coordinator');
    const form = formOf(await coordinator.say('/lc feedback-round LC2'));
    const preview = await coordinator.submit(form, { deadline: '2026-12-20', reviewersPerPlan: '1', resourcePersons: 'no', anonymous: 'no', delivery: 'asSubmitted' });
    await coordinator.press(findButton(preview, translator('en')('feedback:preview.confirm')));

    const assignment = await runtime.db.feedbackAssignment.findFirstOrThrow({ where: { plan: { authorId: author.id } }, include: { reviewer: { include: { identities: true } } } });
    expect(assignment.reviewer.locale).toBe('en');
    const reviewer = talkAs(runtime.bot, assignment.reviewer.identities[0].externalId);
    let step = formOf(await reviewer.press({ actionId: 'feedback:write', value: assignment.id }));
    step = formOf(await reviewer.submit(step, { strengths: 'Strong goal', suggestions: 'Talk to the council early.' }));
    while (!step.formId.startsWith('feedback:overall:')) step = formOf(await reviewer.submit(step, {}));
    const review = await reviewer.submit(step, { rating: '3' });
    const from = fake.calls.length;
    await reviewer.press(findButton(review, translator('en')('feedback:form.send')));
    await runtime.slack!.settled();

    const delivered = postedSince(from);
    const title = translator('sq')('feedback:view.titleAuthor', { label: assignment.reviewer.displayName, cluster: 'LC2' });
    expect(title).not.toBe(translator('en')('feedback:view.titleAuthor', { label: assignment.reviewer.displayName, cluster: 'LC2' }));
    expect(delivered).toContain(title);
    expect(delivered).toContain('Talk to the council early.');
  });
});

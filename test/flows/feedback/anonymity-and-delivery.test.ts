import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import type { OutboundMessage } from '../../../src/core/messages.js';
import { seedDemo } from '../../../src/domain/demo-seed.js';
import type { Runtime } from '../../../src/server/runtime.js';
import { deliverHeldFeedback, openRoundAutomatically } from '../../../flows/feedback/delivery.js';
import { testRuntime } from '../../support/harness.js';
import { buttonsOf, findButton, formOf, talkAs, textOf } from '../../support/transcript.js';
import { RecordingSender, sameOrganisationAs, submittedPlan } from './factory.js';

const today = new Date('2026-11-23T09:00:00Z');
const clock = new ManualClock(today);
let runtime: Runtime;
let recorder: RecordingSender;

beforeAll(async () => {
  runtime = await testRuntime({ clock });
  await seedDemo(runtime.db, today);
  recorder = new RecordingSender();
  runtime.notifier.register(recorder);
});

async function openRound(code: string, values: Record<string, string>) {
  const coordinator = talkAs(runtime.bot, `web:${code.toLowerCase()}-coordinator`);
  const form = formOf(await coordinator.say(`/lc feedback-round ${code}`));
  const preview = await coordinator.submit(form, { deadline: '2026-12-20', reviewersPerPlan: '2', resourcePersons: 'no', anonymous: 'no', delivery: 'asSubmitted', ...values });
  return { coordinator, preview };
}

/** Writes and sends a short piece of feedback on the first page, skipping the rest. */
async function writeFeedback(externalId: string, assignmentId: string, suggestion: string) {
  const me = talkAs(runtime.bot, externalId);
  let form = formOf(await me.press({ actionId: 'feedback:write', value: assignmentId }));
  form = formOf(await me.submit(form, { strengths: 'Strong goal', suggestions: suggestion }));
  while (!form.formId.startsWith('feedback:overall:')) form = formOf(await me.submit(form, {}));
  const review = await me.submit(form, { rating: '3' });
  return me.press(findButton(review, 'Send feedback'));
}

describe('when a round is anonymous', () => {
  it("never lets a reviewer's name, id or organisation reach the author, in any message, thread or consolidated version", async () => {
    for (let i = 1; i <= 8; i++) await submittedPlan(runtime.db, 'LC2', `web:lc2-m${i}`);
    const { coordinator, preview } = await openRound('LC2', { anonymous: 'yes', resourcePersons: 'yes' });
    await coordinator.press(findButton(preview, 'Confirm and notify'));

    const author = await runtime.db.person.findFirstOrThrow({ where: { identities: { some: { externalId: 'web:lc2-m1' } } } });
    const reviews = await runtime.db.feedbackAssignment.findMany({
      where: { plan: { authorId: author.id } },
      include: { reviewer: { include: { identities: true, organisation: true } } },
    });
    expect(reviews.length).toBe(4); // two peers and two resource persons
    const seenByAuthor: OutboundMessage[] = [];
    const authorChat = talkAs(runtime.bot, 'web:lc2-m1');
    const say = async (p: Promise<OutboundMessage[]>) => {
      const replies = await p;
      seenByAuthor.push(...replies);
      return replies;
    };

    for (const [n, review] of reviews.entries()) {
      await writeFeedback(review.reviewer.identities[0].externalId, review.id, `Suggestion ${n + 1}`);
    }
    // A thread: the author replies to every piece of feedback, each reviewer answers.
    const received = recorder.to('web:lc2-m1');
    for (const message of received.filter((m) => textOf(m).includes('Feedback on your action plan'))) {
      const reply = formOf(await say(authorChat.press(findButton([message], 'Reply'))));
      await say(authorChat.submit(reply, { text: 'Thank you, could you say more?' }));
    }
    for (const review of reviews) {
      const reviewerChat = talkAs(runtime.bot, review.reviewer.identities[0].externalId);
      const notice = recorder.to(review.reviewer.identities[0].externalId).find((m) => textOf(m).includes('wrote about the feedback'))!;
      await reviewerChat.submit(formOf(await reviewerChat.press(findButton([notice], 'Answer'))), { text: 'Yes: start with the premises.' });
    }
    const overview = await say(authorChat.say('/lc feedback'));
    for (const open of buttonsOf(overview).filter((b) => b.actionId === 'feedback:open')) {
      const shown = await say(authorChat.press(open));
      await say(authorChat.press(buttonsOf(shown).find((b) => b.actionId === 'feedback:mark')!));
    }
    const consolidation = await say(authorChat.press(findButton(overview, 'Consolidate my plan')));
    await say(authorChat.submit(formOf(consolidation), { note: 'Thanks all' }));
    const version = await runtime.db.actionPlanVersion.findFirstOrThrow({ where: { plan: { authorId: author.id }, stage: 'CONSOLIDATED' } });

    const everything = JSON.stringify([...recorder.to('web:lc2-m1'), ...seenByAuthor, version.content]);
    expect(everything).toContain('Reviewer 1');
    expect(everything).toContain('Reviewer 4');
    expect(everything).toContain('Yes: start with the premises.');
    for (const review of reviews) {
      const r = review.reviewer;
      for (const secret of [r.displayName, r.id, review.id, r.identities[0].externalId, r.organisation?.name].filter(Boolean)) {
        expect(everything, `author saw ${secret}`).not.toContain(secret);
      }
    }
  }, 90_000); // a whole round of eight plans, with every message collected: long on a loaded machine
});

describe('when feedback is delivered at the deadline', () => {
  it('holds submitted feedback until the deadline, then delivers it once and closes the round', async () => {
    for (let i = 1; i <= 4; i++) await submittedPlan(runtime.db, 'LC3', `web:lc3-m${i}`);
    const { coordinator, preview } = await openRound('LC3', { delivery: 'atDeadline', deadline: '2026-11-30' });
    await coordinator.press(findButton(preview, 'Confirm and notify'));
    const author = await runtime.db.person.findFirstOrThrow({ where: { identities: { some: { externalId: 'web:lc3-m1' } } } });
    const review = await runtime.db.feedbackAssignment.findFirstOrThrow({ where: { plan: { authorId: author.id } }, include: { reviewer: { include: { identities: true } } } });
    const sent = await writeFeedback(review.reviewer.identities[0].externalId, review.id, 'Plan a pilot first');
    expect(textOf(sent)).toContain('reaches');
    const before = recorder.to('web:lc3-m1').length;
    expect(textOf(await talkAs(runtime.bot, 'web:lc3-m1').say('/lc feedback'))).toContain('1 more piece of feedback is written and reaches you at the deadline');
    expect(recorder.to('web:lc3-m1')).toHaveLength(before);

    clock.set(new Date('2026-12-01T00:00:00Z'));
    try {
      expect(await deliverHeldFeedback(runtime.services)).toBe(1);
      expect(await deliverHeldFeedback(runtime.services)).toBe(0);
      const delivered = recorder.to('web:lc3-m1').slice(before);
      expect(delivered).toHaveLength(1);
      expect(textOf(delivered[0])).toContain('Plan a pilot first');
      expect((await runtime.db.feedbackRound.findUniqueOrThrow({ where: { id: review.roundId } })).status).toBe('CLOSED');

      // A late review, after the deadline, reaches the author at once instead of waiting for nothing.
      const late = await runtime.db.feedbackAssignment.findFirstOrThrow({ where: { plan: { authorId: author.id }, id: { not: review.id } }, include: { reviewer: { include: { identities: true } } } });
      await writeFeedback(late.reviewer.identities[0].externalId, late.id, 'Late but useful');
      expect(textOf(recorder.to('web:lc3-m1').slice(before + 1))).toContain('Late but useful');
    } finally {
      clock.set(today);
    }
  });
});

describe('when the cluster design opens the round automatically at EE2', () => {
  it('does nothing before EE2, opens one round when EE2 begins, and never a second', async () => {
    const cluster = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC4' }, include: { timeline: true } });
    await runtime.db.cluster.update({ where: { id: cluster.id }, data: { design: { feedbackRound: { autoOpenAtEe2: true, reviewersPerPlan: 1, anonymous: true } } } });
    for (let i = 1; i <= 5; i++) await submittedPlan(runtime.db, 'LC4', `web:lc4-m${i}`);
    expect(await openRoundAutomatically(runtime.services, cluster.id)).toEqual({ status: 'notYet' });

    const ee2 = cluster.timeline.find((i) => i.roles.includes('CONCEPTS_PRESENTED'))!;
    clock.set(new Date(ee2.startsAt!.getTime() + 60_000));
    try {
      const [first, second] = await Promise.all([openRoundAutomatically(runtime.services, cluster.id), openRoundAutomatically(runtime.services, cluster.id)]);
      const outcomes = [first.status, second.status].sort();
      expect(outcomes).toEqual(['alreadyOpened', 'opened']);
      expect(await runtime.db.feedbackRound.count({ where: { clusterId: cluster.id } })).toBe(1);
      const round = await runtime.db.feedbackRound.findFirstOrThrow({ where: { clusterId: cluster.id }, include: { assignments: true } });
      expect(round.status).toBe('OPEN');
      expect(round.anonymous).toBe(true);
      expect(round.assignments).toHaveLength(5);
      expect(recorder.to('web:lc4-coordinator').some((m) => textOf(m).includes('opened automatically'))).toBe(true);
      // Five reviews among eight members: whoever was given one was told (which five depends on the seed).
      for (const a of round.assignments) {
        const identity = await runtime.db.platformIdentity.findFirstOrThrow({ where: { personId: a.reviewerId } });
        expect(recorder.to(identity.externalId).some((m) => buttonsOf([m]).some((b) => b.value === a.id))).toBe(true);
      }
    } finally {
      clock.set(today);
    }
  });
});

describe('when not every plan can get its reviewers', () => {
  it('tells the coordinator exactly why and what would fix it, and a reviewer added by hand closes the gap', async () => {
    // LC5: only three members left, two of them from one municipality.
    const cluster = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC5' } });
    await sameOrganisationAs(runtime.db, 'LC5', 'web:lc5-m2', 'web:lc5-m1');
    for (let i = 4; i <= 8; i++) {
      const p = await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: `web:lc5-m${i}` } });
      await runtime.db.membership.updateMany({ where: { personId: p.personId, clusterId: cluster.id }, data: { status: 'LEFT' } });
    }
    const names = [];
    for (let i = 1; i <= 3; i++) names.push((await submittedPlan(runtime.db, 'LC5', `web:lc5-m${i}`)).person.displayName);
    const { coordinator, preview } = await openRound('LC5', {});
    const text = textOf(preview);
    expect(text).toContain('Why some plans are short');
    expect(text).toMatch(new RegExp(`The 2 plans of (${names[0]}, ${names[1]}|${names[1]}, ${names[0]}) need 4 reviews together, but the people allowed to review them can give at most 2: ${names[2]} \\(2\\)`));
    expect(text).toContain('pairings within one organisation');
    expect(text).toContain('Add 2 reviewers by hand');
    expect(text).toContain('Let resource persons review every plan');
    expect(text).not.toContain('Lower reviewers per plan');

    const round = await runtime.db.feedbackRound.findFirstOrThrow({ where: { clusterId: cluster.id } });
    // Only a coordinator of the cluster may confirm, whatever button a member manages to send.
    const refused = await talkAs(runtime.bot, 'web:lc5-m1').press({ actionId: 'feedback-round:confirm', value: round.id });
    expect(textOf(refused)).toContain('only a coordinator');
    expect((await runtime.db.feedbackRound.findUniqueOrThrow({ where: { id: round.id } })).status).toBe('PREVIEW');
    const short = (round.allocationReport as { shortfalls: { planId: string }[] }).shortfalls;
    const rp = await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: 'web:lc5-rp1' } });
    let current = preview;
    for (const s of short) {
      const change = formOf(await coordinator.press(findButton(current, 'Change reviewers')));
      current = await coordinator.submit(change, { planId: s.planId, add: rp.personId });
    }
    expect(textOf(current)).not.toMatch(/reviewers? missing/);
    expect(textOf(current)).not.toContain('Why some plans are short');
  });
});

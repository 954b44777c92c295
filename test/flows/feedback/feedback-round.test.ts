import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { seedDemo } from '../../../src/domain/demo-seed.js';
import type { Runtime } from '../../../src/server/runtime.js';
import { testRuntime } from '../../support/harness.js';
import { buttonsOf, findButton, formOf, talkAs, textOf } from '../../support/transcript.js';
import { pendingReviews } from '../../../src/domain/feedback/rounds.js';
import { RecordingSender, sameOrganisationAs, submittedPlan } from './factory.js';

const today = new Date('2026-11-23T09:00:00Z');
let runtime: Runtime;
let recorder: RecordingSender;
const members = Array.from({ length: 8 }, (_, i) => `web:lc1-m${i + 1}`);

beforeAll(async () => {
  runtime = await testRuntime({ clock: new ManualClock(today) });
  await seedDemo(runtime.db, today);
  recorder = new RecordingSender();
  runtime.notifier.register(recorder);
  // Eight members from six municipalities: m7 works where m1 does, m8 where m2 does.
  await sameOrganisationAs(runtime.db, 'LC1', 'web:lc1-m7', 'web:lc1-m1');
  await sameOrganisationAs(runtime.db, 'LC1', 'web:lc1-m8', 'web:lc1-m2');
  for (const m of members) await submittedPlan(runtime.db, 'LC1', m);
});

const settings = { deadline: '2026-12-20', reviewersPerPlan: '2', resourcePersons: 'no', anonymous: 'no', delivery: 'asSubmitted' };

describe('when a coordinator opens a round for eight members from six municipalities', () => {
  it('previews a balanced allocation with no self or same-municipality review, then notifies reviewers on confirm', async () => {
    const coordinator = talkAs(runtime.bot, 'web:lc1-coordinator');
    const start = await coordinator.say('/lc feedback-round');
    const form = formOf(start);
    expect(form.formId).toBe('feedback-round:settings');

    // A bad number comes back with the message next to the field and the other values kept.
    const bad = formOf(await coordinator.submit(form, { ...settings, reviewersPerPlan: 'two' }));
    expect(bad.errors?.reviewersPerPlan).toContain('whole number');
    expect(bad.fields.find((f) => f.name === 'deadline')?.initial).toBe('2026-12-20');

    const past = formOf(await coordinator.submit(form, { ...settings, deadline: '2026-11-01' }));
    expect(past.errors?.deadline).toContain('must be in the future');

    // Another allocation replaces the first preview; the rules hold for it too (checked below on the final one).
    const first = await coordinator.submit(form, settings);
    const preview = await coordinator.press(findButton(first, 'Try another allocation'));
    expect(await runtime.db.feedbackRound.count()).toBe(1);
    const text = textOf(preview);
    expect(text).toContain('Preview: feedback round of LC1');
    expect(text).toContain('Reviews per person: 2 to 2 (8 people)');
    expect(text).not.toContain('missing');
    expect(recorder.sent).toHaveLength(0);

    const round = await runtime.db.feedbackRound.findFirstOrThrow({ include: { assignments: { include: { reviewer: { include: { memberships: true } }, plan: { include: { author: { include: { memberships: true } } } } } } } });
    expect(round.status).toBe('PREVIEW');
    expect(round.assignments).toHaveLength(16);
    const orgOf = (p: { memberships: { organisationId: string | null }[] }) => p.memberships[0].organisationId;
    for (const a of round.assignments) {
      expect(a.reviewerId).not.toBe(a.plan.authorId);
      expect(orgOf(a.reviewer)).not.toBe(orgOf(a.plan.author));
    }
    const perPlan = new Map<string, number>();
    const perReviewer = new Map<string, number>();
    for (const a of round.assignments) {
      perPlan.set(a.planId, (perPlan.get(a.planId) ?? 0) + 1);
      perReviewer.set(a.reviewerId, (perReviewer.get(a.reviewerId) ?? 0) + 1);
    }
    expect([...perPlan.values()]).toEqual(Array(8).fill(2));
    expect([...perReviewer.values()].sort()).toEqual(Array(8).fill(2));

    // Swap one reviewer by hand; a self-review is refused with a friendly message. The allocation
    // comes from a random seed, so the swapped review is chosen by rule, not by position: never one
    // of the two writers below (each must keep two reviews of two different plans, whatever the seed).
    const change = formOf(await coordinator.press(findButton(preview, 'Change reviewers')));
    const writerIds = await Promise.all(['web:lc1-m1', 'web:lc1-m2'].map(async (w) => (await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: w } })).personId));
    const target = round.assignments.filter((a) => !writerIds.includes(a.reviewerId)).sort((x, y) => x.id.localeCompare(y.id))[0];
    const refused = formOf(await coordinator.submit(change, { planId: target.planId, add: target.plan.authorId }));
    expect(refused.errors?.add).toContain('Nobody can review their own plan');
    const rp = await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: 'web:lc1-rp1' } });
    const swapped = await coordinator.submit(change, { planId: target.planId, remove: target.reviewerId, add: rp.personId });
    expect(textOf(swapped)).toContain('(added by hand)');
    expect(await runtime.db.feedbackAssignment.count({ where: { roundId: round.id, planId: target.planId, reviewerId: target.reviewerId } })).toBe(0);

    const opened = await coordinator.press(findButton(swapped, 'Confirm and notify'));
    expect(textOf(opened)).toContain('The feedback round of LC1 is open');
    expect((await runtime.db.feedbackRound.findUniqueOrThrow({ where: { id: round.id } })).status).toBe('OPEN');
    const scheduler = runtime.services.scheduler as unknown as { announcements: { reason: string }[] };
    expect(scheduler.announcements.some((a) => a.reason === 'feedback')).toBe(true);
    const notices = recorder.sent.filter((s) => textOf(s.message).includes('You are asked to give feedback'));
    expect(notices).toHaveLength(16);
    expect(recorder.to('web:lc1-rp1').some((m) => textOf(m).includes('You are asked'))).toBe(true);
  });
});

describe('when two members write feedback and the authors answer it', () => {
  it('builds the form from the plan, autosaves each page, delivers it, and lets the author mark suggestions and consolidate', async () => {
    const round = await runtime.db.feedbackRound.findFirstOrThrow({ where: { status: 'OPEN' } });
    const writers = ['web:lc1-m1', 'web:lc1-m2'];
    // Each writer reviews a different author's plan (each reviews two plans, and the hand swap above
    // never touches theirs, so one is always left), so every author's counts and version numbers
    // below come from one review only, whatever the seed.
    const reviewedPlans: string[] = [];
    for (const writer of writers) {
      const reviewer = await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: writer } });
      const assignment = await runtime.db.feedbackAssignment.findFirstOrThrow({ where: { roundId: round.id, reviewerId: reviewer.personId, kind: 'peer', planId: { notIn: reviewedPlans } }, include: { plan: { include: { author: { include: { identities: true } }, activities: { orderBy: { position: 'asc' } } } } } });
      const me = talkAs(runtime.bot, writer);
      const notice = recorder.to(writer).find((m) => buttonsOf([m]).some((b) => b.value === assignment.id))!;
      const goal = formOf(await me.press(findButton([notice], 'Write feedback')));
      reviewedPlans.push(assignment.planId);
      expect(goal.formId).toBe(`feedback:goal:${assignment.id}`);
      expect(goal.intro).toContain('A day-care centre for 20 elderly people');
      expect(goal.fields.map((f) => f.name)).toEqual(['strengths', 'questions', 'suggestions']);

      const act1 = formOf(await me.submit(goal, { strengths: 'Clear target group', questions: '', suggestions: 'Name the number of staff\n- Add a budget line' }));
      expect(act1.formId).toBe(`feedback:act-0:${assignment.id}`);
      expect(act1.intro).toContain('Secure premises and ownership rights');
      // Autosaved: the draft is in the database before the last page.
      const draft = await runtime.db.feedback.findUniqueOrThrow({ where: { assignmentId: assignment.id } });
      expect(JSON.stringify(draft.content)).toContain('Clear target group');

      const act2 = formOf(await me.submit(act1, { strengths: '', questions: 'Who owns the building?', suggestions: '' }));
      expect(act2.formId).toBe(`feedback:act-1:${assignment.id}`);
      const overall = formOf(await me.submit(act2, {}));
      expect(overall.formId).toBe(`feedback:overall:${assignment.id}`);
      const review = await me.submit(overall, { rating: '4' });
      expect(textOf(review)).toContain('Who owns the building?');
      expect(textOf(review)).toContain('4 of 5');
      const sent = await me.press(findButton(review, 'Send feedback'));
      expect(textOf(sent)).toContain(`Your feedback was sent to ${assignment.plan.author.displayName}`);

      // The author received it at once, with buttons per suggestion.
      const authorId = assignment.plan.author.identities[0].externalId;
      const delivered = recorder.to(authorId).filter((m) => textOf(m).includes('Feedback on your action plan'));
      expect(delivered.length).toBeGreaterThan(0);
      const last = delivered[delivered.length - 1];
      expect(textOf(last)).toContain('Name the number of staff');
      expect(textOf(last)).toContain('Add a budget line');
      expect(textOf(last)).toContain(reviewer.externalId === writer ? (await runtime.db.person.findUniqueOrThrow({ where: { id: reviewer.personId } })).displayName : '');

      // The author marks both suggestions and consolidates.
      const author = talkAs(runtime.bot, authorId);
      const marks = buttonsOf([last]).filter((b) => b.actionId === 'feedback:mark');
      expect(marks).toHaveLength(4);
      const afterFirst = await author.press(marks[0]);
      expect(textOf(afterFirst)).toContain('(taken up)');
      await author.press(marks[3]);
      const suggestions = await runtime.db.feedbackSuggestion.findMany({ where: { feedback: { assignmentId: assignment.id } }, orderBy: { id: 'asc' } });
      expect(suggestions.map((s) => [s.target, s.text, s.takenUp])).toEqual([
        ['goal', 'Name the number of staff', true],
        ['goal', 'Add a budget line', false],
      ]);

      const consolidation = await author.press(findButton([last], 'Consolidate my plan'));
      expect(textOf(consolidation)).toContain('1 taken up, 1 not taken up, 0 not marked');
      const done = await author.submit(formOf(consolidation), { note: 'Added staff numbers' });
      expect(textOf(done)).toContain('version 2');
      const version = await runtime.db.actionPlanVersion.findFirstOrThrow({ where: { planId: assignment.planId, number: 2 } });
      expect(version.stage).toBe('CONSOLIDATED');
      expect(version.answersRoundId).toBe(round.id);
      expect(JSON.stringify(version.content)).toContain('Added staff numbers');
      expect((await runtime.db.actionPlan.findUniqueOrThrow({ where: { id: assignment.planId } })).stage).toBe('CONSOLIDATED');
    }
  });

  it('refuses to send feedback with no comment at all, and keeps the draft', async () => {
    const reviewer = await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: 'web:lc1-m3' } });
    const assignment = await runtime.db.feedbackAssignment.findFirstOrThrow({ where: { reviewerId: reviewer.personId } });
    const me = talkAs(runtime.bot, 'web:lc1-m3');
    const goal = formOf(await me.press({ actionId: 'feedback:write', value: assignment.id }));
    const act = formOf(await me.submit(goal, {}));
    // Another command in between does not lose the place: the next page still saves to this review.
    await me.say('/lc feedback');
    const act2 = formOf(await me.submit(act, {}));
    const review = await me.submit(formOf(await me.submit(act2, {})), { rating: '2' });
    expect(textOf(review)).toContain('Please write at least one strength, question or suggestion');
    expect(buttonsOf(review).map((b) => b.label)).not.toContain('Send feedback');
    const forced = await me.press({ actionId: 'feedback:submit', value: assignment.id });
    expect(textOf(forced)).toContain('Please write at least one');
    expect((await runtime.db.feedbackAssignment.findUniqueOrThrow({ where: { id: assignment.id } })).status).toBe('IN_PROGRESS');
    expect((await runtime.db.feedback.findUniqueOrThrow({ where: { assignmentId: assignment.id } })).rating).toBe(2);
  });

  it('lists the reviews still to write for the scheduler, started ones marked', async () => {
    const cluster = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
    const pending = await pendingReviews(runtime.db, cluster.id);
    expect(pending).toHaveLength(16 - 2);
    expect(pending.filter((p) => p.started)).toHaveLength(1);
    expect(pending.every((p) => p.deadline.toISOString().startsWith('2026-12-20'))).toBe(true);
  });

  it('shows each member their reviews and feedback, and the coordinator who is done', async () => {
    const overview = await talkAs(runtime.bot, 'web:lc1-m1').say('/lc feedback');
    const mine = textOf(overview);
    expect(mine).toContain('Reviews you give');
    expect(mine).toMatch(/: sent/);
    // The reviewer can reopen what they sent.
    const own = await talkAs(runtime.bot, 'web:lc1-m1').press(findButton(overview, /^Sent: /));
    expect(textOf(own)).toContain('Your feedback on the plan of');
    expect(textOf(own)).toContain('Name the number of staff');
    const coordinator = textOf(await talkAs(runtime.bot, 'web:lc1-coordinator').say('/lc feedback'));
    expect(coordinator).toContain('Feedback round of LC1');
    const m1 = await runtime.db.person.findFirstOrThrow({ where: { identities: { some: { externalId: 'web:lc1-m1' } } } });
    expect(coordinator).toMatch(new RegExp(`${m1.displayName}: reviews done 1, pending 1`));
  });

  it('does not let another member read or mark feedback that is not theirs', async () => {
    const suggestion = await runtime.db.feedbackSuggestion.findFirstOrThrow();
    const text = textOf(await talkAs(runtime.bot, 'web:lc2-m1').press({ actionId: 'feedback:mark', value: `${suggestion.id}:no` }));
    expect(text).toContain("I couldn't find this feedback");
    expect((await runtime.db.feedbackSuggestion.findUniqueOrThrow({ where: { id: suggestion.id } })).takenUp).toBe(true);
  });
});

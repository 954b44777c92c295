import { escapeMarkup, md, trusted } from '../../src/core/markup.js';
import { z } from 'zod';
import { BotError, ErrorCode } from '../../src/core/errors.js';
import { defineFlow, type FlowContext, type FlowResult } from '../../src/core/flow.js';
import { formatDate } from '../../src/core/format.js';
import { formatStoredDay } from '../../src/domain/calendar.js';
import { checkForm, fieldSchemas, refill, type FormValues } from '../../src/core/forms.js';
import { translator } from '../../src/core/i18n.js';
import { ui, type Block, type Button, type Form, type OutboundMessage } from '../../src/core/messages.js';
import { consolidatePlan } from '../../src/domain/feedback/consolidation.js';
import { hasAnyText, readContent, type FeedbackSection } from '../../src/domain/feedback/content.js';
import { addReply, feedbackForReader, markSuggestion, reviewerAssignment, saveDraft, submitFeedback, type ReviewerAssignment } from '../../src/domain/feedback/reviews.js';
import { deliverFeedback, deliverHeldFeedback } from './delivery.js';
import { renderFeedback, reviewerLabel, shorten } from './render.js';
import { feedbackOverview } from './overview.js';

const stateSchema = z.object({ assignmentId: z.string().optional(), feedbackId: z.string().optional(), roundId: z.string().optional(), planId: z.string().optional() });
type State = z.infer<typeof stateSchema>;

const sectionFormSchema = z.object({
  strengths: fieldSchemas.optionalText(2000),
  questions: fieldSchemas.optionalText(2000),
  suggestions: fieldSchemas.optionalText(2000),
});
const overallSchema = z.object({
  rating: z
    .enum(['', '1', '2', '3', '4', '5'], { message: 'form.invalidChoice' })
    .optional()
    .transform((v) => (v ? Number(v) : null)),
});
const replySchema = z.object({ text: fieldSchemas.text(2000) });
const consolidateSchema = z.object({ note: fieldSchemas.optionalText(2000) });

/**
 * `/lc feedback`: my reviews to write and the feedback I received (coordinators: who is done). Also
 * runs the feedback form (built from the plan: the goal, then each activity, then an optional
 * rating; every page autosaves), the author's side (mark suggestions, reply) and consolidation.
 */
export const feedbackFlow = defineFlow<State>({
  name: 'feedback',
  version: 2,
  schema: stateSchema,
  commands: [{ verb: 'feedback', summaryKey: 'feedback:summary.feedback', audience: ['MEMBER', 'RESOURCE_PERSON', 'COORDINATOR'], common: true }],
  async start(ctx) {
    const clusters = await ctx.services.db.membership.findMany({ where: { personId: ctx.person.id, status: 'ACTIVE' }, select: { clusterId: true } });
    // Held feedback whose deadline passed is handed over now even if the deadline job has not run yet.
    await deliverHeldFeedback(ctx.services, [...new Set(clusters.map((c) => c.clusterId))]);
    // The overview leaves any running conversation (a half-written reply, say) as it was.
    return { replies: [await feedbackOverview(ctx)] };
  },
  accepts: { actions: { 'feedback:write': '{assignment}', 'feedback:submit': '{assignment}', 'feedback:open': '{feedback}', 'feedback:mark': '{feedback}:yes', 'feedback:reply': '{feedback}', 'feedback:consolidate': '{round}' }, forms: ['feedback:reply', 'feedback:consolidate', 'feedback:goal:{assignment}', 'feedback:overall:{assignment}', 'feedback:act-{n}:{assignment}'] },
  async handle(ctx, event, position) {
    const state = position?.data ?? {};
    if (event.type === 'action') {
      const value = event.value;
      switch (event.actionId) {
        case 'feedback:write':
          return page(ctx, value, 'goal');
        case 'feedback:submit':
          return submit(ctx, value);
        case 'feedback:open':
          return { replies: [await openFeedback(ctx, value)] };
        case 'feedback:mark': {
          const [suggestionId, answer] = value.split(':');
          const feedbackId = await markSuggestion(ctx.services.db, suggestionId, ctx.person.id, answer === 'yes');
          return { replies: [{ ...(await openFeedback(ctx, feedbackId)), replaceOriginal: true }] };
        }
        case 'feedback:reply':
          await feedbackForReader(ctx.services.db, value, ctx.person.id);
          return { replies: [ui.message(ctx.t('feedback:reply.title'), [ui.form(replyForm(ctx))])], next: { step: 'reply', data: { feedbackId: value } } };
        case 'feedback:consolidate':
          return startConsolidation(ctx, value);
      }
    }
    if (event.type === 'form') {
      if (event.formId === 'feedback:reply') return submitReply(ctx, state, event.values);
      if (event.formId === 'feedback:consolidate') return submitConsolidation(ctx, state, event.values);
      // Form pages carry their assignment in the formId, so two reviews written side by side (or a
      // form submitted after another command) still land on the right draft.
      const formPage = /^feedback:(goal|overall|act-(\d+)):(.+)$/.exec(event.formId);
      if (formPage) {
        const which: Page = formPage[1] === 'goal' ? 'goal' : formPage[1] === 'overall' ? 'overall' : Number(formPage[2]);
        return savePage(ctx, formPage[3], which, event.values);
      }
    }
    return { replies: [ui.text(ctx.t('feedback:useButtons'), { ephemeral: true })] };
  },
});

// ------------------------------------------------------------------- the form, page by page

type Page = 'goal' | number | 'overall';

function pageFormId(page: Page, assignmentId: string): string {
  return `${page === 'goal' ? 'feedback:goal' : page === 'overall' ? 'feedback:overall' : `feedback:act-${page}`}:${assignmentId}`;
}

function sectionFields(ctx: FlowContext, section: FeedbackSection | undefined): Form['fields'] {
  const { t } = ctx;
  return (['strengths', 'questions', 'suggestions'] as const).map((key) => ({
    name: key,
    label: t(`feedback:form.${key}`),
    kind: 'textarea' as const,
    maxLength: 2000,
    hint: t(`feedback:form.${key}Hint`),
    ...(section?.[key] ? { initial: section[key] } : {}),
  }));
}

/** The plan part shown above a page, so reviewers on a phone need nothing else open. */
function planIntro(ctx: FlowContext, a: ReviewerAssignment, page: Page): string {
  const { t } = ctx;
  const plan = a.plan;
  const total = plan.activities.length;
  if (page === 'goal') {
    return [
      t('feedback:form.intro', { author: plan.author.displayName, parts: total + 2 }),
      md`${trusted(t('feedback:plan.goal'))}: ${plan.goal ?? '–'}`,
      plan.change ? md`${trusted(t('feedback:plan.change'))}: ${plan.change}` : '',
      plan.targetGroup ? md`${trusted(t('feedback:plan.targetGroup'))}: ${plan.targetGroup}` : '',
      plan.beneficiaries ? md`${trusted(t('feedback:plan.beneficiaries'))}: ${plan.beneficiaries}` : '',
    ]
      .filter(Boolean)
      .join('\n');
  }
  if (page === 'overall') return t('feedback:form.overallIntro');
  const act = plan.activities[page];
  return [
    t('feedback:form.activityOf', { n: page + 1, total }),
    escapeMarkup(act.activity),
    act.responsible ? md`${trusted(t('feedback:plan.responsible'))}: ${act.responsible}` : '',
    act.deadline ? `${t('feedback:plan.deadline')}: ${formatStoredDay(act.deadline, ctx.person.locale)}` : '',
    act.challenges ? md`${trusted(t('feedback:plan.challenges'))}: ${act.challenges}` : '',
    act.mitigation ? md`${trusted(t('feedback:plan.mitigation'))}: ${act.mitigation}` : '',
    act.resources ? md`${trusted(t('feedback:plan.resources'))}: ${act.resources}` : '',
    act.results ? md`${trusted(t('feedback:plan.results'))}: ${act.results}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

function buildPage(ctx: FlowContext, a: ReviewerAssignment, page: Page): Form {
  const { t } = ctx;
  const content = readContent(a.feedback?.content);
  const isLast = page === 'overall';
  const fields: Form['fields'] =
    page === 'overall'
      ? [
          {
            name: 'rating',
            label: t('feedback:form.rating'),
            kind: 'select',
            hint: t('feedback:form.ratingHint'),
            options: [1, 2, 3, 4, 5].map((n) => ({ label: t(`feedback:form.ratingOption.${n}`), value: String(n) })),
            ...(a.feedback?.rating ? { initial: String(a.feedback.rating) } : {}),
          },
        ]
      : sectionFields(ctx, page === 'goal' ? content.goal : content.activities[a.plan.activities[page].id]);
  const title = page === 'goal' ? t('feedback:part.goal') : page === 'overall' ? t('feedback:form.overall') : t('feedback:part.activity', { n: page + 1, title: shorten(a.plan.activities[page].activity, 30) });
  return { formId: pageFormId(page, a.id), title: shorten(title, 24), submitLabel: isLast ? t('feedback:form.review') : t('feedback:form.next'), intro: planIntro(ctx, a, page), fields };
}

async function page(ctx: FlowContext, assignmentId: string, which: Page): Promise<FlowResult<State>> {
  const a = await reviewerAssignment(ctx.services.db, assignmentId, ctx.person.id);
  if (a.status === 'SUBMITTED') return { replies: [ui.text(ctx.t('feedback:write.alreadySubmitted'), { ephemeral: true })] };
  return { replies: [ui.message(ctx.t('feedback:form.title', { author: a.plan.author.displayName }), [ui.form(buildPage(ctx, a, which))])], next: { step: 'writing', data: { assignmentId } } };
}

function nextPage(current: Page, activities: number): Page {
  if (current === 'goal') return activities > 0 ? 0 : 'overall';
  if (current === 'overall') return 'overall';
  return current + 1 < activities ? current + 1 : 'overall';
}

/** Autosave of one page, then the next page (or the review before sending). */
async function savePage(ctx: FlowContext, assignmentId: string, current: Page, values: FormValues): Promise<FlowResult<State>> {
  const a = await reviewerAssignment(ctx.services.db, assignmentId, ctx.person.id);
  if (typeof current === 'number' && !a.plan.activities[current]) throw new BotError(ErrorCode.StaleConversation, 'errors.stepPast', { flow: 'feedback' });
  if (current === 'overall') {
    const checked = checkForm(overallSchema, values, ctx.t);
    if (!checked.ok) return { replies: [ui.message(ctx.t('feedback:form.overall'), [ui.form(refill(buildPage(ctx, a, current), values, checked.errors))])] };
    await saveDraft(ctx.services.db, a.id, ctx.person.id, { rating: checked.data.rating });
    return { replies: [await reviewBeforeSending(ctx, a.id)] };
  }
  const checked = checkForm(sectionFormSchema, values, ctx.t);
  if (!checked.ok) return { replies: [ui.message(ctx.t('feedback:form.title', { author: a.plan.author.displayName }), [ui.form(refill(buildPage(ctx, a, current), values, checked.errors))])] };
  const target = current === 'goal' ? 'goal' : a.plan.activities[current].id;
  await saveDraft(ctx.services.db, a.id, ctx.person.id, { target, section: checked.data });
  const fresh = await reviewerAssignment(ctx.services.db, a.id, ctx.person.id);
  const next = nextPage(current, a.plan.activities.length);
  return { replies: [ui.message(ctx.t('feedback:form.saved'), [ui.context(ctx.t('feedback:form.saved')), ui.form(buildPage(ctx, fresh, next))])] };
}

/** What will be sent, with Send and Edit: nothing reaches the author before Send. */
async function reviewBeforeSending(ctx: FlowContext, assignmentId: string): Promise<OutboundMessage> {
  const { t } = ctx;
  const a = await reviewerAssignment(ctx.services.db, assignmentId, ctx.person.id);
  const content = readContent(a.feedback?.content);
  const blocks: Block[] = [ui.heading(t('feedback:form.reviewTitle', { author: a.plan.author.displayName }))];
  const parts: [string, FeedbackSection | undefined][] = [[t('feedback:part.goal'), content.goal], ...a.plan.activities.map((act, i) => [t('feedback:part.activity', { n: i + 1, title: shorten(act.activity, 60) }), content.activities[act.id]] as [string, FeedbackSection | undefined])];
  for (const [title, section] of parts) {
    const lines = (['strengths', 'questions', 'suggestions'] as const).filter((k) => section?.[k]).map((k) => `_${t(`feedback:form.${k}`)}:_ ${escapeMarkup(section![k]!)}`);
    if (lines.length) blocks.push(ui.paragraph(`**${title}**\n${lines.join('\n')}`));
  }
  if (a.feedback?.rating) blocks.push(ui.fields([{ label: t('feedback:form.rating'), value: t('feedback:view.rating', { rating: a.feedback.rating }) }]));
  const empty = !hasAnyText(content);
  if (empty) blocks.push(ui.paragraph(`⚠ ${t('feedback:write.empty')}`));
  const when = a.round.deliverAtDeadline ? t('feedback:form.deliveredAtDeadline', { deadline: formatDate(a.round.deadline, ctx.person.timeZone, ctx.person.locale) }) : t('feedback:form.deliveredNow');
  blocks.push(ui.context(when));
  if (a.round.anonymous) blocks.push(ui.context(t('feedback:notice.anonymous')));
  const buttons: Button[] = [];
  if (!empty) buttons.push(ui.button(t('feedback:form.send'), 'feedback:submit', a.id, 'primary'));
  buttons.push(ui.openButton(t('feedback:form.edit'), 'feedback:write', a.id));
  blocks.push(ui.actions(...buttons));
  return ui.message(t('feedback:form.reviewTitle', { author: a.plan.author.displayName }), blocks);
}

async function submit(ctx: FlowContext, assignmentId: string): Promise<FlowResult<State>> {
  const a = await reviewerAssignment(ctx.services.db, assignmentId, ctx.person.id);
  const feedbackId = await submitFeedback(ctx.services.db, assignmentId, ctx.person.id, ctx.services.clock.now());
  if (!feedbackId) return { replies: [ui.text(ctx.t('feedback:write.alreadySubmitted'), { ephemeral: true })], next: null };
  // Held feedback waits for the deadline; once it has passed (a late review), it goes out at once.
  const holdUntilDeadline = a.round.deliverAtDeadline && a.round.deadline > ctx.services.clock.now();
  if (!holdUntilDeadline) await deliverFeedback(ctx.services, feedbackId);
  await ctx.services.scheduler.clusterChanged(a.round.clusterId, 'feedback');
  const text = holdUntilDeadline
    ? ctx.t('feedback:write.sentLater', { author: a.plan.author.displayName, deadline: formatDate(a.round.deadline, ctx.person.timeZone, ctx.person.locale) })
    : ctx.t('feedback:write.sent', { author: a.plan.author.displayName });
  // Sent twice, it answers with the feedback as it stands then, the author's replies included (Bot.replay).
  const current = { actionId: 'feedback:open', value: feedbackId };
  return { replies: [ui.message(text, [ui.paragraph(text), ui.actions(ui.commandButton(ctx.t('feedback:view.overview'), 'feedback'))], { current })], next: null };
}

// ------------------------------------------------------------------- reading, marking, replying

async function openFeedback(ctx: FlowContext, feedbackId: string): Promise<OutboundMessage> {
  const { feedback, isAuthor } = await feedbackForReader(ctx.services.db, feedbackId, ctx.person.id);
  const siblings = await ctx.services.db.feedbackAssignment.findMany({ where: { roundId: feedback.assignment.roundId, planId: feedback.assignment.planId }, select: { id: true } });
  const label = reviewerLabel(ctx.t, feedback.assignment.round, siblings, feedback.assignment);
  return renderFeedback(ctx.t, feedback, { isAuthor, timeZone: ctx.person.timeZone, locale: ctx.person.locale }, label);
}

function replyForm(ctx: FlowContext): Form {
  return { formId: 'feedback:reply', title: ctx.t('feedback:reply.title'), submitLabel: ctx.t('feedback:reply.submit'), fields: [{ name: 'text', label: ctx.t('feedback:reply.text'), kind: 'textarea', required: true, maxLength: 2000 }] };
}

async function submitReply(ctx: FlowContext, state: State, values: FormValues): Promise<FlowResult<State>> {
  if (!state.feedbackId) throw new BotError(ErrorCode.StaleConversation, 'errors.stepPast', { flow: 'feedback' });
  const checked = checkForm(replySchema, values, ctx.t);
  if (!checked.ok) return { replies: [ui.message(ctx.t('feedback:reply.title'), [ui.form(refill(replyForm(ctx), values, checked.errors))])] };
  const { feedback, fromAuthor } = await addReply(ctx.services.db, state.feedbackId, ctx.person.id, checked.data.text);
  // The other side of the thread: the reviewer when the author wrote, else the author.
  const recipientId = fromAuthor ? feedback.assignment.reviewerId : feedback.assignment.plan.authorId;
  const recipient = await ctx.services.db.person.findUniqueOrThrow({ where: { id: recipientId } });
  const t = translator(recipient.locale);
  const siblings = await ctx.services.db.feedbackAssignment.findMany({ where: { roundId: feedback.assignment.roundId, planId: feedback.assignment.planId }, select: { id: true } });
  const from = fromAuthor ? escapeMarkup(feedback.assignment.plan.author.displayName) : reviewerLabel(t, feedback.assignment.round, siblings, feedback.assignment);
  const text = t('feedback:reply.received', { from, text: checked.data.text });
  await ctx.services.notifier.notify(recipientId, ui.message(text, [ui.paragraph(text), ui.actions(ui.openButton(t('feedback:view.answer'), 'feedback:reply', feedback.id), ui.openButton(t('feedback:reply.open'), 'feedback:open', feedback.id))]));
  return { replies: [ui.text(ctx.t('feedback:reply.sent'), { ephemeral: true })], next: null };
}

// ------------------------------------------------------------------- consolidation

async function authorPlanInRound(ctx: FlowContext, roundId: string) {
  const plan = await ctx.services.db.actionPlan.findFirst({ where: { authorId: ctx.person.id, reviews: { some: { roundId } } }, include: { versions: { orderBy: { number: 'desc' }, take: 1 } } });
  if (!plan) throw new BotError(ErrorCode.NotFound, 'feedback:consolidate.notFound');
  return plan;
}

function consolidateForm(ctx: FlowContext, number: number): Form {
  return {
    formId: 'feedback:consolidate',
    title: ctx.t('feedback:consolidate.title'),
    submitLabel: ctx.t('feedback:consolidate.submit'),
    intro: ctx.t('feedback:consolidate.intro', { number }),
    fields: [{ name: 'note', label: ctx.t('feedback:consolidate.note'), kind: 'textarea', maxLength: 2000, hint: ctx.t('feedback:consolidate.noteHint') }],
  };
}

async function startConsolidation(ctx: FlowContext, roundId: string): Promise<FlowResult<State>> {
  const plan = await authorPlanInRound(ctx, roundId);
  const suggestions = await ctx.services.db.feedbackSuggestion.findMany({ where: { feedback: { deliveredAt: { not: null }, assignment: { roundId, planId: plan.id } } } });
  const counts = { takenUp: suggestions.filter((s) => s.takenUp === true).length, notTakenUp: suggestions.filter((s) => s.takenUp === false).length, unmarked: suggestions.filter((s) => s.takenUp === null).length };
  const text = ctx.t('feedback:consolidate.summary', { ...counts, number: (plan.versions[0]?.number ?? 0) + 1 });
  const blocks: Block[] = [ui.paragraph(text)];
  if (counts.unmarked) blocks.push(ui.context(ctx.t('feedback:consolidate.unmarked', { count: counts.unmarked })));
  blocks.push(ui.form(consolidateForm(ctx, (plan.versions[0]?.number ?? 0) + 1)));
  return { replies: [ui.message(text, blocks)], next: { step: 'consolidate', data: { roundId, planId: plan.id } } };
}

async function submitConsolidation(ctx: FlowContext, state: State, values: FormValues): Promise<FlowResult<State>> {
  if (!state.roundId || !state.planId) throw new BotError(ErrorCode.StaleConversation, 'errors.stepPast', { flow: 'feedback' });
  const checked = checkForm(consolidateSchema, values, ctx.t);
  if (!checked.ok) {
    const plan = await authorPlanInRound(ctx, state.roundId);
    return { replies: [ui.message(ctx.t('feedback:consolidate.title'), [ui.form(refill(consolidateForm(ctx, (plan.versions[0]?.number ?? 0) + 1), values, checked.errors))])] };
  }
  const version = await consolidatePlan(ctx.services.db, { planId: state.planId, authorId: ctx.person.id, roundId: state.roundId, note: checked.data.note, now: ctx.services.clock.now() });
  const round = await ctx.services.db.feedbackRound.findUniqueOrThrow({ where: { id: state.roundId } });
  await ctx.services.scheduler.clusterChanged(round.clusterId, 'feedback');
  const text = ctx.t('feedback:consolidate.done', { number: version.number });
  return { replies: [ui.message(text, [ui.paragraph(text), ui.actions(ui.commandButton(ctx.t('feedback:view.overview'), 'feedback'))])], next: null };
}

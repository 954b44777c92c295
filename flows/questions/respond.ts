import { z } from 'zod';
import { BotError, ErrorCode } from '../../src/core/errors.js';
import { defineFlow, type FlowContext, type FlowResult } from '../../src/core/flow.js';
import { checkForm, fieldSchemas, refill, type FormValues } from '../../src/core/forms.js';
import { formatShortTime } from '../../src/core/format.js';
import { ui, type Block, type Form, type InboundEvent, type OutboundMessage } from '../../src/core/messages.js';
import {
  answerQuestion,
  askCoordinator,
  askFollowUp,
  markHelpful,
  passCandidates,
  passQuestion,
  replyToAnswer,
  setFaqConsent,
} from '../../src/domain/questions/lifecycle.js';
import { QUESTION_ACTIONS } from '../../src/domain/questions/notices.js';
import { sentMessage } from './ask.js';
import { QUESTION_ID, questionDeps } from './deps.js';
import { QUESTION_VIEW, questionView } from './view.js';

const MAX_TEXT = 4_000;
type Result = FlowResult<Record<string, never>>;

/**
 * The buttons on question messages, for both sides: the resource person (answer, pass on, ask the
 * coordinator) and the asker (helpful, reply, follow-up, FAQ consent). Stateless: the question id
 * travels in the button value or the form id ("questions:answer:<id>"), and every action is checked
 * against the database (was it put to you? is it yours?) in the domain, whatever the platform sent.
 */
export const questionsFlow = defineFlow<Record<string, never>>({
  name: 'questions',
  version: 1,
  schema: z.object({}).strict() as z.ZodType<Record<string, never>>,
  commands: [{ verb: 'questions', summaryKey: 'questions:summary.questions', usageKey: 'questions:usage.questions', audience: ['RESOURCE_PERSON', 'COORDINATOR'], common: true }],
  /** `/lc questions`: the questions waiting for me, each with Answer and Pass on, and the ones I answered. */
  async start(ctx) {
    return { replies: [await questionList(ctx)] };
  },
  accepts: { actions: { 'questions:answer': '{question}', 'questions:pass': '{question}', 'questions:passTo': '{question}|{person}', 'questions:coordinator': '{question}', 'questions:helpful': '{question}', 'questions:reply': '{question}', 'questions:followup': '{question}', 'questions:faqYes': '{question}', 'questions:faqNo': '{question}', [QUESTION_VIEW]: '{question}' }, forms: ['questions:answer:{question}', 'questions:reply:{question}', 'questions:followup:{question}'] },
  async handle(ctx, event): Promise<Result> {
    if (event.type === 'action') return onAction(ctx, event);
    if (event.type === 'form') return onForm(ctx, event);
    throw new BotError(ErrorCode.StaleConversation, 'errors.stepPast', { flow: 'questions' });
  },
});

function questionIdFrom(value: string): string {
  if (!QUESTION_ID.test(value)) throw new BotError(ErrorCode.NotFound, 'questions:errors.notFound');
  return value;
}

const reply = (message: OutboundMessage): Result => ({ replies: [message] });
const say = (text: string): Result => reply(ui.text(text, { ephemeral: true }));

async function onAction(ctx: FlowContext, event: Extract<InboundEvent, { type: 'action' }>): Promise<Result> {
  const { t } = ctx;
  const deps = questionDeps(ctx);
  const me = ctx.person.id;
  switch (event.actionId) {
    case QUESTION_ACTIONS.answer: {
      const id = questionIdFrom(event.value);
      return reply(formMessage(answerForm(ctx, id, await textPutTo(ctx, id))));
    }
    case QUESTION_ACTIONS.pass: {
      const id = questionIdFrom(event.value);
      const candidates = await passCandidates(deps, id, me);
      if (candidates.length === 0) return reply(ui.message(t('questions:pass.nobody'), [ui.paragraph(t('questions:pass.nobody')), ui.actions(ui.button(t('questions:buttons.coordinator'), QUESTION_ACTIONS.coordinator, id))], { ephemeral: true }));
      const select = { type: 'select' as const, actionId: QUESTION_ACTIONS.passTo, placeholder: t('questions:pass.placeholder'), options: candidates.map((c) => ({ label: t('questions:pass.option', { name: c.displayName, open: c.openQuestions }), value: `${id}|${c.personId}` })) };
      return reply(ui.message(t('questions:pass.choose'), [ui.paragraph(t('questions:pass.choose')), ui.actions(select)], { ephemeral: true }));
    }
    case QUESTION_ACTIONS.passTo: {
      const [id, to] = event.value.split('|');
      const assignment = await passQuestion(deps, questionIdFrom(id ?? ''), me, questionIdFrom(to ?? ''));
      return say(t('questions:done.passed', { who: assignment.displayName }));
    }
    case QUESTION_ACTIONS.coordinator: {
      const assignment = await askCoordinator(deps, questionIdFrom(event.value), me);
      return say(t('questions:done.toCoordinator', { who: assignment.displayName }));
    }
    case QUESTION_ACTIONS.helpful: {
      const { authorName } = await markHelpful(deps, questionIdFrom(event.value), me);
      return say(t('questions:done.helpful', { who: authorName ?? t('roles.RESOURCE_PERSON') }));
    }
    case QUESTION_ACTIONS.reply:
      return reply(formMessage(textForm(ctx, 'reply', questionIdFrom(event.value))));
    case QUESTION_ACTIONS.followUp:
      return reply(formMessage(textForm(ctx, 'followup', questionIdFrom(event.value))));
    case QUESTION_ACTIONS.faqYes:
    case QUESTION_ACTIONS.faqNo: {
      const consent = event.actionId === QUESTION_ACTIONS.faqYes;
      const { inFaq } = await setFaqConsent(deps, questionIdFrom(event.value), me, consent);
      return say(t(consent ? (inFaq ? 'questions:done.faqYes' : 'questions:done.faqYesLater') : 'questions:done.faqNo'));
    }
    case QUESTION_VIEW:
      return reply(await questionView(ctx, questionIdFrom(event.value)));
    default:
      throw new BotError(ErrorCode.StaleConversation, 'errors.stepPast', { flow: 'questions' });
  }
}

async function onForm(ctx: FlowContext, event: Extract<InboundEvent, { type: 'form' }>): Promise<Result> {
  const { t } = ctx;
  const [, kind, rawId] = event.formId.split(':');
  const id = questionIdFrom(rawId ?? '');
  const deps = questionDeps(ctx);
  const values: FormValues = event.values;
  const checked = checkForm(z.object({ text: fieldSchemas.text(MAX_TEXT) }), values, t);
  if (kind === 'answer') {
    // The form comes back with its mistakes and the question in its intro: only to whom it was put.
    if (!checked.ok) return reply(formMessage(refill(answerForm(ctx, id, await textPutTo(ctx, id)), values, checked.errors)));
    const { delivered } = await answerQuestion(deps, id, ctx.person.id, checked.data.text);
    const question = await ctx.services.db.routedQuestion.findUniqueOrThrow({ where: { id }, select: { asker: { select: { displayName: true } } } });
    const who = question.asker?.displayName ?? t('questions:formerMember');
    // Sent again later (a double click, an old form): the question as it stands then, answers and all.
    const text = t(delivered ? 'questions:done.answered' : 'questions:done.answeredNotDelivered', { who });
    return reply(ui.text(text, { ephemeral: true, current: { actionId: QUESTION_VIEW, value: id } }));
  }
  if (kind === 'reply' || kind === 'followup') {
    if (!checked.ok) return reply(formMessage(refill(textForm(ctx, kind, id), values, checked.errors)));
    if (kind === 'reply') {
      const { toName } = await replyToAnswer(deps, id, ctx.person.id, checked.data.text);
      return say(t('questions:done.replied', { who: toName }));
    }
    const { assignment } = await askFollowUp(deps, id, ctx.person.id, checked.data.text);
    return reply(assignment ? sentMessage(ctx, assignment) : ui.text(t('questions:sent.nobody')));
  }
  throw new BotError(ErrorCode.StaleConversation, 'errors.stepPast', { flow: 'questions' });
}

/** The question's text, for the person it was put to; refused (before anything is shown) for anyone else. */
async function textPutTo(ctx: FlowContext, id: string): Promise<string> {
  const question = await ctx.services.db.routedQuestion.findUnique({ where: { id }, select: { text: true, asks: { where: { personId: ctx.person.id }, select: { personId: true } } } });
  if (!question) throw new BotError(ErrorCode.NotFound, 'questions:errors.notFound');
  if (question.asks.length === 0) throw new BotError(ErrorCode.NotAllowed, 'questions:errors.notAskedToYou');
  return question.text;
}

function formMessage(form: Form): OutboundMessage {
  return ui.message(form.title, [ui.form(form)], { ephemeral: true });
}

function answerForm(ctx: FlowContext, id: string, question: string): Form {
  const { t } = ctx;
  return {
    formId: `questions:answer:${id}`,
    title: t('questions:answerForm.title'),
    intro: t('questions:answerForm.intro', { question: question.slice(0, 500) }),
    submitLabel: t('questions:answerForm.submit'),
    fields: [{ name: 'text', label: t('questions:answerForm.field'), kind: 'textarea', required: true, maxLength: MAX_TEXT }],
  };
}

function textForm(ctx: FlowContext, kind: 'reply' | 'followup', id: string): Form {
  const { t } = ctx;
  const ns = kind === 'reply' ? 'replyForm' : 'followUpForm';
  return {
    formId: `questions:${kind}:${id}`,
    title: t(`questions:${ns}.title`),
    submitLabel: t(`questions:${ns}.submit`),
    fields: [{ name: 'text', label: t(`questions:${ns}.field`), kind: 'textarea', required: true, maxLength: MAX_TEXT }],
  };
}

/** How many waiting questions and answered ones the list shows (a phone screen or two). */
const WAITING_SHOWN = 10;
const ANSWERED_SHOWN = 5;

/**
 * The person's questions: those put to them and still open (oldest first, urgent marked), with
 * Answer and Pass on, so nothing depends on finding the original message; then their latest answers.
 */
async function questionList(ctx: FlowContext): Promise<OutboundMessage> {
  const { t, person } = ctx;
  const db = ctx.services.db;
  const [waiting, waitingCount, answered] = await Promise.all([
    db.questionAsk.findMany({ where: { personId: person.id, passedAt: null, question: { status: 'OPEN' } }, include: { question: { include: { cluster: true } } }, orderBy: { askedAt: 'asc' }, take: WAITING_SHOWN }),
    db.questionAsk.count({ where: { personId: person.id, passedAt: null, question: { status: 'OPEN' } } }),
    db.questionAnswer.findMany({ where: { authorId: person.id }, include: { question: { include: { cluster: true } } }, orderBy: { createdAt: 'desc' }, take: ANSWERED_SHOWN }),
  ]);
  const when = (d: Date) => formatShortTime(d, ctx.services.clock.now(), person.timeZone, person.locale);
  const blocks: Block[] = [ui.heading(t('questions:list.title'))];
  blocks.push(ui.paragraph(`**${t('questions:list.waiting', { count: waitingCount })}**`));
  if (!waiting.length) blocks.push(ui.context(t('questions:list.noneWaiting')));
  for (const { question: q } of waiting) {
    const text = q.text.length > 300 ? `${q.text.slice(0, 299)}…` : q.text;
    blocks.push(ui.paragraph(t(q.urgent ? 'questions:list.urgentItem' : 'questions:list.item', { cluster: q.cluster.code, asked: when(q.askedAt), text })));
    blocks.push(ui.actions(ui.openButton(t('questions:buttons.answer'), QUESTION_ACTIONS.answer, q.id, 'primary'), ui.openButton(t('questions:buttons.passShort'), QUESTION_ACTIONS.pass, q.id)));
  }
  if (waitingCount > waiting.length) blocks.push(ui.context(t('questions:list.more', { count: waitingCount - waiting.length })));
  if (answered.length) {
    blocks.push(ui.divider(), ui.paragraph(`**${t('questions:list.answered')}**`));
    blocks.push(ui.paragraph(answered.map((a) => `- ${t('questions:list.answeredItem', { cluster: a.question.cluster.code, when: when(a.createdAt), text: a.question.text.length > 120 ? `${a.question.text.slice(0, 119)}…` : a.question.text })}`).join('\n')));
  }
  return ui.message(t('questions:list.waiting', { count: waitingCount }), blocks, { ephemeral: true });
}

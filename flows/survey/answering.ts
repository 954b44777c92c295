import { escapeMarkup } from '../../src/core/markup.js';
import type { FlowContext, FlowResult } from '../../src/core/flow.js';
import { refill, type FormValues } from '../../src/core/forms.js';
import { formatDateTime } from '../../src/core/format.js';
import { ui, type Block, type Button, type Form, type OutboundMessage } from '../../src/core/messages.js';
import { isVisible, localise, type AnswerValue, type QuestionDefinition } from '../../src/domain/questionnaires/definition.js';
import { loadRun, missingRequired, ownAnswers, requireAnswerer, saveAnswers, visibleQuestions, type LoadedRun } from '../../src/domain/questionnaires/runs.js';
import { BotError, ErrorCode } from '../../src/core/errors.js';
import { describeAnswer, fieldsFor, optionsOf, readAnswers } from './answer-input.js';
import type { SurveyState } from './state.js';

/**
 * Answering a questionnaire in chat: one question at a time (buttons, a menu, a short form, or a
 * typed message) or everything as one form. Each answer is saved the moment it is given; the flow's
 * saved position holds only which run and question are on screen, never the answers themselves.
 */

type Result = FlowResult<SurveyState>;
const SEP = '|';

/** Action values carry the run and question, so a button from an old message still answers the right thing. */
export function encode(...parts: string[]): string {
  return parts.join(SEP);
}
export function decode(value: string): string[] {
  return value.split(SEP);
}

/** Starts one-by-one answering at the first visible unanswered question (or at the first question when changing). */
export async function beginOneByOne(ctx: FlowContext, runId: string, fromStart: boolean): Promise<Result> {
  const run = await answerableRun(ctx, runId);
  const answers = await ownAnswers(ctx.services.db, run, ctx.person.id);
  const visible = visibleQuestions(run.definition, answers);
  const question = fromStart ? visible[0] : visible.find((q) => answers[q.key] === undefined);
  if (!question) return { replies: [doneMessage(ctx, run, answers)], next: null };
  return askQuestion(ctx, run, question, answers);
}

/** Saves one answer (or clears it, for "skip") and moves to the next visible question. */
export async function answerOne(ctx: FlowContext, runId: string, key: string, value: unknown, keep = false): Promise<Result> {
  const run = await answerableRun(ctx, runId);
  const question = questionOf(run, key);
  // Buttons and menus send strings; scales and ratings are stored as numbers.
  if ((question.type === 'scale' || question.type === 'rating') && typeof value === 'string' && /^\d{1,2}$/.test(value)) value = Number(value);
  const answers = keep ? await ownAnswers(ctx.services.db, run, ctx.person.id) : await saveAnswers(ctx.services.db, run, ctx.person.id, { [key]: value }, ctx.services.clock.now());
  return nextAfter(ctx, run, question, answers);
}

/** A typed message while a question is on screen: the answer to a free-text question, or a number for a scale. */
export async function answerTyped(ctx: FlowContext, runId: string, key: string, text: string): Promise<Result> {
  const run = await answerableRun(ctx, runId);
  const question = questionOf(run, key);
  const trimmed = text.trim();
  if (question.type === 'text') return answerOne(ctx, runId, key, trimmed);
  if ((question.type === 'scale' || question.type === 'rating') && /^\d{1,2}$/.test(trimmed)) return answerOne(ctx, runId, key, Number(trimmed));
  const option = optionsOf(question, ctx.person.locale).find((o) => o.label.toLowerCase() === trimmed.toLowerCase() || o.value === trimmed);
  if (question.type === 'single' && option) return answerOne(ctx, runId, key, option.value);
  return { replies: [ui.text(ctx.t('surveys:question.useButtons'), { ephemeral: true })] };
}

/** The short form of a multiple-choice or ranking question in one-by-one mode. */
export async function submitOne(ctx: FlowContext, runId: string, key: string, form: Form, values: FormValues): Promise<Result> {
  const run = await answerableRun(ctx, runId);
  const question = questionOf(run, key);
  const earlier = await ownAnswers(ctx.services.db, run, ctx.person.id);
  const read = readAnswers([question], run.definition, values, earlier, ctx.t);
  if (!read.ok) return { replies: [ui.message(form.title, [ui.form(refill(form, values, read.errors))])] };
  const answers = await saveAnswers(ctx.services.db, run, ctx.person.id, read.answers, ctx.services.clock.now());
  return nextAfter(ctx, run, question, answers);
}

/** Everything as one form, prefilled with the person's answers so far. */
export async function showWholeForm(ctx: FlowContext, runId: string): Promise<Result> {
  const run = await answerableRun(ctx, runId);
  const answers = await ownAnswers(ctx.services.db, run, ctx.person.id);
  const form = wholeForm(ctx, run, answers);
  return { replies: [ui.message(form.title, [ui.form(form)])], next: { step: 'form', data: { runId } } };
}

/** The whole form submitted: every visible answer checked, errors shown next to their fields with the values kept. */
export async function submitWholeForm(ctx: FlowContext, runId: string, values: FormValues): Promise<Result> {
  const run = await answerableRun(ctx, runId);
  const read = readAnswers(run.definition.questions, run.definition, values, {}, ctx.t);
  if (!read.ok) {
    const form = refill(wholeForm(ctx, run, {}), values, read.errors);
    return { replies: [ui.message(form.title, [ui.form(form)])], next: { step: 'form', data: { runId } } };
  }
  const answers = await saveAnswers(ctx.services.db, run, ctx.person.id, read.answers, ctx.services.clock.now());
  return { replies: [doneMessage(ctx, run, answers)], next: null };
}

function wholeForm(ctx: FlowContext, run: LoadedRun, answers: Record<string, AnswerValue>): Form {
  const { locale } = ctx.person;
  const fields = run.definition.questions.flatMap((q) => fieldsFor(q, locale, ctx.t, answers[q.key], conditionHint(ctx, run, q)).map((f) => (q.showIf ? { ...f, required: false } : f)));
  return {
    formId: 'survey:all',
    title: ctx.t('surveys:form.title', { title: localise(run.definition.title, locale) }).slice(0, 120),
    submitLabel: ctx.t('surveys:form.submit'),
    intro: [escapeMarkup(localise(run.definition.intro, locale)), ctx.t(run.anonymous ? 'surveys:anonymousNote' : 'surveys:namedNote')].filter(Boolean).join('\n'),
    fields,
  };
}

function conditionHint(ctx: FlowContext, run: LoadedRun, question: QuestionDefinition): string | undefined {
  if (!question.showIf) return undefined;
  const index = run.definition.questions.findIndex((q) => q.key === question.showIf!.question);
  const target = run.definition.questions[index];
  const wanted = question.showIf.in ?? [question.showIf.equals!];
  const value = wanted.map((w) => describeAnswer(target, w as AnswerValue, ctx.person.locale)).join(' / ');
  return ctx.t('surveys:form.onlyIf', { value, number: index + 1 });
}

async function answerableRun(ctx: FlowContext, runId: string): Promise<LoadedRun> {
  const run = await loadRun(ctx.services.db, runId);
  await requireAnswerer(ctx.services.db, run, ctx.person.id, ctx.services.clock.now());
  return run;
}

function questionOf(run: LoadedRun, key: string): QuestionDefinition {
  const question = run.definition.questions.find((q) => q.key === key);
  if (!question) throw new BotError(ErrorCode.InvalidInput, 'surveys:errors.unknownQuestion', { key });
  return question;
}

function nextAfter(ctx: FlowContext, run: LoadedRun, after: QuestionDefinition, answers: Record<string, AnswerValue>): Result {
  const index = run.definition.questions.indexOf(after);
  const next = run.definition.questions.slice(index + 1).find((q) => isVisible(q, answers));
  if (!next) return { replies: [doneMessage(ctx, run, answers)], next: null };
  return askQuestion(ctx, run, next, answers);
}

function askQuestion(ctx: FlowContext, run: LoadedRun, question: QuestionDefinition, answers: Record<string, AnswerValue>): Result {
  const { t } = ctx;
  const { locale } = ctx.person;
  const visible = visibleQuestions(run.definition, answers);
  const title = localise(run.definition.title, locale);
  const text = localise(question.text, locale);
  const current = answers[question.key];
  const blocks: Block[] = [
    ui.context(`${escapeMarkup(title)} · ${t('surveys:question.progress', { index: visible.indexOf(question) + 1, total: visible.length })}`),
    ui.paragraph(`**${escapeMarkup(text)}**${question.required ? '' : ` ${t('surveys:question.optional')}`}`),
  ];
  if (question.help) blocks.push(ui.context(escapeMarkup(localise(question.help, locale))));
  if (current !== undefined) blocks.push(ui.context(t('surveys:question.yourAnswer', { answer: describeAnswer(question, current, locale) })));

  const extra: Button[] = [];
  if (current !== undefined) extra.push(answerButton(run, t('surveys:buttons.keep'), 'survey:keep', encode(run.id, question.key)));
  if (!question.required) extra.push(answerButton(run, t('surveys:buttons.skip'), 'survey:skip', encode(run.id, question.key)));

  const options = optionsOf(question, locale);
  switch (question.type) {
    case 'scale':
      blocks.push(ui.actions(...options.map((o) => answerButton(run, o.label, 'survey:answer', encode(run.id, question.key, o.value))), ...extra));
      break;
    case 'single':
      if (options.length <= 5) blocks.push(ui.actions(...options.map((o) => answerButton(run, o.label, 'survey:answer', encode(run.id, question.key, o.value))), ...extra));
      else blocks.push(selectBlock(run, question, options, t('surveys:question.chooseOption'), current, extra));
      break;
    case 'rating':
      blocks.push(selectBlock(run, question, options, t('surveys:question.chooseRating'), current, extra));
      break;
    case 'text':
      blocks.push(ui.context(t('surveys:question.typeAnswer')));
      if (extra.length) blocks.push(ui.actions(...extra));
      break;
    case 'multiple':
    case 'ranking':
      blocks.push(ui.form({ formId: 'survey:one', title: title.slice(0, 120), submitLabel: t('surveys:question.save'), fields: fieldsFor(question, locale, t, current) }));
      if (extra.length) blocks.push(ui.actions(...extra));
      break;
  }
  return { replies: [ui.message(text, blocks)], next: { step: 'question', data: { runId: run.id, questionKey: question.key } } };
}

function selectBlock(run: LoadedRun, question: QuestionDefinition, options: { label: string; value: string }[], placeholder: string, current: AnswerValue | undefined, extra: Button[]): Block {
  return ui.actions(
    {
      type: 'select',
      actionId: 'survey:answer',
      placeholder,
      options: options.map((o) => ({ label: o.label, value: encode(run.id, question.key, o.value) })),
      ...(current !== undefined ? { initial: encode(run.id, question.key, String(current)) } : {}),
    },
    ...extra,
  );
}

/** The closing message: thanks, what is still missing, and how to change answers. */
export function doneMessage(ctx: FlowContext, run: LoadedRun, answers: Record<string, AnswerValue>): OutboundMessage {
  const { t } = ctx;
  const missing = missingRequired(run.definition, answers);
  const closes = formatDateTime(run.closesAt, ctx.person.timeZone, ctx.person.locale);
  const blocks: Block[] = [ui.paragraph(`**${t('surveys:done.title')}** ${t('surveys:done.text', { closes })}`)];
  if (missing.length) blocks.push(ui.context(t('surveys:done.missing', { count: missing.length })));
  blocks.push(ui.actions(ui.openButton(t('surveys:buttons.change'), 'survey:change', run.id), ui.openButton(t('surveys:buttons.asForm'), 'survey:form', run.id)));
  return ui.message(t('surveys:done.title'), blocks);
}

/**
 * An answer button. In an anonymous run it carries no one-time token (saving the same answer again
 * changes nothing): a used token is stored with the person and the pressed button's label, which is
 * the answer, and would tie them together in a copy of the database.
 */
function answerButton(run: Pick<LoadedRun, 'anonymous'>, label: string, actionId: string, value: string): Button {
  return { ...ui.button(label, actionId, value), ...(run.anonymous ? { repeatable: true } : {}) };
}

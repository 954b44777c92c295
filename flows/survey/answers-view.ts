import type { FlowContext } from '../../src/core/flow.js';
import { formatDateTime } from '../../src/core/format.js';
import { ui, type Block, type OutboundMessage } from '../../src/core/messages.js';
import { localise } from '../../src/domain/questionnaires/definition.js';
import { isAnswerable, loadRun, missingRequired, ownAnswers, requireRespondent, visibleQuestions } from '../../src/domain/questionnaires/runs.js';
import { clip } from '../plan/render.js';
import { describeAnswer } from './answer-input.js';

/** Action id of a person's answers to one run as they stand; the current view of answers sent (a repeated "Send" shows it). */
export const SURVEY_ANSWERS = 'survey:answers';

/** Question and answer lengths in the summary: one line each on a phone. */
const QUESTION_SHOWN = 60;
const ANSWER_SHOWN = 80;

/**
 * The person's own answers to one questionnaire run, read-only: how many of the questions they have
 * answered, each answer in a line, what is still missing and until when they can change it. A closed
 * run says so (an anonymous one has let go of whose answers were whose, so it shows none).
 */
export async function answersView(ctx: FlowContext, runId: string): Promise<OutboundMessage> {
  const { t, person } = ctx;
  const run = await loadRun(ctx.services.db, runId);
  await requireRespondent(ctx.services.db, run, person.id);
  const title = localise(run.definition.title, person.locale);
  const closes = formatDateTime(run.closesAt, person.timeZone, person.locale);
  const blocks: Block[] = [ui.heading(t('surveys:answers.title', { title }))];
  if (!isAnswerable(run, ctx.services.clock.now())) {
    blocks.push(ui.paragraph(t('surveys:answers.closed', { closes })));
    return ui.message(t('surveys:answers.title', { title }), blocks, { ephemeral: true });
  }
  const answers = await ownAnswers(ctx.services.db, run, person.id);
  const visible = visibleQuestions(run.definition, answers);
  const answered = visible.filter((q) => answers[q.key] !== undefined);
  blocks.push(ui.context(t('surveys:answers.progress', { answered: answered.length, total: visible.length, closes })));
  if (answered.length) {
    const lines = answered.map((q) => t('surveys:answers.item', { question: clip(localise(q.text, person.locale), QUESTION_SHOWN), answer: clip(describeAnswer(q, answers[q.key]!, person.locale), ANSWER_SHOWN) }));
    blocks.push(ui.paragraph(lines.map((line) => `- ${line}`).join('\n')));
  }
  const missing = missingRequired(run.definition, answers);
  if (missing.length) blocks.push(ui.context(t('surveys:done.missing', { count: missing.length })));
  blocks.push(ui.actions(ui.openButton(t('surveys:buttons.change'), 'survey:change', run.id, 'primary'), ui.openButton(t('surveys:buttons.asForm'), 'survey:form', run.id)));
  return ui.message(t('surveys:answers.title', { title }), blocks, { ephemeral: true });
}

import type { FlowContext } from '../../src/core/flow.js';
import type { Form } from '../../src/core/messages.js';
import { localise } from '../../src/domain/questionnaires/definition.js';
import { loadRun, ownAnswers } from '../../src/domain/questionnaires/runs.js';
import { fieldsFor } from './answer-input.js';

/** The short form that asks one multiple-choice or ranking question (rebuilt to show errors next to its fields). */
export async function formOf(ctx: FlowContext, runId: string, key: string): Promise<Form> {
  const run = await loadRun(ctx.services.db, runId);
  const question = run.definition.questions.find((q) => q.key === key)!;
  const answers = await ownAnswers(ctx.services.db, run, ctx.person.id);
  return {
    formId: 'survey:one',
    title: localise(run.definition.title, ctx.person.locale).slice(0, 120),
    submitLabel: ctx.t('surveys:question.save'),
    fields: fieldsFor(question, ctx.person.locale, ctx.t, answers[key]),
  };
}

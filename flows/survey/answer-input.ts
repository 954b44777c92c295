import type { Translate } from '../../src/core/i18n.js';
import type { FormField, SelectOption } from '../../src/core/messages.js';
import type { FormValues } from '../../src/core/forms.js';
import { answerSchema, isVisible, localise, type AnswerValue, type QuestionDefinition, type QuestionnaireDefinition } from '../../src/domain/questionnaires/definition.js';

/**
 * Translation between questions and chat inputs: which form fields ask a question, and how the
 * submitted strings become typed answers (numbers, option values, ordered items). Shared by the
 * one-question-at-a-time path and the whole-form path so both accept exactly the same answers.
 */

/** The options of a question as select options, labelled in the reader's language. */
export function optionsOf(question: QuestionDefinition, locale: string): SelectOption[] {
  switch (question.type) {
    case 'scale':
      return question.labels.map((label, i) => ({ value: String(i + 1), label: `${i + 1} · ${localise(label, locale)}` }));
    case 'rating':
      return Array.from({ length: 11 }, (_, i) => ({
        value: String(i),
        label: i === 0 && question.minLabel ? `0 · ${localise(question.minLabel, locale)}` : i === 10 && question.maxLabel ? `10 · ${localise(question.maxLabel, locale)}` : String(i),
      }));
    case 'single':
    case 'multiple':
      return question.options.map((o) => ({ value: o.value, label: localise(o.label, locale) }));
    case 'ranking':
      return question.items.map((o) => ({ value: o.value, label: localise(o.label, locale) }));
    case 'text':
      return [];
  }
}

/** A readable version of an answer, for "your answer so far" and confirmations. */
export function describeAnswer(question: QuestionDefinition, value: AnswerValue, locale: string): string {
  const options = optionsOf(question, locale);
  const label = (v: string | number) => options.find((o) => o.value === String(v))?.label ?? String(v);
  if (Array.isArray(value)) return value.map(label).join(question.type === 'ranking' ? ' > ' : ', ');
  return question.type === 'text' ? String(value) : label(value);
}

/** Form fields that ask one question; a ranking takes one select per place. */
export function fieldsFor(question: QuestionDefinition, locale: string, t: Translate, current: AnswerValue | undefined, hint?: string): FormField[] {
  const label = `${localise(question.text, locale)}${question.required ? '' : ` ${t('surveys:question.optional')}`}`;
  const base = { label, required: question.required, ...(hint ? { hint } : {}) };
  switch (question.type) {
    case 'text':
      return [{ name: question.key, kind: 'textarea', maxLength: question.maxLength, ...base, ...(typeof current === 'string' ? { initial: current } : {}) }];
    case 'multiple':
      return [{ name: question.key, kind: 'multiselect', options: optionsOf(question, locale), ...base, ...(Array.isArray(current) ? { initial: current } : {}) }];
    case 'ranking': {
      const order = Array.isArray(current) ? current : [];
      return question.items.map((_, i) => ({
        name: `${question.key}__${i + 1}`,
        kind: 'select' as const,
        options: optionsOf(question, locale),
        required: question.required,
        label: i === 0 ? `${label}\n${t('surveys:question.rankPosition', { position: i + 1 })}` : t('surveys:question.rankPosition', { position: i + 1 }),
        ...(order[i] ? { initial: order[i] } : {}),
        ...(i === 0 && hint ? { hint } : {}),
      }));
    }
    default:
      return [{ name: question.key, kind: 'select', options: optionsOf(question, locale), ...base, ...(current !== undefined ? { initial: String(current) } : {}) }];
  }
}

/** The raw submitted value of one question (undefined when left empty). */
function rawAnswer(question: QuestionDefinition, values: FormValues): unknown {
  const one = (name: string) => {
    const v = values[name];
    const s = Array.isArray(v) ? v[0] : v;
    return typeof s === 'string' && s.trim() !== '' ? s.trim() : undefined;
  };
  switch (question.type) {
    case 'scale':
    case 'rating': {
      const v = one(question.key);
      return v === undefined ? undefined : /^\d{1,2}$/.test(v) ? Number(v) : v;
    }
    case 'single':
      return one(question.key);
    case 'text': {
      const v = values[question.key];
      return typeof v === 'string' && v.trim() ? v.trim() : undefined;
    }
    case 'multiple': {
      const v = values[question.key];
      const list = (Array.isArray(v) ? v : typeof v === 'string' && v ? v.split(',') : []).map((s) => s.trim()).filter(Boolean);
      return list.length ? list : undefined;
    }
    case 'ranking': {
      const order = question.items.map((_, i) => one(`${question.key}__${i + 1}`));
      if (order.every((o) => o === undefined)) return undefined;
      return order;
    }
  }
}

/** The field an error about this question is shown next to. */
function fieldOf(question: QuestionDefinition): string {
  return question.type === 'ranking' ? `${question.key}__1` : question.key;
}

/**
 * Reads the answers to some questions from submitted form values. Hidden questions (by their
 * conditions on the submitted answers) are ignored; required visible ones must be answered.
 */
export function readAnswers(
  questions: QuestionDefinition[],
  definition: QuestionnaireDefinition,
  values: FormValues,
  earlier: Record<string, AnswerValue>,
  t: Translate,
): { ok: true; answers: Record<string, AnswerValue | undefined> } | { ok: false; errors: Record<string, string> } {
  const answers: Record<string, AnswerValue | undefined> = {};
  const errors: Record<string, string> = {};
  const merged: Record<string, AnswerValue | undefined> = { ...earlier };
  for (const question of definition.questions) {
    if (!questions.includes(question)) continue;
    if (!isVisible(question, merged)) {
      answers[question.key] = undefined;
      merged[question.key] = undefined;
      continue;
    }
    const raw = rawAnswer(question, values);
    if (raw === undefined) {
      if (question.required) errors[fieldOf(question)] = t('surveys:form.required');
      answers[question.key] = undefined;
      merged[question.key] = undefined;
      continue;
    }
    const parsed = answerSchema(question).safeParse(raw);
    if (!parsed.success) {
      errors[fieldOf(question)] =
        question.type === 'ranking' ? t('surveys:form.rankEachOnce') : question.type === 'text' ? t('surveys:form.tooLong', { max: question.maxLength }) : t('surveys:form.invalid');
      continue;
    }
    answers[question.key] = parsed.data;
    merged[question.key] = parsed.data;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, answers };
}

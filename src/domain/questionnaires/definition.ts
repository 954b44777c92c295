import { z } from 'zod';

/**
 * The shape of a questionnaire file (questionnaires/*.yaml). Definitions are data, versioned by
 * key + version, so a run keeps pointing at the exact questions its members saw even after the
 * file changes. Every file is checked with this schema at start-up and in tests.
 */

const languageTag = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'language keys must be language tags like en, sq, sr-Latn');

/** Text in several languages: English is required, other languages fall back to it. A plain string means English. */
export const localisedText = z.preprocess(
  (value) => (typeof value === 'string' ? { en: value } : value),
  z
    .record(languageTag, z.string().trim().min(1, 'text must not be empty'), { error: 'text must be a string or a map of language to text, e.g. { en: "…", sq: "…" }' })
    .refine((texts) => typeof texts.en === 'string', 'text needs an English ("en") version; other languages are optional')
    .transform((texts) => texts as LocalisedText),
);
export type LocalisedText = { en: string } & Record<string, string>;

const choiceOption = z.object({
  value: z.string().regex(/^[\w-]{1,40}$/, 'option values are short keys: letters, digits, _ or -'),
  label: localisedText,
});
export type ChoiceOption = { value: string; label: LocalisedText };

/** Show a question only when an earlier answer has one of the given values. */
const condition = z
  .object({
    question: z.string(),
    equals: z.union([z.string(), z.number()]).optional(),
    in: z.array(z.union([z.string(), z.number()])).min(1).optional(),
  })
  .strict()
  .refine((c) => (c.equals === undefined) !== (c.in === undefined), 'showIf needs exactly one of "equals" or "in"');
export type Condition = { question: string; equals?: string | number; in?: (string | number)[] };

/** Report sections a free-text question may feed (the rapporteurs' summary report shape). */
export const REPORT_SECTIONS = ['results', 'conclusions', 'followUp', 'homeActivities', 'lessons', 'methodImprovement'] as const;
export type ReportSection = (typeof REPORT_SECTIONS)[number];

const base = {
  key: z.string().regex(/^[a-z][\w-]{0,39}$/, 'question keys are short lower-case keys like "learned_most"'),
  text: localisedText,
  help: localisedText.optional(),
  required: z.boolean().default(true),
  showIf: condition.optional(),
  /** Free-text answers to this question are quoted in that section of the cluster report. */
  report: z.enum(REPORT_SECTIONS).optional(),
};

const scaleQuestion = z.object({
  ...base,
  type: z.literal('scale'),
  labels: z.array(localisedText).length(5, 'a scale needs exactly 5 labels, for 1 to 5'),
});
const ratingQuestion = z.object({
  ...base,
  type: z.literal('rating'),
  minLabel: localisedText.optional(),
  maxLabel: localisedText.optional(),
});
const singleQuestion = z.object({ ...base, type: z.literal('single'), options: z.array(choiceOption).min(2, 'a choice needs at least 2 options') });
const multipleQuestion = z.object({
  ...base,
  type: z.literal('multiple'),
  options: z.array(choiceOption).min(2, 'a choice needs at least 2 options'),
  maxChoices: z.number().int().min(1).optional(),
});
const textQuestion = z.object({ ...base, type: z.literal('text'), maxLength: z.number().int().min(10).max(4000).default(1500) });
const rankingQuestion = z.object({ ...base, type: z.literal('ranking'), items: z.array(choiceOption).min(2, 'a ranking needs at least 2 items').max(10, 'a ranking takes at most 10 items') });

export const questionSchema = z.discriminatedUnion('type', [scaleQuestion, ratingQuestion, singleQuestion, multipleQuestion, textQuestion, rankingQuestion], {
  error: 'type must be one of scale, rating, single, multiple, text, ranking',
});

export const questionnaireSchema = z
  .object({
    key: z.string().regex(/^[a-z][\w-]{0,59}$/, 'the questionnaire key is a short lower-case key like "ee2-evaluation"'),
    version: z.number().int().min(1),
    title: localisedText,
    intro: localisedText.optional(),
    /** What it is for: evaluation, workshop, self-assessment (before/after comparisons pair runs of one key). */
    purpose: z.enum(['evaluation', 'workshop', 'self-assessment']),
    questions: z.array(questionSchema).min(1, 'a questionnaire needs at least one question'),
  })
  .strict()
  .superRefine((q, ctx) => {
    const seen = new Map<string, number>();
    q.questions.forEach((question, index) => {
      if (seen.has(question.key)) ctx.addIssue({ code: 'custom', path: ['questions', index, 'key'], message: `the key "${question.key}" is used twice` });
      const options = 'options' in question ? question.options : 'items' in question ? question.items : [];
      const values = options.map((o) => o.value);
      if (new Set(values).size !== values.length) ctx.addIssue({ code: 'custom', path: ['questions', index, 'options'], message: 'two options have the same value' });
      if (question.showIf) {
        const targetIndex = seen.get(question.showIf.question);
        if (targetIndex === undefined) {
          ctx.addIssue({ code: 'custom', path: ['questions', index, 'showIf'], message: `showIf refers to "${question.showIf.question}", which is not an earlier question` });
        } else {
          const problem = conditionProblem(q.questions[targetIndex] as QuestionDefinition, question.showIf);
          if (problem) ctx.addIssue({ code: 'custom', path: ['questions', index, 'showIf'], message: problem });
        }
      }
      seen.set(question.key, index);
    });
  });

export type QuestionnaireDefinition = z.output<typeof questionnaireSchema>;
export type QuestionDefinition = z.output<typeof questionSchema>;
export type QuestionType = QuestionDefinition['type'];

/** Values a condition can compare against must be answers the earlier question can actually have. */
function conditionProblem(target: QuestionDefinition, condition: Condition): string | undefined {
  const wanted = condition.in ?? [condition.equals!];
  switch (target.type) {
    case 'scale':
    case 'rating': {
      const max = target.type === 'scale' ? 5 : 10;
      const min = target.type === 'scale' ? 1 : 0;
      const bad = wanted.find((v) => typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max);
      return bad === undefined ? undefined : `showIf compares "${target.key}" with ${JSON.stringify(bad)}, but it is answered with a whole number from ${min} to ${max}`;
    }
    case 'single':
    case 'multiple': {
      const bad = wanted.find((v) => !target.options.some((o) => o.value === v));
      return bad === undefined ? undefined : `showIf compares "${target.key}" with "${bad}", which is not one of its options (${target.options.map((o) => o.value).join(', ')})`;
    }
    default:
      return `showIf can only refer to scale, rating or choice questions, not to "${target.key}" (${target.type})`;
  }
}

/** The text in the reader's language, falling back to English. */
export function localise(text: LocalisedText | undefined, locale: string): string {
  if (!text) return '';
  return text[locale] ?? text[locale.split('-')[0]] ?? text.en;
}

/** Answers as stored (Answer.value): numbers for scales and ratings, option values for choices, ordered items for rankings. */
export type AnswerValue = number | string | string[];

/** Whether a question is shown, given the answers so far (a condition on an unanswered question hides it). */
export function isVisible(question: QuestionDefinition, answers: Record<string, AnswerValue | undefined>): boolean {
  const condition = question.showIf;
  if (!condition) return true;
  const answer = answers[condition.question];
  if (answer === undefined) return false;
  const wanted = condition.in ?? [condition.equals!];
  return Array.isArray(answer) ? answer.some((a) => wanted.includes(a)) : wanted.includes(answer);
}

/** The schema an answer to this question must satisfy, so nothing malformed reaches the database. */
export function answerSchema(question: QuestionDefinition): z.ZodType<AnswerValue> {
  switch (question.type) {
    case 'scale':
      return z.number().int().min(1).max(5);
    case 'rating':
      return z.number().int().min(0).max(10);
    case 'single':
      return z.enum(question.options.map((o) => o.value) as [string, ...string[]]);
    case 'multiple': {
      const values = z.array(z.enum(question.options.map((o) => o.value) as [string, ...string[]])).min(1);
      return (question.maxChoices ? values.max(question.maxChoices) : values).refine((v) => new Set(v).size === v.length, 'each option once');
    }
    case 'text':
      return z.string().trim().min(1).max(question.maxLength);
    case 'ranking': {
      const items = question.items.map((i) => i.value);
      return z
        .array(z.string())
        .length(items.length)
        .refine((order) => new Set(order).size === items.length && order.every((v) => items.includes(v)), 'each item exactly once');
    }
  }
}

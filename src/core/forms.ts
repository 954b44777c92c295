import { z } from 'zod';
import { parseDateInput, parseTimeInput } from './date-input.js';
import type { Translate } from './i18n.js';
import type { Form } from './messages.js';

export type FormValues = Record<string, string | string[]>;

export type FormCheck<T> = { ok: true; data: T } | { ok: false; errors: Record<string, string> };

/**
 * Validates submitted form values with a zod schema and turns problems into one message per field,
 * in the person's language, so adapters can show them next to the fields (modal, card, web form).
 */
export function checkForm<T>(schema: z.ZodType<T>, values: FormValues, t: Translate): FormCheck<T> {
  const parsed = schema.safeParse(values);
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? '_form');
    if (!errors[field]) errors[field] = describeIssue(issue, values[field], t);
  }
  return { ok: false, errors };
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown, t: Translate): string {
  // A rule across fields names what is missing in its own words ("Please give the date, e.g. …").
  if (issue.code === 'custom' && isMessageKey(issue.message)) return t(issue.message, paramsOf(issue));
  // Nothing given: say so, whatever rule the schema broke first (a number's minimum is not "required").
  if (isEmpty(value)) return t('form.required');
  // Schemas carry an i18n key as their message ("form.invalidDate", "scheduler:compose.dateNeeded").
  if (isMessageKey(issue.message)) return t(issue.message, paramsOf(issue));
  if (issue.code === 'too_big' && typeof value === 'string') return t('form.tooLong', { max: issue.maximum, length: value.length });
  if (issue.code === 'too_small') return t('form.required');
  return issue.message;
}

/** What a custom rule passes to its message (`params: { code: 'QQ' }`), e.g. to name what was typed. */
function paramsOf(issue: z.core.$ZodIssue): Record<string, unknown> {
  return ((issue as { params?: Record<string, unknown> }).params ?? {}) as Record<string, unknown>;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  return Array.isArray(value) && value.every((v) => typeof v !== 'string' || v.trim() === '');
}

function isMessageKey(message: string): boolean {
  return /^(form\.|[a-z]+:)[\w.]+$/.test(message);
}

/** Copies submitted values into a form's fields, so nothing typed is lost when it comes back with errors. */
export function refill(form: Form, values: FormValues, errors?: Record<string, string>): Form {
  return {
    ...form,
    errors,
    fields: form.fields.map((field) => (field.name in values ? { ...field, initial: values[field.name] } : field)),
  };
}

/** Reusable field schemas that produce friendly messages. */
export const fieldSchemas = {
  text: (max: number) => z.string().trim().min(1).max(max),
  optionalText: (max: number) =>
    z
      .string()
      .trim()
      .max(max)
      .optional()
      .transform((v) => (v ? v : undefined)),
  /** A date typed the local way or as ISO (src/core/date-input.ts), handed on as "YYYY-MM-DD". */
  date: () =>
    z
      .string()
      .trim()
      .min(1)
      .transform((value, ctx) => parseDateInput(value) ?? (ctx.addIssue({ code: 'custom', message: 'form.invalidDate' }), z.NEVER)),
  /** The same, where the field may stay empty (handed on as ""). */
  optionalDate: () =>
    z
      .string()
      .trim()
      .optional()
      .transform((value, ctx) => (!value ? '' : (parseDateInput(value) ?? (ctx.addIssue({ code: 'custom', message: 'form.invalidDate' }), z.NEVER)))),
  /** A time of day (10:00, 9:30, 10h), handed on as "HH:mm". */
  time: () =>
    z
      .string()
      .trim()
      .min(1)
      .transform((value, ctx) => parseTimeInput(value) ?? (ctx.addIssue({ code: 'custom', message: 'form.invalidTime' }), z.NEVER)),
};

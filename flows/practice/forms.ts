import { z } from 'zod';
import type { FlowContext } from '../../src/core/flow.js';
import type { Form, FormField } from '../../src/core/messages.js';
import { isSafeHttpsUrl, PRACTICE_LIMITS, type PracticeContent, type PracticeLink, type PracticeSection } from '../../src/domain/practice/index.js';

/** Form ids carry the cluster (whose editors may save) and the section: "practice:edit:<clusterId>:<section>". */
export const editFormId = (clusterId: string, section: PracticeSection) => `practice:edit:${clusterId}:${section}`;

const note = z.string().trim().max(PRACTICE_LIMITS.note).optional().default('');
const text = (max: number) => z.string().trim().max(max).optional().default('');

/** A numbered or bulleted line typed as a list item ("1. ", "2) ", "- ", "• ") loses its marker: the order is the list's. */
function lines(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map((line) => line.trim().replace(/^(?:\d{1,2}[.)]|[-•*])\s+/, '').trim())
    .filter(Boolean);
}

const stepsValue = z
  .string()
  .optional()
  .default('')
  .transform((value, ctx) => {
    const steps = lines(value);
    if (steps.length > PRACTICE_LIMITS.steps) ctx.addIssue({ code: 'custom', message: 'practice:errors.tooManySteps', params: { max: PRACTICE_LIMITS.steps, count: steps.length } });
    const long = steps.findIndex((s) => s.length > PRACTICE_LIMITS.step);
    if (long >= 0) ctx.addIssue({ code: 'custom', message: 'practice:errors.stepTooLong', params: { n: long + 1, max: PRACTICE_LIMITS.step } });
    return steps;
  });

/** "Name of the document https://…" per line; the address is the line's last word. */
const linksValue = z
  .string()
  .optional()
  .default('')
  .transform((value, ctx) => {
    const links: PracticeLink[] = [];
    const rows = value.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    if (rows.length > PRACTICE_LIMITS.links) ctx.addIssue({ code: 'custom', message: 'practice:errors.tooManyLinks', params: { max: PRACTICE_LIMITS.links, count: rows.length } });
    rows.forEach((row, i) => {
      const words = row.split(/\s+/);
      const url = words[words.length - 1]!;
      const label = words.slice(0, -1).join(' ').replace(/^[-•*]\s*/, '').replace(/[\s:|–-]+$/, '');
      if (!/^https:\/\//i.test(url)) ctx.addIssue({ code: 'custom', message: 'practice:errors.linkNotHttps', params: { n: i + 1 } });
      else if (!isSafeHttpsUrl(url) || url.length > PRACTICE_LIMITS.linkUrl) ctx.addIssue({ code: 'custom', message: 'practice:errors.linkInvalid', params: { n: i + 1 } });
      else if (label.length > PRACTICE_LIMITS.linkLabel) ctx.addIssue({ code: 'custom', message: 'practice:errors.linkLabelTooLong', params: { n: i + 1, max: PRACTICE_LIMITS.linkLabel } });
      else links.push({ label, url });
    });
    return links;
  });

/** The schema of one section's form: its value under the section's name, and the change note. */
export function sectionSchema(section: PracticeSection) {
  const value = section === 'steps' ? stepsValue : section === 'links' ? linksValue : text(PRACTICE_LIMITS[section]);
  return z.object({ value, note });
}

/** The section as the form shows it: one text, steps and documents one per line. */
export function sectionAsText(content: PracticeContent, section: PracticeSection): string {
  if (section === 'steps') return content.steps.join('\n');
  if (section === 'links') return content.links.map((l) => (l.label ? `${l.label} ${l.url}` : l.url)).join('\n');
  return content[section];
}

/** One section's form, prefilled with what the newest version has. */
export function sectionForm(ctx: FlowContext, clusterId: string, section: PracticeSection, content: PracticeContent): Form {
  const { t } = ctx;
  const name = t(`practice:sections.${section}`);
  const limit =
    section === 'steps'
      ? t('practice:forms.stepsLimit', { max: PRACTICE_LIMITS.steps, length: PRACTICE_LIMITS.step })
      : section === 'links'
        ? t('practice:forms.linksLimit', { max: PRACTICE_LIMITS.links })
        : t('practice:forms.limit', { max: PRACTICE_LIMITS[section] });
  const current = sectionAsText(content, section);
  const value: FormField = {
    name: 'value',
    label: name,
    kind: 'textarea',
    hint: `${t(`practice:questions.${section}`)} ${limit}`,
    ...(section === 'links' ? { placeholder: 'Guidelines https://example.org/guidelines.pdf' } : {}),
    ...(section === 'steps' || section === 'links' ? {} : { maxLength: PRACTICE_LIMITS[section] }),
    ...(current ? { initial: current } : {}),
  };
  return {
    formId: editFormId(clusterId, section),
    title: t('practice:forms.title', { section: name }),
    submitLabel: t('practice:forms.save'),
    fields: [value, { name: 'note', label: t('practice:forms.note'), kind: 'text', maxLength: PRACTICE_LIMITS.note, hint: t('practice:forms.noteHint', { max: PRACTICE_LIMITS.note }) }],
  };
}

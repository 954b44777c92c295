import { z } from 'zod';
import type { FlowContext } from '../../src/core/flow.js';
import { fieldSchemas } from '../../src/core/forms.js';
import type { Form, FormField } from '../../src/core/messages.js';
import { REQUIRED_ACTIVITY_FIELDS, REQUIRED_PLAN_FIELDS } from '../../src/domain/plans/completeness.js';
import { ACTIVITY_FIELD_LIMITS, PLAN_FIELD_LIMITS, PROGRESS_NOTE_LIMIT, spanWords, type ActivityContent, type PlanContent } from '../../src/domain/plans/index.js';

/** Form ids carry what they edit, e.g. "plan:goal:<planId>", "plan:activity:edit:<activityId>". */
export const formIds = {
  goal: (planId: string) => `plan:goal:${planId}`,
  newActivity: (planId: string) => `plan:activity:new:${planId}`,
  editActivity: (activityId: string) => `plan:activity:edit:${activityId}`,
  progress: (activityId: string) => `plan:progress:${activityId}`,
};

/** Optional text bounded by its limit; empty means "not written yet" (a draft may be partial). */
const optional = (max: number) => z.string().trim().max(max).optional().default('');
const optionalDate = () => fieldSchemas.optionalDate();

export const goalFormSchema = z.object({
  approach: fieldSchemas.text(PLAN_FIELD_LIMITS.approach),
  goal: optional(PLAN_FIELD_LIMITS.goal),
  change: optional(PLAN_FIELD_LIMITS.change),
  targetGroup: optional(PLAN_FIELD_LIMITS.targetGroup),
  beneficiaries: optional(PLAN_FIELD_LIMITS.beneficiaries),
});

export const activityFormSchema = z.object({
  activity: fieldSchemas.text(ACTIVITY_FIELD_LIMITS.activity),
  responsible: optional(ACTIVITY_FIELD_LIMITS.responsible),
  deadline: optionalDate(),
  challenges: optional(ACTIVITY_FIELD_LIMITS.challenges),
  mitigation: optional(ACTIVITY_FIELD_LIMITS.mitigation),
  resources: optional(ACTIVITY_FIELD_LIMITS.resources),
  results: optional(ACTIVITY_FIELD_LIMITS.results),
});

export const progressFormSchema = z.object({
  progress: z.enum(['NOT_STARTED', 'IN_PROGRESS', 'DONE', 'BLOCKED'], { message: 'form.invalidChoice' }),
  note: optional(PROGRESS_NOTE_LIMIT),
});

/** Fields a submitted plan must fill: a form saves without them, so its label says so instead of marking them required. */
const NEEDED_TO_SUBMIT = new Set<string>([...REQUIRED_PLAN_FIELDS, ...REQUIRED_ACTIVITY_FIELDS]);

/** The template's guiding question and the limit, as the hint under a field. */
function hinted(ctx: FlowContext, name: string, max: number, kind: FormField['kind'], initial: string | null | undefined, required = false): FormField {
  const { t } = ctx;
  const label = t(`plan:fields.${name}.label`);
  return {
    name,
    label: !required && NEEDED_TO_SUBMIT.has(name) ? t('plan:forms.neededLabel', { label }) : label,
    kind,
    required,
    maxLength: max,
    hint: `${t(`plan:fields.${name}.question`)} ${t('plan:hint.limit', { max })}`,
    ...(initial ? { initial } : {}),
  };
}

/** The "Goal and beneficiaries" section (with the prefilled approach). */
export function goalForm(ctx: FlowContext, planId: string, content: PlanContent): Form {
  const { t } = ctx;
  return {
    formId: formIds.goal(planId),
    title: t('plan:forms.goalTitle'),
    submitLabel: t('plan:forms.save'),
    intro: t('plan:forms.intro'),
    fields: [
      hinted(ctx, 'approach', PLAN_FIELD_LIMITS.approach, 'text', content.approach, true),
      hinted(ctx, 'goal', PLAN_FIELD_LIMITS.goal, 'textarea', content.goal),
      hinted(ctx, 'change', PLAN_FIELD_LIMITS.change, 'textarea', content.change),
      hinted(ctx, 'targetGroup', PLAN_FIELD_LIMITS.targetGroup, 'textarea', content.targetGroup),
      hinted(ctx, 'beneficiaries', PLAN_FIELD_LIMITS.beneficiaries, 'textarea', content.beneficiaries),
    ],
  };
}

/** One activity row: the template's seven columns; the legal reminder sits on the activity itself. */
export function activityForm(ctx: FlowContext, target: { planId: string } | { activity: ActivityContent }, span: { from: string; to: string } | null): Form {
  const { t } = ctx;
  const a = 'activity' in target ? target.activity : undefined;
  const deadline = hinted(ctx, 'deadline', ACTIVITY_FIELD_LIMITS.deadline, 'date', a?.deadline);
  deadline.hint = `${t('plan:fields.deadline.question')} ${span ? t('plan:hint.deadlineSpan', spanWords(span, ctx.person.locale)) : t('plan:hint.deadline')}`;
  deadline.placeholder = '31.12.2026';
  const activity = hinted(ctx, 'activity', ACTIVITY_FIELD_LIMITS.activity, 'textarea', a?.activity, true);
  activity.hint = `${t('plan:fields.activity.question')} ${t('plan:legalReminder')} ${t('plan:hint.limit', { max: ACTIVITY_FIELD_LIMITS.activity })}`;
  return {
    formId: a ? formIds.editActivity(a.id) : formIds.newActivity((target as { planId: string }).planId),
    title: a ? t('plan:forms.activityTitle') : t('plan:forms.newActivityTitle'),
    submitLabel: t('plan:forms.save'),
    intro: t('plan:forms.intro'),
    fields: [
      activity,
      hinted(ctx, 'responsible', ACTIVITY_FIELD_LIMITS.responsible, 'text', a?.responsible),
      deadline,
      hinted(ctx, 'challenges', ACTIVITY_FIELD_LIMITS.challenges, 'textarea', a?.challenges),
      hinted(ctx, 'mitigation', ACTIVITY_FIELD_LIMITS.mitigation, 'textarea', a?.mitigation),
      hinted(ctx, 'resources', ACTIVITY_FIELD_LIMITS.resources, 'textarea', a?.resources),
      hinted(ctx, 'results', ACTIVITY_FIELD_LIMITS.results, 'textarea', a?.results),
    ],
  };
}

/** Progress of one activity during the application period. */
export function progressForm(ctx: FlowContext, activity: ActivityContent): Form {
  const { t } = ctx;
  return {
    formId: formIds.progress(activity.id),
    title: t('plan:forms.progressTitle'),
    submitLabel: t('plan:forms.save'),
    intro: activity.activity.slice(0, 300),
    fields: [
      {
        name: 'progress',
        label: t('plan:forms.progressLabel'),
        kind: 'select',
        required: true,
        options: (['NOT_STARTED', 'IN_PROGRESS', 'DONE', 'BLOCKED'] as const).map((p) => ({ value: p, label: t(`plan:progress.${p}`) })),
        initial: activity.progress,
      },
      { name: 'note', label: t('plan:forms.noteLabel'), kind: 'textarea', maxLength: PROGRESS_NOTE_LIMIT, hint: t('plan:forms.noteHint', { max: PROGRESS_NOTE_LIMIT }), ...(activity.progressNote ? { initial: activity.progressNote } : {}) },
    ],
  };
}

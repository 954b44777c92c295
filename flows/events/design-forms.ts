import { z } from 'zod';
import type { FlowContext } from '../../src/core/flow.js';
import { checkForm, fieldSchemas, type FormCheck, type FormValues } from '../../src/core/forms.js';
import { escapeMarkup } from '../../src/core/markup.js';
import type { Form, SelectOption } from '../../src/core/messages.js';
import { DESIGN_LIMITS as L, type DesignedEvent, type EventDesignView, type GoalsDraft, type Session, type SessionDraft } from '../../src/domain/events/design.js';
import { itemTitle } from '../../src/domain/timeline.js';
import { single } from '../clusters/common.js';
import { dayHeading } from './design-view.js';

/** A person of the cluster who may be named responsible for a session. */
export interface ClusterPerson {
  id: string;
  name: string;
}

/** The goal, objectives, output and indicator of an event. */
export function goalsForm(ctx: FlowContext, event: DesignedEvent, design: EventDesignView): Form {
  const { t } = ctx;
  return {
    formId: 'event:goals',
    title: t('events:form.goalsTitle', { event: itemTitle(t, event) }),
    submitLabel: t('events:form.save'),
    fields: [
      { name: 'goal', label: t('events:form.goal'), kind: 'textarea', maxLength: L.goal, initial: design.goal ?? undefined },
      { name: 'objectives', label: t('events:form.objectives'), kind: 'textarea', maxLength: L.objectives, hint: t('events:form.objectivesHint'), initial: design.objectives.join('\n') || undefined },
      { name: 'output', label: t('events:form.output'), kind: 'text', maxLength: L.output, hint: t('events:form.outputHint'), initial: design.output ?? undefined },
      { name: 'indicator', label: t('events:form.indicator'), kind: 'text', maxLength: L.indicator, initial: design.indicator ?? undefined },
    ],
  };
}

const goalsSchema = z.object({
  goal: fieldSchemas.optionalText(L.goal),
  objectives: fieldSchemas.optionalText(L.objectives),
  output: fieldSchemas.optionalText(L.output),
  indicator: fieldSchemas.optionalText(L.indicator),
});

/** The goals form read into a draft: objectives one per line, list marks dropped. */
export function readGoals(ctx: FlowContext, values: FormValues): FormCheck<GoalsDraft> {
  const checked = checkForm(goalsSchema, values, ctx.t);
  if (!checked.ok) return checked;
  const v = checked.data;
  const objectives = (v.objectives ?? '').split('\n').map((line) => line.replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '').trim()).filter(Boolean);
  return { ok: true, data: { goal: v.goal ?? null, objectives, output: v.output ?? null, indicator: v.indicator ?? null } };
}

function dayOptions(ctx: FlowContext, event: DesignedEvent, days: number, zone: string): SelectOption[] {
  return Array.from({ length: days }, (_, i) => ({ value: String(i + 1), label: escapeMarkup(dayHeading(ctx, event, i + 1, zone)) }));
}

/** One session: every column of the Annex 2 table. */
export function sessionForm(ctx: FlowContext, event: DesignedEvent, days: number, zone: string, people: ClusterPerson[], session?: Session, day?: number): Form {
  const { t } = ctx;
  const name = itemTitle(t, event);
  return {
    formId: 'event:session',
    title: t(session ? 'events:form.sessionTitle' : 'events:form.newSessionTitle', { event: name }),
    submitLabel: t('events:form.save'),
    fields: [
      { name: 'day', label: t('events:form.day'), kind: 'select', required: true, options: dayOptions(ctx, event, days, zone), initial: String(session?.day ?? day ?? 1) },
      { name: 'startTime', label: t('events:form.startTime'), kind: 'text', required: true, placeholder: '09:00', initial: session?.startTime },
      { name: 'endTime', label: t('events:form.endTime'), kind: 'text', placeholder: '10:30', initial: session?.endTime ?? undefined },
      { name: 'name', label: t('events:form.name'), kind: 'text', required: true, maxLength: L.name, hint: t('events:form.nameHint'), initial: session?.name },
      { name: 'objective', label: t('events:form.objective'), kind: 'textarea', maxLength: L.objective, initial: session?.objective ?? undefined },
      { name: 'content', label: t('events:form.content'), kind: 'textarea', maxLength: L.content, initial: session?.content ?? undefined },
      {
        name: 'responsible',
        label: t('events:form.responsible'),
        kind: 'select',
        hint: t('events:form.responsibleHint'),
        options: people.slice(0, 100).map((p) => ({ value: p.id, label: escapeMarkup(p.name.slice(0, 75)) })),
        initial: session?.responsibleId ?? undefined,
      },
      { name: 'responsibleText', label: t('events:form.responsibleText'), kind: 'text', maxLength: L.responsible, initial: session?.responsibleText ?? undefined },
      { name: 'moderatorNotes', label: t('events:form.moderatorNotes'), kind: 'textarea', maxLength: L.notes, hint: t('events:form.moderatorHint'), initial: session?.moderatorNotes ?? undefined },
      { name: 'preparationNotes', label: t('events:form.preparationNotes'), kind: 'textarea', maxLength: L.notes, hint: t('events:form.preparationHint'), initial: session?.preparationNotes ?? undefined },
    ],
  };
}

const optionalTime = z
  .string()
  .trim()
  .optional()
  .transform((v) => v || undefined)
  .pipe(z.union([z.undefined(), fieldSchemas.time()]));

/** The session form read into a draft; the day and the person must be among those offered. */
export function readSession(ctx: FlowContext, values: FormValues, days: number, people: ClusterPerson[]): FormCheck<SessionDraft> {
  const schema = z
    .object({
      day: single(z.coerce.number({ message: 'form.invalidChoice' }).int('form.invalidChoice').min(1, 'form.invalidChoice').max(days, 'form.invalidChoice')),
      startTime: fieldSchemas.time(),
      endTime: optionalTime,
      name: fieldSchemas.text(L.name),
      objective: fieldSchemas.optionalText(L.objective),
      content: fieldSchemas.optionalText(L.content),
      responsible: single(z.string().trim().optional()).transform((v) => v || undefined).refine((v) => !v || people.some((p) => p.id === v), 'events:form.notOneOfThem'),
      responsibleText: fieldSchemas.optionalText(L.responsible),
      moderatorNotes: fieldSchemas.optionalText(L.notes),
      preparationNotes: fieldSchemas.optionalText(L.notes),
    })
    .superRefine((v, issue) => {
      if (v.endTime && v.endTime <= v.startTime) issue.addIssue({ code: 'custom', path: ['endTime'], message: 'events:form.endBeforeStart' });
    });
  const checked = checkForm(schema, values, ctx.t);
  if (!checked.ok) return checked;
  const v = checked.data;
  return {
    ok: true,
    data: {
      day: v.day,
      startTime: v.startTime,
      endTime: v.endTime ?? null,
      name: v.name,
      objective: v.objective ?? null,
      content: v.content ?? null,
      responsibleId: v.responsible ?? null,
      responsibleText: v.responsibleText ?? null,
      moderatorNotes: v.moderatorNotes ?? null,
      preparationNotes: v.preparationNotes ?? null,
    },
  };
}

/** Which day's sessions to copy, and to which day. */
export function copyDayForm(ctx: FlowContext, event: DesignedEvent, days: number, used: number[], zone: string): Form {
  const { t } = ctx;
  const all = dayOptions(ctx, event, days, zone);
  return {
    formId: 'event:copyDay',
    title: t('events:form.copyDayTitle', { event: itemTitle(t, event) }),
    submitLabel: t('events:form.copy'),
    intro: t('events:form.copyDayIntro'),
    fields: [
      { name: 'from', label: t('events:form.from'), kind: 'select', required: true, options: all.filter((o) => used.includes(Number(o.value))), initial: String(used[0] ?? 1) },
      { name: 'to', label: t('events:form.to'), kind: 'select', required: true, options: all, initial: String(Math.min(days, (used[0] ?? 1) + 1)) },
    ],
  };
}

/** The copy-a-day form read: two different days, among those offered. */
export function readCopyDay(ctx: FlowContext, values: FormValues, days: number, used: number[]): FormCheck<{ from: number; to: number }> {
  const dayField = single(z.coerce.number({ message: 'form.invalidChoice' }).int('form.invalidChoice').min(1, 'form.invalidChoice').max(days, 'form.invalidChoice'));
  const schema = z
    .object({ from: dayField.refine((d) => used.includes(d), 'events:form.notOneOfThem'), to: dayField })
    .superRefine((v, issue) => {
      if (v.from === v.to) issue.addIssue({ code: 'custom', path: ['to'], message: 'events:form.sameDay' });
    });
  return checkForm(schema, values, ctx.t);
}

/** Which cluster's design of the same event to copy. */
export function copyForm(ctx: FlowContext, event: DesignedEvent, sources: { itemId: string; clusterCode: string; sessions: number }[]): Form {
  const { t } = ctx;
  return {
    formId: 'event:copy',
    title: t('events:form.copyTitle', { event: itemTitle(t, event) }),
    submitLabel: t('events:form.copy'),
    intro: t('events:form.copyIntro'),
    fields: [{ name: 'source', label: t('events:form.source'), kind: 'select', required: true, options: sources.map((s) => ({ value: s.itemId, label: t('events:form.sourceOption', { code: s.clusterCode, count: s.sessions }) })), initial: sources[0]?.itemId }],
  };
}

/** The copy form read: one of the offered sources. */
export function readCopy(ctx: FlowContext, values: FormValues, sources: { itemId: string }[]): FormCheck<{ source: string }> {
  const schema = z.object({ source: single(z.string().trim().min(1, 'form.required')).refine((v) => sources.some((s) => s.itemId === v), 'events:form.notOneOfThem') });
  return checkForm(schema, values, ctx.t);
}

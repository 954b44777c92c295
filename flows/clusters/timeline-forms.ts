import { DateTime } from 'luxon';
import { z } from 'zod';
import { parseTimeInput } from '../../src/core/date-input.js';
import type { FlowContext } from '../../src/core/flow.js';
import { checkForm, fieldSchemas, type FormValues } from '../../src/core/forms.js';
import type { Form, FormField } from '../../src/core/messages.js';
import { localInstant, periodInstants, spanDays } from '../../src/domain/calendar.js';
import type { ItemDraft } from '../../src/domain/clusters/timeline-edits.js';
import { isAllDay, ITEM_TYPES, itemTitle, rolesForType, type LabelledEntry, type TimelineEntry } from '../../src/domain/timeline.js';
import { TimelineItemType, TimelineRole } from '../../src/generated/prisma/enums.js';

/** First step of adding: what kind of item, and what to call it. */
export function typeForm(ctx: FlowContext, code: string): Form {
  const { t } = ctx;
  return {
    formId: 'timeline:type',
    title: t('clusters:timeline.addTitle', { code }),
    submitLabel: t('clusters:timeline.next'),
    intro: t('clusters:timeline.addIntro'),
    fields: [
      { name: 'type', label: t('clusters:timeline.type'), kind: 'select', required: true, options: ITEM_TYPES.map((type) => ({ value: type, label: t(`timeline.type.${type}`) })) },
      { name: 'title', label: t('clusters:timeline.itemTitle'), kind: 'text', maxLength: 120, hint: t('clusters:timeline.titleHint') },
    ],
  };
}

export const typeSchema = z.object({ type: z.enum(TimelineItemType, { message: 'form.invalidChoice' }), title: fieldSchemas.optionalText(120) });

/**
 * The form of one item: title, dates (times for events), place or link, the roles it plays and whether
 * reminders apply. An item linked to a programme's joint event shows only roles and reminders: its
 * name, dates and place are the joint event's.
 */
export function itemForm(ctx: FlowContext, cluster: { code: string; timeZone: string }, type: TimelineItemType, item?: LabelledEntry<TimelineEntry>, title?: string): Form {
  const { t } = ctx;
  const zone = cluster.timeZone;
  const event = !isAllDay({ type });
  const name = item ? itemTitle(t, item) : (title ?? t(`timeline.type.${type}`));
  const roles: FormField = {
    name: 'roles',
    label: t('clusters:timeline.roles'),
    kind: 'multiselect',
    hint: t('clusters:timeline.rolesHint'),
    options: rolesForType(type).map((role) => ({ value: role, label: t(`timeline.role.${role}`) })),
    initial: item?.roles ?? [],
  };
  const reminders: FormField = {
    name: 'reminders',
    label: t('clusters:timeline.reminders'),
    kind: 'select',
    required: true,
    initial: item && !item.reminders ? 'off' : 'on',
    options: [
      { value: 'on', label: t('clusters:timeline.remindersOn') },
      { value: 'off', label: t('clusters:timeline.remindersOff') },
    ],
  };
  const base = { formId: 'timeline:item', title: t('clusters:timeline.editItem', { item: name, code: cluster.code }), submitLabel: t('clusters:timeline.save') };
  if (item?.jointEventId) return { ...base, intro: t('clusters:timeline.jointIntro'), fields: [roles, reminders] };
  const days = item?.startsAt && item.endsAt ? spanDays({ startsAt: item.startsAt, endsAt: item.endsAt, allDay: !event }, zone) : undefined;
  const start = item?.startsAt ? DateTime.fromJSDate(item.startsAt).setZone(zone) : undefined;
  const end = item?.endsAt ? DateTime.fromJSDate(item.endsAt).setZone(zone) : undefined;
  return {
    ...base,
    intro: event ? t('clusters:timeline.zoneHint', { zone }) : t('clusters:timeline.daysHint'),
    fields: [
      { name: 'title', label: t('clusters:timeline.itemTitle'), kind: 'text', maxLength: 120, initial: item?.title ?? title ?? undefined, placeholder: t(`timeline.type.${type}`), hint: t('clusters:timeline.titleHint') },
      { name: 'startDate', label: t('clusters:timeline.startDate'), kind: 'date', initial: days?.first },
      ...(event ? [{ name: 'startTime', label: t('clusters:timeline.startTime'), kind: 'text' as const, placeholder: '10:00', initial: start?.toFormat('HH:mm') ?? '10:00' }] : []),
      { name: 'endDate', label: t(event ? 'clusters:timeline.endDate' : 'clusters:timeline.lastDay'), kind: 'date', initial: days?.last },
      ...(event ? [{ name: 'endTime', label: t('clusters:timeline.endTime'), kind: 'text' as const, placeholder: '16:00', initial: end?.toFormat('HH:mm') ?? '16:00' }] : []),
      { name: 'location', label: t('clusters:timeline.location'), kind: 'text', maxLength: 300, initial: item?.location ?? undefined },
      roles,
      reminders,
    ],
  };
}

const rolesField = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : v.split(',')).map((r) => r.trim()).filter(Boolean))
  .pipe(z.array(z.enum(TimelineRole, { message: 'form.invalidChoice' })));

const itemSchema = z.object({
  title: fieldSchemas.optionalText(120),
  startDate: fieldSchemas.optionalDate(),
  startTime: z.string().optional(),
  endDate: fieldSchemas.optionalDate(),
  endTime: z.string().optional(),
  location: fieldSchemas.optionalText(300),
  roles: rolesField,
  reminders: z.enum(['on', 'off'], { message: 'form.invalidChoice' }).default('on'),
});

/**
 * The submitted item form as a draft, or the errors to show next to the fields. Both dates or neither
 * (an item may wait for its dates); an event's times are read in the cluster's zone and a period's days
 * are the cluster's calendar days (src/domain/calendar.ts). `current` keeps what a linked item's form does not show.
 */
export function readItemForm(ctx: FlowContext, values: FormValues, type: TimelineItemType, zone: string, current?: TimelineEntry): { ok: true; draft: ItemDraft } | { ok: false; errors: Record<string, string> } {
  const checked = checkForm(itemSchema, values, ctx.t);
  if (!checked.ok) return checked;
  const v = checked.data;
  // Adapters send every field of a form; one that is missing altogether (a client that dropped it) leaves the item's value as it was.
  const draft = { type, roles: values.roles === undefined && current ? current.roles : v.roles, reminders: values.reminders === undefined && current ? current.reminders : v.reminders === 'on' };
  if (current?.jointEventId) return { ok: true, draft: { ...draft, title: current.title, startsAt: current.startsAt, endsAt: current.endsAt, location: current.location ?? null } };
  const errors: Record<string, string> = {};
  if (v.startDate && !v.endDate) errors.endDate = ctx.t('form.required');
  if (v.endDate && !v.startDate) errors.startDate = ctx.t('form.required');
  let startsAt: Date | null = null;
  let endsAt: Date | null = null;
  if (v.startDate && v.endDate) {
    if (isAllDay({ type })) ({ startsAt, endsAt } = periodInstants(v.startDate, v.endDate, zone));
    else {
      const startTime = parseTimeInput(v.startTime ?? '');
      const endTime = parseTimeInput(v.endTime ?? '');
      if (!startTime) errors.startTime = ctx.t(v.startTime ? 'form.invalidTime' : 'form.required');
      if (!endTime) errors.endTime = ctx.t(v.endTime ? 'form.invalidTime' : 'form.required');
      if (startTime && endTime) [startsAt, endsAt] = [localInstant(v.startDate, startTime, zone), localInstant(v.endDate, endTime, zone)];
    }
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, draft: { ...draft, title: v.title ?? null, startsAt, endsAt, location: v.location ?? null } };
}

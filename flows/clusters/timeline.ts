import { BotError, ErrorCode } from '../../src/core/errors.js';
import { md } from '../../src/core/markup.js';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { checkForm, fieldSchemas, refill } from '../../src/core/forms.js';
import { defineFlow, type FlowContext, type FlowResult } from '../../src/core/flow.js';
import { clockDiffers, formatEnd, formatSpan, formatStart, localInstant, periodInstants, phaseSentence, spanDays } from '../../src/domain/calendar.js';
import { ui, type Block, type Form, type OutboundMessage } from '../../src/core/messages.js';
import { requireRole } from '../../src/domain/memberships.js';
import { editTimelineItem, loadCluster, undoTimelineChange } from '../../src/domain/clusters/timeline-edits.js';
import { TimelineConflictError, type TimelineConflict } from '../../src/domain/clusters/timeline-rules.js';
import { EXCHANGE_EVENTS, isAllDay, itemTitle, phaseAt, TIMELINE_ORDER, timelineSpans, type TimelineEntry } from '../../src/domain/timeline.js';
import { TimelineKind } from '../../src/generated/prisma/enums.js';
import { ALL_ROLES, withCluster } from './common.js';

const stateSchema = z.object({ clusterId: z.string(), kind: z.enum(TimelineKind) });
type State = z.infer<typeof stateSchema>;

const periodForm = z.object({ startDate: fieldSchemas.date(), endDate: fieldSchemas.date() });
const eventForm = periodForm.extend({ startTime: fieldSchemas.time(), endTime: fieldSchemas.time(), location: fieldSchemas.optionalText(300) });

/**
 * `/lc timeline [cluster]`: the cluster's timeline in the viewer's time zone; coordinators edit one
 * item at a time in a form. A wrong edit comes back in the same form naming the conflict, and nothing
 * is changed; a good one is recorded and announced to the scheduler.
 */
export const timelineFlow = defineFlow<State>({
  name: 'timeline',
  version: 1,
  schema: stateSchema,
  commands: [{ verb: 'timeline', summaryKey: 'clusters:summary.timeline', usageKey: 'clusters:usage.timeline', audience: ALL_ROLES, common: true }],
  async start(ctx, { args }) {
    return withCluster(ctx, 'timeline', args, ALL_ROLES, async (cluster) => ({ replies: [await renderTimeline(ctx, cluster.id)], next: null }));
  },
  async handle(ctx, event, position): Promise<FlowResult<State>> {
    if (event.type === 'action' && event.actionId === 'timeline:cluster') return this.start(ctx, { verb: 'timeline', args: event.value });
    if (event.type === 'action' && event.actionId === 'timeline:edit') {
      const [clusterId, kind] = event.value.split('|');
      const parsed = stateSchema.safeParse({ clusterId, kind });
      if (!parsed.success) return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
      await requireRole(ctx.services.db, ctx.person.id, parsed.data.clusterId, ['COORDINATOR']);
      const cluster = await loadCluster(ctx.services.db, parsed.data.clusterId);
      const item = cluster.timeline.find((i) => i.kind === parsed.data.kind);
      return { replies: [ui.message(ctx.t('clusters:timeline.editTitle'), [ui.form(editForm(ctx, parsed.data.kind, cluster, item))], { ephemeral: true })], next: { step: 'editing', data: parsed.data } };
    }
    if (event.type === 'action' && event.actionId === 'timeline:undo') {
      try {
        const { changed, clusterId, kind } = await undoTimelineChange(ctx.services.db, ctx.person.id, event.value, ctx.services.clock.now());
        if (changed) await ctx.services.scheduler.clusterChanged(clusterId, 'timeline');
        const view = await renderTimeline(ctx, clusterId);
        return { replies: [{ ...view, blocks: [ui.paragraph(ctx.t('clusters:timeline.undone', { item: ctx.t(`timeline.${kind}`) })), ...view.blocks] }], next: null };
      } catch (error) {
        if (!(error instanceof TimelineConflictError)) throw error;
        return { replies: [ui.text(`${ctx.t('clusters:timeline.undoRefused')} ${error.conflicts.map((c) => describeConflict(ctx, c)).join(' ')}`, { ephemeral: true })] };
      }
    }
    if (event.type === 'form' && event.formId === 'timeline:item') {
      if (!position) throw new BotError(ErrorCode.StaleConversation, 'errors.stepPast', { flow: 'timeline' });
      const { clusterId, kind } = position.data;
      // Checked before validation too: a member never learns anything from a forged form.
      await requireRole(ctx.services.db, ctx.person.id, clusterId, ['COORDINATOR']);
      const cluster = await loadCluster(ctx.services.db, clusterId);
      const isEvent = EXCHANGE_EVENTS.includes(kind);
      const form = editForm(ctx, kind, cluster, cluster.timeline.find((i) => i.kind === kind));
      const checked = isEvent ? checkForm(eventForm, event.values, ctx.t) : checkForm(periodForm, event.values, ctx.t);
      if (!checked.ok) return { replies: [formReply(ctx, refill(form, event.values, checked.errors))] };
      // Periods are calendar days of the cluster and event times are planned in its zone (src/domain/calendar.ts).
      const zone = cluster.timeZone;
      const v = checked.data as z.infer<typeof eventForm>;
      const { startsAt, endsAt } = isEvent
        ? { startsAt: localInstant(v.startDate, v.startTime, zone), endsAt: localInstant(v.endDate, v.endTime, zone) }
        : periodInstants(v.startDate, v.endDate, zone);
      const before = cluster.timeline.find((i) => i.kind === kind);
      try {
        const { changed, changeId } = await editTimelineItem(ctx.services.db, ctx.person.id, { clusterId, kind, startsAt, endsAt, ...(isEvent ? { location: v.location ?? null } : {}) }, ctx.services.clock.now());
        if (changed) await ctx.services.scheduler.clusterChanged(clusterId, 'timeline');
        const note = ui.paragraph(changed ? ctx.t('clusters:timeline.saved', { item: ctx.t(`timeline.${kind}`) }) : ctx.t('clusters:timeline.unchanged'));
        const past = changed ? pastWarning(ctx, { kind, startsAt, endsAt }, before, zone) : [];
        const undo = changed && changeId && before ? [ui.actions(ui.button(ctx.t('clusters:timeline.undo'), 'timeline:undo', changeId))] : [];
        const view = await renderTimeline(ctx, clusterId);
        return { replies: [{ ...view, blocks: [note, ...past, ...undo, ...view.blocks] }], next: null };
      } catch (error) {
        if (!(error instanceof TimelineConflictError)) throw error;
        const messages = error.conflicts.map((c) => describeConflict(ctx, c));
        const errors: Record<string, string> = {};
        for (const [i, c] of error.conflicts.entries()) {
          // Point at the field of the edited item that causes it: its end when it runs into the next item.
          const field = c.kind === 'ends-before-start' || (c.kind === 'overlap' && c.other === kind) ? 'endDate' : 'startDate';
          errors[field] = errors[field] ? `${errors[field]} ${messages[i]}` : messages[i];
        }
        const refused = { ...refill(form, event.values, errors), intro: `${ctx.t('clusters:timeline.refused')} ${messages.join(' ')}` };
        return { replies: [formReply(ctx, refused)] };
      }
    }
    return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
  },
});

/**
 * A date set in the past is allowed (a timeline may be recorded after the fact) but usually a typo in
 * the year, so the coordinator is told which day is past. Only days this edit changed count.
 */
function pastWarning(ctx: FlowContext, edited: TimelineEntry, before: TimelineEntry | undefined, zone: string): Block[] {
  const now = ctx.services.clock.now();
  const today = DateTime.fromJSDate(now).setZone(zone).toISODate()!;
  const span = { ...edited, allDay: isAllDay(edited) };
  const days = spanDays(span, zone);
  const old = before ? spanDays({ ...before, allDay: span.allDay }, zone) : undefined;
  const viewer = { timeZone: ctx.person.timeZone, locale: ctx.person.locale };
  const item = ctx.t(`timeline.${edited.kind}`);
  if (days.last < today && days.last !== old?.last) return [ui.paragraph(ctx.t('clusters:timeline.pastEnd', { item, end: formatEnd(span, viewer, zone) }))];
  if (days.first < today && days.first !== old?.first) return [ui.paragraph(ctx.t('clusters:timeline.pastStart', { item, start: formatStart(span, viewer, zone) }))];
  return [];
}

function formReply(ctx: FlowContext, form: Form): OutboundMessage {
  return ui.message(form.intro ?? form.title, [ui.form(form)], { ephemeral: true });
}

function describeConflict(ctx: FlowContext, c: TimelineConflict): string {
  const name = (k: string) => ctx.t(`timeline.${k}`);
  if (c.kind === 'ends-before-start') return ctx.t('clusters:timeline.conflict.endsBeforeStart', { item: name(c.item) });
  if (c.kind === 'out-of-order') return ctx.t('clusters:timeline.conflict.outOfOrder', { item: name(c.item), other: name(c.other) });
  return ctx.t('clusters:timeline.conflict.overlap', { item: name(c.item), other: name(c.other) });
}

function editForm(ctx: FlowContext, kind: TimelineKind, cluster: { code: string; timeZone: string }, item?: { startsAt: Date; endsAt: Date; location: string | null }): Form {
  const zone = cluster.timeZone;
  const isEvent = EXCHANGE_EVENTS.includes(kind);
  const days = item ? spanDays({ ...item, allDay: !isEvent }, zone) : undefined;
  const start = item ? DateTime.fromJSDate(item.startsAt).setZone(zone) : undefined;
  const end = item ? DateTime.fromJSDate(item.endsAt).setZone(zone) : undefined;
  const hint = isEvent ? ctx.t('clusters:timeline.zoneHint', { zone }) : ctx.t('clusters:timeline.daysHint');
  return {
    formId: 'timeline:item',
    title: ctx.t('clusters:timeline.editItem', { item: ctx.t(`timeline.${kind}`), code: cluster.code }),
    submitLabel: ctx.t('clusters:timeline.save'),
    intro: hint,
    fields: [
      { name: 'startDate', label: ctx.t('clusters:timeline.startDate'), kind: 'date', required: true, initial: days?.first },
      ...(isEvent ? [{ name: 'startTime', label: ctx.t('clusters:timeline.startTime'), kind: 'text' as const, required: true, placeholder: '10:00', initial: start?.toFormat('HH:mm') ?? '10:00' }] : []),
      { name: 'endDate', label: ctx.t(isEvent ? 'clusters:timeline.endDate' : 'clusters:timeline.lastDay'), kind: 'date', required: true, initial: days?.last },
      ...(isEvent
        ? [
            { name: 'endTime', label: ctx.t('clusters:timeline.endTime'), kind: 'text' as const, required: true, placeholder: '16:00', initial: end?.toFormat('HH:mm') ?? '16:00' },
            { name: 'location', label: ctx.t('clusters:timeline.location'), kind: 'text' as const, maxLength: 300, initial: item?.location ?? undefined },
          ]
        : []),
    ],
  };
}

/** The timeline as a readable list in the viewer's zone; coordinators also get the edit menu. */
async function renderTimeline(ctx: FlowContext, clusterId: string): Promise<OutboundMessage> {
  const { t, person } = ctx;
  const cluster = await loadCluster(ctx.services.db, clusterId);
  const now = ctx.services.clock.now();
  const viewer = { timeZone: person.timeZone, locale: person.locale };
  const spans = timelineSpans(cluster.timeline);
  const lines = TIMELINE_ORDER.map((kind) => {
    const item = spans.find((i) => i.kind === kind);
    if (!item) return `- **${t(`timeline.${kind}`)}**: ${t('clusters:timeline.notSet')}`;
    const where = !item.allDay && item.location ? md` (${item.location})` : '';
    return `- **${t(`timeline.${kind}`)}**: ${formatSpan(item, viewer, cluster.timeZone)}${where}`;
  });
  const phase = phaseSentence(t, phaseAt(cluster.timeline, now), (item) => itemTitle(t, item), viewer, cluster.timeZone);
  const blocks: Block[] = [
    ui.heading(t('clusters:timeline.title', { code: cluster.code, name: cluster.name })),
    ui.paragraph(phase),
    ui.paragraph(lines.join('\n')),
    ui.context(clockDiffers(now, person.timeZone, cluster.timeZone) ? t('clusters:timeline.shownInOther', { zone: cluster.timeZone, yours: person.timeZone }) : t('clusters:timeline.shownIn', { zone: cluster.timeZone })),
  ];
  const coordinator = await ctx.services.db.membership.findFirst({ where: { personId: person.id, clusterId, role: 'COORDINATOR', status: 'ACTIVE' } });
  if (coordinator) {
    blocks.push(
      ui.actions({
        type: 'select',
        actionId: 'timeline:edit',
        placeholder: t('clusters:timeline.editPlaceholder'),
        options: TIMELINE_ORDER.map((kind) => ({ label: t(`timeline.${kind}`), value: `${clusterId}|${kind}` })),
      }),
    );
  }
  return ui.message(t('clusters:timeline.title', { code: cluster.code, name: cluster.name }), blocks, { ephemeral: true });
}

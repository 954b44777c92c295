import { BotError, ErrorCode } from '../../src/core/errors.js';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { checkForm, refill } from '../../src/core/forms.js';
import { defineFlow, type FlowContext, type FlowResult } from '../../src/core/flow.js';
import { ui, type Block, type Form, type OutboundMessage } from '../../src/core/messages.js';
import { formatEnd, formatStart, spanDays } from '../../src/domain/calendar.js';
import { requireRole } from '../../src/domain/memberships.js';
import { applyEdit, loadCluster, loadTimeline, saveTimelineEdit, undoTimelineEdit, type ItemDraft, type TimelineEdit } from '../../src/domain/clusters/timeline-edits.js';
import { namesAcross, timelineConflicts, TimelineConflictError, type TimelineConflict } from '../../src/domain/clusters/timeline-rules.js';
import { isAllDay, itemTitle, labelText, labelTimeline, type TimelineEntry } from '../../src/domain/timeline.js';
import { TimelineItemType, TimelineRole } from '../../src/generated/prisma/enums.js';
import { previewNeedsConfirmation, previewReminders } from '../../src/scheduler/preview.js';
import { loadSnapshot } from '../../src/scheduler/snapshot.js';
import { ALL_ROLES, withCluster } from './common.js';
import { itemForm, readItemForm, typeForm, typeSchema } from './timeline-forms.js';
import { describeConflict, previewLines, renderHistory, renderTimeline } from './timeline-view.js';

const draftSchema = z.object({
  type: z.enum(TimelineItemType),
  title: z.string().nullable(),
  roles: z.array(z.enum(TimelineRole)),
  startsAt: z.string().nullable(),
  endsAt: z.string().nullable(),
  location: z.string().nullable(),
  reminders: z.boolean(),
});
/** An edit waiting for the coordinator's confirmation, as saved in the conversation (dates as ISO strings). */
const pendingSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('add'), clusterId: z.string(), draft: draftSchema }),
  z.object({ action: z.literal('change'), clusterId: z.string(), itemId: z.string(), draft: draftSchema }),
  z.object({ action: z.literal('remove'), clusterId: z.string(), itemId: z.string() }),
]);
const stateSchema = z.object({
  clusterId: z.string(),
  itemId: z.string().optional(),
  type: z.enum(TimelineItemType).optional(),
  title: z.string().optional(),
  pending: pendingSchema.optional(),
});
type State = z.infer<typeof stateSchema>;
type Pending = z.infer<typeof pendingSchema>;

/**
 * `/lc timeline [cluster]`: the cluster's timeline in the viewer's time zone. Coordinators add, rename,
 * move and remove events and periods, one item per form, and say which roles items play. An edit that
 * changes which reminders people get (or leaves a role without an item) is shown first, with what it
 * does, and saved when the coordinator confirms; plain moves are saved at once. Every saved edit is
 * recorded, re-plans the cluster and can be undone.
 */
export const timelineFlow = defineFlow<State>({
  name: 'timeline',
  version: 2,
  schema: stateSchema,
  commands: [{ verb: 'timeline', summaryKey: 'clusters:summary.timeline', usageKey: 'clusters:usage.timeline', audience: ALL_ROLES, common: true }],
  async start(ctx, { args }) {
    return withCluster(ctx, 'timeline', args, ALL_ROLES, async (cluster) => ({ replies: [await renderTimeline(ctx, cluster.id)], next: null }));
  },
  accepts: { actions: { 'timeline:cluster': '{cluster}', 'timeline:history': '{cluster}', 'timeline:add': '{cluster}', 'timeline:edit': '{cluster}|{item}', 'timeline:remove': '{cluster}|{item}', 'timeline:confirm': '', 'timeline:change': '', 'timeline:cancel': '', 'timeline:undo': '{edit}' }, forms: ['timeline:type', 'timeline:item'] },
  async handle(ctx, event, position): Promise<FlowResult<State>> {
    const { db } = ctx.services;
    if (event.type === 'action') {
      switch (event.actionId) {
        case 'timeline:cluster':
          return this.start(ctx, { verb: 'timeline', args: event.value });
        case 'timeline:history': {
          await requireRole(db, ctx.person.id, event.value, ['COORDINATOR']);
          return { replies: [await renderHistory(ctx, event.value)], next: null };
        }
        case 'timeline:add': {
          await requireRole(db, ctx.person.id, event.value, ['COORDINATOR']);
          const cluster = await loadCluster(db, event.value);
          return { replies: [formReply(typeForm(ctx, cluster.code))], next: { step: 'type', data: { clusterId: cluster.id } } };
        }
        case 'timeline:edit':
        case 'timeline:remove': {
          const [clusterId, itemId] = event.value.split('|');
          if (!clusterId || !itemId) return badButton(ctx);
          await requireRole(db, ctx.person.id, clusterId, ['COORDINATOR']);
          const cluster = await loadCluster(db, clusterId);
          const item = labelTimeline(cluster.timeline).find((i) => i.id === itemId);
          if (!item) return { replies: [ui.text(ctx.t('clusters:timeline.goneItem'), { ephemeral: true })], next: null };
          if (event.actionId === 'timeline:remove') return propose(ctx, { action: 'remove', clusterId, itemId }, true);
          return { replies: [formReply(itemForm(ctx, cluster, item.type, item))], next: { step: 'item', data: { clusterId, itemId, type: item.type } } };
        }
        case 'timeline:confirm': {
          if (!position?.data.pending) return stale(ctx);
          return commit(ctx, fromPending(position.data.pending));
        }
        case 'timeline:change': {
          const pending = position?.data.pending;
          if (!pending || pending.action === 'remove') return stale(ctx);
          const cluster = await loadCluster(db, pending.clusterId);
          const items = labelTimeline(cluster.timeline);
          const current = pending.action === 'change' ? items.find((i) => i.id === pending.itemId) : undefined;
          const edit = fromPending(pending) as Extract<TimelineEdit, { action: 'add' | 'change' }>;
          const shown = { ...(current ?? { id: 'new', position: 0, jointEventId: null }), ...edit.draft, label: edit.draft.title ? { text: edit.draft.title } : { type: edit.draft.type } };
          return { replies: [formReply(itemForm(ctx, cluster, edit.draft.type, shown))], next: { step: 'item', data: { clusterId: pending.clusterId, itemId: current?.id, type: edit.draft.type } } };
        }
        case 'timeline:cancel':
          return { replies: [{ ...ui.text(ctx.t('clusters:timeline.cancelled'), { ephemeral: true }), replaceOriginal: true }], next: null };
        case 'timeline:undo': {
          try {
            const { clusterId } = await undoTimelineEdit(db, ctx.person.id, event.value, ctx.services.clock.now());
            await ctx.services.scheduler.clusterChanged(clusterId, 'timeline');
            const view = await renderTimeline(ctx, clusterId);
            return { replies: [{ ...view, blocks: [ui.paragraph(ctx.t('clusters:timeline.undone')), ...view.blocks] }], next: null };
          } catch (error) {
            if (!(error instanceof TimelineConflictError)) throw error;
            return { replies: [ui.text(`${ctx.t('clusters:timeline.undoRefused')} ${error.conflicts.map((c) => describeConflict(ctx, c)).join(' ')}`, { ephemeral: true })] };
          }
        }
      }
      return badButton(ctx);
    }
    if (event.type === 'form' && event.formId === 'timeline:type') {
      if (!position) return stale(ctx);
      const { clusterId } = position.data;
      await requireRole(db, ctx.person.id, clusterId, ['COORDINATOR']);
      const cluster = await loadCluster(db, clusterId);
      const checked = checkForm(typeSchema, event.values, ctx.t);
      if (!checked.ok) return { replies: [formReply(refill(typeForm(ctx, cluster.code), event.values, checked.errors))] };
      const { type, title } = checked.data;
      return { replies: [formReply(itemForm(ctx, cluster, type, undefined, title))], next: { step: 'item', data: { clusterId, type, title } } };
    }
    if (event.type === 'form' && event.formId === 'timeline:item') {
      if (!position?.data.type) return stale(ctx);
      const { clusterId, itemId, type, title } = position.data;
      // Checked before validation too: a member never learns anything from a forged form.
      await requireRole(db, ctx.person.id, clusterId, ['COORDINATOR']);
      const cluster = await loadCluster(db, clusterId);
      const current = itemId ? labelTimeline(cluster.timeline).find((i) => i.id === itemId) : undefined;
      if (itemId && !current) return { replies: [ui.text(ctx.t('clusters:timeline.goneItem'), { ephemeral: true })], next: null };
      const form = itemForm(ctx, cluster, type, current, title);
      const read = readItemForm(ctx, event.values, type, cluster.timeZone, current);
      if (!read.ok) return { replies: [formReply(refill(form, event.values, read.errors))] };
      const edit: TimelineEdit = current ? { action: 'change', clusterId, itemId: current.id, draft: read.draft } : { action: 'add', clusterId, draft: read.draft };
      const before = await loadTimeline(db, clusterId);
      const after = applyEdit(before, edit).items;
      const conflicts = timelineConflicts(after, namesAcross(before, after));
      if (conflicts.length) return { replies: [formReply(refused(ctx, form, event.values, conflicts))] };
      return propose(ctx, edit, false);
    }
    return badButton(ctx);
  },
});

/**
 * Shows what an edit would do to reminders and asks to confirm it, or saves it at once when nothing but
 * dates moves (reminders simply follow). A removal is always confirmed.
 */
async function propose(ctx: FlowContext, edit: TimelineEdit, alwaysConfirm: boolean): Promise<FlowResult<State>> {
  const { db, clock } = ctx.services;
  const now = clock.now();
  const items = await loadTimeline(db, edit.clusterId);
  const { items: after, changes } = applyEdit(items, edit);
  const snapshot = await loadSnapshot(db, edit.clusterId);
  const preview = previewReminders(snapshot!, after, now);
  if (!alwaysConfirm && !previewNeedsConfirmation(preview)) return commit(ctx, edit);
  const { t } = ctx;
  const labels = labelsAcross(items, after);
  const name = labelText(t, labels.get(changes[0].itemId)!.label);
  const moves = changes.slice(1).flatMap((c) => c.rolesLost.map((role) => t('clusters:timeline.roleMoves', { role: t(`timeline.role.${role}`), from: labelText(t, labels.get(c.itemId)!.label), to: name })));
  const question = t(`clusters:timeline.confirm.${edit.action}`, { item: name });
  const blocks: Block[] = [ui.paragraph(`**${question}**`), ...moves.map((m) => ui.paragraph(m)), ui.paragraph(previewLines(ctx, preview).join('\n'))];
  const buttons = [
    ui.button(t(edit.action === 'remove' ? 'clusters:timeline.removeButton' : 'clusters:timeline.save'), 'timeline:confirm', undefined, edit.action === 'remove' ? 'danger' : 'primary'),
    ...(edit.action === 'remove' ? [] : [ui.openButton(t('clusters:timeline.changeButton'), 'timeline:change')]),
    ui.button(t('clusters:timeline.cancel'), 'timeline:cancel'),
  ];
  blocks.push(ui.actions(...buttons));
  return { replies: [ui.message(question, blocks, { ephemeral: true })], next: { step: 'confirm', data: { clusterId: edit.clusterId, pending: toPending(edit) } } };
}

/** Saves an edit (validated again: the timeline may have moved since the preview), re-plans, and shows the result with Undo. */
async function commit(ctx: FlowContext, edit: TimelineEdit): Promise<FlowResult<State>> {
  const { db, clock } = ctx.services;
  const itemsBefore = await loadTimeline(db, edit.clusterId);
  const before = edit.action === 'add' ? undefined : itemsBefore.find((i) => i.id === edit.itemId);
  try {
    const result = await saveTimelineEdit(db, ctx.person.id, edit, clock.now());
    if (result.changed) await ctx.services.scheduler.clusterChanged(edit.clusterId, 'timeline');
    const cluster = await loadCluster(db, edit.clusterId);
    const item = labelsAcross(itemsBefore, cluster.timeline).get(result.itemId);
    const name = item ? itemTitle(ctx.t, item) : '';
    const note = ui.paragraph(result.changed ? ctx.t(`clusters:timeline.saved.${edit.action}`, { item: name }) : ctx.t('clusters:timeline.unchanged'));
    const past = result.changed && item && edit.action !== 'remove' ? pastWarning(ctx, item, before, cluster.timeZone) : [];
    const undo = result.changed && result.editId ? [ui.actions(ui.button(ctx.t('clusters:timeline.undo'), 'timeline:undo', result.editId))] : [];
    const view = await renderTimeline(ctx, edit.clusterId);
    return { replies: [{ ...view, blocks: [note, ...past, ...undo, ...view.blocks], replaceOriginal: true }], next: null };
  } catch (error) {
    if (!(error instanceof TimelineConflictError)) throw error;
    return { replies: [ui.text(`${ctx.t('clusters:timeline.refused')} ${error.conflicts.map((c) => describeConflict(ctx, c)).join(' ')}`, { ephemeral: true })], next: null };
  }
}

/**
 * A date set in the past is allowed (a timeline may be recorded after the fact) but usually a typo in
 * the year, so the coordinator is told which day is past. Only days this edit changed count.
 */
function pastWarning(ctx: FlowContext, edited: TimelineEntry & { label: Parameters<typeof labelText>[1] }, before: TimelineEntry | undefined, zone: string): Block[] {
  if (!edited.startsAt || !edited.endsAt) return [];
  const now = ctx.services.clock.now();
  const today = DateTime.fromJSDate(now).setZone(zone).toISODate()!;
  const span = { startsAt: edited.startsAt, endsAt: edited.endsAt, allDay: isAllDay(edited) };
  const days = spanDays(span, zone);
  const old = before?.startsAt && before.endsAt ? spanDays({ startsAt: before.startsAt, endsAt: before.endsAt, allDay: span.allDay }, zone) : undefined;
  const viewer = { timeZone: ctx.person.timeZone, locale: ctx.person.locale };
  const item = labelText(ctx.t, edited.label);
  if (days.last < today && days.last !== old?.last) return [ui.paragraph(ctx.t('clusters:timeline.pastEnd', { item, end: formatEnd(span, viewer, zone) }))];
  if (days.first < today && days.first !== old?.first) return [ui.paragraph(ctx.t('clusters:timeline.pastStart', { item, start: formatStart(span, viewer, zone) }))];
  return [];
}

/** The form again, with the conflicts next to the fields of the edited item that cause them. */
function refused(ctx: FlowContext, form: Form, values: Record<string, string | string[]>, conflicts: TimelineConflict[]): Form {
  const errors: Record<string, string> = {};
  for (const c of conflicts) {
    const field = c.kind === 'ends-before-start' ? 'endDate' : c.kind === 'half-dated' ? 'startDate' : c.kind === 'role-order' ? 'startDate' : 'roles';
    const target = form.fields.some((f) => f.name === field) ? field : 'roles';
    const message = describeConflict(ctx, c);
    errors[target] = errors[target] ? `${errors[target]} ${message}` : message;
  }
  return { ...refill(form, values, errors), intro: `${ctx.t('clusters:timeline.refused')} ${conflicts.map((c) => describeConflict(ctx, c)).join(' ')}` };
}

/** Labels of the items before and after an edit (after wins), so a removed item and a new one both have a name. */
function labelsAcross<T extends TimelineEntry>(before: T[], after: T[]) {
  return new Map([...labelTimeline(before), ...labelTimeline(after)].map((i) => [i.id, i]));
}

function toPending(edit: TimelineEdit): Pending {
  if (edit.action === 'remove' || edit.action === 'restore') return { action: 'remove', clusterId: edit.clusterId, itemId: edit.itemId };
  const draft = { ...edit.draft, startsAt: edit.draft.startsAt?.toISOString() ?? null, endsAt: edit.draft.endsAt?.toISOString() ?? null };
  return edit.action === 'add' ? { action: 'add', clusterId: edit.clusterId, draft } : { action: 'change', clusterId: edit.clusterId, itemId: edit.itemId, draft };
}

function fromPending(pending: Pending): TimelineEdit {
  if (pending.action === 'remove') return pending;
  const draft: ItemDraft = { ...pending.draft, startsAt: pending.draft.startsAt ? new Date(pending.draft.startsAt) : null, endsAt: pending.draft.endsAt ? new Date(pending.draft.endsAt) : null };
  return pending.action === 'add' ? { action: 'add', clusterId: pending.clusterId, draft } : { action: 'change', clusterId: pending.clusterId, itemId: pending.itemId, draft };
}

function formReply(form: Form): OutboundMessage {
  return ui.message(form.intro ?? form.title, [ui.form(form)], { ephemeral: true });
}

function badButton(ctx: FlowContext): FlowResult<State> {
  return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
}

/** A button or form of a step that is over: the core says so, with a way back into the flow. */
function stale(_ctx: FlowContext): never {
  throw new BotError(ErrorCode.StaleConversation, 'errors.stepPast', { flow: 'timeline' });
}

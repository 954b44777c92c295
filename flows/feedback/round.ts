import { escapeMarkup } from '../../src/core/markup.js';
import { randomInt } from 'node:crypto';
import { DateTime } from 'luxon';
import { datedItemWithRole } from '../../src/domain/timeline.js';
import { z } from 'zod';
import { BotError, ErrorCode } from '../../src/core/errors.js';
import { defineFlow, type FlowContext, type FlowResult } from '../../src/core/flow.js';
import { checkForm, fieldSchemas, refill, type FormValues } from '../../src/core/forms.js';
import { parseDateInput } from '../../src/core/date-input.js';
import { COMMAND_ACTION, ui, type Form, type OutboundMessage } from '../../src/core/messages.js';
import { requireRole } from '../../src/domain/memberships.js';
import { assignmentWarnings, cancelPreview, changeReviewer, confirmRound, coordinatedClusters, createRoundPreview, loadRound, priorPairSet } from '../../src/domain/feedback/rounds.js';
import { notifyReviewers } from './delivery.js';
import { describeAllocation } from './round-preview.js';

const stateSchema = z.object({ clusterId: z.string().optional(), roundId: z.string().optional() });
type State = z.infer<typeof stateSchema>;

const settingsSchema = (t: (key: string) => string) => z.object({
  deadline: fieldSchemas.date(),
  reviewersPerPlan: z
    .string()
    .trim()
    .regex(/^\d+$/, 'form.invalidNumber')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 10, t('feedback:settings.reviewersRange')),
  resourcePersons: z.enum(['yes', 'no'], { message: 'form.invalidChoice' }),
  anonymous: z.enum(['yes', 'no'], { message: 'form.invalidChoice' }),
  delivery: z.enum(['asSubmitted', 'atDeadline'], { message: 'form.invalidChoice' }),
});

const changeSchema = z.object({
  planId: z.string().min(1),
  remove: z.string().optional().transform((v) => v || undefined),
  add: z.string().optional().transform((v) => v || undefined),
});

/**
 * `/lc feedback-round [cluster]`: a coordinator opens a peer-feedback round. Settings form → preview
 * of the allocation (with the exact reason when a plan is short) → swap/add/remove reviewers →
 * confirm, which notifies every reviewer. Nothing is sent before the confirmation.
 */
export const feedbackRoundFlow = defineFlow<State>({
  name: 'feedback-round',
  version: 1,
  schema: stateSchema,
  commands: [{ verb: 'feedback-round', summaryKey: 'feedback:summary.round', usageKey: 'feedback:usage.round', audience: ['COORDINATOR'], common: true }],
  async start(ctx, command) {
    const clusters = await coordinatedClusters(ctx.services.db, ctx.person.id);
    const code = command.args.trim().toUpperCase();
    const chosen = code ? clusters.find((c) => c.code.toUpperCase() === code) : clusters.length === 1 ? clusters[0] : undefined;
    if (code && !chosen) throw new BotError(ErrorCode.NotFound, 'feedback:round.clusterNotFound', { code });
    if (!chosen) {
      const text = ctx.t('feedback:round.whichCluster');
      return { replies: [ui.message(text, [ui.paragraph(text), ui.actions(...clusters.map((c) => ui.commandButton(c.code, `feedback-round ${c.code}`)))], { ephemeral: true })] };
    }
    await requireRole(ctx.services.db, ctx.person.id, chosen.id, ['COORDINATOR']);
    return { replies: [ui.message(ctx.t('feedback:settings.title'), [ui.form(await settingsForm(ctx, chosen.id))])], next: { step: 'settings', data: { clusterId: chosen.id } } };
  },
  accepts: { actions: { 'feedback-round:change': '{round}', 'feedback-round:confirm': '{round}', 'feedback-round:reshuffle': '{round}', 'feedback-round:cancel': '{round}' }, forms: ['feedback-round:settings', 'feedback-round:change'] },
  async handle(ctx, event, position) {
    const state = position?.data ?? {};
    if (event.type === 'form' && event.formId === 'feedback-round:settings') return submitSettings(ctx, state, event.values);
    if (event.type === 'form' && event.formId === 'feedback-round:change') return submitChange(ctx, state, event.values);
    if (event.type === 'action') {
      const roundId = event.value;
      switch (event.actionId) {
        case 'feedback-round:change':
          return { replies: [ui.message(ctx.t('feedback:change.title'), [ui.form(await changeForm(ctx, await coordinatorRound(ctx, roundId)))])], next: { step: 'preview', data: { ...state, roundId } } };
        case 'feedback-round:confirm':
          return confirm(ctx, roundId);
        case 'feedback-round:reshuffle':
          return reshuffle(ctx, roundId);
        case 'feedback-round:cancel': {
          const round = await coordinatorRound(ctx, roundId);
          await cancelPreview(ctx.services.db, round.id);
          return { replies: [ui.text(ctx.t('feedback:round.cancelled'), { ephemeral: true })], next: null };
        }
      }
    }
    return { replies: [ui.text(ctx.t('feedback:round.useButtons'), { ephemeral: true })] };
  },
});

async function settingsForm(ctx: FlowContext, clusterId: string): Promise<Form> {
  const { t } = ctx;
  const cluster = await ctx.services.db.cluster.findUniqueOrThrow({ where: { id: clusterId }, include: { timeline: true } });
  const ee2 = datedItemWithRole(cluster.timeline, 'CONCEPTS_PRESENTED');
  const base = ee2 && ee2.endsAt > ctx.services.clock.now() ? ee2.endsAt : ctx.services.clock.now();
  const suggested = DateTime.fromJSDate(base).setZone(cluster.timeZone).plus({ days: 14 }).toISODate()!;
  const yesNo = [
    { label: t('feedback:yes'), value: 'yes' },
    { label: t('feedback:no'), value: 'no' },
  ];
  return {
    formId: 'feedback-round:settings',
    title: t('feedback:settings.title'),
    submitLabel: t('feedback:settings.submit'),
    intro: t('feedback:settings.intro', { cluster: cluster.code }),
    fields: [
      { name: 'deadline', label: t('feedback:settings.deadline'), kind: 'date', required: true, initial: suggested, hint: t('feedback:settings.deadlineHint', { zone: cluster.timeZone }) },
      { name: 'reviewersPerPlan', label: t('feedback:settings.reviewersPerPlan'), kind: 'number', required: true, initial: '2' },
      { name: 'resourcePersons', label: t('feedback:settings.resourcePersons'), kind: 'select', required: true, options: yesNo, initial: 'no' },
      { name: 'anonymous', label: t('feedback:settings.anonymous'), kind: 'select', required: true, options: yesNo, initial: 'no' },
      {
        name: 'delivery',
        label: t('feedback:settings.delivery'),
        kind: 'select',
        required: true,
        initial: 'asSubmitted',
        options: [
          { label: t('feedback:settings.asSubmitted'), value: 'asSubmitted' },
          { label: t('feedback:settings.atDeadline'), value: 'atDeadline' },
        ],
      },
    ],
  };
}

async function submitSettings(ctx: FlowContext, state: State, values: FormValues): Promise<FlowResult<State>> {
  if (!state.clusterId) throw new BotError(ErrorCode.StaleConversation, 'errors.stepPast', { flow: 'feedback-round' });
  await requireRole(ctx.services.db, ctx.person.id, state.clusterId, ['COORDINATOR']);
  const form = await settingsForm(ctx, state.clusterId);
  const checked = checkForm(settingsSchema(ctx.t), values, ctx.t);
  const cluster = await ctx.services.db.cluster.findUniqueOrThrow({ where: { id: state.clusterId } });
  // A deadline in the past is reported with every other mistake, not after they are fixed.
  const typed = parseDateInput(String(Array.isArray(values.deadline) ? values.deadline[0] : (values.deadline ?? '')));
  const deadline = typed ? DateTime.fromISO(typed, { zone: cluster.timeZone }).endOf('day').toJSDate() : undefined;
  const errors = { ...(checked.ok ? {} : checked.errors), ...(deadline && deadline <= ctx.services.clock.now() ? { deadline: ctx.t('feedback:settings.deadlinePast') } : {}) };
  if (!checked.ok || !deadline || Object.keys(errors).length) return { replies: [ui.message(form.title, [ui.form(refill(form, values, errors))])] };
  const round = await createRoundPreview(ctx.services.db, {
    clusterId: state.clusterId,
    createdById: ctx.person.id,
    deadline,
    reviewersPerPlan: checked.data.reviewersPerPlan,
    resourcePersonsReview: checked.data.resourcePersons === 'yes',
    anonymous: checked.data.anonymous === 'yes',
    deliverAtDeadline: checked.data.delivery === 'atDeadline',
    seed: randomInt(0, 2 ** 31 - 1),
  });
  return { replies: [await preview(ctx, round.id)], next: { step: 'preview', data: { clusterId: state.clusterId, roundId: round.id } } };
}

/** Loads a round the caller coordinates (authorisation in the domain, whatever button was pressed). */
async function coordinatorRound(ctx: FlowContext, roundId: string) {
  const round = await loadRound(ctx.services.db, roundId);
  await requireRole(ctx.services.db, ctx.person.id, round.clusterId, ['COORDINATOR']);
  return round;
}

async function preview(ctx: FlowContext, roundId: string): Promise<OutboundMessage> {
  const { t } = ctx;
  const round = await coordinatorRound(ctx, roundId);
  const warnings = assignmentWarnings(round, await priorPairSet(ctx.services.db, round.id));
  const title = t('feedback:preview.title', { cluster: round.cluster.code });
  return ui.message(title, [
    ui.heading(title),
    ...describeAllocation(t, round, ctx.person, warnings),
    ui.context(t('feedback:preview.nothingSent')),
    ui.actions(
      ui.button(t('feedback:preview.confirm'), 'feedback-round:confirm', round.id, 'primary'),
      ui.openButton(t('feedback:preview.change'), 'feedback-round:change', round.id),
      ui.button(t('feedback:preview.reshuffle'), 'feedback-round:reshuffle', round.id),
      { ...ui.button(t('feedback:preview.cancel'), 'feedback-round:cancel', round.id, 'danger'), confirm: { title: t('feedback:preview.cancel'), text: t('feedback:preview.cancelConfirm'), yes: t('feedback:preview.cancel'), no: t('feedback:preview.keep') } },
    ),
  ]);
}

async function changeForm(ctx: FlowContext, round: Awaited<ReturnType<typeof loadRound>>): Promise<Form> {
  const { t } = ctx;
  const people = await ctx.services.db.membership.findMany({
    where: { clusterId: round.clusterId, status: 'ACTIVE', role: { in: ['MEMBER', 'RESOURCE_PERSON', 'OBSERVER'] } },
    include: { person: true },
    orderBy: { person: { displayName: 'asc' } },
  });
  const personOptions = [...new Map(people.map((m) => [m.personId, { label: `${escapeMarkup(m.person.displayName)} (${t(`roles.${m.role}`)})`, value: m.personId }])).values()];
  return {
    formId: 'feedback-round:change',
    title: t('feedback:change.title'),
    submitLabel: t('feedback:change.submit'),
    intro: t('feedback:change.intro'),
    fields: [
      { name: 'planId', label: t('feedback:change.plan'), kind: 'select', required: true, options: round.plans.map((p) => ({ label: p.author.displayName, value: p.id })) },
      { name: 'remove', label: t('feedback:change.remove'), kind: 'select', options: personOptions },
      { name: 'add', label: t('feedback:change.add'), kind: 'select', options: personOptions },
    ],
  };
}

async function submitChange(ctx: FlowContext, state: State, values: FormValues): Promise<FlowResult<State>> {
  if (!state.roundId) throw new BotError(ErrorCode.StaleConversation, 'errors.stepPast', { flow: 'feedback-round' });
  const round = await coordinatorRound(ctx, state.roundId);
  const form = await changeForm(ctx, round);
  const checked = checkForm(changeSchema, values, ctx.t);
  if (!checked.ok) return { replies: [ui.message(form.title, [ui.form(refill(form, values, checked.errors))])] };
  if (!checked.data.remove && !checked.data.add) return { replies: [ui.message(form.title, [ui.form(refill(form, values, { add: ctx.t('feedback:change.nothing') }))])] };
  try {
    await changeReviewer(ctx.services.db, round.id, { planId: checked.data.planId, removeReviewerId: checked.data.remove, addReviewerId: checked.data.add });
  } catch (error) {
    if (error instanceof BotError && error.code === ErrorCode.InvalidInput) {
      const field = error.messageKey === 'feedback:change.notOnPlan' ? 'remove' : 'add';
      return { replies: [ui.message(form.title, [ui.form(refill(form, values, { [field]: ctx.t(error.messageKey) }))])] };
    }
    throw error;
  }
  return { replies: [await preview(ctx, round.id)] };
}

/** Another allocation under the same rules and settings (a new seed): hand edits of the old preview are dropped. */
async function reshuffle(ctx: FlowContext, roundId: string): Promise<FlowResult<State>> {
  const old = await coordinatorRound(ctx, roundId);
  if (old.status !== 'PREVIEW') return { replies: [ui.text(ctx.t('feedback:round.alreadyOpen'), { ephemeral: true })], next: null };
  const round = await createRoundPreview(ctx.services.db, {
    clusterId: old.clusterId,
    createdById: ctx.person.id,
    deadline: old.deadline,
    reviewersPerPlan: old.reviewersPerPlan,
    resourcePersonsReview: old.resourcePersonsReview,
    anonymous: old.anonymous,
    deliverAtDeadline: old.deliverAtDeadline,
    seed: randomInt(0, 2 ** 31 - 1),
  });
  return { replies: [{ ...(await preview(ctx, round.id)), replaceOriginal: true }], next: { step: 'preview', data: { clusterId: old.clusterId, roundId: round.id } } };
}

async function confirm(ctx: FlowContext, roundId: string): Promise<FlowResult<State>> {
  const round = await coordinatorRound(ctx, roundId);
  const opened = await confirmRound(ctx.services.db, round.id, ctx.services.clock.now());
  if (!opened) return { replies: [ui.text(ctx.t('feedback:round.alreadyOpen'), { ephemeral: true })], next: null };
  const notified = await notifyReviewers(ctx.services, round.id);
  await ctx.services.scheduler.clusterChanged(round.clusterId, 'feedback');
  const reviewers = new Set(round.assignments.map((a) => a.reviewerId)).size;
  const unreached = reviewers - notified;
  const text = [ctx.t('feedback:round.opened', { cluster: round.cluster.code, count: reviewers }), ...(unreached > 0 ? [ctx.t('feedback:round.unreached', { count: unreached })] : [])].join(' ');
  // Confirmed, pressed again: the round as it stands now (reviews done and pending), not the first note.
  return { replies: [ui.message(text, [ui.paragraph(text), ui.actions(ui.commandButton(ctx.t('feedback:view.overview'), 'feedback'))], { current: { actionId: COMMAND_ACTION, value: 'feedback' } })], next: null };
}

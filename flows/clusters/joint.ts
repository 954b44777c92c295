import { DateTime } from 'luxon';
import { z } from 'zod';
import { BotError, ErrorCode } from '../../src/core/errors.js';
import { defineFlow, type FlowContext, type FlowResult } from '../../src/core/flow.js';
import { checkForm, fieldSchemas, refill } from '../../src/core/forms.js';
import { translator } from '../../src/core/i18n.js';
import { md } from '../../src/core/markup.js';
import { ui, type Block, type Form, type OutboundMessage } from '../../src/core/messages.js';
import { formatSpan, localInstant } from '../../src/domain/calendar.js';
import { coordinatedClustersIn, createJointEvent, JointEventConflictError, jointEventsOf, joinJointEvent, leaveJointEvent, moveJointEvent, type JointEventInput } from '../../src/domain/clusters/joint-events.js';
import { loadCluster } from '../../src/domain/clusters/timeline-edits.js';
import { requireRole } from '../../src/domain/memberships.js';
import { EVENT_ROLES, EVENT_TYPES } from '../../src/domain/timeline.js';
import { TimelineItemType, TimelineRole } from '../../src/generated/prisma/enums.js';
import { withCluster } from './common.js';
import { describeConflict } from './timeline-view.js';

const stateSchema = z.object({ clusterId: z.string(), jointEventId: z.string().optional(), joinClusterId: z.string().optional() });
type State = z.infer<typeof stateSchema>;

const eventSchema = z.object({
  title: fieldSchemas.text(120),
  type: z.enum(TimelineItemType, { message: 'form.invalidChoice' }).optional(),
  startDate: fieldSchemas.date(),
  startTime: fieldSchemas.time(),
  endDate: fieldSchemas.date(),
  endTime: fieldSchemas.time(),
  location: fieldSchemas.optionalText(300),
});
const roleField = z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.union([z.literal('').transform(() => null), z.enum(TimelineRole, { message: 'form.invalidChoice' })]).optional().transform((v) => v ?? null));
const newSchema = eventSchema.extend({
  clusters: z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean)).refine((l) => l.length > 0, 'form.required'),
  role: roleField,
});

/**
 * `/lc joint [cluster]`: the joint events of a cluster's programme (EE3 of all clusters in parallel, with
 * joint sessions). A coordinator creates one for the clusters they coordinate, joins another cluster of
 * theirs to it, or moves it: one move re-plans every participating cluster and tells their coordinators.
 */
export const jointFlow = defineFlow<State>({
  name: 'joint',
  version: 1,
  schema: stateSchema,
  commands: [{ verb: 'joint', summaryKey: 'clusters:summary.joint', usageKey: 'clusters:usage.joint', audience: ['COORDINATOR'] }],
  async start(ctx, { args }) {
    return withCluster(ctx, 'joint', args, ['COORDINATOR'], async (cluster) => ({ replies: [await renderJoint(ctx, cluster.id)], next: null }));
  },
  accepts: { actions: { 'joint:cluster': '{cluster}', 'joint:new': '{cluster}', 'joint:move': '{cluster}|{joint}', 'joint:join': '{joint}|{cluster}', 'joint:leave': '{item}' }, forms: ['joint:new', 'joint:move', 'joint:join'] },
  async handle(ctx, event, position): Promise<FlowResult<State>> {
    const { db, clock } = ctx.services;
    if (event.type === 'action') {
      const [a, b] = event.value.split('|');
      switch (event.actionId) {
        case 'joint:cluster':
          return this.start(ctx, { verb: 'joint', args: event.value });
        case 'joint:new': {
          await requireRole(db, ctx.person.id, a, ['COORDINATOR']);
          return { replies: [formReply(await newForm(ctx, a))], next: { step: 'new', data: { clusterId: a } } };
        }
        case 'joint:move': {
          await requireRole(db, ctx.person.id, a, ['COORDINATOR']);
          const joint = await db.jointEvent.findUnique({ where: { id: b } });
          if (!joint) return gone(ctx);
          return { replies: [formReply(await moveForm(ctx, a, joint))], next: { step: 'move', data: { clusterId: a, jointEventId: joint.id } } };
        }
        case 'joint:join': {
          // value: event | cluster to join
          await requireRole(db, ctx.person.id, b, ['COORDINATOR']);
          return { replies: [formReply(joinForm(ctx))], next: { step: 'join', data: { clusterId: b, jointEventId: a, joinClusterId: b } } };
        }
        case 'joint:leave': {
          const { clusterId } = await leaveJointEvent(db, ctx.person.id, a, clock.now());
          await ctx.services.scheduler.clusterChanged(clusterId, 'joint-event');
          const view = await renderJoint(ctx, clusterId);
          return { replies: [{ ...view, blocks: [ui.paragraph(ctx.t('clusters:joint.left')), ...view.blocks] }], next: null };
        }
      }
      return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
    }
    if (event.type !== 'form' || !position) throw new BotError(ErrorCode.StaleConversation, 'errors.stepPast', { flow: 'joint' });
    const { clusterId, jointEventId, joinClusterId } = position.data;
    await requireRole(db, ctx.person.id, clusterId, ['COORDINATOR']);
    const cluster = await loadCluster(db, clusterId);
    try {
      if (event.formId === 'joint:new') {
        const form = await newForm(ctx, clusterId);
        const checked = checkForm(newSchema, event.values, ctx.t);
        if (!checked.ok) return { replies: [formReply(refill(form, event.values, checked.errors))] };
        const v = checked.data;
        const input = eventInput(ctx, v, v.type ?? 'EXCHANGE_EVENT', cluster.timeZone);
        if ('errors' in input) return { replies: [formReply(refill(form, event.values, input.errors))] };
        const { clusterIds } = await createJointEvent(db, ctx.person.id, { programmeId: cluster.programmeId, event: input, clusterIds: v.clusters, role: v.role }, clock.now());
        await ctx.services.scheduler.clustersChanged(clusterIds, 'joint-event');
        return done(ctx, clusterId, ctx.t('clusters:joint.created', { title: input.title, count: clusterIds.length }));
      }
      if (event.formId === 'joint:move' && jointEventId) {
        const joint = await db.jointEvent.findUnique({ where: { id: jointEventId } });
        if (!joint) return gone(ctx);
        const form = await moveForm(ctx, clusterId, joint);
        const checked = checkForm(eventSchema, event.values, ctx.t);
        if (!checked.ok) return { replies: [formReply(refill(form, event.values, checked.errors))] };
        const input = eventInput(ctx, checked.data, joint.type, cluster.timeZone);
        if ('errors' in input) return { replies: [formReply(refill(form, event.values, input.errors))] };
        const { clusterIds } = await moveJointEvent(db, ctx.person.id, joint.id, input, clock.now());
        // One statement marks every participating cluster and one call queues their re-plans.
        await ctx.services.scheduler.clustersChanged(clusterIds, 'joint-event');
        await tellCoordinators(ctx, clusterIds, input);
        return done(ctx, clusterId, ctx.t('clusters:joint.moved', { title: input.title, count: clusterIds.length }));
      }
      if (event.formId === 'joint:join' && jointEventId && joinClusterId) {
        const checked = checkForm(z.object({ role: roleField }), event.values, ctx.t);
        if (!checked.ok) return { replies: [formReply(refill(joinForm(ctx), event.values, checked.errors))] };
        await joinJointEvent(db, ctx.person.id, jointEventId, joinClusterId, checked.data.role, clock.now());
        await ctx.services.scheduler.clusterChanged(joinClusterId, 'joint-event');
        return done(ctx, clusterId, ctx.t('clusters:joint.joined'));
      }
    } catch (error) {
      if (!(error instanceof JointEventConflictError)) throw error;
      const text = [ctx.t('clusters:joint.refused'), ...error.clusters.map((c) => `- **${c.code}**: ${c.conflicts.map((x) => describeConflict(ctx, x)).join(' ')}`)].join('\n');
      return { replies: [ui.text(text, { ephemeral: true })] };
    }
    return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
  },
});

/** Dates and times of the form as instants in the cluster's zone. */
function eventInput(ctx: FlowContext, v: z.infer<typeof eventSchema>, type: TimelineItemType, zone: string): JointEventInput | { errors: Record<string, string> } {
  const startsAt = localInstant(v.startDate, v.startTime, zone);
  const endsAt = localInstant(v.endDate, v.endTime, zone);
  if (endsAt <= startsAt) return { errors: { endDate: ctx.t('clusters:joint.endsBeforeStart') } };
  return { type, title: v.title, startsAt, endsAt, location: v.location ?? null };
}

async function done(ctx: FlowContext, clusterId: string, text: string): Promise<FlowResult<State>> {
  const view = await renderJoint(ctx, clusterId);
  return { replies: [{ ...view, blocks: [ui.paragraph(text), ...view.blocks] }], next: null };
}

/** The coordinators of every participating cluster but the one who moved it hear where the event went. */
async function tellCoordinators(ctx: FlowContext, clusterIds: string[], input: JointEventInput): Promise<void> {
  const coordinators = await ctx.services.db.membership.findMany({
    where: { clusterId: { in: clusterIds }, role: 'COORDINATOR', status: 'ACTIVE', personId: { not: ctx.person.id } },
    include: { person: true, cluster: { select: { code: true, timeZone: true } } },
    distinct: ['personId'],
  });
  for (const c of coordinators) {
    const t = translator(c.person.locale);
    const when = formatSpan({ startsAt: input.startsAt, endsAt: input.endsAt, allDay: false }, c.person, c.cluster.timeZone);
    const text = t('clusters:joint.movedNotice', { by: ctx.person.displayName, title: input.title, when });
    await ctx.services.notifier.notify(c.personId, ui.message(text, [ui.paragraph(text), ui.actions(ui.commandButton(t('clusters:joint.seeTimeline'), `timeline ${c.cluster.code}`))]));
  }
}

/** The programme's joint events and what the coordinator may do with each. */
async function renderJoint(ctx: FlowContext, clusterId: string): Promise<OutboundMessage> {
  const { t, person } = ctx;
  const { db } = ctx.services;
  const cluster = await loadCluster(db, clusterId);
  const [events, mine] = await Promise.all([jointEventsOf(db, cluster.programmeId), coordinatedClustersIn(db, person.id, cluster.programmeId)]);
  const title = t('clusters:joint.title', { programme: cluster.programme.name });
  const blocks: Block[] = [ui.heading(title), ui.paragraph(t('clusters:joint.intro'))];
  if (!events.length) blocks.push(ui.paragraph(t('clusters:joint.none')));
  for (const e of events) {
    const codes = [...new Set(e.items.map((i) => i.cluster.code))].sort();
    const when = formatSpan({ startsAt: e.startsAt, endsAt: e.endsAt, allDay: false }, person, cluster.timeZone);
    blocks.push(ui.paragraph(`**${md`${e.title}`}**: ${when}${e.location ? md` (${e.location})` : ''}\n${t('clusters:joint.clusters', { codes: codes.join(', ') || '–' })}`));
    const mineIn = mine.filter((c) => e.items.some((i) => i.clusterId === c.id));
    const mineOut = mine.filter((c) => !e.items.some((i) => i.clusterId === c.id));
    const buttons = [
      ...(mineIn.length ? [ui.openButton(t('clusters:joint.move'), 'joint:move', `${clusterId}|${e.id}`, 'primary')] : []),
      ...mineOut.slice(0, 3).map((c) => ui.openButton(t('clusters:joint.join', { code: c.code }), 'joint:join', `${e.id}|${c.id}`)),
      ...e.items.filter((i) => mine.some((c) => c.id === i.clusterId)).slice(0, 2).map((i) => ({ ...ui.button(t('clusters:joint.leave', { code: i.cluster.code }), 'joint:leave', i.id, 'danger'), confirm: { title: t('clusters:joint.leave', { code: i.cluster.code }), text: t('clusters:joint.leaveConfirm', { code: i.cluster.code }), yes: t('clusters:joint.leaveYes'), no: t('clusters:cancel') } })),
    ];
    if (buttons.length) blocks.push(ui.actions(...buttons));
  }
  blocks.push(ui.actions(ui.openButton(t('clusters:joint.new'), 'joint:new', clusterId), ui.commandButton(t('clusters:timeline.back'), `timeline ${cluster.code}`)));
  return ui.message(title, blocks, { ephemeral: true });
}

function eventFields(ctx: FlowContext, zone: string, initial?: { title: string; startsAt: Date; endsAt: Date; location: string | null }): Form['fields'] {
  const { t } = ctx;
  const start = initial ? DateTime.fromJSDate(initial.startsAt).setZone(zone) : undefined;
  const end = initial ? DateTime.fromJSDate(initial.endsAt).setZone(zone) : undefined;
  return [
    { name: 'title', label: t('clusters:timeline.itemTitle'), kind: 'text', required: true, maxLength: 120, initial: initial?.title },
    { name: 'startDate', label: t('clusters:timeline.startDate'), kind: 'date', required: true, initial: start?.toISODate() ?? undefined },
    { name: 'startTime', label: t('clusters:timeline.startTime'), kind: 'text', required: true, initial: start?.toFormat('HH:mm') ?? '10:00' },
    { name: 'endDate', label: t('clusters:timeline.endDate'), kind: 'date', required: true, initial: end?.toISODate() ?? undefined },
    { name: 'endTime', label: t('clusters:timeline.endTime'), kind: 'text', required: true, initial: end?.toFormat('HH:mm') ?? '16:00' },
    { name: 'location', label: t('clusters:timeline.location'), kind: 'text', maxLength: 300, initial: initial?.location ?? undefined },
  ];
}

const roleOptions = (ctx: FlowContext) => [{ value: '', label: ctx.t('clusters:joint.noRole') }, ...EVENT_ROLES.map((r) => ({ value: r, label: ctx.t(`timeline.role.${r}`) }))];

async function newForm(ctx: FlowContext, clusterId: string): Promise<Form> {
  const { t } = ctx;
  const cluster = await loadCluster(ctx.services.db, clusterId);
  const mine = await coordinatedClustersIn(ctx.services.db, ctx.person.id, cluster.programmeId);
  return {
    formId: 'joint:new',
    title: t('clusters:joint.newTitle'),
    submitLabel: t('clusters:timeline.save'),
    intro: t('clusters:timeline.zoneHint', { zone: cluster.timeZone }),
    fields: [
      { name: 'type', label: t('clusters:timeline.type'), kind: 'select', required: true, initial: 'EXCHANGE_EVENT', options: EVENT_TYPES.map((type) => ({ value: type, label: t(`timeline.type.${type}`) })) },
      ...eventFields(ctx, cluster.timeZone),
      { name: 'clusters', label: t('clusters:joint.clustersField'), kind: 'multiselect', required: true, options: mine.map((c) => ({ value: c.id, label: `${c.code}: ${c.name}` })), initial: mine.map((c) => c.id), hint: t('clusters:joint.clustersHint') },
      { name: 'role', label: t('clusters:joint.role'), kind: 'select', options: roleOptions(ctx), initial: 'FIRST_EXPERIENCES', hint: t('clusters:joint.roleHint') },
    ],
  };
}

async function moveForm(ctx: FlowContext, clusterId: string, joint: { title: string; startsAt: Date; endsAt: Date; location: string | null }): Promise<Form> {
  const cluster = await loadCluster(ctx.services.db, clusterId);
  return { formId: 'joint:move', title: ctx.t('clusters:joint.moveTitle'), submitLabel: ctx.t('clusters:timeline.save'), intro: `${ctx.t('clusters:joint.moveIntro')} ${ctx.t('clusters:timeline.zoneHint', { zone: cluster.timeZone })}`, fields: eventFields(ctx, cluster.timeZone, joint) };
}

function joinForm(ctx: FlowContext): Form {
  return { formId: 'joint:join', title: ctx.t('clusters:joint.joinTitle'), submitLabel: ctx.t('clusters:timeline.save'), fields: [{ name: 'role', label: ctx.t('clusters:joint.role'), kind: 'select', options: roleOptions(ctx), initial: 'FIRST_EXPERIENCES', hint: ctx.t('clusters:joint.roleHint') }] };
}

function formReply(form: Form): OutboundMessage {
  return ui.message(form.intro ?? form.title, [ui.form(form)], { ephemeral: true });
}

function gone(ctx: FlowContext): FlowResult<State> {
  return { replies: [ui.text(ctx.t('clusters:joint.gone'), { ephemeral: true })], next: null };
}

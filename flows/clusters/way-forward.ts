import { DateTime } from 'luxon';
import { z } from 'zod';
import { defineFlow, type FlowContext, type FlowResult } from '../../src/core/flow.js';
import { checkForm, fieldSchemas, refill } from '../../src/core/forms.js';
import { formatList } from '../../src/core/format.js';
import type { Translate } from '../../src/core/i18n.js';
import { notifyInTheirLanguage, readersOf } from '../../src/core/in-their-language.js';
import { escapeMarkup } from '../../src/core/markup.js';
import { ui, type Block, type Button, type Form, type OutboundMessage } from '../../src/core/messages.js';
import { formatDay, formatMoment, formatStart, type Viewer } from '../../src/domain/calendar.js';
import { loadCluster } from '../../src/domain/clusters/timeline-edits.js';
import { answerFollowOn, recordWayForward, WayForwardClosedError, wayForwardOf, wayForwardTiming, type WayForwardTiming } from '../../src/domain/clusters/way-forward.js';
import { requireRole } from '../../src/domain/memberships.js';
import { itemTitle } from '../../src/domain/timeline.js';
import { WayForwardChoice } from '../../src/generated/prisma/enums.js';
import { single, withCluster } from './common.js';

type State = Record<string, never>;
type Result = FlowResult<State>;

const CHOICES: WayForwardChoice[] = ['CONTINUE', 'TRANSFORM', 'NEW_CLUSTER'];

const decideSchema = z
  .object({
    choice: single(z.enum(WayForwardChoice, { message: 'form.invalidChoice' })),
    name: single(fieldSchemas.optionalText(120)),
    approach: single(fieldSchemas.optionalText(200)),
    startDate: single(fieldSchemas.date()),
    note: single(fieldSchemas.optionalText(1000)),
  })
  .superRefine((v, ctx) => {
    if (v.choice !== 'CONTINUE' && !v.approach) ctx.addIssue({ code: 'custom', path: ['approach'], message: 'after:form.approachNeeded' });
    if (v.choice === 'NEW_CLUSTER' && !v.name) ctx.addIssue({ code: 'custom', path: ['name'], message: 'after:form.nameNeeded' });
  });

/**
 * `/lc way-forward [cluster]`: what comes after a cluster. At or after its last exchange event a coordinator
 * records the way agreed there (continue, transform, or a new cluster) with a note and the follow-on's first
 * day; the bot creates the follow-on cluster and asks each member in chat, in their language, whether they
 * join it (Yes / No, each answer taken once). Afterwards the same command shows the decision and who joined.
 */
export const wayForwardFlow = defineFlow<State>({
  name: 'way-forward',
  version: 1,
  schema: z.object({}).strict() as z.ZodType<State>,
  commands: [{ verb: 'way-forward', summaryKey: 'after:summary', usageKey: 'after:usage', audience: ['COORDINATOR'] }],
  async start(ctx, { args }) {
    return withCluster<State>(ctx, 'way-forward', args, ['COORDINATOR'], async (cluster) => ({ replies: [await show(ctx, cluster.id)], next: null }));
  },
  accepts: { actions: { 'way-forward:cluster': '{cluster}', 'way-forward:join': '{cluster}', 'way-forward:decline': '{cluster}' }, forms: ['way-forward:decide:{cluster}'] },
  async handle(ctx, event): Promise<Result> {
    if (event.type === 'action' && event.actionId === 'way-forward:cluster') {
      await requireRole(ctx.services.db, ctx.person.id, event.value, ['COORDINATOR']);
      return { replies: [await show(ctx, event.value)], next: null };
    }
    if (event.type === 'action' && (event.actionId === 'way-forward:join' || event.actionId === 'way-forward:decline')) {
      const outcome = await answerFollowOn(ctx.services.db, ctx.person.id, event.value, event.actionId === 'way-forward:join', ctx.services.clock.now());
      if (outcome.changed && outcome.joins) await ctx.services.scheduler.clusterChanged(outcome.followOn.id, 'membership');
      return { replies: [await answered(ctx, outcome)] };
    }
    if (event.type === 'form' && event.formId.startsWith('way-forward:decide:')) return decide(ctx, event.formId.slice('way-forward:decide:'.length), event.values);
    return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
  },
});

/** The decision and its answers once recorded; before, the form, or why it is not possible yet. */
async function show(ctx: FlowContext, clusterId: string): Promise<OutboundMessage> {
  const { db, clock } = ctx.services;
  await requireRole(db, ctx.person.id, clusterId, ['COORDINATOR']);
  const cluster = await loadCluster(db, clusterId);
  const recorded = await wayForwardOf(db, clusterId);
  if (recorded) return decisionView(ctx, cluster.code, recorded);
  const timing = wayForwardTiming(cluster.timeline, clock.now());
  if (timing.state !== 'open') return closedMessage(ctx, cluster, timing);
  const form = decideForm(ctx, cluster);
  return ui.message(form.title, [ui.form(form)], { ephemeral: true });
}

function viewerOf(ctx: FlowContext): Viewer {
  return { timeZone: ctx.person.timeZone, locale: ctx.person.locale };
}

/** Why the way forward cannot be recorded yet, and from when (that moment on the reader's own clock). */
function closedMessage(ctx: FlowContext, cluster: { code: string; timeZone: string }, timing: Exclude<WayForwardTiming, { state: 'open' }>): OutboundMessage {
  const { t } = ctx;
  const vars = { code: cluster.code, ...('event' in timing ? { event: itemTitle(t, timing.event) } : {}) };
  const text = timing.state === 'notYet' ? t('after:closed.notYet', { ...vars, when: formatMoment(timing.opensAt, viewerOf(ctx), cluster.timeZone) }) : t(`after:closed.${timing.state}`, vars);
  return ui.message(text, [ui.paragraph(text), ui.actions(ui.commandButton(t('after:closed.openTimeline'), `timeline ${cluster.code}`))], { ephemeral: true });
}

function decideForm(ctx: FlowContext, cluster: { id: string; code: string; name: string; approach: string }): Form {
  const { t } = ctx;
  return {
    formId: `way-forward:decide:${cluster.id}`,
    title: t('after:form.title', { code: cluster.code }),
    submitLabel: t('after:form.submit'),
    intro: t('after:form.intro'),
    fields: [
      { name: 'choice', label: t('after:form.choice'), kind: 'select', required: true, options: CHOICES.map((c) => ({ value: c, label: t(`after:choiceLong.${c}`) })) },
      { name: 'name', label: t('after:form.name'), kind: 'text', maxLength: 120, initial: cluster.name, hint: t('after:form.nameHint') },
      { name: 'approach', label: t('after:form.approach'), kind: 'text', maxLength: 200, hint: t('after:form.approachHint', { approach: cluster.approach }) },
      { name: 'startDate', label: t('after:form.startDate'), kind: 'date', required: true, hint: t('after:form.startDateHint') },
      { name: 'note', label: t('after:form.note'), kind: 'textarea', maxLength: 1000 },
    ],
  };
}

/** The submitted form: checked, recorded once, the follow-on created, and every member asked. */
async function decide(ctx: FlowContext, clusterId: string, values: Record<string, string | string[]>): Promise<Result> {
  const { db, clock } = ctx.services;
  // Access first: nothing about the cluster is loaded or echoed for anyone else.
  await requireRole(db, ctx.person.id, clusterId, ['COORDINATOR']);
  const cluster = await loadCluster(db, clusterId);
  const form = decideForm(ctx, cluster);
  const again = (errors: Record<string, string>): Result => ({ replies: [ui.message(form.title, [ui.form(refill(form, values, errors))], { ephemeral: true })] });
  const checked = checkForm(decideSchema, values, ctx.t);
  if (!checked.ok) return again(checked.errors);
  const input = checked.data;
  if (input.choice === 'TRANSFORM' && input.approach?.trim().toLowerCase() === cluster.approach.trim().toLowerCase()) return again({ approach: ctx.t('after:form.sameApproach') });
  const today = DateTime.fromJSDate(clock.now()).setZone(cluster.timeZone).toISODate()!;
  if (input.startDate < today) return again({ startDate: ctx.t('after:form.startInPast') });
  let recorded;
  try {
    recorded = await recordWayForward(db, ctx.person.id, { clusterId, choice: input.choice, name: input.name, approach: input.approach, startsOn: input.startDate, note: input.note }, clock.now());
  } catch (error) {
    if (error instanceof WayForwardClosedError) return { replies: [closedMessage(ctx, cluster, error.timing)] };
    throw error;
  }
  const { original, followOn, asked } = recorded;
  await ctx.services.scheduler.clusterChanged(followOn.id, 'created');
  const unreached = await askMembers(ctx, { original, followOn, choice: input.choice, note: input.note, startsOn: input.startDate }, asked);
  const { t } = ctx;
  const text = t('after:done.text', { code: original.code, choice: t(`after:choice.${input.choice}`), followOn: followOn.code, name: followOn.name, start: formatDay(input.startDate, ctx.person.locale) });
  const lines = [text, asked.length ? t('after:done.asked', { count: asked.length }) : t('after:done.nobodyAsked')];
  if (unreached.length) lines.push(t('after:done.unreached', { names: formatList(unreached, ctx.person.locale) }));
  return {
    replies: [
      ui.message(text, [ui.paragraph(lines.join('\n')), ui.actions(ui.commandButton(t('after:view.timeline', { code: followOn.code }), `timeline ${followOn.code}`, 'primary'), ui.commandButton(t('after:view.whoJoins'), `way-forward ${original.code}`))], {
        ephemeral: true,
        replaceOriginal: true,
      }),
    ],
  };
}

interface Asking {
  original: { id: string; code: string; name: string };
  followOn: { code: string; name: string; approach: string };
  choice: WayForwardChoice;
  note?: string;
  startsOn: string;
}

/** Asks each member in chat, in their own language, whether they join; returns the names of those not reached. */
async function askMembers(ctx: FlowContext, asking: Asking, personIds: string[]): Promise<string[]> {
  const readers = await readersOf(ctx.services.db, personIds);
  const unreached: string[] = [];
  for (const personId of personIds) {
    const reader = readers.get(personId);
    if (!reader) continue;
    const delivery = await notifyInTheirLanguage(ctx.services, personId, (t) => question(t, asking, reader.locale), { reader });
    if (!delivery.delivered) unreached.push(reader.displayName);
  }
  return unreached;
}

/** The question a member gets, with Yes and No (each acts once; the message then shows the answer). */
function question(t: Translate, asking: Asking, locale: string): OutboundMessage {
  const { original, followOn } = asking;
  const text = t('after:ask.text', { code: original.code, name: original.name, choice: t(`after:choiceLong.${asking.choice}`), followOn: followOn.code, followOnName: followOn.name, approach: followOn.approach, start: formatDay(asking.startsOn, locale) });
  const blocks: Block[] = [ui.paragraph(text)];
  if (asking.note) blocks.push(ui.context(t('after:ask.note', { note: asking.note })));
  blocks.push(ui.actions(ui.button(t('after:ask.yes', { followOn: followOn.code }), 'way-forward:join', original.id, 'primary'), ui.button(t('after:ask.no'), 'way-forward:decline', original.id)));
  return ui.message(text, blocks);
}

/** What a member sees after pressing Yes or No (in place of the question). */
async function answered(ctx: FlowContext, outcome: Awaited<ReturnType<typeof answerFollowOn>>): Promise<OutboundMessage> {
  const { t } = ctx;
  const { original, followOn } = outcome;
  const key = outcome.joins ? (outcome.changed ? 'joined' : 'alreadyJoined') : outcome.changed ? 'declined' : 'alreadyDeclined';
  const text = t(`after:ask.${key}`, { code: original.code, followOn: followOn.code, name: followOn.name });
  const buttons: Button[] = [];
  if (outcome.joins) {
    buttons.push(ui.commandButton(t('after:ask.openTimeline', { code: followOn.code }), `timeline ${followOn.code}`, 'primary'));
    // Their plan of the original stays theirs: one press opens it from here, `/lc plan history` lists them all.
    const plan = await ctx.services.db.actionPlan.findUnique({ where: { clusterId_authorId: { clusterId: original.id, authorId: ctx.person.id } }, select: { id: true } });
    if (plan) buttons.push(ui.openButton(t('after:ask.openPlan', { code: original.code }), 'plan:open', plan.id));
    buttons.push(ui.commandButton(t('after:ask.history'), 'plan history'));
  }
  return ui.message(text, [ui.paragraph(text), ...(buttons.length ? [ui.actions(...buttons)] : [])], { replaceOriginal: true });
}

/** The recorded way forward for coordinators: which way, by whom, the follow-on, and who said yes, no or nothing yet. */
function decisionView(ctx: FlowContext, code: string, recorded: NonNullable<Awaited<ReturnType<typeof wayForwardOf>>>): OutboundMessage {
  const { t, person } = ctx;
  const viewer = viewerOf(ctx);
  const names = (list: { person: { displayName: string } }[]) => (list.length ? `${list.length}: ${escapeMarkup(formatList(list.map((a) => a.person.displayName), person.locale))}` : '0');
  const start = recorded.start ? formatStart(recorded.start, viewer, recorded.followOn.timeZone) : t('clusters:timeline.notSet');
  const title = t('after:view.title', { code });
  const fields = [
    { label: t('after:view.way'), value: t(`after:choiceLong.${recorded.choice}`) },
    { label: t('after:view.recorded'), value: t('after:view.recordedValue', { who: recorded.decidedBy?.displayName ?? t('after:view.someone'), when: formatMoment(recorded.decidedAt, viewer, viewer.timeZone) }) },
    { label: t('after:view.followOn'), value: t('after:view.followOnValue', { code: recorded.followOn.code, name: recorded.followOn.name, approach: recorded.followOn.approach, start }) },
    ...(recorded.note ? [{ label: t('after:view.note'), value: escapeMarkup(recorded.note) }] : []),
    { label: t('after:view.joined'), value: names(recorded.joined) },
    { label: t('after:view.declined'), value: names(recorded.declined) },
    { label: t('after:view.waiting'), value: names(recorded.waiting) },
  ];
  return ui.message(title, [ui.heading(title), ui.fields(fields), ui.actions(ui.commandButton(t('after:view.timeline', { code: recorded.followOn.code }), `timeline ${recorded.followOn.code}`), ui.commandButton(t('after:view.members', { code: recorded.followOn.code }), `members ${recorded.followOn.code}`))], { ephemeral: true });
}

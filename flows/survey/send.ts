import { DateTime } from 'luxon';
import { z } from 'zod';
import { ErrorCode, isBotError } from '../../src/core/errors.js';
import type { FlowContext, FlowResult } from '../../src/core/flow.js';
import { checkForm, fieldSchemas, refill, type FormValues } from '../../src/core/forms.js';
import { parseDateInput } from '../../src/core/date-input.js';
import { formatDateTime } from '../../src/core/format.js';
import { ui, type Form } from '../../src/core/messages.js';
import { requireRole } from '../../src/domain/memberships.js';
import { localise, type QuestionnaireDefinition } from '../../src/domain/questionnaires/definition.js';
import { openRunAndInvite } from '../../src/domain/questionnaires/invitations.js';
import { createRun } from '../../src/domain/questionnaires/runs.js';
import { isAllDay, itemTitle, labelTimeline } from '../../src/domain/timeline.js';
import { formatMoment, formatStart } from '../../src/domain/calendar.js';
import type { SurveyState } from './state.js';

/**
 * `/lc survey send`: a coordinator sends a questionnaire to a cluster now or when an item of its timeline
 * begins (an exchange event, a period). A run sent "at" an item is stored as SCHEDULED; the scheduler
 * opens it (openRunAndInvite) and reminds non-respondents, and follows the item when the timeline moves.
 */

type Result = FlowResult<SurveyState>;
const DEFAULT_OPEN_DAYS = 14;

const sendSchema = z.object({
  questionnaire: z.string().trim().min(1),
  cluster: z.string().trim().min(1),
  /** "now", or the id of a timeline item of the chosen cluster. */
  when: z.string().trim().min(1, 'form.invalidChoice'),
  closes: fieldSchemas.optionalDate(),
  anonymous: z.enum(['yes', 'no'], { message: 'form.invalidChoice' }),
  minGroupSize: z.coerce.number({ message: 'form.invalidNumber' }).int('form.invalidNumber').min(1, 'form.invalidNumber').max(100, 'form.invalidNumber'),
});

async function coordinatedClusters(ctx: FlowContext) {
  return ctx.services.db.cluster.findMany({
    where: { archivedAt: null, memberships: { some: { personId: ctx.person.id, role: 'COORDINATOR', status: 'ACTIVE' } } },
    include: { timeline: true },
    orderBy: { code: 'asc' },
  });
}

async function latestQuestionnaires(ctx: FlowContext) {
  const rows = await ctx.services.db.questionnaire.findMany({ orderBy: [{ key: 'asc' }, { version: 'desc' }] });
  return rows.filter((r, i) => rows.findIndex((o) => o.key === r.key) === i);
}

async function sendForm(ctx: FlowContext, prefill: { questionnaire?: string; cluster?: string } = {}): Promise<Form | null> {
  const { t } = ctx;
  const clusters = await coordinatedClusters(ctx);
  if (!clusters.length) return null;
  const questionnaires = await latestQuestionnaires(ctx);
  return {
    formId: 'survey:send',
    title: t('surveys:send.title'),
    submitLabel: t('surveys:send.submit'),
    intro: t('surveys:send.intro'),
    fields: [
      {
        name: 'questionnaire',
        label: t('surveys:send.questionnaire'),
        kind: 'select',
        required: true,
        options: questionnaires.map((q) => ({ value: q.key, label: localise((q.definition as unknown as QuestionnaireDefinition).title, ctx.person.locale) })),
        ...(prefill.questionnaire ? { initial: prefill.questionnaire } : {}),
      },
      { name: 'cluster', label: t('surveys:send.cluster'), kind: 'select', required: true, options: clusters.map((c) => ({ value: c.id, label: `${c.code}: ${c.name}` })), initial: prefill.cluster ?? (clusters.length === 1 ? clusters[0].id : undefined) },
      {
        name: 'when',
        label: t('surveys:send.when'),
        kind: 'select',
        required: true,
        initial: 'now',
        // Each cluster's own items; the cluster is named when the coordinator has several (a select holds 100 options at most).
        options: [
          { value: 'now', label: t('surveys:send.now') },
          ...clusters
            .flatMap((c) => labelTimeline(c.timeline).map((item) => ({ value: item.id, label: t('surveys:send.atPhase', { phase: clusters.length > 1 ? `${c.code}: ${itemTitle(t, item)}` : itemTitle(t, item) }) })))
            .slice(0, 99),
        ],
      },
      { name: 'closes', label: t('surveys:send.closes'), kind: 'date', hint: t('surveys:send.closesHint') },
      { name: 'anonymous', label: t('surveys:send.anonymous'), kind: 'select', required: true, initial: 'yes', options: [{ value: 'yes', label: t('surveys:send.yes') }, { value: 'no', label: t('surveys:send.no') }] },
      { name: 'minGroupSize', label: t('surveys:send.minGroupSize'), kind: 'number', required: true, initial: '5' },
    ],
  };
}

/** Shows the send form, prefilled from typed words ("/lc survey send ee2-evaluation LC1"). */
export async function startSend(ctx: FlowContext, words: string[]): Promise<Result> {
  const clusters = await coordinatedClusters(ctx);
  const questionnaires = await latestQuestionnaires(ctx);
  const cluster = clusters.find((c) => words.some((w) => w.toLowerCase() === c.code.toLowerCase()));
  const questionnaire = questionnaires.find((q) => words.includes(q.key));
  const form = await sendForm(ctx, { questionnaire: questionnaire?.key, cluster: cluster?.id });
  if (!form) return { replies: [ui.text(ctx.t('surveys:send.noClusters'), { ephemeral: true })], next: null };
  return { replies: [ui.message(form.title, [ui.form(form)])], next: { step: 'send', data: {} } };
}

/** True when the typed closing date has already ended in the chosen cluster's zone. */
async function closesInPast(ctx: FlowContext, values: FormValues): Promise<boolean> {
  const first = (v: unknown) => String(Array.isArray(v) ? v[0] : (v ?? ''));
  const closes = parseDateInput(first(values.closes));
  if (!closes) return false;
  const cluster = await ctx.services.db.cluster.findUnique({ where: { id: first(values.cluster) }, select: { timeZone: true } });
  return DateTime.fromISO(closes, { zone: cluster?.timeZone ?? ctx.person.timeZone }).endOf('day').toJSDate() <= ctx.services.clock.now();
}

/** The send form submitted: checked, the run created, opened now or scheduled for its phase. */
export async function submitSend(ctx: FlowContext, values: FormValues): Promise<Result> {
  const { t, services } = ctx;
  const form = await sendForm(ctx);
  if (!form) return { replies: [ui.text(t('surveys:send.noClusters'), { ephemeral: true })], next: null };
  const again = (errors: Record<string, string>): Result => ({ replies: [ui.message(form.title, [ui.form(refill(form, values, errors))])], next: { step: 'send', data: {} } });
  const checked = checkForm(sendSchema, values, t);
  // A closing date in the past is reported with every other mistake, not after they are fixed.
  const pastClose = await closesInPast(ctx, values);
  if (!checked.ok || pastClose) return again({ ...(checked.ok ? {} : checked.errors), ...(pastClose ? { closes: t('surveys:errors.pastDate') } : {}) });
  const input = checked.data;
  await requireRole(services.db, ctx.person.id, input.cluster, ['COORDINATOR']);
  const cluster = await services.db.cluster.findUniqueOrThrow({ where: { id: input.cluster } });
  const now = services.clock.now();

  const items = labelTimeline(await services.db.timelineItem.findMany({ where: { clusterId: cluster.id } }));
  const item = input.when === 'now' ? null : (items.find((i) => i.id === input.when) ?? null);
  if (input.when !== 'now' && !item?.startsAt) return again({ when: t('surveys:errors.noSuchPhase', { cluster: cluster.code }) });
  let closesAt: Date;
  if (input.closes) {
    closesAt = DateTime.fromISO(input.closes, { zone: cluster.timeZone }).endOf('day').toJSDate();
    if (closesAt <= now) return again({ closes: t('surveys:errors.pastDate') });
  } else {
    const opens = item?.startsAt && item.startsAt > now ? item.startsAt : now;
    closesAt = new Date(opens.getTime() + DEFAULT_OPEN_DAYS * 24 * 3600 * 1000);
  }

  let run;
  try {
    run = await createRun(services.db, { questionnaireKey: input.questionnaire, clusterId: cluster.id, createdById: ctx.person.id, when: item ? { itemId: item.id } : 'now', closesAt, anonymous: input.anonymous === 'yes', minGroupSize: input.minGroupSize }, now);
  } catch (error) {
    if (isBotError(error) && error.code === ErrorCode.InvalidInput) return again({ [error.messageKey.endsWith('noSuchPhase') ? 'when' : 'closes']: t(error.messageKey, { ...error.vars, cluster: cluster.code }) });
    throw error;
  }
  const questionnaire = await services.db.questionnaire.findUniqueOrThrow({ where: { id: run.questionnaireId } });
  const title = localise((questionnaire.definition as unknown as QuestionnaireDefinition).title, ctx.person.locale);
  const closes = formatDateTime(run.closesAt, ctx.person.timeZone, ctx.person.locale);
  let text: string;
  if (input.when === 'now' || run.opensAt <= now) {
    const { invited, delivered } = await openRunAndInvite(services, run.id);
    const unreached = invited - delivered;
    text = [t('surveys:send.sentNow', { title, count: invited, cluster: cluster.code, closes }), ...(unreached > 0 ? [t('surveys:send.unreached', { count: unreached })] : [])].join(' ');
  } else {
    const opens = item?.startsAt && item.endsAt && item.startsAt.getTime() === run.opensAt.getTime() ? formatStart({ startsAt: item.startsAt, endsAt: item.endsAt, allDay: isAllDay(item) }, ctx.person, cluster.timeZone) : formatMoment(run.opensAt, ctx.person, cluster.timeZone);
    text = t('surveys:send.scheduled', { title, cluster: cluster.code, phase: item ? itemTitle(t, item) : '', opens, closes, reminders: run.maxReminders });
  }
  // The scheduler plans opening (for a phase), reminders and closing from the stored run.
  await services.scheduler.clusterChanged(cluster.id, 'survey');
  return {
    replies: [ui.message(text, [ui.paragraph(text), ui.actions(ui.commandButton(t('surveys:buttons.results'), `results ${run.id}`), ui.commandButton(t('surveys:buttons.send'), 'survey send'))])],
    next: null,
  };
}

import { md } from '../../src/core/markup.js';
import { z } from 'zod';
import { BotError, ErrorCode } from '../../src/core/errors.js';
import { defineFlow, type FlowContext, type FlowResult } from '../../src/core/flow.js';
import { checkForm, fieldSchemas, refill, type FormValues } from '../../src/core/forms.js';
import { formatDateTime } from '../../src/core/format.js';
import { ui, type Block, type Form, type OutboundMessage } from '../../src/core/messages.js';
import { askQuestion, type Assignment } from '../../src/domain/questions/lifecycle.js';
import { searchAnswered } from '../../src/domain/questions/search.js';
import { questionDeps } from './deps.js';

const MAX_QUESTION = 2_000;

const draftSchema = z.object({
  clusterId: z.string(),
  text: z.string().max(MAX_QUESTION),
  urgent: z.boolean(),
  planRef: z.string().nullable(),
});

const stateSchema = z.object({
  /** The thread `/lc ask` was typed in: the answer goes back there (a modal submission has no thread). */
  threadKey: z.string().max(300).optional(),
  /** That thread is in a channel (many read it), so what goes there is in the cluster's language. */
  shared: z.boolean().optional(),
  draft: draftSchema.optional(),
});
type AskState = z.infer<typeof stateSchema>;
type Draft = z.infer<typeof draftSchema>;

/**
 * `/lc ask <question>`: a member asks the resource persons of their cluster. A short form adds the
 * link to their action plan and whether it is urgent; then the bot first offers the closest answers
 * already in the cluster's and programme's FAQ, and sends the question on only if none helps.
 */
export const askFlow = defineFlow<AskState>({
  name: 'ask',
  version: 2,
  schema: stateSchema,
  commands: [{ verb: 'ask', summaryKey: 'questions:summary.ask', usageKey: 'questions:usage.ask', audience: ['MEMBER'], common: true }],
  async start(ctx, { args }) {
    const form = await askForm(ctx, args.slice(0, MAX_QUESTION));
    return { replies: [ui.message(form.title, [ui.form(form)], { ephemeral: true })], next: { step: 'form', data: threadState(ctx.origin.threadKey, !ctx.origin.direct) } };
  },
  accepts: { actions: { 'ask:send': '', 'ask:take': '' }, forms: ['ask:question'] },
  async handle(ctx, event, position): Promise<FlowResult<AskState>> {
    if (event.type === 'form' && event.formId === 'ask:question') return submit(ctx, event.values, position?.data ?? {});
    if (event.type === 'action' && (event.actionId === 'ask:send' || event.actionId === 'ask:take')) {
      const draft = position?.step === 'suggested' ? position.data.draft : undefined;
      if (!draft) throw new BotError(ErrorCode.StaleConversation, 'questions:errors.stale');
      if (event.actionId === 'ask:take') return { replies: [ui.text(ctx.t('questions:suggest.taken'), { ephemeral: true })], next: null };
      return { replies: [await route(ctx, draft, position?.data)], next: null };
    }
    if (event.type === 'text' && position) {
      // Typed instead of using the form (common on a phone): take the text as the question and show the form again.
      const form = await askForm(ctx, event.text.trim().slice(0, MAX_QUESTION));
      return { replies: [ui.message(form.title, [ui.form(form)], { ephemeral: true })], next: { step: 'form', data: threadState(position.data.threadKey, position.data.shared) } };
    }
    throw new BotError(ErrorCode.StaleConversation, 'questions:errors.stale');
  },
});

async function memberClusters(ctx: FlowContext) {
  const rows = await ctx.services.db.membership.findMany({
    where: { personId: ctx.person.id, role: 'MEMBER', status: 'ACTIVE', cluster: { archivedAt: null } },
    include: { cluster: { select: { id: true, code: true, name: true, programmeId: true } } },
    orderBy: { cluster: { code: 'asc' } },
  });
  if (rows.length === 0) throw new BotError(ErrorCode.NotAllowed, 'questions:errors.noCluster');
  return rows.map((r) => r.cluster);
}

async function askForm(ctx: FlowContext, question: string): Promise<Form> {
  const { t } = ctx;
  const clusters = await memberClusters(ctx);
  const plans = await ctx.services.db.actionPlan.findMany({
    where: { authorId: ctx.person.id, clusterId: { in: clusters.map((c) => c.id) } },
    include: { activities: { orderBy: { position: 'asc' } } },
  });
  const linkOptions = [{ label: t('questions:form.linkNone'), value: 'none' }];
  for (const plan of plans) {
    const code = clusters.find((c) => c.id === plan.clusterId)?.code ?? '';
    linkOptions.push({ label: t('questions:form.linkGoal', { cluster: code }), value: `goal:${plan.clusterId}` });
    plan.activities.forEach((a, i) => linkOptions.push({ label: t('questions:form.linkActivity', { cluster: code, n: i + 1, activity: a.activity.slice(0, 60) }), value: `activity:${a.id}` }));
  }
  const fields: Form['fields'] = [{ name: 'question', label: t('questions:form.question'), kind: 'textarea', required: true, maxLength: MAX_QUESTION, hint: t('questions:form.questionHint'), initial: question || undefined }];
  if (clusters.length > 1) fields.push({ name: 'cluster', label: t('questions:form.cluster'), kind: 'select', required: true, options: clusters.map((c) => ({ label: md`${c.code}: ${c.name}`, value: c.id })), initial: clusters[0].id });
  if (linkOptions.length > 1) fields.push({ name: 'link', label: t('questions:form.link'), kind: 'select', options: linkOptions, initial: 'none' });
  fields.push({
    name: 'urgent',
    label: t('questions:form.urgent'),
    kind: 'select',
    required: true,
    options: [
      { label: t('questions:form.urgentNo'), value: 'no' },
      { label: t('questions:form.urgentYes'), value: 'yes' },
    ],
    initial: 'no',
  });
  return { formId: 'ask:question', title: t('questions:form.title'), intro: t('questions:form.intro'), submitLabel: t('questions:form.submit'), fields };
}

async function submit(ctx: FlowContext, values: FormValues, state: AskState): Promise<FlowResult<AskState>> {
  const { t } = ctx;
  const schema = z.object({
    question: fieldSchemas.text(MAX_QUESTION).refine((v) => v.length >= 5, t('questions:form.tooShort')),
    cluster: z.string().max(64).optional(),
    link: z.string().max(100).optional(),
    urgent: z.enum(['yes', 'no'], { message: 'form.invalidChoice' }).default('no'),
  });
  const form = await askForm(ctx, '');
  const again = (errors: Record<string, string>): FlowResult<AskState> => ({ replies: [ui.message(form.title, [ui.form(refill(form, values, errors))], { ephemeral: true })], next: undefined });
  const checked = checkForm(schema, values, t);
  if (!checked.ok) return again(checked.errors);
  const clusters = await memberClusters(ctx);
  let clusterId = checked.data.cluster ?? clusters[0].id;
  if (!clusters.some((c) => c.id === clusterId)) return again({ cluster: t('form.invalidChoice') });
  let planRef: string | null = null;
  const link = checked.data.link ?? 'none';
  if (link.startsWith('goal:')) {
    const linked = link.slice('goal:'.length);
    if (!clusters.some((c) => c.id === linked)) return again({ link: t('questions:errors.badLink') });
    clusterId = linked;
    planRef = 'goal';
  } else if (link.startsWith('activity:')) {
    // The link must be an activity of the asker's own plan in one of their clusters, whatever the platform sent.
    const activity = await ctx.services.db.activity.findFirst({ where: { id: link.slice('activity:'.length), plan: { authorId: ctx.person.id, clusterId: { in: clusters.map((c) => c.id) } } }, include: { plan: { select: { clusterId: true } } } });
    if (!activity) return again({ link: t('questions:errors.badLink') });
    clusterId = activity.plan.clusterId;
    planRef = activity.id;
  } else if (link !== 'none') return again({ link: t('questions:errors.badLink') });

  const draft: Draft = { clusterId, text: checked.data.question, urgent: checked.data.urgent === 'yes', planRef };
  const cluster = clusters.find((c) => c.id === clusterId)!;
  const found = await searchAnswered(ctx.services.db, { words: draft.text, clusterIds: [clusterId], programmeIds: [cluster.programmeId], preferClusterId: clusterId, limit: 3 });
  if (found.length === 0) return { replies: [await route(ctx, draft, state)], next: null };

  const blocks: Block[] = [ui.paragraph(t('questions:suggest.intro'))];
  for (const answer of found) {
    blocks.push(ui.divider(), ui.paragraph(md`**${answer.question}**`), ui.paragraph(`${t('questions:suggest.answer')} ${md`(${answer.clusterCode}): ${answer.answer}`}`));
  }
  blocks.push(ui.actions(ui.button(t('questions:suggest.take'), 'ask:take', '', 'primary'), ui.button(t('questions:suggest.send'), 'ask:send')));
  return { replies: [ui.message(t('questions:suggest.intro'), blocks, { ephemeral: true })], next: { step: 'suggested', data: { ...threadState(state.threadKey, state.shared), draft } } };
}

/** The thread the question was asked in, as the flow keeps it between steps. */
function threadState(threadKey: string | undefined, shared: boolean | undefined): AskState {
  return threadKey ? { threadKey, ...(shared ? { shared: true } : {}) } : {};
}

async function route(ctx: FlowContext, draft: Draft, state: AskState | undefined): Promise<OutboundMessage> {
  const { t } = ctx;
  const thread = state?.threadKey ? { threadKey: state.threadKey, shared: state.shared === true } : undefined;
  const { assignment } = await askQuestion(questionDeps(ctx), { askerId: ctx.person.id, ...draft, thread });
  if (!assignment) return ui.text(t('questions:sent.nobody'));
  return sentMessage(ctx, assignment);
}

/** The asker's confirmation: who has the question and by when to expect the answer, in their own zone. */
export function sentMessage(ctx: FlowContext, assignment: Assignment): OutboundMessage {
  const { t, person } = ctx;
  const text = t('questions:sent.toPerson', { who: assignment.displayName, role: t(`roles.${assignment.role}`) });
  const blocks: Block[] = [ui.paragraph(text)];
  if (assignment.dueAt) blocks.push(ui.context(t('questions:sent.expected', { when: formatDateTime(assignment.dueAt, person.timeZone, person.locale) })));
  return ui.message(text, blocks);
}

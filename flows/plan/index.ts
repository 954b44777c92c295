import { md } from '../../src/core/markup.js';
import { defineFlow, type FlowContext, type FlowPosition, type FlowResult } from '../../src/core/flow.js';
import { FlowStore } from '../../src/core/flow-store.js';
import { checkForm, refill } from '../../src/core/forms.js';
import { BotError, ErrorCode } from '../../src/core/errors.js';
import { ui, type Block, type InboundEvent, type OutboundMessage } from '../../src/core/messages.js';
import { formatDay, formatStart } from '../../src/domain/calendar.js';
import { datedItemWithRole, itemTitle, itemWithRole } from '../../src/domain/timeline.js';
import {
  addActivity,
  consolidatePlan,
  contentOf,
  diffPlans,
  isEmptyDiff,
  latestVersion,
  deadlineOutsideTimeline,
  getVersion,
  planOfVersion,
  isoDate,
  loadActivity,
  loadPlan,
  mayReadStage,
  moveActivity,
  openPlan,
  PlanIncompleteError,
  readablePlan,
  removeActivity,
  requireAuthor,
  restoreActivity,
  setProgress,
  startApplication,
  submitPlan,
  timelineSpan,
  spanWords,
  updateActivity,
  updatePlanFields,
  type PlanDocument,
} from '../../src/domain/plans/index.js';
import { clustersWithRole, pickCluster } from './clusters.js';
import { renderClusterList } from './cluster-list.js';
import { asksForHistory, previousPlanBlocks, renderPlanHistory } from './history.js';
import { renderDiff, renderVersions } from './versions-view.js';
import { exportCluster, exportPlan, parseExportValue } from './exports.js';
import { activityForm, activityFormSchema, goalForm, goalFormSchema, progressForm, progressFormSchema } from './forms.js';
import { askMessage, guidedStep, parseWordValue, resumeCursor, type GuidedWord } from './guided.js';
import { missingLines, pageOfActivity, renderActivity, renderExports, renderGoal, renderPlan } from './render.js';
import { planStateSchema, type PlanState } from './state.js';

type Result = FlowResult<PlanState>;
type Position = FlowPosition<PlanState> | null;

/**
 * `/lc plan` (a member writes their action plan: forms per section or a guided conversation,
 * autosaved, then submitted, consolidated and applied) and `/lc plans` (the plans of a cluster,
 * for coordinators, resource persons and, once submitted, the members themselves).
 */
export const planFlow = defineFlow<PlanState>({
  name: 'plan',
  version: 1,
  schema: planStateSchema,
  commands: [
    { verb: 'plan', summaryKey: 'plan:summary.plan', usageKey: 'plan:usage.plan', audience: ['MEMBER'], common: true },
    { verb: 'plans', summaryKey: 'plan:summary.plans', usageKey: 'plan:usage.plans', audience: ['COORDINATOR', 'RESOURCE_PERSON', 'MEMBER'], common: true },
  ],
  async start(ctx, command) {
    if (command.verb === 'plans') {
      const clusters = await clustersWithRole(ctx, ['COORDINATOR', 'RESOURCE_PERSON', 'MEMBER']);
      const cluster = pickCluster(ctx, clusters, command.args);
      if (!cluster) return { replies: [chooseCluster(ctx, clusters, 'plan:list', 'plan:list.chooseCluster')] };
      return { replies: [await renderClusterList(ctx, cluster.id)] };
    }
    if (asksForHistory(ctx, command.args)) return { replies: [await renderPlanHistory(ctx)] };
    const clusters = await clustersWithRole(ctx, ['MEMBER']);
    if (!clusters.length) return { replies: [ui.text(ctx.t('plan:noMemberCluster'), { ephemeral: true })] };
    const cluster = pickCluster(ctx, clusters, command.args);
    if (!cluster) return { replies: [chooseCluster(ctx, clusters, 'plan:mine', 'plan:chooseCluster')] };
    return openMine(ctx, cluster.id, await savedState(ctx));
  },
  accepts: { actions: { 'plan:mine': '{cluster}', 'plan:list': '{cluster}', 'plan:open': '{plan}', 'plan:page': '{plan}:0', 'plan:part': '{plan}:{activity}', 'plan:versionPart': '{version}:{activity}', 'plan:exports': '{plan}', 'plan:guided': '{plan}', 'plan:word': 'skip@{plan}', 'plan:editGoal': '{plan}', 'plan:addActivity': '{plan}', 'plan:editActivity': '{activity}', 'plan:progress': '{activity}', 'plan:removeActivity': '{activity}', 'plan:undo': '{plan}', 'plan:move': '{activity}:up', 'plan:submit': '{plan}', 'plan:consolidate': '{plan}', 'plan:startApplication': '{plan}', 'plan:versions': '{plan}', 'plan:version': '{version}:0', 'plan:diff': '{version}:{version}', 'plan:export': '{plan}:md', 'plan:exportCluster': '{cluster}:md' }, forms: ['plan:goal:{plan}', 'plan:activity:new:{plan}', 'plan:activity:edit:{activity}', 'plan:progress:{activity}'] },
  async handle(ctx, event, position) {
    return route(ctx, event, position);
  },
});

/** The saved position, read in `start` too, so `/lc plan` can offer "Continue where I left off". */
async function savedState(ctx: FlowContext): Promise<PlanState> {
  try {
    return (await new FlowStore(ctx.services.db).load(ctx.person.id, planFlow, ctx.services.clock.now()))?.data ?? {};
  } catch {
    return {};
  }
}

async function openMine(ctx: FlowContext, clusterId: string, state: PlanState): Promise<Result> {
  const plan = await openPlan(ctx.services.db, ctx.person.id, clusterId);
  const kept = state.planId === plan.id ? state : {};
  const data: PlanState = { ...kept, planId: plan.id };
  return { replies: [await overview(ctx, plan.id, data, 0, [], await previousPlanBlocks(ctx, clusterId))], next: { step: 'overview', data } };
}

async function route(ctx: FlowContext, event: InboundEvent, position: Position): Promise<Result> {
  const state: PlanState = position?.data ?? {};
  if (event.type === 'form') return handleForm(ctx, event.formId, event.values, state);
  if (event.type === 'text') {
    if (position?.step === 'guided' && state.planId) return guided(ctx, state, { text: event.text });
    // Step-by-step answering is offered only for a draft the person may still write; anything else is not understood.
    const plan = state.planId ? await ctx.services.db.actionPlan.findUnique({ where: { id: state.planId }, select: { stage: true, authorId: true } }) : null;
    if (!plan || plan.authorId !== ctx.person.id) {
      return { replies: [ui.message(ctx.t('notUnderstood'), [ui.paragraph(ctx.t('notUnderstood')), ui.actions(ui.commandButton(ctx.t('help.button'), 'help'))], { ephemeral: true })] };
    }
    if (plan.stage !== 'DRAFT') {
      const text = ctx.t('plan:guided.notInDraft');
      return { replies: [ui.message(text, [ui.paragraph(text), ui.actions(ui.commandButton(ctx.t('plan:buttons.myPlan'), 'plan', 'primary'))], { ephemeral: true })] };
    }
    const blocks: Block[] = [ui.paragraph(ctx.t('plan:guided.notInGuided'))];
    blocks.push(ui.actions(ui.openButton(ctx.t(state.cursor ? 'plan:buttons.continue' : 'plan:buttons.guided'), 'plan:guided', state.planId!, 'primary')));
    return { replies: [ui.message(ctx.t('plan:guided.notInGuided'), blocks, { ephemeral: true })] };
  }
  if (event.type !== 'action') return { replies: [] };
  const value = event.value;
  const db = ctx.services.db;
  switch (event.actionId.split(':')[1]) {
    case 'mine':
      return openMine(ctx, await requireClusterOf(ctx, value, ['MEMBER']), state);
    case 'list':
      return { replies: [await renderClusterList(ctx, await requireClusterOf(ctx, value, ['COORDINATOR', 'RESOURCE_PERSON', 'MEMBER']))] };
    case 'open':
    case 'page': {
      const [planId, page = '0'] = value.split(':');
      const doc = await readablePlan(db, ctx.person.id, planId);
      if (doc.access === 'author') return { replies: [await overview(ctx, doc.planId, state, Number(page) || 0)] };
      return { replies: [renderPlan(ctx, doc, { page: Number(page) || 0, due: await dueText(ctx, doc) })] };
    }
    case 'part': {
      // Who may read the plan is settled before anything of it is looked up.
      const [planId, part = ''] = value.split(':');
      const doc = await readablePlan(db, ctx.person.id, planId);
      return { replies: [part === 'goal' ? renderGoal(ctx, doc) : renderActivity(ctx, doc, part)] };
    }
    case 'versionPart': {
      const [versionId, part = ''] = value.split(':');
      const doc = await versionDoc(ctx, versionId);
      return { replies: [part === 'goal' ? renderGoal(ctx, doc, { versionId }) : renderActivity(ctx, doc, part, { versionId })] };
    }
    case 'exports':
      return { replies: [renderExports(ctx, await readablePlan(db, ctx.person.id, value))] };
    case 'guided': {
      const plan = await ownPlan(ctx, value);
      const data: PlanState = { ...state, planId: plan.id, cursor: resumeCursor(contentOf(plan), state.planId === plan.id ? state.cursor : undefined) };
      return { replies: [askMessage(ctx, contentOf(plan), data.cursor!)], next: { step: 'guided', data } };
    }
    case 'word': {
      const pressed = parseWordValue(value);
      // The step-by-step session ended (stopped, finished, or another command took over): nothing to act on.
      if (!state.planId || !pressed || position?.step !== 'guided') throw new BotError(ErrorCode.StaleConversation, 'errors.stepPast', { flow: 'plan' });
      return guided(ctx, state, pressed);
    }
    case 'editGoal': {
      const plan = await ownPlan(ctx, value);
      return { replies: [formMessage(goalForm(ctx, plan.id, contentOf(plan)))] };
    }
    case 'addActivity': {
      const plan = await ownPlan(ctx, value);
      return { replies: [formMessage(activityForm(ctx, { planId: plan.id }, timelineSpan(await timelineOf(ctx, plan.clusterId))))] };
    }
    case 'editActivity': {
      const { plan, activity } = await ownActivity(ctx, value);
      return { replies: [formMessage(activityForm(ctx, { activity }, timelineSpan(await timelineOf(ctx, plan.clusterId))))] };
    }
    case 'progress': {
      const { plan, activity } = await ownActivity(ctx, value);
      if (plan.stage !== 'IN_APPLICATION') throw new BotError(ErrorCode.Conflict, 'plan:errors.notInApplication');
      return { replies: [formMessage(progressForm(ctx, activity))] };
    }
    case 'removeActivity': {
      const { plan, activity } = await ownActivity(ctx, value);
      const removed = await removeActivity(db, activity.id);
      if (removed.deadline) await announce(ctx, plan.clusterId);
      const undo = { ...removed, deadline: removed.deadline ? isoDate(removed.deadline) : null };
      const data: PlanState = { ...state, planId: plan.id, undo: { planId: plan.id, position: undo.position, activity: undo.activity, responsible: undo.responsible, deadline: undo.deadline, challenges: undo.challenges, mitigation: undo.mitigation, resources: undo.resources, results: undo.results, progress: undo.progress, progressNote: undo.progressNote } };
      const undoBlock = ui.actions(ui.button(ctx.t('plan:buttons.undo'), 'plan:undo', plan.id, 'primary'));
      const page = pageOfActivity(Math.max(0, removed.position - 1));
      return { replies: [await overview(ctx, plan.id, data, page, [ctx.t('plan:removed', { activity: removed.activity.slice(0, 100) })], [undoBlock])], next: { step: 'overview', data } };
    }
    case 'undo': {
      const plan = await ownPlan(ctx, value);
      const undo = state.undo;
      if (!undo || undo.planId !== plan.id) return { replies: [ui.text(ctx.t('plan:nothingToUndo'), { ephemeral: true })] };
      const { planId: _planId, deadline, ...row } = undo;
      await restoreActivity(db, plan.id, { ...row, deadline: deadline ? new Date(`${deadline}T00:00:00Z`) : null });
      if (deadline) await announce(ctx, plan.clusterId);
      const data: PlanState = { ...state, undo: undefined };
      return { replies: [await overview(ctx, plan.id, data, pageOfActivity(undo.position), [ctx.t('plan:restored', { activity: undo.activity.slice(0, 100) })])], next: { step: 'overview', data } };
    }
    case 'move': {
      const [activityId, direction] = value.split(':');
      const { plan } = await ownActivity(ctx, activityId);
      await moveActivity(db, activityId, direction === 'up' ? 'up' : 'down');
      return { replies: [await activityView(ctx, plan.id, activityId, [ctx.t('plan:moved')])] };
    }
    case 'submit':
      return submit(ctx, value, state);
    case 'consolidate': {
      // Feedback given at EE2 (in the bot's feedback rounds or in the room) is worked in, then frozen.
      const plan = await ownPlan(ctx, value);
      try {
        const version = await consolidatePlan(db, plan.id);
        await announce(ctx, plan.clusterId);
        return { replies: [await overview(ctx, plan.id, state, 0, [ctx.t('plan:submit.consolidated', { number: version.number })])] };
      } catch (error) {
        if (error instanceof PlanIncompleteError) return { replies: [incompleteMessage(ctx, plan.id, state, error)] };
        throw error;
      }
    }
    case 'startApplication': {
      const plan = await ownPlan(ctx, value);
      const version = await startApplication(db, plan.id);
      await announce(ctx, plan.clusterId);
      return { replies: [await overview(ctx, plan.id, state, 0, [ctx.t('plan:submit.applicationStarted', { number: version.number })])] };
    }
    case 'versions':
      return { replies: [await renderVersions(ctx, value)] };
    case 'version': {
      const [versionId, page = '0'] = value.split(':');
      return { replies: [await versionView(ctx, versionId, Number(page) || 0)] };
    }
    case 'diff': {
      // Both sides come from the button's value; a forged value with one side is a plan version not found.
      const [from, to] = value.split(':');
      if (!from || !to) throw new BotError(ErrorCode.NotFound, 'errors.notFound', { what: { key: 'things.planVersion' } });
      return { replies: [await renderDiff(ctx, from, to)] };
    }
    case 'export': {
      const { key, format } = parseExportValue(value);
      return { replies: [await exportPlan(ctx, key, format)] };
    }
    case 'exportCluster': {
      const { key, format } = parseExportValue(value);
      return { replies: [await exportCluster(ctx, key, format)] };
    }
    default:
      throw new BotError(ErrorCode.StaleConversation, 'errors.stepPast', { flow: 'plan' });
  }
}

async function guided(ctx: FlowContext, state: PlanState, input: { word: GuidedWord; boundTo?: string } | { text: string }): Promise<Result> {
  const plan = await ownPlan(ctx, state.planId!);
  return guidedStep(ctx, {
    planId: plan.id,
    cursor: state.cursor ?? '',
    state,
    timeline: await timelineOf(ctx, plan.clusterId),
    deadlinesChanged: () => announce(ctx, plan.clusterId),
    overview: (notes, resumable) => overview(ctx, plan.id, { ...state, cursor: resumable ? state.cursor ?? 'more' : undefined }, 0, notes),
  }, input);
}

async function handleForm(ctx: FlowContext, formId: string, values: Record<string, string | string[]>, state: PlanState): Promise<Result> {
  const { t } = ctx;
  const db = ctx.services.db;
  const [, kind, a, b] = formId.split(':');
  if (kind === 'goal') {
    const plan = await ownPlan(ctx, a);
    const check = checkForm(goalFormSchema, values, t);
    if (!check.ok) return { replies: [formMessage(refill(goalForm(ctx, plan.id, contentOf(plan)), values, check.errors))] };
    await updatePlanFields(db, plan.id, check.data);
    return { replies: [await overview(ctx, plan.id, state, 0, [t('plan:view.saved')])], next: { step: 'overview', data: { ...state, planId: plan.id } } };
  }
  if (kind === 'activity') {
    const isNew = a === 'new';
    const plan = isNew ? await ownPlan(ctx, b) : (await ownActivity(ctx, b)).plan;
    const timeline = await timelineOf(ctx, plan.clusterId);
    const existing = isNew ? undefined : contentOf(plan).activities.find((x) => x.id === b);
    const check = checkForm(activityFormSchema, values, t);
    if (!check.ok) {
      const form = existing ? activityForm(ctx, { activity: existing }, timelineSpan(timeline)) : activityForm(ctx, { planId: plan.id }, timelineSpan(timeline));
      return { replies: [formMessage(refill(form, values, check.errors))] };
    }
    const saved = isNew ? await addActivity(db, plan.id, check.data) : await updateActivity(db, b, check.data);
    const notes = [t('plan:view.saved')];
    const deadline = check.data.deadline || null;
    if (deadline) {
      const span = deadlineOutsideTimeline(deadline, timeline);
      if (span) notes.push(t('plan:deadlineWarning', { date: formatDay(deadline, ctx.person.locale), ...spanWords(span, ctx.person.locale) }));
    }
    if ((existing?.deadline ?? null) !== deadline) await announce(ctx, plan.clusterId);
    // A new activity joins the list (the next one is often added right after); an edited one is shown as saved.
    const index = (await loadPlan(db, plan.id)).activities.findIndex((x) => x.id === saved.id);
    const shown = isNew ? await overview(ctx, plan.id, state, pageOfActivity(index), notes) : await activityView(ctx, plan.id, saved.id, notes);
    return { replies: [shown], next: { step: 'overview', data: { ...state, planId: plan.id } } };
  }
  if (kind === 'progress') {
    const { plan, activity } = await ownActivity(ctx, a);
    if (plan.stage !== 'IN_APPLICATION') throw new BotError(ErrorCode.Conflict, 'plan:errors.notInApplication');
    const check = checkForm(progressFormSchema, values, t);
    if (!check.ok) return { replies: [formMessage(refill(progressForm(ctx, activity), values, check.errors))] };
    await setProgress(db, activity.id, check.data.progress, check.data.note);
    return { replies: [await activityView(ctx, plan.id, activity.id, [t('plan:view.saved')])] };
  }
  throw new BotError(ErrorCode.StaleConversation, 'errors.stepPast', { flow: 'plan' });
}

async function submit(ctx: FlowContext, planId: string, state: PlanState): Promise<Result> {
  const { t } = ctx;
  const plan = await ownPlan(ctx, planId);
  try {
    const version = await submitPlan(ctx.services.db, plan.id);
    await announce(ctx, plan.clusterId);
    // Named as the cluster's timeline names the event where concepts are presented (no bare "EE2").
    const timeline = await ctx.services.db.timelineItem.findMany({ where: { clusterId: plan.clusterId } });
    const event = itemWithRole(timeline, 'CONCEPTS_PRESENTED');
    const done = event ? t('plan:submit.done', { number: version.number, event: itemTitle(t, event) }) : t('plan:submit.doneNoEvent', { number: version.number });
    return { replies: [await overview(ctx, plan.id, state, 0, [done])] };
  } catch (error) {
    if (!(error instanceof PlanIncompleteError)) throw error;
    return { replies: [incompleteMessage(ctx, plan.id, state, error)] };
  }
}

/** Exactly what is missing, with buttons to fix it. */
function incompleteMessage(ctx: FlowContext, planId: string, state: PlanState, error: PlanIncompleteError): OutboundMessage {
  const { t } = ctx;
  const head = t('plan:submit.incomplete', { count: error.missing.length });
  const lines = missingLines(ctx, error.missing);
  const blocks: Block[] = [];
  // Long lists (30 activities with gaps) are split so each block stays within platform limits.
  for (let i = 0; i < lines.length; i += 40) blocks.push(ui.paragraph((i === 0 ? `**${head}**\n` : '') + lines.slice(i, i + 40).join('\n')));
  blocks.push(ui.context(t('plan:submit.fixHint')));
  blocks.push(
    ui.actions(
      ui.openButton(t(state.cursor ? 'plan:buttons.continue' : 'plan:buttons.guided'), 'plan:guided', planId, 'primary'),
      ui.openButton(t('plan:buttons.editGoal'), 'plan:editGoal', planId),
      ui.openButton(t('plan:buttons.addActivity'), 'plan:addActivity', planId),
      ui.openButton(t('plan:buttons.myPlan'), 'plan:page', `${planId}:0`),
    ),
  );
  return ui.message(head, blocks.slice(0, 45), { ephemeral: true });
}

/** The author's plan rendered at a page, with notes (saved, warnings) on top. */
async function overview(ctx: FlowContext, planId: string, state: PlanState, page: number, notes: string[] = [], extraBlocks: Block[] = []): Promise<OutboundMessage> {
  const doc = await readablePlan(ctx.services.db, ctx.person.id, planId);
  const latest = doc.latestVersionNumber ? await latestVersion(ctx.services.db, planId) : null;
  const changedSinceVersion = !!latest && !isEmptyDiff(diffPlans(latest.content, doc.content));
  return renderPlan(ctx, doc, { page, notes, extraBlocks, changedSinceVersion, resumable: !!state.cursor && state.planId === planId, due: await dueText(ctx, doc) });
}

/** One activity of the author's plan in full, with notes (saved, moved) on top. */
async function activityView(ctx: FlowContext, planId: string, activityId: string, notes: string[] = []): Promise<OutboundMessage> {
  return renderActivity(ctx, await readablePlan(ctx.services.db, ctx.person.id, planId), activityId, { notes });
}

/** When a draft is due: the start of the event where concepts are presented (EE2), as the cluster's calendar tells it. */
async function dueText(ctx: FlowContext, doc: PlanDocument): Promise<string | undefined> {
  if (doc.stage !== 'DRAFT') return undefined;
  const cluster = await timelineOf(ctx, doc.clusterId);
  const event = datedItemWithRole(cluster.timeline, 'CONCEPTS_PRESENTED');
  return event ? formatStart(event, { timeZone: ctx.person.timeZone, locale: ctx.person.locale }, cluster.timeZone) : undefined;
}

async function versionView(ctx: FlowContext, versionId: string, page: number): Promise<OutboundMessage> {
  return renderPlan(ctx, await versionDoc(ctx, versionId), { page, versionId });
}

/** A frozen version as a plan document, for whoever may read it. */
async function versionDoc(ctx: FlowContext, versionId: string): Promise<PlanDocument> {
  // Who may read the plan is settled before the version's content is loaded.
  const doc = await readablePlan(ctx.services.db, ctx.person.id, await planOfVersion(ctx.services.db, versionId));
  const version = await getVersion(ctx.services.db, versionId);
  if (!mayReadStage(doc.access, version.stage)) throw new BotError(ErrorCode.NotAllowed, 'plan:errors.notSubmittedYet');
  return { ...doc, stage: version.stage, versionNumber: version.number, updatedAt: version.createdAt, content: version.content };
}

/** The plan, refusing anyone but its author (only the author edits). */
async function ownPlan(ctx: FlowContext, planId: string) {
  const plan = await loadPlan(ctx.services.db, planId);
  requireAuthor(ctx.person.id, plan);
  return plan;
}

async function ownActivity(ctx: FlowContext, activityId: string) {
  const row = await loadActivity(ctx.services.db, activityId);
  const plan = await ownPlan(ctx, row.planId);
  const activity = contentOf(plan).activities.find((a) => a.id === activityId)!;
  return { plan, activity };
}

async function requireClusterOf(ctx: FlowContext, clusterId: string, roles: ('MEMBER' | 'COORDINATOR' | 'RESOURCE_PERSON')[]): Promise<string> {
  const clusters = await clustersWithRole(ctx, roles);
  if (!clusters.some((c) => c.id === clusterId)) throw new BotError(ErrorCode.NotAllowed, 'plan:errors.notYourCluster');
  return clusterId;
}

/** The cluster's calendar: its zone and timeline, for deadline hints in the timeline's own days. */
function timelineOf(ctx: FlowContext, clusterId: string) {
  return ctx.services.db.cluster.findUniqueOrThrow({ where: { id: clusterId }, select: { timeZone: true, timeline: true } });
}

/** Nudges depend on a plan's stage and deadlines: the scheduler re-plans the cluster. */
function announce(ctx: FlowContext, clusterId: string): Promise<void> {
  return ctx.services.scheduler.clusterChanged(clusterId, 'plan');
}

function formMessage(form: ReturnType<typeof goalForm>): OutboundMessage {
  return ui.message(form.title, [ui.form(form)], { ephemeral: true });
}

function chooseCluster(ctx: FlowContext, clusters: { id: string; code: string; name: string }[], actionId: string, key: string): OutboundMessage {
  const text = ctx.t(key);
  return ui.message(text, [ui.paragraph(text), ui.actions(...clusters.slice(0, 20).map((c) => ui.openButton(md`${c.code}: ${c.name.slice(0, 60)}`, actionId, c.id)))], { ephemeral: true });
}

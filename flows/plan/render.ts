import type { FlowContext } from '../../src/core/flow.js';
import { formatDate } from '../../src/core/format.js';
import { escapeMarkup } from '../../src/core/markup.js';
import { BotError, ErrorCode } from '../../src/core/errors.js';
import { ui, type Block, type Button, type OutboundMessage } from '../../src/core/messages.js';
import { missingParts, type ActivityContent, type MissingPart, type PlanDocument } from '../../src/domain/plans/index.js';
import { ACTIVITY_FIELDS, PLAN_FIELDS } from '../../src/domain/plans/limits.js';
import { formatDay } from '../../src/domain/calendar.js';

/**
 * Activities listed per overview page, one line each. Eight lines and their Open buttons keep the
 * overview on one phone screen; every field of an activity is in its own view (renderActivity).
 */
export const ACTIVITIES_PER_PAGE = 8;

/** How many overview pages a plan with `count` activities takes. */
export function pageCount(count: number): number {
  return Math.max(1, Math.ceil(count / ACTIVITIES_PER_PAGE));
}

/** The overview page an activity (0-based index) is listed on. */
export function pageOfActivity(index: number): number {
  return Math.floor(Math.max(0, index) / ACTIVITIES_PER_PAGE);
}

/** Longest value shown in a listing; the full text is in the form, the version view's export and the diff. */
const CLIP = 250;
/** An activity's name on its overview line, and the goal's (about two lines at 390 px), short enough for a phone. */
const LINE_CLIP = 60;
const GOAL_CLIP = 75;
/** Slack refuses a text block over 3,000 characters; leave room for markup. */
export const MAX_TEXT_BLOCK = 2800;

/** What the viewer may do on the rendered plan; only the author gets editing buttons. */
export interface RenderOptions {
  page: number;
  /** The guided cursor, when the author has an unfinished step-by-step session. */
  resumable?: boolean;
  /** A line shown on top, e.g. "Saved." or a deadline warning. */
  notes?: string[];
  /** Shown instead of the living plan: a frozen version (id for paging). */
  versionId?: string;
  extraBlocks?: Block[];
  /** The living plan differs from its newest version (offers "Save consolidated version"). */
  changedSinceVersion?: boolean;
  /** When a draft is due (the event where concepts are presented), as the calendar tells it. */
  due?: string;
}

/**
 * The plan at a glance, sized for one phone screen: the goal in a line or two, the stage and due date,
 * one line per activity with its progress and a button that opens it, and the actions that matter at
 * this stage. Everything else is one tap away: the full goal, each activity, versions and exports.
 */
export function renderPlan(ctx: FlowContext, doc: PlanDocument, options: RenderOptions): OutboundMessage {
  const { t } = ctx;
  const isAuthor = doc.access === 'author' && !options.versionId;
  const activities = doc.content.activities;
  const pages = pageCount(activities.length);
  const page = Math.min(Math.max(0, options.page), pages - 1);
  const title = planTitle(ctx, doc);
  const blocks: Block[] = [ui.heading(clip(title, 150))];
  for (const note of options.notes ?? []) blocks.push(ui.context(clip(note, MAX_TEXT_BLOCK)));
  blocks.push(ui.context(options.due && doc.stage === 'DRAFT' ? `${stageLine(ctx, doc)} · ${t('plan:view.due', { date: options.due })}` : stageLine(ctx, doc)));
  if (isAuthor && doc.stage === 'DRAFT' && !activities.length) blocks.push(ui.context(t('plan:view.howToWrite')));
  if (isAuthor && doc.stage !== 'DRAFT' && doc.latestVersionNumber && page === 0) blocks.push(ui.context(t('plan:view.afterSubmit', { number: doc.latestVersionNumber })));

  const goal = doc.content.goal?.trim();
  const goalLine = `**${t('plan:fields.goal.label')}:** ${goal ? escapeMarkup(clip(goal.replace(/\s+/g, ' '), GOAL_CLIP)) : t('plan:view.empty')}`;
  const missing = doc.stage === 'DRAFT' ? missingParts(doc.content) : [];
  const [from, to] = [page * ACTIVITIES_PER_PAGE, Math.min((page + 1) * ACTIVITIES_PER_PAGE, activities.length)];
  const lines = activities.slice(from, to).map((a, i) => activityLine(ctx, doc, a, from + i + 1, missing));
  const heading = `**${t('plan:view.activitiesHeading', { count: activities.length })}**`;
  if (page === 0) blocks.push(ui.paragraph(goalLine));
  blocks.push(ui.paragraph([heading, ...(lines.length ? lines : [t('plan:view.noActivities')])].join('\n')));

  const open = activities.slice(from, to).map((a, i) => ui.openButton(t('plan:buttons.openActivity', { n: from + i + 1 }), ...partTarget(doc, options, a.id)));
  if (open.length) blocks.push(ui.actions(...open));
  if (pages > 1) {
    blocks.push(ui.context(t('plan:view.page', { from: from + 1, to, count: activities.length })));
    const nav: Button[] = [];
    const target = options.versionId ? 'plan:version' : 'plan:page';
    const key = options.versionId ?? doc.planId;
    if (page > 0) nav.push(ui.openButton(`◀ ${t('plan:buttons.previous')}`, target, `${key}:${page - 1}`));
    if (page < pages - 1) nav.push(ui.openButton(`${t('plan:buttons.next')} ▶`, target, `${key}:${page + 1}`));
    blocks.push(ui.actions(...nav));
  }

  if (isAuthor) {
    if (missing.length) blocks.push(ui.context(t('plan:view.missingCount', { count: missing.length })));
    blocks.push(ui.actions(...stageActions(ctx, doc, options)));
  }
  const more: Button[] = [];
  if (isAuthor) more.push(ui.openButton(t('plan:buttons.editGoal'), 'plan:editGoal', doc.planId));
  else more.push(ui.openButton(t('plan:buttons.goal'), ...partTarget(doc, options, 'goal')));
  if (isAuthor && doc.stage !== 'DRAFT') more.push(guidedButton(ctx, doc.planId, options.resumable));
  if (!options.versionId && doc.latestVersionNumber) more.push(ui.openButton(t('plan:buttons.versions'), 'plan:versions', doc.planId));
  if (!options.versionId) more.push(ui.openButton(t('plan:buttons.export'), 'plan:exports', doc.planId));
  // The approach's documented good practice beside the author's plan: its steps, legal aspects and resources are what a plan builds on.
  if (isAuthor) more.push(ui.commandButton(t('practice:buttons.see'), `practice ${doc.clusterCode}`));
  blocks.push(ui.actions(...more));
  blocks.push(...(options.extraBlocks ?? []));
  // A repeated press of a button that led here shows this page as it is then (Bot.replay).
  return ui.message(title, blocks, { ephemeral: true, ...(options.versionId ? {} : { current: { actionId: 'plan:page', value: `${doc.planId}:${page}` } }) });
}

/** The actions that matter at the plan's stage, the one that moves it on first. */
function stageActions(ctx: FlowContext, doc: PlanDocument, options: RenderOptions): Button[] {
  const { t } = ctx;
  const add = ui.openButton(t('plan:buttons.addActivity'), 'plan:addActivity', doc.planId);
  if (doc.stage === 'DRAFT') return [ui.button(t('plan:buttons.submit'), 'plan:submit', doc.planId, 'primary'), guidedButton(ctx, doc.planId, options.resumable), add];
  if (doc.stage === 'IN_APPLICATION') return [add];
  const buttons: Button[] = [];
  if (options.changedSinceVersion) buttons.push(ui.button(t('plan:buttons.consolidate'), 'plan:consolidate', doc.planId, 'primary'));
  buttons.push(ui.button(t('plan:buttons.startApplication'), 'plan:startApplication', doc.planId), add);
  return buttons;
}

function guidedButton(ctx: FlowContext, planId: string, resumable?: boolean): Button {
  return resumable ? ui.openButton(ctx.t('plan:buttons.continue'), 'plan:guided', planId, 'primary') : ui.openButton(ctx.t('plan:buttons.guided'), 'plan:guided', planId);
}

/** The action and value that open one part ("goal" or an activity id) of the plan or of a frozen version. */
function partTarget(doc: PlanDocument, options: { versionId?: string }, part: string): [string, string] {
  return options.versionId ? ['plan:versionPart', `${options.versionId}:${part}`] : ['plan:part', `${doc.planId}:${part}`];
}

/** "Your action plan (…)" for the author, "Action plan: <author> (…)" for anyone else. */
function planTitle(ctx: FlowContext, doc: PlanDocument): string {
  const { t } = ctx;
  return doc.access === 'author' ? t('plan:view.ownTitle', { cluster: doc.clusterCode, approach: doc.content.approach }) : t('plan:view.title', { author: doc.authorName, cluster: doc.clusterCode });
}

/** One activity on the overview: its number, name, deadline, and how far it is (parts missing, or its progress). */
function activityLine(ctx: FlowContext, doc: PlanDocument, activity: ActivityContent, n: number, missing: MissingPart[]): string {
  const { t } = ctx;
  const parts = [`**${n}.** ${escapeMarkup(clip(activity.activity.replace(/\s+/g, ' '), LINE_CLIP))}`];
  if (activity.deadline && /^\d{4}-\d{2}-\d{2}$/.test(activity.deadline)) parts.push(formatDay(activity.deadline, ctx.person.locale));
  if (doc.stage === 'IN_APPLICATION') parts.push(`_${t(`plan:progress.${activity.progress}`)}_`);
  else if (doc.stage === 'DRAFT') {
    const count = missing.filter((m) => m.kind === 'activity' && m.activity === n).length;
    parts.push(count ? `_${t('plan:view.partsMissing', { count })}_` : `_${t('plan:view.complete')}_`);
  }
  return parts.join(' · ');
}

/** Options of an activity's or the goal's own view. */
export interface PartOptions {
  notes?: string[];
  /** A frozen version is shown: read only, and Back returns to that version. */
  versionId?: string;
  extraBlocks?: Block[];
}

/** One activity with every field, the buttons its author may use on it, and the way back to the plan. */
export function renderActivity(ctx: FlowContext, doc: PlanDocument, activityId: string, options: PartOptions = {}): OutboundMessage {
  const { t } = ctx;
  const activities = doc.content.activities;
  const index = activities.findIndex((a) => a.id === activityId);
  if (index < 0) throw new BotError(ErrorCode.StaleConversation, 'plan:errors.activityGone', { flow: 'plan' });
  const activity = activities[index];
  const isAuthor = doc.access === 'author' && !options.versionId;
  const heading = t('plan:view.activityTitle', { n: index + 1, count: activities.length });
  const blocks: Block[] = [ui.heading(heading)];
  for (const note of options.notes ?? []) blocks.push(ui.context(clip(note, MAX_TEXT_BLOCK)));
  blocks.push(ui.context(`${clip(planTitle(ctx, doc), 150)} · ${stageLine(ctx, doc)}`));
  blocks.push(ui.paragraph(activityText(ctx, activity, index + 1, doc.stage === 'IN_APPLICATION')));
  if (isAuthor) blocks.push(ui.actions(...activityButtons(ctx, doc, activity, index, activities.length)));
  blocks.push(...(options.extraBlocks ?? []));
  blocks.push(ui.actions(backButton(ctx, doc, options, pageOfActivity(index))));
  const current = options.versionId ? {} : { current: { actionId: 'plan:part', value: `${doc.planId}:${activity.id}` } };
  return ui.message(`${heading}: ${clip(activity.activity, 100)}`, blocks, { ephemeral: true, ...current });
}

/** The goal and beneficiaries in full (the overview shows the goal's first line or two). */
export function renderGoal(ctx: FlowContext, doc: PlanDocument, options: PartOptions = {}): OutboundMessage {
  const { t } = ctx;
  const heading = t('plan:forms.goalTitle');
  const blocks: Block[] = [ui.heading(heading), ui.context(`${clip(planTitle(ctx, doc), 150)} · ${stageLine(ctx, doc)}`)];
  for (const field of PLAN_FIELDS) {
    const value = doc.content[field];
    blocks.push(ui.paragraph(`**${t(`plan:fields.${field}.label`)}**\n${value?.trim() ? escapeMarkup(clip(value, MAX_TEXT_BLOCK - 100)) : t('plan:view.empty')}`));
  }
  const buttons = [backButton(ctx, doc, options, 0)];
  if (doc.access === 'author' && !options.versionId) buttons.unshift(ui.openButton(t('plan:buttons.editGoal'), 'plan:editGoal', doc.planId));
  blocks.push(ui.actions(...buttons));
  return ui.message(heading, blocks, { ephemeral: true });
}

/** Export formats of one plan, asked for from the overview's Export button. */
export function renderExports(ctx: FlowContext, doc: PlanDocument): OutboundMessage {
  const title = planTitle(ctx, doc);
  return ui.message(title, [ui.heading(clip(title, 150)), ...exportButtons(ctx, 'plan:export', doc.planId), ui.actions(backButton(ctx, doc, {}, 0))], { ephemeral: true });
}

function backButton(ctx: FlowContext, doc: PlanDocument, options: { versionId?: string }, page: number): Button {
  const label = `◀ ${ctx.t('plan:buttons.backToPlan')}`;
  return options.versionId ? ui.openButton(label, 'plan:version', `${options.versionId}:${page}`) : ui.openButton(label, 'plan:page', `${doc.planId}:${page}`);
}

function activityButtons(ctx: FlowContext, doc: PlanDocument, activity: ActivityContent, index: number, count: number): Button[] {
  const { t } = ctx;
  const remove = ui.button(t('plan:buttons.remove'), 'plan:removeActivity', activity.id, 'danger');
  remove.confirm = {
    title: t('plan:confirmRemove.title'),
    text: t('plan:confirmRemove.text', { activity: clip(activity.activity, 100) }),
    yes: t('plan:confirmRemove.yes'),
    no: t('plan:confirmRemove.no'),
  };
  const buttons: Button[] = [];
  if (doc.stage === 'IN_APPLICATION') buttons.push(ui.openButton(t('plan:buttons.progress'), 'plan:progress', activity.id, 'primary'));
  buttons.push(ui.openButton(t('plan:buttons.edit'), 'plan:editActivity', activity.id));
  if (index > 0) buttons.push(ui.button(`↑ ${t('plan:buttons.up')}`, 'plan:move', `${activity.id}:up`));
  if (index < count - 1) buttons.push(ui.button(`↓ ${t('plan:buttons.down')}`, 'plan:move', `${activity.id}:down`));
  buttons.push(remove);
  return buttons;
}

/** One activity as a text block: the seven columns, each clipped so the block fits every platform. */
export function activityText(ctx: FlowContext, activity: ActivityContent, n: number, withProgress: boolean): string {
  const { t } = ctx;
  const lines = [`**${n}. ${escapeMarkup(clip(activity.activity, CLIP))}**`];
  for (const field of ACTIVITY_FIELDS.slice(1)) {
    const value = activity[field];
    // A deadline is a calendar day: shown as every other date is (src/domain/calendar.ts).
    const shown = field === 'deadline' && value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? formatDay(value, ctx.person.locale) : value;
    lines.push(`_${t(`plan:fields.${field}.label`)}:_ ${shown?.trim() ? escapeMarkup(clip(shown, CLIP)) : '–'}`);
  }
  if (withProgress) {
    lines.push(`**${t('plan:view.progressLine', { progress: t(`plan:progress.${activity.progress}`) })}**${activity.progressNote ? `: ${escapeMarkup(clip(activity.progressNote, CLIP))}` : ''}`);
  }
  return clip(lines.join('\n'), MAX_TEXT_BLOCK);
}

/** Three buttons: Markdown, CSV, printable page; `key` is a plan id or a cluster id. */
export function exportButtons(ctx: FlowContext, actionId: 'plan:export' | 'plan:exportCluster', key: string): Block[] {
  const { t } = ctx;
  return [
    ui.context(t('plan:export.choose')),
    ui.actions(
      ui.openButton(t('plan:buttons.exportMd'), actionId, `${key}:md`),
      ui.openButton(t('plan:buttons.exportCsv'), actionId, `${key}:csv`),
      ui.openButton(t('plan:buttons.exportHtml'), actionId, `${key}:html`),
    ),
  ];
}

function stageLine(ctx: FlowContext, doc: PlanDocument): string {
  const { t, person } = ctx;
  const date = formatDate(doc.updatedAt, person.timeZone, person.locale);
  const stage = t(`plan:stages.${doc.stage}`);
  return doc.versionNumber ? t('plan:view.stageLineVersion', { stage, number: doc.versionNumber, date }) : t('plan:view.stageLine', { stage, updated: date });
}

/** The list of missing parts, one line each, in the template's order. */
export function missingLines(ctx: FlowContext, missing: MissingPart[]): string[] {
  const { t } = ctx;
  return missing.map((m) => {
    if (m.kind === 'plan') return `- ${t('plan:submit.missingPlan', { field: t(`plan:fields.${m.field}.label`) })}`;
    if (m.kind === 'noActivities') return `- ${t('plan:submit.missingActivities')}`;
    return `- ${t('plan:submit.missingActivity', { n: m.activity, field: t(`plan:fields.${m.field}.label`) })}`;
  });
}

/** Long text as several text blocks, each within the platform limit, split at line ends where possible. */
export function textBlocks(text: string, max = MAX_TEXT_BLOCK): Block[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut < max / 2) cut = max;
    chunks.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^\n/, '');
  }
  if (rest) chunks.push(rest);
  return chunks.map((c) => ui.paragraph(c));
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Shortens text for a listing to at most `max` UTF-16 units, marking the cut. Cuts between words where that keeps
 * most of the text, else between graphemes, so an emoji, a surrogate pair or a letter with its combining mark is
 * never split, and never between a backslash and the character it escapes.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let kept = '';
  let next = '';
  for (const { segment } of graphemes.segment(text)) {
    if (kept.length + segment.length > max - 1) {
      next = segment;
      break;
    }
    kept += segment;
  }
  // Cut inside a word: end before that word instead, when most of the text stays, so no half word dangles.
  if (next && !/\s/.test(next)) {
    const wordStart = kept.search(/\s\S*$/);
    if (wordStart >= max * 0.6) kept = kept.slice(0, wordStart);
  }
  return `${kept.trimEnd().replace(/(?<!\\)(\\\\)*\\$/, '$1')}…`;
}

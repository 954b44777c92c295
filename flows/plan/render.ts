import type { FlowContext } from '../../src/core/flow.js';
import { formatDate } from '../../src/core/format.js';
import { escapeMarkup } from '../../src/core/markup.js';
import { ui, type Block, type Button, type OutboundMessage } from '../../src/core/messages.js';
import { missingParts, type ActivityContent, type MissingPart, type PlanDocument } from '../../src/domain/plans/index.js';
import { ACTIVITY_FIELDS, PLAN_FIELDS } from '../../src/domain/plans/limits.js';
import { formatDay } from '../../src/domain/calendar.js';

/**
 * Activities per message. Five keeps a page of a full plan (every field at its limit) under
 * Slack's 50 blocks and 3,000 characters per text block and well under Teams' ~28 KB per card.
 */
export const ACTIVITIES_PER_PAGE = 5;
/** The first page also carries the goal section (up to 6,200 characters), so it holds fewer activities. */
export const ACTIVITIES_ON_FIRST_PAGE = 2;

/** How many pages a plan with `count` activities takes. */
export function pageCount(count: number): number {
  return 1 + Math.ceil(Math.max(0, count - ACTIVITIES_ON_FIRST_PAGE) / ACTIVITIES_PER_PAGE);
}

/** The page an activity (0-based index) is shown on. */
export function pageOfActivity(index: number): number {
  return index < ACTIVITIES_ON_FIRST_PAGE ? 0 : 1 + Math.floor((index - ACTIVITIES_ON_FIRST_PAGE) / ACTIVITIES_PER_PAGE);
}

/** The activity indexes [from, to) on a page. */
function pageRange(page: number, count: number): [number, number] {
  const from = page === 0 ? 0 : ACTIVITIES_ON_FIRST_PAGE + (page - 1) * ACTIVITIES_PER_PAGE;
  const to = page === 0 ? ACTIVITIES_ON_FIRST_PAGE : from + ACTIVITIES_PER_PAGE;
  return [from, Math.min(to, count)];
}
/** Longest value shown in a listing; the full text is in the form, the version view's export and the diff. */
const CLIP = 250;
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
}

/** The plan, one page of activities per message, with the buttons the viewer may use. */
export function renderPlan(ctx: FlowContext, doc: PlanDocument, options: RenderOptions): OutboundMessage {
  const { t } = ctx;
  const isAuthor = doc.access === 'author' && !options.versionId;
  const activities = doc.content.activities;
  const pages = pageCount(activities.length);
  const page = Math.min(Math.max(0, options.page), pages - 1);
  const title = doc.access === 'author' ? t('plan:view.ownTitle', { cluster: doc.clusterCode, approach: doc.content.approach }) : t('plan:view.title', { author: doc.authorName, cluster: doc.clusterCode });
  const blocks: Block[] = [ui.heading(clip(title, 150))];
  for (const note of options.notes ?? []) blocks.push(ui.context(clip(note, MAX_TEXT_BLOCK)));
  blocks.push(ui.context(stageLine(ctx, doc)));

  if (page === 0) {
    if (isAuthor && doc.stage === 'DRAFT') blocks.push(ui.context(t('plan:view.howToWrite')));
    if (isAuthor && doc.stage !== 'DRAFT' && doc.latestVersionNumber) blocks.push(ui.context(t('plan:view.afterSubmit', { number: doc.latestVersionNumber })));
    for (const field of PLAN_FIELDS) {
      const value = doc.content[field];
      blocks.push(ui.paragraph(`**${t(`plan:fields.${field}.label`)}**\n${value?.trim() ? escapeMarkup(clip(value, MAX_TEXT_BLOCK - 100)) : t('plan:view.empty')}`));
    }
    if (isAuthor) blocks.push(ui.actions(ui.openButton(t('plan:buttons.editGoal'), 'plan:editGoal', doc.planId)));
  }

  blocks.push(ui.heading(t('plan:view.activitiesHeading', { count: activities.length })));
  if (!activities.length) blocks.push(ui.paragraph(t('plan:view.noActivities')));
  const [from, to] = pageRange(page, activities.length);
  activities.slice(from, to).forEach((activity, i) => {
    blocks.push(ui.paragraph(activityText(ctx, activity, from + i + 1, doc.stage === 'IN_APPLICATION')));
    if (isAuthor) blocks.push(ui.actions(...activityButtons(ctx, doc, activity, from + i, activities.length)));
  });

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
    const missing = missingParts(doc.content);
    if (doc.stage === 'DRAFT' && missing.length) blocks.push(ui.context(t('plan:view.missingCount', { count: missing.length })));
    const main: Button[] = [
      ui.openButton(t('plan:buttons.addActivity'), 'plan:addActivity', doc.planId),
      options.resumable ? ui.openButton(t('plan:buttons.continue'), 'plan:guided', doc.planId, 'primary') : ui.openButton(t('plan:buttons.guided'), 'plan:guided', doc.planId),
    ];
    if (doc.stage === 'DRAFT') main.push(ui.button(t('plan:buttons.submit'), 'plan:submit', doc.planId, 'primary'));
    if ((doc.stage === 'SUBMITTED' || doc.stage === 'CONSOLIDATED') && options.changedSinceVersion) main.push(ui.button(t('plan:buttons.consolidate'), 'plan:consolidate', doc.planId, 'primary'));
    if (doc.stage === 'SUBMITTED' || doc.stage === 'CONSOLIDATED') main.push(ui.button(t('plan:buttons.startApplication'), 'plan:startApplication', doc.planId));
    if (doc.latestVersionNumber) main.push(ui.openButton(t('plan:buttons.versions'), 'plan:versions', doc.planId));
    blocks.push(ui.actions(...main));
    // The approach's documented good practice beside the plan: its steps, legal aspects and resources are what a plan builds on.
    blocks.push(ui.actions(ui.commandButton(t('practice:buttons.see'), `practice ${doc.clusterCode}`)));
  } else if (!options.versionId && doc.latestVersionNumber) {
    blocks.push(ui.actions(ui.openButton(t('plan:buttons.versions'), 'plan:versions', doc.planId)));
  }
  if (!options.versionId) blocks.push(...exportButtons(ctx, 'plan:export', doc.planId));
  blocks.push(...(options.extraBlocks ?? []));
  return ui.message(title, blocks, { ephemeral: true });
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
  const buttons = [ui.openButton(t('plan:buttons.edit'), 'plan:editActivity', activity.id)];
  if (doc.stage === 'IN_APPLICATION') buttons.push(ui.openButton(t('plan:buttons.progress'), 'plan:progress', activity.id, 'primary'));
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

/** Shortens text for a listing, marking the cut (never between a backslash and the character it escapes). */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd().replace(/(?<!\\)(\\\\)*\\$/, '$1')}…`;
}

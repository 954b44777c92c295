import type { FlowContext } from '../../src/core/flow.js';
import { formatDate } from '../../src/core/format.js';
import { md, trusted } from '../../src/core/markup.js';
import { ui, type Block, type Button, type OutboundMessage } from '../../src/core/messages.js';
import { PRACTICE_SECTIONS, sectionFilled, type PracticeContent, type PracticeSection, type PracticeVersion, type PracticeView } from '../../src/domain/practice/index.js';
import { clip, MAX_TEXT_BLOCK, textBlocks } from '../plan/render.js';

/** How much of the summary the overview shows: the overview must fit a phone screen. */
const SUMMARY_PREVIEW = 400;
/** Documents linked on the overview; the Documents section lists them all. */
const LINKS_ON_OVERVIEW = 3;
/** Versions listed at once (newest first). */
export const VERSIONS_SHOWN = 15;

/** "Version 3 · 01.12.2026 · Ana" for a saved version. */
export function versionLine(ctx: FlowContext, version: Pick<PracticeVersion, 'number' | 'createdAt' | 'authorName'>): string {
  const { t, person } = ctx;
  return t('practice:versionLine', { number: version.number, date: formatDate(version.createdAt, person.timeZone, person.locale), author: version.authorName ?? t('practice:someone') });
}

/** A document link as markup: the label typed by a person stays text, the address was checked when saved. */
function linkLine(label: string, url: string): string {
  return md`- [${clip(label.trim() || url, 150)}](${trusted(url)})`;
}

/** The short overview: what it is, the first documents, and a button per section. */
export function renderOverview(ctx: FlowContext, view: PracticeView, notes: string[] = []): OutboundMessage {
  const { t } = ctx;
  const title = clip(t('practice:title', { approach: view.approach }), 150);
  const blocks: Block[] = [ui.heading(title)];
  for (const note of notes) blocks.push(ui.context(note));
  const { content, latest } = view;
  if (!latest) {
    blocks.push(ui.paragraph(t(view.mayEdit ? 'practice:notYetEditor' : 'practice:notYet')));
  } else {
    blocks.push(ui.context(`${md`${view.clusterCode}`} · ${versionLine(ctx, latest)}`));
    if (content.summary.trim()) blocks.push(ui.paragraph(md`${clip(content.summary.trim(), SUMMARY_PREVIEW)}`));
    blocks.push(ui.context(t('practice:counts', { steps: content.steps.length, links: content.links.length })));
    if (content.links.length) {
      const shown = content.links.slice(0, LINKS_ON_OVERVIEW).map((l) => linkLine(l.label, l.url));
      if (content.links.length > LINKS_ON_OVERVIEW) shown.push(t('practice:moreLinks', { count: content.links.length - LINKS_ON_OVERVIEW }));
      blocks.push(ui.paragraph(shown.join('\n')));
    }
  }
  blocks.push(ui.actions(...sectionButtons(ctx, view)));
  const more: Button[] = [];
  if (latest) more.push(ui.openButton(t('practice:buttons.versions'), 'practice:versions', view.clusterId));
  if (latest) more.push(ui.openButton(t('practice:buttons.exportMd'), 'practice:export', `${view.clusterId}:md`), ui.openButton(t('practice:buttons.exportHtml'), 'practice:export', `${view.clusterId}:html`));
  if (more.length) blocks.push(ui.actions(...more));
  if (view.mayEdit && latest) blocks.push(ui.context(t('practice:editorHint')));
  return ui.message(title, blocks, { ephemeral: true });
}

/** One button per section, filled ones marked, so a member opens what they need. */
function sectionButtons(ctx: FlowContext, view: PracticeView): Button[] {
  return PRACTICE_SECTIONS.map((section) => {
    const label = ctx.t(`practice:sections.${section}`);
    return ui.openButton(sectionFilled(view.content, section) ? `✓ ${label}` : label, 'practice:section', `${view.clusterId}:${section}`);
  });
}

/** A section's text as markup: steps numbered, documents as links, anything typed shown as typed. */
export function sectionMarkup(ctx: FlowContext, content: PracticeContent, section: PracticeSection): string {
  if (!sectionFilled(content, section)) return ctx.t('practice:emptySection');
  if (section === 'steps') return content.steps.map((step, i) => md`${String(i + 1)}. ${step}`).join('\n');
  if (section === 'links') return content.links.map((l) => linkLine(l.label, l.url)).join('\n');
  return md`${content[section].trim()}`;
}

/** One section in full, with Edit for the cluster's resource persons and coordinators. */
export function renderSection(ctx: FlowContext, view: PracticeView, section: PracticeSection, notes: string[] = []): OutboundMessage {
  const { t } = ctx;
  const name = t(`practice:sections.${section}`);
  const title = clip(`${name} · ${t('practice:title', { approach: view.approach })}`, 150);
  const blocks: Block[] = [ui.heading(title), ...notes.map((n) => ui.context(n))];
  if (view.latest) blocks.push(ui.context(versionLine(ctx, view.latest)));
  blocks.push(...textBlocks(sectionMarkup(ctx, view.content, section)));
  const buttons: Button[] = [];
  if (view.mayEdit) buttons.push(ui.openButton(t('practice:buttons.edit'), 'practice:edit', `${view.clusterId}:${section}`, 'primary'));
  buttons.push(ui.openButton(t('practice:buttons.overview'), 'practice:open', view.clusterId));
  blocks.push(ui.actions(...buttons));
  return ui.message(title, blocks, { ephemeral: true });
}

/** The versions, newest first: who saved which section when, and why, each with View. */
export function renderVersions(ctx: FlowContext, view: PracticeView, versions: PracticeVersion[]): OutboundMessage {
  const { t, person } = ctx;
  const title = clip(t('practice:versions.title', { approach: view.approach }), 150);
  const blocks: Block[] = [ui.heading(title)];
  if (!versions.length) blocks.push(ui.paragraph(t('practice:versions.none')));
  for (const v of versions.slice(0, VERSIONS_SHOWN)) {
    const line = t('practice:versions.line', { number: v.number, date: formatDate(v.createdAt, person.timeZone, person.locale), author: v.authorName ?? t('practice:someone'), section: t(`practice:sections.${v.section}`, { defaultValue: v.section }) });
    blocks.push(ui.paragraph(v.note ? `${line}\n${md`_${clip(v.note, 200)}_`}` : line));
    blocks.push(ui.actions(ui.openButton(t('practice:buttons.view'), 'practice:version', `${view.clusterId}:${v.id}`)));
  }
  const count = view.latest?.number ?? versions.length;
  if (count > VERSIONS_SHOWN) blocks.push(ui.context(t('practice:versions.shown', { shown: VERSIONS_SHOWN, count })));
  blocks.push(ui.actions(ui.openButton(t('practice:buttons.overview'), 'practice:open', view.clusterId)));
  return ui.message(title, blocks, { ephemeral: true });
}

/** An older (or the current) version in full: every section, each clipped to fit one message. */
export function renderVersion(ctx: FlowContext, view: PracticeView, version: PracticeVersion): OutboundMessage {
  const { t } = ctx;
  const title = clip(t('practice:versions.versionTitle', { approach: view.approach, number: version.number }), 150);
  const blocks: Block[] = [ui.heading(title), ui.context(versionLine(ctx, version))];
  if (view.latest && view.latest.number !== version.number) blocks.push(ui.context(t('practice:versions.older', { number: view.latest.number })));
  for (const section of PRACTICE_SECTIONS) {
    blocks.push(ui.paragraph(clip(`**${t(`practice:sections.${section}`)}**\n${sectionMarkup(ctx, version.content, section)}`, Math.floor(MAX_TEXT_BLOCK / 2))));
  }
  blocks.push(ui.actions(ui.openButton(t('practice:buttons.versions'), 'practice:versions', view.clusterId), ui.openButton(t('practice:buttons.overview'), 'practice:open', view.clusterId)));
  return ui.message(title, blocks, { ephemeral: true });
}

import type { FlowContext } from '../../src/core/flow.js';
import { BotError, ErrorCode } from '../../src/core/errors.js';
import { formatDate } from '../../src/core/format.js';
import { ui, type Block, type OutboundMessage } from '../../src/core/messages.js';
import { diffPlans, getVersion, isEmptyDiff, listVersions, planOfVersion, readablePlan, type PlanContent } from '../../src/domain/plans/index.js';
import { clip, textBlocks } from './render.js';

/** Bytes of diff text in one message; the rest is summarised as "more changes". */
const DIFF_BYTE_BUDGET = 18_000;

/** Versions of a plan, each with View and "changes from the previous one". */
export async function renderVersions(ctx: FlowContext, planId: string): Promise<OutboundMessage> {
  const { t, person } = ctx;
  const doc = await readablePlan(ctx.services.db, person.id, planId);
  const versions = await listVersions(ctx.services.db, planId);
  const title = t('plan:versions.title', { author: doc.authorName });
  const blocks: Block[] = [ui.heading(clip(title, 150))];
  if (!versions.length) blocks.push(ui.paragraph(t('plan:versions.none')));
  // The newest versions matter most; a plan rarely has more than four, but stay within limits anyway.
  const shown = versions.slice(-20);
  for (const v of shown) {
    const line = t('plan:versions.line', { number: v.number, stage: t(`plan:stages.${v.stage}`), date: formatDate(v.createdAt, person.timeZone, person.locale) }) + (v.answersRoundId ? ` · ${t('plan:versions.answersRound')}` : '');
    blocks.push(ui.paragraph(line));
    const buttons = [ui.openButton(t('plan:buttons.view'), 'plan:version', `${v.id}:0`)];
    const previous = versions[versions.indexOf(v) - 1];
    if (previous) buttons.push(ui.openButton(t('plan:buttons.diff', { number: previous.number }), 'plan:diff', `${previous.id}:${v.id}`));
    blocks.push(ui.actions(...buttons));
  }
  const latest = versions[versions.length - 1];
  if (latest && doc.access !== 'peer') blocks.push(ui.actions(ui.openButton(t('plan:buttons.diffDraft', { number: latest.number }), 'plan:diff', `${latest.id}:draft`, 'primary')));
  return ui.message(title, blocks, { ephemeral: true });
}

/**
 * What changed from one version to another (or to the living draft, for the author and staff).
 * Both sides must belong to the same plan, and the viewer must be allowed to read both.
 */
export async function renderDiff(ctx: FlowContext, fromId: string, toId: string): Promise<OutboundMessage> {
  const { t } = ctx;
  const db = ctx.services.db;
  // Who may read the plan is settled before any version's content is loaded.
  const doc = await readablePlan(db, ctx.person.id, await planOfVersion(db, fromId));
  const from = await getVersion(db, fromId);
  let to: PlanContent;
  let toLabel: string;
  if (toId === 'draft') {
    if (doc.access === 'peer') throw new BotError(ErrorCode.NotAllowed, 'plan:errors.notSubmittedYet');
    to = doc.content;
    toLabel = t('plan:diff.draft');
  } else {
    const version = await getVersion(db, toId);
    if (version.planId !== from.planId) throw new BotError(ErrorCode.NotFound, 'errors.notFound', { what: { key: 'things.planVersion' } });
    to = version.content;
    toLabel = t('plan:diff.version', { number: version.number });
  }
  const title = t('plan:diff.title', { from: t('plan:diff.version', { number: from.number }), to: toLabel });
  const diff = diffPlans(from.content, to);
  const lines: string[] = [];
  const show = (v: string | null) => (v?.trim() ? clip(v, 300) : t('plan:diff.emptyValue'));
  for (const f of diff.fields) lines.push(t('plan:diff.field', { field: t(`plan:fields.${f.field}.label`), before: show(f.before), after: show(f.after) }));
  for (const a of diff.added) lines.push(`**${t('plan:diff.added', { n: to.activities.findIndex((x) => x.id === a.id) + 1, activity: clip(a.activity, 200) })}**`);
  for (const a of diff.removed) lines.push(`**${t('plan:diff.removed', { activity: clip(a.activity, 200) })}**`);
  for (const c of diff.changed) {
    lines.push(`**${t('plan:diff.changed', { n: to.activities.findIndex((x) => x.id === c.after.id) + 1, activity: clip(c.after.activity, 100) })}**`);
    for (const f of c.fields) lines.push(t('plan:diff.changedField', { field: t(`plan:fields.${f.field}.label`), before: show(f.before), after: show(f.after) }));
  }
  for (const m of diff.moved) lines.push(t('plan:diff.moved', { activity: clip(m.activity.activity, 100), from: m.from, to: m.to }));
  const blocks: Block[] = [ui.heading(clip(title, 150))];
  if (isEmptyDiff(diff)) blocks.push(ui.paragraph(t('plan:diff.nothing')));
  // One message must fit Teams' ~28 KB card and Slack's 50 blocks: stop at a byte budget and say so.
  const kept: string[] = [];
  let bytes = 0;
  for (const line of lines) {
    bytes += Buffer.byteLength(line, 'utf8') + 1;
    if (bytes > DIFF_BYTE_BUDGET) break;
    kept.push(line);
  }
  blocks.push(...textBlocks(kept.join('\n')));
  if (kept.length < lines.length) blocks.push(ui.context(t('plan:diff.truncated')));
  return ui.message(title, blocks, { ephemeral: true });
}

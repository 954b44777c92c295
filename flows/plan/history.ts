import type { FlowContext } from '../../src/core/flow.js';
import { foldWord } from '../../src/core/fold.js';
import { formatDate } from '../../src/core/format.js';
import { ui, type Block, type OutboundMessage } from '../../src/core/messages.js';
import { planHistory } from '../../src/domain/clusters/way-forward.js';

/** Buttons a history shows at most (one per plan); the list itself names every plan. */
const MAX_BUTTONS = 10;

/** True when `/lc plan <args>` asks for the history: "history" or the word of the person's language. */
export function asksForHistory(ctx: FlowContext, args: string): boolean {
  const word = foldWord(args.trim().split(/\s+/)[0] ?? '');
  return word !== '' && (word === 'history' || word === foldWord(ctx.t('after:history.word')));
}

/**
 * `/lc plan history`: every action plan the person wrote, newest cluster first, each cluster with the one it
 * follows on from, so a member who joined a follow-on cluster reads the plans of the original from there.
 */
export async function renderPlanHistory(ctx: FlowContext): Promise<OutboundMessage> {
  const { t, person } = ctx;
  const plans = await planHistory(ctx.services.db, person.id);
  const title = t('after:history.title');
  if (!plans.length) return ui.message(title, [ui.heading(title), ui.paragraph(t('after:history.none'))], { ephemeral: true });
  const lines = plans.map((p) => {
    const line = t('after:history.line', { code: p.cluster.code, name: p.cluster.name, stage: t(`plan:stages.${p.stage}`), date: formatDate(p.updatedAt, person.timeZone, person.locale) });
    return `- ${line}${p.cluster.follows ? ` ${t('after:history.follows', { code: p.cluster.follows.code })}` : ''}`;
  });
  const buttons = plans.slice(0, MAX_BUTTONS).map((p) => ui.openButton(t('after:history.open', { code: p.cluster.code }), 'plan:open', p.id));
  return ui.message(title, [ui.heading(title), ui.paragraph(lines.join('\n')), ui.actions(...buttons)], { ephemeral: true });
}

/**
 * In a follow-on cluster, the author's own plan of the cluster it follows on from, one press away from the
 * new plan's overview (nothing when the cluster follows none, or they wrote no plan there).
 */
export async function previousPlanBlocks(ctx: FlowContext, clusterId: string): Promise<Block[]> {
  const cluster = await ctx.services.db.cluster.findUnique({ where: { id: clusterId }, select: { follows: { select: { code: true, plans: { where: { authorId: ctx.person.id }, select: { id: true } } } } } });
  const previous = cluster?.follows?.plans[0];
  return previous ? [ui.actions(ui.openButton(ctx.t('after:ask.openPlan', { code: cluster.follows!.code }), 'plan:open', previous.id))] : [];
}

import { escapeMarkup } from '../../src/core/markup.js';
import type { FlowContext } from '../../src/core/flow.js';
import { ui, type Block, type OutboundMessage } from '../../src/core/messages.js';
import { readableClusterPlans } from '../../src/domain/plans/index.js';
import type { PlanStage } from '../../src/generated/prisma/enums.js';
import { clip, exportButtons, textBlocks } from './render.js';

/**
 * `/lc plans`: status at a glance. Coordinators and resource persons see every member and how far
 * their plan is; members see the submitted plans of their peers. Any readable plan opens from a menu.
 */
export async function renderClusterList(ctx: FlowContext, clusterId: string): Promise<OutboundMessage> {
  const { t } = ctx;
  const db = ctx.services.db;
  const cluster = await db.cluster.findUniqueOrThrow({ where: { id: clusterId } });
  const staff = await db.membership.count({ where: { personId: ctx.person.id, clusterId, status: 'ACTIVE', role: { in: ['COORDINATOR', 'RESOURCE_PERSON'] } } });
  const docs = await readableClusterPlans(db, ctx.person.id, clusterId);
  const title = t('plan:list.title', { cluster: cluster.code, name: cluster.name });
  const blocks: Block[] = [ui.heading(clip(title, 150))];

  if (staff) {
    const members = await db.membership.findMany({
      where: { clusterId, role: 'MEMBER', status: 'ACTIVE' },
      include: { person: { select: { id: true, displayName: true } }, organisation: { select: { name: true } } },
      orderBy: { person: { displayName: 'asc' } },
    });
    const byAuthor = new Map(docs.map((d) => [d.authorId, d]));
    const counts: Record<PlanStage | 'NONE', number> = { NONE: 0, DRAFT: 0, SUBMITTED: 0, CONSOLIDATED: 0, IN_APPLICATION: 0 };
    const lines = members.map((m) => {
      const doc = byAuthor.get(m.personId);
      const stage = doc?.stage ?? 'NONE';
      counts[stage]++;
      return t('plan:list.line', {
        name: m.person.displayName,
        org: m.organisation ? ` (${m.organisation.name})` : '',
        stage: t(`plan:stages.${stage}`),
        details: doc ? t('plan:list.activities', { count: doc.content.activities.length }) : '',
      });
    });
    blocks.push(ui.paragraph(t('plan:list.counts', counts)));
    blocks.push(...textBlocks(lines.join('\n')).slice(0, 20));
  } else {
    blocks.push(ui.paragraph(t(docs.length ? 'plan:list.peerIntro' : 'plan:list.noneReadable')));
    const lines = docs.map((d) => t('plan:list.line', { name: d.authorName, org: d.organisation ? ` (${d.organisation})` : '', stage: t(`plan:stages.${d.stage}`), details: '' }));
    if (lines.length) blocks.push(...textBlocks(lines.join('\n')).slice(0, 20));
  }

  if (docs.length) {
    // A select holds up to 100 options on Slack; a cluster has at most a few dozen plans.
    blocks.push(
      ui.actions({
        type: 'select',
        actionId: 'plan:open',
        placeholder: t('plan:list.open'),
        options: docs.slice(0, 100).map((d) => ({ label: `${escapeMarkup(clip(d.authorName, 50))} · ${t(`plan:stages.${d.stage}`)}`, value: d.planId })),
      }),
    );
    blocks.push(...exportButtons(ctx, 'plan:exportCluster', clusterId));
  }
  return ui.message(title, blocks, { ephemeral: true });
}

import { documentTranslator } from '../../src/core/i18n.js';
import type { FlowContext } from '../../src/core/flow.js';
import { createDownload } from '../../src/core/downloads.js';
import { BotError, ErrorCode } from '../../src/core/errors.js';
import { ui, type OutboundMessage } from '../../src/core/messages.js';
import { plansToCsv, plansToHtml, plansToMarkdown, readableClusterPlans, readablePlan, type PlanDocument } from '../../src/domain/plans/index.js';

export type ExportFormat = 'md' | 'csv' | 'html';

const TYPES: Record<ExportFormat, string> = {
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

/** Parses "<id>:<format>" from an export button. */
export function parseExportValue(value: string): { key: string; format: ExportFormat } {
  const [key, format] = value.split(':');
  if (!key || !(format in TYPES)) throw new BotError(ErrorCode.InvalidInput, 'errors.invalidInput', { problem: 'Unknown export format.' });
  return { key, format: format as ExportFormat };
}

/** One plan as the viewer may read it, delivered as an expiring link. */
export async function exportPlan(ctx: FlowContext, planId: string, format: ExportFormat): Promise<OutboundMessage> {
  const doc = await readablePlan(ctx.services.db, ctx.person.id, planId);
  return deliver(ctx, [doc], `action-plan-${doc.clusterCode}-${slug(doc.authorName)}`, format);
}

/** All plans of a cluster the viewer may read (staff: all; members: the submitted ones and their own). */
export async function exportCluster(ctx: FlowContext, clusterId: string, format: ExportFormat): Promise<OutboundMessage> {
  const db = ctx.services.db;
  const membership = await db.membership.findFirst({ where: { personId: ctx.person.id, clusterId, status: 'ACTIVE', role: { in: ['MEMBER', 'COORDINATOR', 'RESOURCE_PERSON'] } }, include: { cluster: true } });
  if (!membership) throw new BotError(ErrorCode.NotAllowed, 'plan:errors.notYourCluster');
  const docs = await readableClusterPlans(db, ctx.person.id, clusterId);
  return deliver(ctx, docs, `action-plans-${membership.cluster.code}`, format, membership.cluster.code);
}

async function deliver(ctx: FlowContext, docs: PlanDocument[], base: string, format: ExportFormat, clusterCode?: string): Promise<OutboundMessage> {
  const { t } = ctx;
  const docT = documentTranslator(ctx.person.locale);
  const body = format === 'md' ? plansToMarkdown(docs, docT) : format === 'csv' ? plansToCsv(docs, docT) : plansToHtml(docs, docT, clusterCode);
  const filename = `${base}.${format}`;
  const { url } = await createDownload(ctx.services.db, ctx.services.config.PUBLIC_URL!, { filename, contentType: TYPES[format], body, createdById: ctx.person.id }, ctx.services.clock.now());
  const text = t('plan:export.ready', { filename, url });
  return ui.message(text, [ui.paragraph(text)], { ephemeral: true });
}

function slug(name: string): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^\w]+/g, '-').replace(/^-|-$/g, '').toLowerCase() || 'plan';
}

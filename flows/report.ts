import { z } from 'zod';
import { documentTranslator } from '../src/core/i18n.js';
import { languageFromInput } from '../src/core/languages.js';
import { createDownload } from '../src/core/downloads.js';
import { BotError, ErrorCode } from '../src/core/errors.js';
import { defineFlow } from '../src/core/flow.js';
import { ui } from '../src/core/messages.js';
import { requireRole } from '../src/domain/memberships.js';
import { buildClusterReport } from '../src/domain/report/cluster-report.js';

/**
 * `/lc report [cluster] [language]`: the cluster's summary report for its coordinators, as Markdown (to edit
 * and share) and as a printable HTML page, both behind expiring download links. It is written in the
 * coordinator's language unless they name another (`/lc report LC1 sq`, `/lc report LC2 српски`), since a
 * report is often shared with people who read another language.
 */
export const reportFlow = defineFlow<Record<string, never>>({
  name: 'report',
  version: 1,
  schema: z.object({}).strict() as z.ZodType<Record<string, never>>,
  commands: [{ verb: 'report', summaryKey: 'surveys:summary.report', usageKey: 'surveys:usage.report', audience: ['COORDINATOR'], common: false }],
  async start(ctx, { args }) {
    const { t, services, person } = ctx;
    const clusters = await services.db.cluster.findMany({
      where: { archivedAt: null, memberships: { some: { personId: person.id, role: 'COORDINATOR', status: 'ACTIVE' } } },
      orderBy: { code: 'asc' },
    });
    const { code, language } = readArgs(args);
    const cluster = code ? clusters.find((c) => c.code.toLowerCase() === code.toLowerCase()) : clusters.length === 1 ? clusters[0] : undefined;
    if (code && !cluster) throw new BotError(ErrorCode.NotFound, 'surveys:errors.unknownCluster', { code });
    if (!cluster) {
      const text = t('surveys:report.chooseCluster', { example: clusters[0]?.code ?? 'LC1' });
      return { replies: [ui.message(text, [ui.paragraph(text), ui.actions(...clusters.slice(0, 5).map((c) => ui.commandButton(c.code, `report ${c.code}`)))], { ephemeral: true })] };
    }
    await requireRole(services.db, person.id, cluster.id, ['COORDINATOR']);
    const now = services.clock.now();
    const locale = language ?? person.locale;
    const report = await buildClusterReport(services.db, cluster.id, { locale, timeZone: person.timeZone, now, publicUrl: services.config.PUBLIC_URL, createdById: person.id, t: documentTranslator(locale) });
    const base = `${cluster.code}-summary-report`;
    const md = await createDownload(services.db, services.config.PUBLIC_URL, { filename: `${base}.md`, contentType: 'text/markdown; charset=utf-8', body: report.markdown, createdById: person.id }, now);
    const html = await createDownload(services.db, services.config.PUBLIC_URL, { filename: `${base}.html`, contentType: 'text/html; charset=utf-8', body: report.html, createdById: person.id }, now);
    const text = t('surveys:report.ready', { cluster: cluster.code, md: md.url, html: html.url });
    return { replies: [ui.message(text, [ui.paragraph(text)], { ephemeral: true })] };
  },
});

/** "LC1 sq", "sq LC1", "LC1", "Shqip": the cluster code and the document's language, either one optional. */
function readArgs(args: string): { code: string; language?: string } {
  const words = args.trim().split(/\s+/).filter(Boolean);
  // A language name may be two words ("srpski ćirilica"); try the longest tail or head first.
  for (let length = Math.min(2, words.length); length >= 1; length--) {
    const tail = languageFromInput(words.slice(-length).join(' '));
    if (tail && words.length - length <= 1) return { code: words.slice(0, -length).join(' '), language: tail };
    const head = languageFromInput(words.slice(0, length).join(' '));
    if (head && words.length - length <= 1) return { code: words.slice(length).join(' '), language: head };
  }
  return { code: words.join(' ') };
}


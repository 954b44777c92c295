import { escapeMarkup } from '../../src/core/markup.js';
import { z } from 'zod';
import { defineFlow, type FlowContext, type FlowResult } from '../../src/core/flow.js';
import { ui, type Block } from '../../src/core/messages.js';
import { loadCluster } from '../../src/domain/clusters/timeline-edits.js';
import { collectStatus } from '../../src/domain/status.js';
import { missingRoles, timelineGlance } from '../../src/domain/timeline.js';
import { formatList } from '../../src/core/format.js';
import { withCluster } from './common.js';
import { registerClusterStatusSections } from '../../src/domain/clusters/status-sections.js';
import { registerQuestionStatusSection } from '../../src/domain/questions/status-section.js';

registerClusterStatusSections();
registerQuestionStatusSection();

/**
 * `/lc status [cluster]`: the cluster at a glance for coordinators (and observers, who watch how it is
 * run): phase, next dates, then every registered status section (src/domain/status.ts).
 */
export const statusFlow = defineFlow({
  name: 'status',
  version: 1,
  schema: z.object({}),
  commands: [{ verb: 'status', summaryKey: 'clusters:summary.status', usageKey: 'clusters:usage.status', audience: ['COORDINATOR', 'OBSERVER'], common: true }],
  async start(ctx, { args }) {
    return withCluster<Record<string, never>>(ctx, 'status', args, ['COORDINATOR', 'OBSERVER'], async (cluster) => ({ replies: [await renderStatus(ctx, cluster.id)], next: null }));
  },
  accepts: { actions: { 'status:cluster': '{cluster}' }, forms: [] },
  async handle(ctx, event): Promise<FlowResult<Record<string, never>>> {
    if (event.type === 'action' && event.actionId === 'status:cluster') return this.start(ctx, { verb: 'status', args: event.value });
    return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
  },
});

async function renderStatus(ctx: FlowContext, clusterId: string) {
  const { t, person } = ctx;
  const now = ctx.services.clock.now();
  const cluster = await loadCluster(ctx.services.db, clusterId);
  const { phase, next } = timelineGlance(t, cluster, { timeZone: person.timeZone, locale: person.locale }, now, 2);
  const blocks: Block[] = [
    ui.heading(t('clusters:status.title', { code: cluster.code, name: cluster.name })),
    ui.paragraph(`${phase}\n${next.length ? next.join('\n') : t('clusters:status.noDates')}`),
  ];
  // Roles no item plays: the nudges and automatic steps that follow them do not happen (say so, briefly).
  const missing = missingRoles(cluster.timeline);
  if (missing.length) blocks.push(ui.context(t('clusters:status.missingRoles', { roles: formatList(missing.map((r) => t(`timeline.role.${r}`)), person.locale) })));
  // Each section is one short paragraph ("Action plans: Drafted: 2 · Submitted: 6"), not a field per line,
  // so the whole status fits one phone screen.
  for (const { section, fields, failed } of await collectStatus(ctx.services.db, clusterId, now)) {
    const values = failed
      ? `_${t('clusters:status.sectionFailed')}_`
      : fields
          .map((f) => {
            const label = escapeMarkup(t(f.labelKey, { ...(f.vars ?? {}), ...localisedVars(f.localisedVars, person.locale) }));
            const value = f.valueKey ? t(f.valueKey, { ...(f.valueVars ?? {}), defaultValue: escapeMarkup(String(f.value)) }) : escapeMarkup(String(f.value));
            return `${label}: **${value}**`;
          })
          .join(' · ');
    blocks.push(ui.paragraph(`**${t(section.titleKey)}**\n${values}`));
  }
  blocks.push(ui.actions(ui.commandButton(t('clusters:status.members'), `members ${cluster.code}`), ui.commandButton(t('clusters:status.timeline'), `timeline ${cluster.code}`)));
  return ui.message(t('clusters:status.title', { code: cluster.code, name: cluster.name }), blocks, { ephemeral: true });
}

/** Picks each several-language label value in the reader's language (English when there is none). */
function localisedVars(vars: Record<string, Record<string, string>> | undefined, locale: string): Record<string, string> {
  return Object.fromEntries(Object.entries(vars ?? {}).map(([k, v]) => [k, v[locale] ?? v[locale.split('-')[0]] ?? v.en ?? '']));
}

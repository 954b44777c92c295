import { escapeMarkup, md } from '../../src/core/markup.js';
import { z } from 'zod';
import { defineFlow } from '../../src/core/flow.js';
import { formatDate } from '../../src/core/format.js';
import { ui, type Block } from '../../src/core/messages.js';
import { searchAnswered } from '../../src/domain/questions/search.js';
import { askResourcePersonButton } from './ask-button.js';

/**
 * `/lc faq <words>`: searches the answered questions whose askers agreed to share them, in the
 * person's clusters and their programmes. Shows no asker names.
 */
export const faqFlow = defineFlow({
  name: 'faq',
  version: 1,
  schema: z.object({}),
  commands: [{ verb: 'faq', summaryKey: 'questions:summary.faq', usageKey: 'questions:usage.faq', audience: 'anyone' }],
  async start(ctx, { args }) {
    const { t, person } = ctx;
    const words = args.trim().slice(0, 500);
    if (!words) return { replies: [ui.text(t('questions:faq.usage'), { ephemeral: true })] };
    const memberships = await ctx.services.db.membership.findMany({
      where: { personId: person.id, status: 'ACTIVE', cluster: { archivedAt: null } },
      select: { role: true, cluster: { select: { id: true, programmeId: true } } },
    });
    if (memberships.length === 0) return { replies: [ui.text(t('questions:faq.noCluster'), { ephemeral: true })] };
    const found = await searchAnswered(ctx.services.db, {
      words,
      clusterIds: memberships.map((m) => m.cluster.id),
      programmeIds: [...new Set(memberships.map((m) => m.cluster.programmeId))],
      limit: 5,
    });
    const isMember = memberships.some((m) => m.role === 'MEMBER');
    if (found.length === 0) {
      const text = t('questions:faq.none', { words });
      return { replies: [ui.message(text, [ui.paragraph(text), ...(isMember ? [ui.actions(askResourcePersonButton(t, 'primary'))] : [])], { ephemeral: true })] };
    }
    const blocks: Block[] = [ui.heading(t('questions:faq.title', { words }))];
    for (const item of found) {
      blocks.push(ui.divider(), ui.paragraph(md`**${item.question}**`), ui.paragraph(escapeMarkup(item.answer)), ui.context(md`${item.clusterCode} · ${formatDate(item.answeredAt, person.timeZone, person.locale)}`));
    }
    if (isMember) blocks.push(ui.actions(askResourcePersonButton(t)));
    return { replies: [ui.message(t('questions:faq.title', { words }), blocks, { ephemeral: true })] };
  },
});

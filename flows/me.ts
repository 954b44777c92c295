import { md } from '../src/core/markup.js';
import { z } from 'zod';
import { defineFlow, type FlowContext } from '../src/core/flow.js';
import { formatDate, formatDateTime } from '../src/core/format.js';
import { ui, type Block } from '../src/core/messages.js';
import { activeMemberships } from '../src/domain/memberships.js';
import { EXCHANGE_EVENTS, phaseAt, upcoming } from '../src/domain/timeline.js';

/** `/lc me`: who I am, my clusters and roles, and the next dates, in my own time zone. */
export const meFlow = defineFlow({
  name: 'me',
  version: 1,
  schema: z.object({}),
  commands: [{ verb: 'me', summaryKey: 'help:summary.me', audience: 'anyone', common: false }],
  async start(ctx) {
    return { replies: [await renderMe(ctx)] };
  },
});

async function renderMe(ctx: FlowContext) {
  const { t, person } = ctx;
  const now = ctx.services.clock.now();
  // No active role anywhere means no active membership: spare the query (six, with its relations).
  const memberships = person.roles.size ? await activeMemberships(ctx.services.db, person.id) : [];
  const blocks: Block[] = [
    ui.heading(t('me:title', { name: person.displayName })),
    ui.fields([
      { label: t('me:language'), value: person.locale },
      { label: t('me:timeZone'), value: person.timeZone },
    ]),
  ];
  if (memberships.length === 0) blocks.push(ui.paragraph(t('me:noClusters')));

  for (const m of memberships) {
    const { cluster } = m;
    const phase = phaseAt(cluster.timeline, now);
    const lines = upcoming(cluster.timeline, now, 3).map((item) => {
      const when = EXCHANGE_EVENTS.includes(item.kind) ? formatDateTime(item.startsAt, person.timeZone, person.locale) : formatDate(item.startsAt, person.timeZone, person.locale);
      const where = item.location ? md` (${item.location})` : '';
      return `- ${t(`timeline.${item.kind}`)}: ${when}${where}`;
    });
    blocks.push(ui.divider());
    blocks.push(
      ui.paragraph(
        [
          md`**${cluster.code}: ${cluster.name}**`,
          t('me:roleLine', { role: t(`roles.${m.role}`), approach: cluster.approach }),
          m.organisation ? t('me:organisation', { organisation: m.organisation.name }) : '',
          t('me:phase', { phase: t(`timeline.${phase}`) }),
          lines.length ? `${t('me:nextDates')}\n${lines.join('\n')}` : t('me:noUpcoming'),
        ]
          .filter(Boolean)
          .join('\n'),
      ),
    );
  }
  blocks.push(ui.actions(ui.commandButton(t('help.button'), 'help')));
  return ui.message(t('me:title', { name: person.displayName }), blocks, { ephemeral: true });
}

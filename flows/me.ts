import { md } from '../src/core/markup.js';
import { z } from 'zod';
import { defineFlow, type FlowContext } from '../src/core/flow.js';
import { ui, type Block } from '../src/core/messages.js';
import { activeClusters } from '../src/domain/memberships.js';
import { formatList } from '../src/core/format.js';
import { timelineGlance } from '../src/domain/timeline.js';
import { languageName } from '../src/core/languages.js';
import { languagePicker } from './language.js';

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
  const memberships = person.roles.size ? await activeClusters(ctx.services.db, person.id) : [];
  const blocks: Block[] = [
    ui.heading(t('me:title', { name: person.displayName })),
    ui.fields([
      { label: t('me:language'), value: languageName(person.locale) },
      { label: t('me:timeZone'), value: person.timeZone },
    ]),
  ];
  blocks.push(languagePicker(ctx, 'language:pick', person.locale));
  if (memberships.length === 0) blocks.push(ui.paragraph(t('me:noClusters')));

  for (const m of memberships) {
    const roles = formatList(m.roles.map((r) => t(`roles.${r}`)), person.locale);
    const { cluster } = m;
    const { phase, next: lines } = timelineGlance(t, cluster, { timeZone: person.timeZone, locale: person.locale }, now, 3);
    blocks.push(ui.divider());
    blocks.push(
      ui.paragraph(
        [
          md`**${cluster.code}: ${cluster.name}**`,
          t('me:roleLine', { roles, count: m.roles.length, approach: cluster.approach }),
          m.organisation ? t('me:organisation', { organisation: m.organisation.name }) : '',
          phase,
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

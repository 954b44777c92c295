import { z } from 'zod';
import { defineFlow, type CommandSpec, type FlowContext } from '../src/core/flow.js';
import { ui, type Block } from '../src/core/messages.js';
import type { Role } from '../src/generated/prisma/enums.js';

const ROLE_ORDER: Role[] = ['COORDINATOR', 'RESOURCE_PERSON', 'MEMBER', 'OBSERVER'];

/** `/lc help`: what the caller may do, grouped by the roles they hold, with buttons for the common actions. */
export const helpFlow = defineFlow({
  name: 'help',
  version: 1,
  schema: z.object({}),
  commands: [{ verb: 'help', summaryKey: 'help:summary.help', audience: 'anyone', common: false }],
  async start(ctx) {
    return { replies: [renderHelp(ctx)] };
  },
});

function renderHelp(ctx: FlowContext) {
  const { t } = ctx;
  const { roles } = ctx.person;
  const blocks: Block[] = [ui.heading(t('help:title')), ui.paragraph(t('help:intro', { name: ctx.person.displayName }))];

  blocks.push(ui.paragraph(section(ctx, 'anyone')));
  for (const role of ROLE_ORDER.filter((r) => roles.has(r))) {
    const own = section(ctx, role);
    if (own) blocks.push(ui.paragraph(own));
  }
  if (roles.size === 0) blocks.push(ui.context(t('help:noClusterYet')));

  const common = ctx.commands.filter((c) => c.common && (c.audience === 'anyone' || c.audience.some((r) => roles.has(r))));
  const buttons = [ui.commandButton(t('help:buttons.me'), 'me', 'primary'), ...common.slice(0, 4).map((c) => ui.commandButton(t(`help:buttons.${c.verb}`, { defaultValue: `/lc ${c.verb}` }), c.verb))];
  blocks.push(ui.actions(...buttons));
  blocks.push(ui.context(t('help:footer')));
  return ui.message(t('help:title'), blocks, { ephemeral: true });
}

/**
 * Translated sections by command list, then by language and audience. They are static text (the
 * commands and the catalogue are fixed for the life of a process, and the same on every instance),
 * so translating them once per process changes nothing anyone sees; it saves some thirty
 * translations per `/lc help`.
 */
const sections = new WeakMap<CommandSpec[], Map<string, string>>();

/** The list of commands for everyone, or for one role (empty when the role has none of its own). */
function section(ctx: FlowContext, audience: 'anyone' | Role): string {
  let byKey = sections.get(ctx.commands);
  if (!byKey) sections.set(ctx.commands, (byKey = new Map()));
  const key = `${ctx.person.locale}:${audience}`;
  const known = byKey.get(key);
  if (known !== undefined) return known;
  const { t } = ctx;
  const commands = ctx.commands.filter((c) => (audience === 'anyone' ? c.audience === 'anyone' : c.audience !== 'anyone' && c.audience.includes(audience)));
  const heading = audience === 'anyone' ? t('help:forEveryone') : t('help:forRole', { role: t(`roles.${audience}`) });
  const text = commands.length ? `**${heading}**\n${commandLines(commands, ctx)}` : '';
  byKey.set(key, text);
  return text;
}

function commandLines(commands: CommandSpec[], ctx: FlowContext): string {
  return commands.map((c) => `- \`${c.usageKey ? ctx.t(c.usageKey) : `/lc ${c.verb}`}\`: ${ctx.t(c.summaryKey)}`).join('\n');
}

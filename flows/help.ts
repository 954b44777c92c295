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

  const everyone = ctx.commands.filter((c) => c.audience === 'anyone');
  blocks.push(ui.paragraph(`**${t('help:forEveryone')}**\n${commandLines(everyone, ctx)}`));
  for (const role of ROLE_ORDER.filter((r) => roles.has(r))) {
    const own = ctx.commands.filter((c) => c.audience !== 'anyone' && c.audience.includes(role));
    if (own.length) blocks.push(ui.paragraph(`**${t('help:forRole', { role: t(`roles.${role}`) })}**\n${commandLines(own, ctx)}`));
  }
  if (roles.size === 0) blocks.push(ui.context(t('help:noClusterYet')));

  const common = ctx.commands.filter((c) => c.common && (c.audience === 'anyone' || c.audience.some((r) => roles.has(r))));
  const buttons = [ui.commandButton(t('help:buttons.me'), 'me', 'primary'), ...common.slice(0, 4).map((c) => ui.commandButton(t(`help:buttons.${c.verb}`, { defaultValue: `/lc ${c.verb}` }), c.verb))];
  blocks.push(ui.actions(...buttons));
  blocks.push(ui.context(t('help:footer')));
  return ui.message(t('help:title'), blocks, { ephemeral: true });
}

function commandLines(commands: CommandSpec[], ctx: FlowContext): string {
  return commands.map((c) => `- \`${c.usageKey ? ctx.t(c.usageKey) : `/lc ${c.verb}`}\`: ${ctx.t(c.summaryKey)}`).join('\n');
}

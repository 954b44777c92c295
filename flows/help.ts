import { z } from 'zod';
import { shownWord } from '../src/core/command-words.js';
import { defineFlow, type CommandSpec, type FlowContext } from '../src/core/flow.js';
import { ui, type Block } from '../src/core/messages.js';
import type { Role } from '../src/generated/prisma/enums.js';

const ROLE_ORDER: Role[] = ['COORDINATOR', 'RESOURCE_PERSON', 'MEMBER', 'OBSERVER'];

/**
 * The actions that matter most per role, most important first: short help offers the first five
 * the person may use (their roles taken in turn), so it fits one phone screen.
 */
const TOP_ACTIONS: Record<Role | 'none', string[]> = {
  COORDINATOR: ['status', 'members', 'home', 'timeline', 'feedback-round', 'nudges'],
  RESOURCE_PERSON: ['questions', 'home', 'plans', 'feedback', 'faq'],
  MEMBER: ['home', 'plan', 'feedback', 'ask', 'survey'],
  OBSERVER: ['status', 'plans', 'results', 'home', 'faq'],
  none: ['join', 'me', 'link', 'home', 'faq'],
};
const SHORT_HELP_ACTIONS = 5;

/** `/lc help`: the five actions that matter most for the caller's roles, as buttons; `/lc help all`: every command, by role. */
export const helpFlow = defineFlow({
  name: 'help',
  version: 2,
  schema: z.object({}),
  commands: [{ verb: 'help', summaryKey: 'help:summary.help', usageKey: 'help:usage', audience: 'anyone', common: false }],
  async start(ctx, command) {
    return { replies: [/^all\b/i.test(command.args.trim()) ? renderHelp(ctx) : shortHelp(ctx)] };
  },
});

/** The few buttons most people need, and a way to everything else. */
function shortHelp(ctx: FlowContext) {
  const { t } = ctx;
  const { roles } = ctx.person;
  const lists = roles.size ? ROLE_ORDER.filter((r) => roles.has(r)).map((r) => TOP_ACTIONS[r]) : [TOP_ACTIONS.none];
  const usable = new Set(ctx.commands.filter((c) => c.audience === 'anyone' || c.audience.some((r) => roles.has(r))).map((c) => c.verb));
  // The roles take turns, so a coordinator who is also a member gets the top actions of both.
  const picked: string[] = [];
  for (let rank = 0; picked.length < SHORT_HELP_ACTIONS && lists.some((l) => rank < l.length); rank++) {
    for (const list of lists) {
      const verb = list[rank];
      if (verb && usable.has(verb) && !picked.includes(verb) && picked.length < SHORT_HELP_ACTIONS) picked.push(verb);
    }
  }
  const buttons = picked.map((verb, i) => ui.commandButton(t(`help:buttons.${verb}`, { defaultValue: `/lc ${verb}` }), verb, i === 0 ? 'primary' : undefined));
  const blocks: Block[] = [ui.heading(t('help:title')), ui.paragraph(t('help:shortIntro', { name: ctx.person.displayName }))];
  if (roles.size === 0) blocks.push(ui.context(t('help:noClusterYet')));
  blocks.push(ui.actions(...buttons, ui.commandButton(t('help:buttons.all'), 'help all')));
  blocks.push(ui.context(t('help:shortFooter')));
  return ui.message(t('help:title'), blocks, { ephemeral: true });
}

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

/** One line a command: its word in the person's language first where it has one, then the English usage (which works everywhere). */
function commandLines(commands: CommandSpec[], ctx: FlowContext): string {
  return commands
    .map((c) => {
      const usage = `\`${c.usageKey ? ctx.t(c.usageKey) : `/lc ${c.verb}`}\``;
      const own = shownWord(c.verb, ctx.person.locale);
      return `- ${own === c.verb ? usage : `\`/lc ${own}\` (${usage})`}: ${ctx.t(c.summaryKey)}`;
    })
    .join('\n');
}

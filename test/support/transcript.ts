import type { Bot } from '../../src/core/bot.js';
import { parseCommand } from '../../src/core/commands.js';
import { stripMarkup, type Block, type Button, type Form, type OutboundMessage, type Select } from '../../src/core/messages.js';
import type { Platform } from '../../src/generated/prisma/enums.js';

/**
 * Talks to the bot as one person, with no platform at all, so flows can be tested like a
 * transcript: send, then assert on the replies.
 */
export function talkAs(bot: Bot, externalId: string, options: { platform?: Platform; displayName?: string } = {}) {
  const identity = {
    platform: options.platform ?? ('WEB' as Platform),
    externalId,
    loadProfile: async () => ({ displayName: options.displayName ?? externalId }),
  };
  const send = async (event: Parameters<Bot['handle']>[0]['event']) => (await bot.handle({ identity, event, origin: { direct: true } })).messages;
  return {
    /** Typed text: "/lc help" is a command, anything else free text for the running flow. */
    say(text: string) {
      const command = parseCommand(text);
      return send(command ? { type: 'command', ...command, text } : { type: 'text', text });
    },
    /** Presses a button as the platforms do: with its one-time token and label, when it carries them. */
    press(button: Pick<Button, 'actionId' | 'value'> & Partial<Pick<Button, 'token' | 'label'>>) {
      return send({ type: 'action', actionId: button.actionId, value: button.value ?? '', ...(button.token ? { token: button.token, label: button.label } : {}) });
    },
    choose(select: Select, value: string) {
      return send({ type: 'action', actionId: select.actionId, value });
    },
    /** Submits a form as the platforms do: with the one-time token of that showing of the form. */
    submit(form: Pick<Form, 'formId'> & Partial<Pick<Form, 'token'>>, values: Record<string, string | string[]>) {
      return send({ type: 'form', formId: form.formId, values, ...(form.token ? { token: form.token } : {}) });
    },
  };
}

/** All the text a message shows, markup removed, for readable assertions. */
export function textOf(messages: OutboundMessage | OutboundMessage[]): string {
  const list = Array.isArray(messages) ? messages : [messages];
  return list.flatMap((m) => m.blocks.map(blockText)).join('\n');
}

function blockText(block: Block): string {
  switch (block.type) {
    case 'heading':
    case 'text':
    case 'context':
      return stripMarkup(block.text);
    case 'fields':
      return block.fields.map((f) => `${f.label}: ${f.value}`).join('\n');
    case 'actions':
      return block.elements.map((e) => (e.type === 'button' ? `[${e.label}]` : `<${e.placeholder}>`)).join(' ');
    case 'form':
      return `${block.form.title}\n${block.form.fields.map((f) => f.label).join('\n')}`;
    default:
      return '';
  }
}

export function buttonsOf(messages: OutboundMessage[]): Button[] {
  return messages.flatMap((m) => m.blocks.flatMap((b) => (b.type === 'actions' ? b.elements.filter((e): e is Button => e.type === 'button') : [])));
}

export function findButton(messages: OutboundMessage[], label: string | RegExp): Button {
  const button = buttonsOf(messages).find((b) => (typeof label === 'string' ? b.label === label : label.test(b.label)));
  if (!button) throw new Error(`no button ${label} among ${buttonsOf(messages).map((b) => b.label).join(', ')}`);
  return button;
}

export function formOf(messages: OutboundMessage[]): Form {
  const form = messages.flatMap((m) => m.blocks).find((b): b is Extract<Block, { type: 'form' }> => b.type === 'form')?.form;
  if (!form) throw new Error('no form in the replies');
  return form;
}

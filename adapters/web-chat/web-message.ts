import { parseMarkup, plainText, type MarkupLine } from '../../src/core/markup.js';
import type { Block, Button, Form, OutboundMessage, Select } from '../../src/core/messages.js';

/**
 * What the web chat's page receives: the core message with its markup already parsed on the server.
 * Rich texts (headings, paragraphs, field values, form intros) arrive as lines of nodes the page builds
 * with textContent (`lines`, `introLines`), next to their plain reading (`text`, `value`, `intro`) for
 * clients that show plain text; every other text arrives as plain text. So the page never parses markup and never
 * uses innerHTML: what people typed can only ever be text, and only the bot's own links are links.
 */
export type WebText = MarkupLine[];

/** A block as the page renders it. */
export type WebBlock =
  | { type: 'heading' | 'text' | 'context'; text: string; lines: WebText }
  | { type: 'fields'; fields: { label: string; value: string; lines: WebText }[] }
  | { type: 'actions'; elements: (Button | Select)[] }
  | { type: 'divider' }
  | { type: 'image'; url: string; alt: string }
  | { type: 'form'; form: WebForm };

/** A form as the page renders it: intro parsed (and plain), every label plain. */
export type WebForm = Form & { introLines?: WebText };

/** A message as the page renders it. */
export type WebMessage = Omit<OutboundMessage, 'blocks'> & { blocks: WebBlock[] };

/** Translates one core message for the page. */
export function toWebMessage(message: OutboundMessage): WebMessage {
  return { ...message, summary: plainText(message.summary), blocks: message.blocks.map(webBlock) };
}

const plain = (text: string): string => plainText(text);

function webBlock(block: Block): WebBlock {
  switch (block.type) {
    case 'heading':
    case 'text':
    case 'context':
      return { type: block.type, text: plain(block.text), lines: parseMarkup(block.text) };
    case 'fields':
      return { type: 'fields', fields: block.fields.map((f) => ({ label: plain(f.label), value: plain(f.value), lines: parseMarkup(f.value) })) };
    case 'actions':
      return { type: 'actions', elements: block.elements.map((e) => (e.type === 'button' ? webButton(e) : webSelect(e))) };
    case 'image':
      return { type: 'image', url: block.url, alt: plain(block.alt) };
    case 'form':
      return { type: 'form', form: webForm(block.form) };
    case 'divider':
      return block;
  }
}

function webButton(button: Button): Button {
  const confirm = button.confirm && { title: plain(button.confirm.title), text: plain(button.confirm.text), yes: plain(button.confirm.yes), no: plain(button.confirm.no) };
  return { ...button, label: plain(button.label), ...(confirm ? { confirm } : {}) };
}

function webSelect(select: Select): Select {
  return { ...select, placeholder: plain(select.placeholder), options: select.options.map((o) => ({ ...o, label: plain(o.label) })) };
}

function webForm(form: Form): WebForm {
  return {
    ...form,
    title: plain(form.title),
    submitLabel: plain(form.submitLabel),
    ...(form.intro ? { intro: plain(form.intro), introLines: parseMarkup(form.intro) } : {}),
    ...(form.errors ? { errors: Object.fromEntries(Object.entries(form.errors).map(([k, v]) => [k, plain(v)])) } : {}),
    fields: form.fields.map((f) => ({
      ...f,
      label: plain(f.label),
      ...(f.hint !== undefined ? { hint: plain(f.hint) } : {}),
      ...(f.placeholder !== undefined ? { placeholder: plain(f.placeholder) } : {}),
      ...(f.options ? { options: f.options.map((o) => ({ ...o, label: plain(o.label) })) } : {}),
    })),
  };
}

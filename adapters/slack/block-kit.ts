import { type Block, type Button, type Form, type FormField, type OutboundMessage, type Select } from '../../src/core/messages.js';
import { SLACK_LIMITS as L } from './limits.js';
import { plainText } from '../../src/core/markup.js';
import { clip, clipMrkdwn, literalMrkdwn, splitText, toMrkdwn } from './mrkdwn.js';

/**
 * The pure renderer from the core message model to Block Kit. It knows Slack's limits and keeps
 * every payload inside them by splitting (long text, many blocks, many options) or paging (Home),
 * so Slack never refuses what a flow produced. No I/O here: the adapter decides where it goes.
 */

/** A Block Kit block as sent to Slack (kept loose: the renderer is the only producer). */
export type SlackBlock = { type: string; block_id?: string } & Record<string, unknown>;

/** One postable message: Slack's fallback `text` plus at most 50 blocks. */
export interface SlackMessagePart {
  text: string;
  blocks: SlackBlock[];
}

/** A modal or Home view, ready for views.open / views.update / views.publish. */
export interface SlackView {
  type: 'modal' | 'home';
  blocks: SlackBlock[];
  [key: string]: unknown;
}

/** Adapter-owned action ids (never routed to a flow). */
export const ADAPTER_ACTIONS = {
  /** A form that could not open as a modal in time: the button opens it with a fresh trigger. */
  openForm: 'slack-adapter:open-form',
  /** Paging of a Home tab longer than 100 blocks. */
  homePage: 'slack-adapter:home-page',
} as const;

/** callback_id of every modal the adapter opens for a core form. */
export const FORM_CALLBACK_ID = 'lc-form';

/** A core text where Slack shows only plain text (buttons, titles, labels): the markup's literal reading. */
const plain = (text: string, max: number) => ({ type: 'plain_text', text: clip(plainText(text), max) || ' ', emoji: true });
/** Rendered mrkdwn. `verbatim`: Slack turns no bare URL, channel or @name into a link; only the bot's <url|label> links are links. */
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text, verbatim: true });
/** A label shown in bold inside mrkdwn, literally. */
const boldLabel = (label: string) => `*${literalMrkdwn(plainText(label))}*`;

/**
 * Action ids must be unique within a message, but the core reuses them (every command button is
 * "cmd"): a "#n" suffix keeps them apart and `decodeActionId` removes it again. A button's one-time
 * token rides behind it ("#n.<token>"), so the value stays the flow's own.
 */
export function encodeActionId(actionId: string, index: number, token?: string): string {
  const suffix = `#${index}${token ? `.${token}` : ''}`;
  return `${clip(actionId, L.actionId - Math.max(6, suffix.length + 1))}${suffix}`;
}

/** The core action id behind a Slack action id. */
export function decodeActionId(actionId: string): string {
  return actionId.replace(/#\w+(\.[\w-]+)?$/, '');
}

/** The one-time token a Slack action id carries, if any. */
export function tokenOfActionId(actionId: string): string | undefined {
  return /#\w+\.([\w-]{1,64})$/.exec(actionId)?.[1];
}

/** Renders a message as one or more Slack messages of at most 50 blocks each. Form blocks are left to the adapter. */
export function renderMessage(message: OutboundMessage): SlackMessagePart[] {
  const blocks = renderBlocks(message.blocks);
  const text = clipMrkdwn(toMrkdwn(message.summary), L.messageText);
  if (blocks.length === 0) return message.blocks.some((b) => b.type === 'form') ? [] : [{ text, blocks: [] }];
  const parts: SlackMessagePart[] = [];
  for (let i = 0; i < blocks.length; i += L.blocksPerMessage) parts.push({ text, blocks: blocks.slice(i, i + L.blocksPerMessage) });
  return parts;
}

/** The form blocks of a message, which the adapter shows as modals. */
export function formsOf(message: OutboundMessage): Form[] {
  return message.blocks.flatMap((b) => (b.type === 'form' ? [b.form] : []));
}

/** Core blocks to Block Kit blocks, each within its own limits; block and action ids unique. */
export function renderBlocks(blocks: Block[]): SlackBlock[] {
  const out: SlackBlock[] = [];
  const counter = { action: 0 };
  for (const block of blocks) {
    switch (block.type) {
      case 'heading':
        if (plainText(block.text).length <= L.headerText) out.push({ type: 'header', text: plain(block.text, L.headerText) });
        else for (const piece of splitText(boldLabel(block.text), L.sectionText)) out.push({ type: 'section', text: mrkdwn(piece) });
        break;
      case 'text':
        for (const piece of splitText(toMrkdwn(block.text), L.sectionText)) out.push({ type: 'section', text: mrkdwn(piece || ' ') });
        break;
      case 'fields':
        for (let i = 0; i < block.fields.length; i += L.sectionFields) {
          const fields = block.fields.slice(i, i + L.sectionFields).map((f) => mrkdwn(clipMrkdwn(`${boldLabel(f.label)}\n${toMrkdwn(f.value)}`, L.fieldText)));
          out.push({ type: 'section', fields });
        }
        break;
      case 'context':
        for (const piece of splitText(toMrkdwn(block.text), L.contextText)) out.push({ type: 'context', elements: [mrkdwn(piece || ' ')] });
        break;
      case 'divider':
        out.push({ type: 'divider' });
        break;
      case 'image':
        out.push({ type: 'image', image_url: clip(block.url, L.imageUrl), alt_text: clip(plainText(block.alt) || ' ', L.imageAlt) });
        break;
      case 'actions': {
        const elements = block.elements.flatMap((e) => (e.type === 'button' ? [renderButton(e, counter.action++)] : renderSelect(e, counter)));
        for (let i = 0; i < elements.length; i += L.actionsElements) out.push({ type: 'actions', elements: elements.slice(i, i + L.actionsElements) });
        break;
      }
      case 'form':
        break;
    }
  }
  return out.map((b, i) => ({ ...b, block_id: `b${i}` }));
}

function renderButton(button: Button, index: number): Record<string, unknown> {
  return {
    type: 'button',
    text: plain(button.label, L.buttonText),
    action_id: encodeActionId(button.actionId, index, button.token),
    ...(button.value !== undefined ? { value: clip(button.value, L.buttonValue) } : {}),
    ...(button.style ? { style: button.style } : {}),
    ...(button.confirm
      ? {
          confirm: {
            title: plain(button.confirm.title, L.confirmTitle),
            text: plain(button.confirm.text, L.confirmText),
            confirm: plain(button.confirm.yes, L.confirmButton),
            deny: plain(button.confirm.no, L.confirmButton),
            ...(button.style === 'danger' ? { style: 'danger' } : {}),
          },
        }
      : {}),
  };
}

function option(label: string, value: string) {
  return { text: plain(label, L.optionText), value: clip(value, L.optionValue) };
}

/** A select with more than 100 options becomes several selects of 100, so every option stays reachable. */
function renderSelect(select: Select, counter: { action: number }): Record<string, unknown>[] {
  const chunks: Select['options'][] = [];
  for (let i = 0; i < select.options.length; i += L.optionsPerSelect) chunks.push(select.options.slice(i, i + L.optionsPerSelect));
  if (chunks.length === 0) return [];
  return chunks.map((options, n) => {
    const initial = options.find((o) => o.value === select.initial);
    const suffix = chunks.length > 1 ? ` (${n * L.optionsPerSelect + 1}–${n * L.optionsPerSelect + options.length})` : '';
    return {
      type: 'static_select',
      action_id: encodeActionId(select.actionId, counter.action++),
      placeholder: plain(`${clip(select.placeholder, L.placeholder - suffix.length)}${suffix}`, L.placeholder),
      options: options.map((o) => option(o.label, o.value)),
      ...(initial ? { initial_option: option(initial.label, initial.value) } : {}),
    };
  });
}

/** Labels the adapter needs that are not in the form itself (translated by the caller). */
export interface ModalLabels {
  /** Empty: Slack's own translated "Cancel". */
  close: string;
  /** "Part {{page}} of {{pages}}" for forms longer than one modal. */
  part: (page: number, pages: number) => string;
}

/** How many input blocks one modal page holds (the rest of the 100 goes to intro, errors and paging). */
export const FIELDS_PER_MODAL_PAGE = L.blocksPerView - 10;

/** The number of modal pages a form needs. */
export function modalPageCount(form: Form): number {
  return Math.max(1, Math.ceil(form.fields.length / FIELDS_PER_MODAL_PAGE));
}

/**
 * A core form as a modal (page `page` of a long form). block_id and action_id are the field name,
 * so submitted values and field errors map back without a lookup table.
 */
/**
 * A message shown in a modal instead of its form or its earlier content: the answer to a modal
 * submitted again, or the outcome of a button pressed inside a modal. It has no inputs, so no submit;
 * `title` is the modal's own (a modal keeps its title while its content changes).
 */
export function renderMessageModal(message: OutboundMessage, title: string): SlackView {
  return {
    type: 'modal',
    title: plain(title.trim() || plainText(message.summary) || 'Cluster Bot', L.viewTitle),
    blocks: renderMessage({ ...message, blocks: message.blocks.filter((b) => b.type !== 'form') }).flatMap((part) => part.blocks).slice(0, L.blocksPerView),
  };
}

export function renderModal(form: Form, privateMetadata: string, labels: ModalLabels, page = 0, options: { errorsAsContext?: boolean } = {}): SlackView {
  if (privateMetadata.length > L.privateMetadata) throw new Error('private_metadata over 3,000 characters: store it and pass a reference');
  const pages = modalPageCount(form);
  const fields = form.fields.slice(page * FIELDS_PER_MODAL_PAGE, (page + 1) * FIELDS_PER_MODAL_PAGE);
  const blocks: SlackBlock[] = [];
  const intro = page === 0 && form.intro ? splitText(toMrkdwn(form.intro), L.sectionText).slice(0, 3) : [];
  for (const piece of intro) blocks.push({ type: 'section', text: mrkdwn(piece) });
  if (pages > 1) blocks.push({ type: 'context', elements: [mrkdwn(toMrkdwn(labels.part(page + 1, pages)))] });
  // Errors Slack cannot pin next to a shown field (form-level, or another page's) are listed on top.
  const onPage = new Set(fields.map((f) => f.name));
  const labelOf = new Map(form.fields.map((f) => [f.name, f.label]));
  const listed = Object.entries(form.errors ?? {}).filter(([name]) => options.errorsAsContext || !onPage.has(name));
  if (listed.length) {
    const lines = listed.map(([name, m]) => `:warning: ${labelOf.has(name) ? `${boldLabel(labelOf.get(name)!)}: ` : ''}${toMrkdwn(m)}`);
    blocks.push({ type: 'context', elements: [mrkdwn(clipMrkdwn(lines.join('\n'), L.contextText))] });
  }
  for (const field of fields) blocks.push(renderInput(field));
  return {
    type: 'modal',
    callback_id: FORM_CALLBACK_ID,
    title: plain(form.title, L.viewTitle),
    submit: plain(form.submitLabel, L.viewButton),
    // Without a close label Slack shows its own "Cancel", in the person's Slack language.
    ...(labels.close ? { close: plain(labels.close, L.viewButton) } : {}),
    private_metadata: privateMetadata,
    blocks: blocks.slice(0, L.blocksPerView),
  };
}

function renderInput(field: FormField): SlackBlock {
  const initial = field.initial;
  const single = Array.isArray(initial) ? initial[0] : initial;
  const options = (field.options ?? []).slice(0, L.optionsPerSelect).map((o) => option(o.label, o.value));
  const placeholder = field.placeholder ? { placeholder: plain(field.placeholder, L.placeholder) } : {};
  let element: Record<string, unknown>;
  switch (field.kind) {
    case 'text':
    case 'textarea':
      element = {
        type: 'plain_text_input',
        multiline: field.kind === 'textarea',
        max_length: Math.min(field.maxLength ?? L.inputMaxLength, L.inputMaxLength),
        ...(single ? { initial_value: clip(single, L.inputMaxLength) } : {}),
        ...placeholder,
      };
      break;
    case 'number':
      element = { type: 'number_input', is_decimal_allowed: false, ...(single && /^-?\d+$/.test(single) ? { initial_value: single } : {}), ...placeholder };
      break;
    case 'date':
      element = { type: 'datepicker', ...(single && /^\d{4}-\d{2}-\d{2}$/.test(single) ? { initial_date: single } : {}), ...placeholder };
      break;
    case 'email':
      element = { type: 'email_text_input', ...(single ? { initial_value: single } : {}), ...placeholder };
      break;
    case 'select': {
      const chosen = options.find((o) => o.value === single);
      element = { type: 'static_select', options, ...(chosen ? { initial_option: chosen } : {}), ...placeholder };
      break;
    }
    case 'multiselect': {
      const values = Array.isArray(initial) ? initial : initial ? [initial] : [];
      const chosen = options.filter((o) => values.includes(o.value));
      element = { type: 'multi_static_select', options, ...(chosen.length ? { initial_options: chosen } : {}), ...placeholder };
      break;
    }
    case 'checkbox': {
      const box = { text: plain(field.label, L.optionText), value: 'true' };
      element = { type: 'checkboxes', options: [box], ...(single === 'true' || single === 'on' ? { initial_options: [box] } : {}) };
      break;
    }
  }
  return {
    type: 'input',
    block_id: clip(field.name, L.blockId),
    // A checkbox is never "required" in Slack's sense: unticked is a valid answer.
    optional: field.kind === 'checkbox' ? true : !field.required,
    label: plain(field.label, L.inputLabel),
    ...(field.hint ? { hint: plain(field.hint, L.inputHint) } : {}),
    element: { ...element, action_id: clip(field.name, L.actionId) },
  };
}

/** Field errors as Slack's `response_action: errors` wants them: block_id → message. */
export function fieldErrors(form: Form, page = 0): Record<string, string> | null {
  const onPage = new Set(form.fields.slice(page * FIELDS_PER_MODAL_PAGE, (page + 1) * FIELDS_PER_MODAL_PAGE).map((f) => f.name));
  const entries = Object.entries(form.errors ?? {});
  // An error Slack cannot pin to a field on the shown page must be shown another way (view update).
  if (entries.length === 0 || entries.some(([name]) => !onPage.has(name))) return null;
  return Object.fromEntries(entries.map(([name, message]) => [name, clip(plainText(message), 150)]));
}

/** Labels of the Home tab's paging buttons. */
export interface HomeLabels {
  previous: string;
  next: string;
  page: (page: number, pages: number) => string;
}

/**
 * Home tab pages of at most 100 blocks: a long Home is paged with previous/next buttons
 * (ADAPTER_ACTIONS.homePage) instead of being refused by views.publish.
 */
export function renderHome(blocks: Block[], labels: HomeLabels, page = 0): { view: SlackView; pages: number } {
  const all = renderBlocks(blocks);
  const perPage = L.blocksPerView - 2;
  const pages = Math.max(1, Math.ceil(all.length / perPage));
  const current = Math.min(Math.max(page, 0), pages - 1);
  const shown = all.slice(current * perPage, (current + 1) * perPage);
  if (pages > 1) {
    const buttons: Record<string, unknown>[] = [];
    if (current > 0) buttons.push({ type: 'button', text: plain(labels.previous, L.buttonText), action_id: `${ADAPTER_ACTIONS.homePage}#prev`, value: String(current - 1) });
    if (current < pages - 1) buttons.push({ type: 'button', text: plain(labels.next, L.buttonText), action_id: `${ADAPTER_ACTIONS.homePage}#next`, value: String(current + 1) });
    shown.push({ type: 'context', block_id: 'home-page', elements: [mrkdwn(toMrkdwn(labels.page(current + 1, pages)))] });
    shown.push({ type: 'actions', block_id: 'home-paging', elements: buttons });
  }
  return { view: { type: 'home', blocks: shown }, pages };
}

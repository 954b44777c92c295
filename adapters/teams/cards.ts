import type { Block, Button, Form, FormField, OutboundMessage, Select } from '../../src/core/messages.js';
import type { Translate } from '../../src/core/i18n.js';
import { plainText } from '../../src/core/markup.js';
import { toCardMarkdown, toTeamsPlain } from './markup.js';

/** A core text where Teams shows only plain text (action titles, input labels, choices). */
const plain = (text: string): string => toTeamsPlain(text);

/** Teams refuses activities over about 28 KB; we stay well below, counting the whole activity. */
export const MAX_ACTIVITY_BYTES = 24_000;
/** Forms with more fields than this (or several long answers) open in a dialog instead of inline. */
export const LONG_FORM_FIELDS = 5;
const CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
/** Actions Teams shows in one set (host config `actions.maxActions`). */
export const TEAMS_MAX_ACTIONS = 6;

/** Data keys the cards put on submit actions; the inbound side reads them back. */
export const DATA_KEYS = { action: 'lcAction', value: 'lcValue', form: 'lcForm', multi: 'lcMulti', select: 'lcSelect', selectInput: 'lcSelectInput', dialog: 'lcDialog', token: 'lcToken', label: 'lcLabel' } as const;

/** The one-time token and label a used button or form brings back (see UseMarks in the message model). */
function useMarks(token: string | undefined, label: string): Record<string, string> {
  return token ? { [DATA_KEYS.token]: token, [DATA_KEYS.label]: label.slice(0, 100) } : {};
}

/** An Adaptive Card as JSON: the SDK types add nothing here and would leak outside this folder. */
export type Card = { type: 'AdaptiveCard'; version: '1.5'; body: CardElement[]; $schema: string; msteams?: object };
/** One element of a card body (TextBlock, FactSet, Input.*, ActionSet…). */
export type CardElement = Record<string, unknown>;

/** A rendered message: one or more cards, each small enough to be one Teams message. */
export interface RenderedMessage {
  cards: Card[];
  summary: string;
  /** The form ids shown, so a re-shown form with errors can replace the card it came from. */
  formIds: string[];
}

/**
 * Renders the core message model as Adaptive Cards 1.5: text as TextBlocks, fields as a FactSet,
 * buttons and selects as submit actions, forms as Input elements with their validation messages.
 * Long content is split over several cards so no message exceeds Teams' size limit.
 */
export function renderMessage(message: OutboundMessage, t: Translate): RenderedMessage {
  const elements: CardElement[] = [];
  const formIds: string[] = [];
  let separateNext = false;
  let selectIndex = 0;
  for (const block of message.blocks) {
    if (block.type === 'divider') {
      separateNext = true;
      continue;
    }
    if (block.type === 'form') formIds.push(block.form.formId);
    const rendered = renderBlock(block, t, () => `lcChoice${selectIndex++}`);
    if (separateNext && rendered[0]) rendered[0] = { ...rendered[0], separator: true, spacing: 'Medium' };
    separateNext = false;
    elements.push(...rendered);
  }
  return { cards: packCards(elements), summary: toTeamsPlain(message.summary), formIds };
}

/** A form as the card shown inside a Teams dialog (task module). */
export function formCard(form: Form, t: Translate): Card {
  return card(formElements(form, t));
}

/** Size of a card once wrapped in a message activity (attachment envelope included). */
export function activityBytes(c: Card, summary = ''): number {
  return Buffer.byteLength(JSON.stringify({ type: 'message', summary, attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: c }] }), 'utf8') + 512;
}

function card(body: CardElement[]): Card {
  return { type: 'AdaptiveCard', $schema: CARD_SCHEMA, version: '1.5', body, msteams: { width: 'Full' } };
}

function renderBlock(block: Block, t: Translate, nextChoiceId: () => string): CardElement[] {
  switch (block.type) {
    case 'heading':
      return textBlocks(block.text, { size: 'Medium', weight: 'Bolder' });
    case 'text':
      return textBlocks(block.text);
    case 'context':
      return textBlocks(block.text, { isSubtle: true, size: 'Small' });
    case 'fields':
      return [{ type: 'FactSet', facts: block.fields.map((f) => ({ title: toCardMarkdown(f.label), value: toCardMarkdown(f.value) })) }];
    case 'image':
      return [{ type: 'Image', url: block.url, altText: plain(block.alt) }];
    case 'actions':
      return actionElements(block.elements, t, nextChoiceId);
    case 'form':
      return isLongForm(block.form) ? dialogLauncher(block.form, t) : formElements(block.form, t);
    case 'divider':
      return [];
  }
}

/** Splits text that would not fit one message into several TextBlocks at line breaks. */
function textBlocks(text: string, style: Record<string, unknown> = {}): CardElement[] {
  const md = toCardMarkdown(text);
  const budget = MAX_ACTIVITY_BYTES - 2_000;
  const pieces: string[] = [];
  let current = '';
  for (const line of md.split(/(?<=\n)/)) {
    for (const part of chunk(line, budget)) {
      if (jsonBytes(current + part) > budget && current) {
        pieces.push(current);
        current = '';
      }
      current += part;
    }
  }
  if (current || pieces.length === 0) pieces.push(current);
  return pieces.map((piece) => ({ type: 'TextBlock', text: piece.trimEnd(), wrap: true, ...style }));
}

/** Cuts one over-long line by its JSON size without splitting a character. */
function chunk(line: string, budget: number): string[] {
  if (jsonBytes(line) <= budget) return [line];
  const out: string[] = [];
  let current = '';
  let size = 2;
  for (const ch of line) {
    const add = jsonBytes(ch) - 2;
    if (size + add > budget) {
      // A backslash escape stays whole: a lone trailing backslash would show, and the next character lose its escape.
      const carry = /(?<!\\)(\\\\)*\\$/.test(current) ? '\\' : '';
      out.push(current.slice(0, current.length - carry.length));
      current = carry;
      size = 2 + carry.length * 2;
    }
    current += ch;
    size += add;
  }
  if (current) out.push(current);
  return out;
}

/** Bytes a string takes inside the activity's JSON (quotes and escapes count). */
function jsonBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text), 'utf8');
}

/** Packs body elements into as few cards as fit the size limit, in order. */
function packCards(elements: CardElement[]): Card[] {
  const cards: Card[] = [];
  let body: CardElement[] = [];
  for (const element of elements) {
    if (body.length && activityBytes(card([...body, element])) > MAX_ACTIVITY_BYTES) {
      cards.push(card(body));
      body = [];
    }
    body.push(element);
  }
  if (body.length || cards.length === 0) cards.push(card(body));
  return cards;
}

function actionElements(elements: (Button | Select)[], t: Translate, nextChoiceId: () => string): CardElement[] {
  const out: CardElement[] = [];
  const actions: CardElement[] = [];
  for (const element of elements) {
    if (element.type === 'button') {
      actions.push(buttonAction(element, t));
      continue;
    }
    // A choice set cannot submit by itself in Adaptive Cards 1.5: it gets its own "OK" button.
    const id = nextChoiceId();
    out.push({
      type: 'Input.ChoiceSet',
      id,
      style: 'compact',
      placeholder: plain(element.placeholder),
      label: plain(element.placeholder),
      choices: element.options.map((o) => ({ title: plain(o.label), value: o.value })),
      ...(element.initial ? { value: element.initial } : {}),
    });
    out.push({ type: 'ActionSet', actions: [{ type: 'Action.Submit', title: plain(t('teams:choose')), associatedInputs: 'auto', data: { [DATA_KEYS.select]: element.actionId, [DATA_KEYS.selectInput]: id } }] });
  }
  // Teams shows at most six actions in a set (its host config): more go into further sets, none hidden.
  for (let i = 0; i < actions.length; i += TEAMS_MAX_ACTIONS) out.push({ type: 'ActionSet', actions: actions.slice(i, i + TEAMS_MAX_ACTIONS) });
  return out;
}

function buttonAction(button: Button, t: Translate): CardElement {
  const data = { [DATA_KEYS.action]: button.actionId, [DATA_KEYS.value]: button.value ?? '', ...useMarks(button.token, button.label) };
  const style = button.style === 'primary' ? 'positive' : button.style === 'danger' ? 'destructive' : 'default';
  if (!button.confirm) return { type: 'Action.Submit', title: plain(button.label), style, associatedInputs: 'none', data };
  // Adaptive Cards have no confirm dialog: the button unfolds a small card asking "are you sure?".
  const { title, text, yes, no } = button.confirm;
  return {
    type: 'Action.ShowCard',
    title: plain(button.label),
    style,
    card: {
      type: 'AdaptiveCard',
      body: [
        { type: 'TextBlock', text: toCardMarkdown(title), weight: 'Bolder', wrap: true },
        { type: 'TextBlock', text: toCardMarkdown(text), wrap: true },
        { type: 'TextBlock', text: toCardMarkdown(t('teams:confirmNo', { no })), isSubtle: true, size: 'Small', wrap: true },
      ],
      actions: [{ type: 'Action.Submit', title: plain(yes), style: 'destructive', associatedInputs: 'none', data }],
    },
  };
}

function isLongForm(form: Form): boolean {
  return form.fields.length > LONG_FORM_FIELDS || form.fields.filter((f) => f.kind === 'textarea').length > 1;
}

/** A long form is opened in a Teams dialog: the button carries the form, so no state is kept between. */
function dialogLauncher(form: Form, t: Translate): CardElement[] {
  const errors = Object.keys(form.errors ?? {}).length;
  return [
    { type: 'TextBlock', text: toCardMarkdown(form.title), weight: 'Bolder', wrap: true },
    ...(form.intro ? textBlocks(form.intro) : []),
    ...(errors ? [{ type: 'TextBlock', text: toCardMarkdown(t('teams:formHasErrors', { count: errors })), color: 'Attention', wrap: true }] : []),
    { type: 'ActionSet', actions: [{ type: 'Action.Submit', title: plain(t('teams:openForm')), style: 'positive', data: { msteams: { type: 'task/fetch' }, [DATA_KEYS.dialog]: form } }] },
  ];
}

function formElements(form: Form, t: Translate): CardElement[] {
  const errors = form.errors ?? {};
  const out: CardElement[] = [{ type: 'TextBlock', text: toCardMarkdown(form.title), weight: 'Bolder', size: 'Medium', wrap: true }];
  if (form.intro) out.push(...textBlocks(form.intro));
  if (errors._form) out.push({ type: 'TextBlock', text: toCardMarkdown(errors._form), color: 'Attention', wrap: true });
  for (const field of form.fields) {
    out.push(inputFor(field, t));
    if (field.hint) out.push({ type: 'TextBlock', text: toCardMarkdown(field.hint), isSubtle: true, size: 'Small', wrap: true, spacing: 'None' });
    if (errors[field.name]) out.push({ type: 'TextBlock', text: `⚠ ${toCardMarkdown(errors[field.name])}`, color: 'Attention', wrap: true, spacing: 'None', id: `${field.name}-error` });
  }
  const multi = form.fields.filter((f) => f.kind === 'multiselect').map((f) => f.name);
  out.push({
    type: 'ActionSet',
    actions: [{ type: 'Action.Submit', title: plain(form.submitLabel), style: 'positive', associatedInputs: 'auto', data: { [DATA_KEYS.form]: form.formId, ...(multi.length ? { [DATA_KEYS.multi]: multi } : {}), ...useMarks(form.token, form.submitLabel) } }],
  });
  return out;
}

function inputFor(field: FormField, t: Translate): CardElement {
  const initial = Array.isArray(field.initial) ? field.initial.join(',') : field.initial;
  const common: CardElement = {
    id: field.name,
    label: plain(field.label),
    isRequired: Boolean(field.required),
    // Shown by Teams itself before sending when a required field is empty.
    ...(field.required ? { errorMessage: plain(t('form.required')) } : {}),
    ...(field.placeholder ? { placeholder: plain(field.placeholder) } : {}),
  };
  switch (field.kind) {
    case 'textarea':
      return { type: 'Input.Text', isMultiline: true, ...(field.maxLength ? { maxLength: field.maxLength } : {}), ...common, ...(initial ? { value: initial } : {}) };
    case 'number':
      return { type: 'Input.Number', ...common, ...(initial ? { value: Number(initial) } : {}) };
    case 'date':
      return { type: 'Input.Date', ...common, ...(initial ? { value: initial } : {}) };
    case 'email':
      return { type: 'Input.Text', style: 'Email', ...common, ...(initial ? { value: initial } : {}) };
    case 'select':
    case 'multiselect':
      return {
        type: 'Input.ChoiceSet',
        style: 'compact',
        isMultiSelect: field.kind === 'multiselect',
        choices: (field.options ?? []).map((o) => ({ title: plain(o.label), value: o.value })),
        ...common,
        ...(initial ? { value: initial } : {}),
      };
    case 'checkbox':
      return { type: 'Input.Toggle', title: plain(field.label), valueOn: 'true', valueOff: 'false', ...common, value: initial === 'true' ? 'true' : 'false' };
    case 'text':
      return { type: 'Input.Text', ...(field.maxLength ? { maxLength: field.maxLength } : {}), ...common, ...(initial ? { value: initial } : {}) };
  }
}

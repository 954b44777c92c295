import { plainText } from './markup.js';

/**
 * The platform-neutral message model. Flows speak only this; adapters translate it to Block Kit,
 * Adaptive Cards or the web chat's HTML, and translate platform input back into InboundEvent.
 *
 * Every text a person reads here (headings, paragraphs, labels, titles, hints, errors, the summary) is the
 * small markup of markup.ts: **bold**, _italic_, `code`, [label](url), "- " bullets, and a backslash before a
 * markup character to show it as typed. What people typed enters escaped (the catalogue's interpolation does
 * it, `md`/`escapeMarkup` where a flow shows it directly), so only the bot's own texts carry links or style.
 * Adapters render the markup for their platform, and plain text where a platform shows only plain text.
 * Values (button values, option values, a form field's `initial`) are raw data, never markup.
 *
 * Not covered on purpose: files, reactions, rich tables, per-platform styling. A flow that
 * needs a platform extra asks the adapter's declared capabilities instead of branching here.
 */

/** A button press carries its action id and value back as an ActionEvent. */
export interface Button {
  type: 'button';
  /** "<flow>:<action>" routes to a flow; "cmd" runs the command in `value` (e.g. "me"). */
  actionId: string;
  label: string;
  value?: string;
  style?: 'primary' | 'danger';
  /** Ask "are you sure?" before sending the action (used for destructive actions). */
  confirm?: { title: string; text: string; yes: string; no: string };
  /**
   * Pressing it again is harmless and useful (open, show a page, export, open a form to fill): it
   * carries no one-time token and using it does not consume its message. Every other button acts
   * once: the core gives it a token, a repeat answers "already done", and its message is replaced
   * by the outcome. Command buttons (`cmd`) are always repeatable.
   */
  repeatable?: boolean;
  /** One-time token, set by the core when the message leaves it (src/core/action-tokens.ts); flows never set it. */
  token?: string;
}

export interface SelectOption {
  label: string;
  value: string;
}

/** A select menu: choosing an option sends an ActionEvent with the option's value. */
export interface Select {
  type: 'select';
  actionId: string;
  placeholder: string;
  options: SelectOption[];
  initial?: string;
}

export type FieldKind = 'text' | 'textarea' | 'number' | 'date' | 'select' | 'multiselect' | 'checkbox' | 'email';

export interface FormField {
  name: string;
  label: string;
  kind: FieldKind;
  required?: boolean;
  maxLength?: number;
  hint?: string;
  placeholder?: string;
  options?: SelectOption[];
  /** Prefilled value; for multiselect, several values. */
  initial?: string | string[];
}

/** A form with typed fields. Adapters show it as a modal, card or inline form. */
export interface Form {
  /** "<flow>:<form>" routes the submission back to the flow. */
  formId: string;
  title: string;
  submitLabel: string;
  fields: FormField[];
  /** Field name → message, shown next to the field after a failed validation. */
  errors?: Record<string, string>;
  /** Short text shown above the fields. */
  intro?: string;
  /** One-time token of this showing of the form, set by the core; a second submission answers "already done". */
  token?: string;
}

export type Block =
  | { type: 'heading'; text: string }
  | { type: 'text'; text: string }
  | { type: 'fields'; fields: { label: string; value: string }[] }
  | { type: 'actions'; elements: (Button | Select)[] }
  | { type: 'divider' }
  | { type: 'context'; text: string }
  | { type: 'image'; url: string; alt: string }
  | { type: 'form'; form: Form };

export interface OutboundMessage {
  blocks: Block[];
  /**
   * What notifications and screen readers show, in the same markup as the blocks: Slack renders it in
   * its own markup, Teams and the web chat as plain text.
   */
  summary: string;
  /** Only the person who triggered it sees it (Slack ephemeral); default: visible. */
  ephemeral?: boolean;
  /**
   * The reader's language, on messages sent to someone who did not just write (notifyInTheirLanguage),
   * so a sender's own words around the message (card chrome) are in it too. Replies need none: the
   * adapter knows the language of the person it answers.
   */
  locale?: string;
  /**
   * Reply in the thread with this key: opaque to flows, made by the adapter as
   * "<PLATFORM>:<platform thread id>" (e.g. "SLACK:C123:1700000000.0001"), and given to flows in Origin.
   */
  threadKey?: string;
  /**
   * Replace the message the triggering button or form was on, instead of posting a new one. Where
   * that message was shared with others (a channel), adapters show the replacement to the person
   * who acted only, and leave the shared message as it was.
   */
  replaceOriginal?: boolean;
  /**
   * Made by the core, not a flow: the short "done by you" note that takes the place of a used
   * button's or form's message when the flow gave no outcome of its own. An adapter whose form was
   * a modal (now closed) has no such message to replace and may drop it.
   */
  receipt?: boolean;
  /**
   * Made by the core, not a flow: the answer to a repeated use of a button or form, which acted no more
   * ("Already done at 10:42" with the current state). A modal submitted again shows it in place of its form.
   */
  repeat?: boolean;
  /**
   * Not kept in the web chat's stored conversation, nor the person's click with it: shown live only.
   * For what would tie a person to an anonymous answer (issue 15, item 7) in a copy of the database.
   */
  unrecorded?: boolean;
  /**
   * The repeatable action that shows this message's subject as it is now (a plan, one activity, the
   * feedback sent). A repeated use of the button or form whose answer this was replies with that view,
   * run afresh, so "already done" comes with the current state rather than a copy of the first answer.
   * It must only show, never change anything (an open or page action of the same flow).
   */
  current?: { actionId: string; value: string };
  /**
   * Identifies one logical message (e.g. a nudge id), so a sender asked to deliver it again
   * after a failed or retried job does not post it twice. Optional: senders fall back to a hash.
   */
  deliveryKey?: string;
}

/** Where the event happened, as far as a flow needs to know. */
export interface Origin {
  /** Opaque thread key the adapter can reply into. */
  threadKey?: string;
  /** True in a one-to-one chat with the bot. */
  direct: boolean;
}

/**
 * What a used button or form brings back besides its data: the one-time token it carried (absent
 * for repeatable buttons and for messages sent before tokens existed) and its label, for the
 * "done by you" note. Adapters read both from the platform's payload; neither is trusted for
 * anything but that (the token is only ever compared within the person's own uses).
 */
export interface UseMarks {
  token?: string;
  label?: string;
}

export type InboundEvent =
  | { type: 'command'; verb: string; args: string; text: string }
  | ({ type: 'action'; actionId: string; value: string } & UseMarks)
  | ({ type: 'form'; formId: string; values: Record<string, string | string[]> } & UseMarks)
  | { type: 'text'; text: string };

// ------------------------------------------------------------------- builders

/** Builders keep flow code short and make every message carry a summary. */
export const ui = {
  message(summary: string, blocks: Block[], extra: Partial<OutboundMessage> = {}): OutboundMessage {
    return { summary, blocks, ...extra };
  },
  text(text: string, extra: Partial<OutboundMessage> = {}): OutboundMessage {
    return { summary: text, blocks: [{ type: 'text', text }], ...extra };
  },
  heading: (text: string): Block => ({ type: 'heading', text }),
  paragraph: (text: string): Block => ({ type: 'text', text }),
  context: (text: string): Block => ({ type: 'context', text }),
  divider: (): Block => ({ type: 'divider' }),
  fields: (fields: { label: string; value: string }[]): Block => ({ type: 'fields', fields }),
  actions: (...elements: (Button | Select)[]): Block => ({ type: 'actions', elements }),
  form: (form: Form): Block => ({ type: 'form', form }),
  button(label: string, actionId: string, value?: string, style?: Button['style']): Button {
    return { type: 'button', label, actionId, ...(value !== undefined ? { value } : {}), ...(style ? { style } : {}) };
  },
  /** A button that runs a command as if typed, e.g. commandButton("My clusters", "me"). */
  commandButton(label: string, command: string, style?: Button['style']): Button {
    return ui.button(label, COMMAND_ACTION, command, style);
  },
  /** A button that only shows or opens something (a page, a form to fill, an export): repeatable, never consumed. */
  openButton(label: string, actionId: string, value?: string, style?: Button['style']): Button {
    return { ...ui.button(label, actionId, value, style), repeatable: true };
  },
};

/** Action id of buttons that run a command. */
export const COMMAND_ACTION = 'cmd';

/** The text without markup ("label (url)" for links), for plain-text surfaces and transcripts. */
export function stripMarkup(text: string): string {
  return plainText(text);
}

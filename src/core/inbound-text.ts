import type { InboundEvent } from './messages.js';

/**
 * Characters no person means to type and PostgreSQL or JSON cannot keep: NUL (PostgreSQL refuses 0x00 in
 * text and jsonb), the other C0 control characters except tab, line feed and carriage return, and DEL.
 */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
/** A surrogate half without its partner: not a character, and jsonb refuses its \u escape. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text from outside as the bot can store and show it: control characters removed, a lone surrogate
 * replaced by U+FFFD (the sign for "a character was lost here"). Everything a person can mean stays,
 * line breaks, tabs, emoji and right-to-left text included.
 */
export function cleanText(text: string): string {
  return text.replace(CONTROL, '').replace(LONE_SURROGATE, '\ufffd');
}

/** True when cleanText would change the text. */
export function hasOddCharacters(text: string): boolean {
  CONTROL.lastIndex = 0;
  LONE_SURROGATE.lastIndex = 0;
  return CONTROL.test(text) || LONE_SURROGATE.test(text);
}

/** Every string in a JSON-like value cleaned (object keys too), so nested form values are covered. */
export function cleanStrings<T>(value: T): T {
  if (typeof value === 'string') return cleanText(value) as T;
  if (Array.isArray(value)) return value.map(cleanStrings) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [cleanText(k), cleanStrings(v)])) as T;
  }
  return value;
}

/**
 * The one place where text from a platform enters the core (Bot.handle): every text, value, label and
 * form field of the event cleaned, so no flow, query or stored position ever sees a NUL or half a character.
 */
export function cleanInboundEvent(event: InboundEvent): InboundEvent {
  return cleanStrings(event);
}

import { DateTime } from 'luxon';

/**
 * Dates as a person reads them: in their own time zone and language. English keeps the project's
 * "Tue 1 Dec 2026, 10:00"; every other language is written the way CLDR says it writes dates
 * ("uto, 1. decembar 2026.", "mar, 1 dhjetor 2026", "вто., 1 декември 2026 г."), through Intl, so the order,
 * the dots and the month names are the locale's own.
 */
// Month names in full, as docs/glossary.md shows dates ("1. decembar 2026.", "1 dhjetor 2026", "1. prosinca 2026.").
const DAY: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'long', year: 'numeric' };
const TIME: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };

/** ICU puts narrow and ordinary no-break spaces in some languages' dates (mk "2026 г."), not always the same: plain spaces, so texts compare and wrap alike. */
function plainSpaces(text: string): string {
  return text.replace(/[\u00a0\u202f]/g, ' ');
}

function english(at: DateTime): boolean {
  return (at.locale ?? 'en').toLowerCase().startsWith('en');
}

/** A day with its weekday: "Tue 1 Dec 2026", "uto, 1. decembar 2026.". */
export function dayText(at: DateTime): string {
  return english(at) ? at.toFormat('ccc d LLL yyyy') : plainSpaces(at.toLocaleString(DAY));
}

/** A day and its time of day: "Tue 1 Dec 2026, 10:00", "uto, 1. decembar 2026. 10:00", "1. prosinca 2026. u 10:00". */
export function dayTimeText(at: DateTime): string {
  return english(at) ? at.toFormat('ccc d LLL yyyy, HH:mm') : plainSpaces(at.toLocaleString({ ...DAY, ...TIME }));
}

/** A day told short, with its time: "3 Dec, 10:42", "3. decembar 10:42". */
function dayMonthTimeText(at: DateTime): string {
  return english(at) ? at.toFormat('d LLL, HH:mm') : plainSpaces(at.toLocaleString({ day: 'numeric', month: 'long', ...TIME }));
}

export function formatDateTime(date: Date, timeZone: string, locale: string): string {
  const at = DateTime.fromJSDate(date).setZone(timeZone).setLocale(locale);
  return `${dayTimeText(at)} ${at.toFormat('ZZZZ')}`;
}

export function formatDate(date: Date, timeZone: string, locale: string): string {
  return dayText(DateTime.fromJSDate(date).setZone(timeZone).setLocale(locale));
}

/** "in 3 days", "2 weeks ago", in the person's language. */
export function formatRelative(date: Date, now: Date, locale: string): string {
  return DateTime.fromJSDate(date).setLocale(locale).toRelative({ base: DateTime.fromJSDate(now) }) ?? '';
}

/** A moment as short as it can be told: "10:42" today, "3 Dec, 10:42" another day, in the person's zone. */
export function formatShortTime(date: Date, now: Date, timeZone: string, locale: string): string {
  const at = DateTime.fromJSDate(date).setZone(timeZone).setLocale(locale);
  const today = DateTime.fromJSDate(now).setZone(timeZone);
  return at.hasSame(today, 'day') ? at.toFormat('HH:mm') : dayMonthTimeText(at);
}

/** A number the locale's way ("1,234.5", "1.234,5", "1 234,5"), for counts and shares in replies and documents. */
export function formatNumber(value: number, locale: string, options?: Intl.NumberFormatOptions): string {
  try {
    return formatter(`number|${locale}|${options ? JSON.stringify(options) : ''}`, () => new Intl.NumberFormat(locale, options)).format(value);
  } catch {
    return String(value);
  }
}

/** "a, b and c" in the person's language (Intl.ListFormat), for role lists and names. */
export function formatList(items: string[], locale: string): string {
  try {
    return formatter(`list|${locale}`, () => new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' })).format(items);
  } catch {
    return items.join(', ');
  }
}

type IntlFormatter = Intl.ListFormat | Intl.NumberFormat | Intl.DateTimeFormat;

/**
 * Intl formatters, made once per key (the locale and options): making one costs about ten times what
 * formatting with it does (some 18 µs for a list, 230 µs for a date format naming a time zone, each
 * in `/lc me`). Few locales and option sets exist; the cap only guards against a flood of odd tags.
 */
const formatters = new Map<string, IntlFormatter>();
export function formatter<F extends IntlFormatter>(key: string, make: () => F): F {
  let known = formatters.get(key) as F | undefined;
  if (!known) {
    if (formatters.size >= 200) formatters.clear();
    formatters.set(key, (known = make()));
  }
  return known;
}

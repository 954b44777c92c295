import { DateTime } from 'luxon';

/** Dates as a person reads them: in their own time zone and language. */
export function formatDateTime(date: Date, timeZone: string, locale: string): string {
  return DateTime.fromJSDate(date).setZone(timeZone).setLocale(locale).toFormat('ccc d LLL yyyy, HH:mm ZZZZ');
}

export function formatDate(date: Date, timeZone: string, locale: string): string {
  return DateTime.fromJSDate(date).setZone(timeZone).setLocale(locale).toFormat('ccc d LLL yyyy');
}

/** "in 3 days", "2 weeks ago", in the person's language. */
export function formatRelative(date: Date, now: Date, locale: string): string {
  return DateTime.fromJSDate(date).setLocale(locale).toRelative({ base: DateTime.fromJSDate(now) }) ?? '';
}

/** A moment as short as it can be told: "10:42" today, "3 Dec, 10:42" another day, in the person's zone. */
export function formatShortTime(date: Date, now: Date, timeZone: string, locale: string): string {
  const at = DateTime.fromJSDate(date).setZone(timeZone).setLocale(locale);
  const today = DateTime.fromJSDate(now).setZone(timeZone);
  return at.hasSame(today, 'day') ? at.toFormat('HH:mm') : at.toFormat('d LLL, HH:mm');
}

/** "a, b and c" in the person's language (Intl.ListFormat), for role lists and names. */
export function formatList(items: string[], locale: string): string {
  try {
    return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(items);
  } catch {
    return items.join(', ');
  }
}

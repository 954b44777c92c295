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

import { createRequire } from 'node:module';
import type HolidaysClass from 'date-holidays';
import { DateTime } from 'luxon';

/**
 * Public holidays of a person's country, for everything that counts working days: nudges are
 * moved off them, resource persons' answer deadlines skip them (a question asked before Orthodox
 * Christmas in Serbia does not fall due on it). date-holidays works offline; each country and year
 * is computed once per process.
 *
 * The library (about 20 MiB resident) is loaded on first use, not at start-up: a bot process that
 * only answers commands may never need it (docs/performance.md, memory).
 */
let Holidays: typeof HolidaysClass | undefined;
function holidaysLib(): typeof HolidaysClass {
  Holidays ??= createRequire(import.meta.url)('date-holidays') as typeof HolidaysClass;
  return Holidays;
}

const cache = new Map<string, Set<string>>();
let countries: Record<string, string> | undefined;

/** True for a two-letter country code the library has a calendar for (the library loads only for such a code). */
function hasCalendar(country: string | null | undefined): country is string {
  if (!country || !/^[A-Z]{2}$/i.test(country)) return false;
  countries ??= new (holidaysLib())().getCountries();
  return Boolean(countries[country.toUpperCase()]);
}

/** Public holidays (ISO dates) of a country in a year; an unknown or missing country has none (no holidays rather than no nudges). */
export function publicHolidays(country: string | null | undefined, year: number): Set<string> {
  if (!hasCalendar(country)) return new Set();
  const code = country.toUpperCase();
  const key = `${code}:${year}`;
  let days = cache.get(key);
  if (!days) {
    days = new Set();
    for (const h of new (holidaysLib())(code).getHolidays(year) || []) {
      if (h.type !== 'public') continue;
      // h.date is the local calendar date; a holiday may span several days (start..end).
      const first = DateTime.fromISO(h.date.slice(0, 10), { zone: 'UTC' });
      const span = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / 86_400_000));
      for (let i = 0; i < span; i++) days.add(first.plus({ days: i }).toISODate()!);
    }
    cache.set(key, days);
  }
  return days;
}

/** "Is this local ISO date a public holiday?" for a country, or undefined when it has no calendar. */
export function publicHolidayCalendar(country: string | null | undefined): ((isoDate: string) => boolean) | undefined {
  if (!hasCalendar(country)) return undefined;
  return (isoDate: string) => publicHolidays(country, Number(isoDate.slice(0, 4))).has(isoDate);
}

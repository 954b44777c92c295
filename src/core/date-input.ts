import { DateTime } from 'luxon';
import { foldWord } from './fold.js';

/**
 * Dates, times and durations as people type them, in the region's ways as well as ISO: one parser for
 * every form field and typed command, so `01.12.2026 10:00` works wherever a date is asked. Numbers
 * only (no month names), so nothing here depends on one language; unit words of durations live in
 * one table that other languages extend.
 */

/** Day-first dates: 1.12.2026, 01.12.2026., 1. 12. 2026., 1/12/2026, 1-12-2026. */
const DAY_FIRST = /^(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{4})\.?$/;
const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

/** A date as typed → "YYYY-MM-DD", or null when it is not a real calendar date. */
export function parseDateInput(text: string): string | null {
  const value = text.trim();
  const iso = ISO.exec(value);
  const dayFirst = iso ? null : DAY_FIRST.exec(value);
  const [year, month, day] = iso ? [iso[1], iso[2], iso[3]] : dayFirst ? [dayFirst[3], dayFirst[2], dayFirst[1]] : [];
  if (!year) return null;
  const date = DateTime.fromObject({ year: Number(year), month: Number(month), day: Number(day) }, { zone: 'UTC' });
  return date.isValid ? date.toISODate() : null;
}

/** A time of day as typed (10:00, 9:30, 10.30, 10h, 10h30) → "HH:mm", or null. */
export function parseTimeInput(text: string): string | null {
  const match = /^(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*h?$/i.exec(text.trim());
  if (!match) return null;
  // A bare number is not a time ("10" could be anything); "10h" is.
  if (match[2] === undefined && !/h\s*$/i.test(text.trim())) return null;
  const hour = Number(match[1]);
  const minute = Number(match[2] ?? 0);
  if (hour > 23 || minute > 59) return null;
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/**
 * Unit words of durations in every language the bot speaks, with the case forms people really type
 * after a number ("2 dana", "1 nedelju", "3 sata", "2 ditë", "1 недела", "2 дена"). A duration reads
 * the same whatever the person's language, so one table serves all; words are compared folded
 * (lower case, no diacritics), so "2 dite" and "1 jave" work too.
 */
export const DURATION_UNITS: Record<'hours' | 'days' | 'weeks', string[]> = {
  hours: [
    ...['h', 'hr', 'hrs', 'hour', 'hours'],
    ...['orë', 'ora', 'orësh'], // sq
    ...['sat', 'sata', 'sati', 'sahat', 'sahata', 'čas', 'časa', 'časova'], // sr, bs, hr (Latin)
    ...['сат', 'сата', 'сати', 'час', 'часа', 'часова', 'ч'], // sr (Cyrillic), mk
    ...['часови'], // mk
  ],
  days: [
    ...['d', 'day', 'days'],
    ...['ditë', 'dita', 'ditësh', 'ditëve'], // sq
    ...['dan', 'dana', 'dani'], // sr, bs, hr (Latin)
    ...['дан', 'дана', 'дани'], // sr (Cyrillic)
    ...['д', 'ден', 'дена', 'денови'], // mk
  ],
  weeks: [
    ...['w', 'wk', 'week', 'weeks'],
    ...['javë', 'java', 'javësh', 'javëve'], // sq
    ...['nedelja', 'nedelju', 'nedelje', 'nedjelja', 'nedjelju', 'nedjelje', 'sedmica', 'sedmicu', 'sedmice', 'hefta', 'heftu', 'hefte', 'tjedan', 'tjedna', 'tjedana'], // sr, bs, hr
    ...['недеља', 'недељу', 'недеље', 'седмица', 'седмицу', 'седмице'], // sr (Cyrillic)
    ...['недела', 'недели', 'седмици'], // mk
  ],
};

const UNIT_OF = new Map<string, keyof typeof DURATION_UNITS>();
for (const unit of Object.keys(DURATION_UNITS) as (keyof typeof DURATION_UNITS)[]) for (const word of DURATION_UNITS[unit]) UNIT_OF.set(foldWord(word), unit);

/** "a week of days": Serbian and Bosnian say "1 nedelju dana", "2 sedmice dana", "недељу дана". */
const OF_DAYS = new Set(['dana', 'дана', 'дена']);

/** A duration as typed (2d, 3 days, 1w, 12h, 2 dana, 1 javë, 1 недела) → luxon duration units, or null. */
export function parseDuration(text: string): { hours: number } | { days: number } | { weeks: number } | null {
  const match = /^(\d{1,3})\s*(\p{L}+)\.?(?:\s+(\p{L}+))?$/u.exec(text.trim());
  if (!match) return null;
  const amount = Number(match[1]);
  const unit = UNIT_OF.get(foldWord(match[2]));
  if (!unit || amount === 0) return null;
  if (match[3] !== undefined && !(unit === 'weeks' && OF_DAYS.has(foldWord(match[3])))) return null;
  return { [unit]: amount } as { hours: number } | { days: number } | { weeks: number };
}

/**
 * Words before a duration or a date in a typed command, in every language: "in 2d", "za 2 dana",
 * "за 3 дена", "pas 2 ditësh"; "at 01.12.2026 10:00", "1.12.2026. u 10:00", "më 01.12.2026 në orën 10:00",
 * "на 01.12.2026 во 10:00". Patterns (case-insensitive, with the u flag) for grammars to build on.
 */
export const IN_WORDS = String.raw`in|za|за|p[eë]r|pas|kroz|после`;
export const ON_WORDS = String.raw`at|on|m[eë]|n[eë]|dana|дана|na|на|u|у`;
export const AT_TIME_WORDS = String.raw`at|u|у|во|n[eë](?:\s+or[eë]n)?|в`;

/** Text patterns of a date and of a time, for grammars that find them inside longer text. */
export const DATE_PATTERN = String.raw`\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\s?[./]\s?\d{1,2}\s?[./]\s?\d{4}\.?`;
export const TIME_PATTERN = String.raw`\d{1,2}(?:[:.h]\d{2}|h)`;

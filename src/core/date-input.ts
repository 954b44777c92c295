import { DateTime } from 'luxon';

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

/** Unit words of durations; a language adds its own words to each list. */
export const DURATION_UNITS: Record<'hours' | 'days' | 'weeks', string[]> = {
  hours: ['h', 'hour', 'hours'],
  days: ['d', 'day', 'days'],
  weeks: ['w', 'week', 'weeks'],
};

/** A duration as typed (2d, 3 days, 1w, 12h) → luxon duration units, or null. */
export function parseDuration(text: string): { hours: number } | { days: number } | { weeks: number } | null {
  const match = /^(\d{1,3})\s*(\p{L}+)$/u.exec(text.trim().toLowerCase());
  if (!match) return null;
  const amount = Number(match[1]);
  const unit = (Object.keys(DURATION_UNITS) as (keyof typeof DURATION_UNITS)[]).find((u) => DURATION_UNITS[u].includes(match[2]));
  if (!unit || amount === 0) return null;
  return { [unit]: amount } as { hours: number } | { days: number } | { weeks: number };
}

/** Text patterns of a date and of a time, for grammars that find them inside longer text. */
export const DATE_PATTERN = String.raw`\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\s?[./]\s?\d{1,2}\s?[./]\s?\d{4}\.?`;
export const TIME_PATTERN = String.raw`\d{1,2}(?:[:.h]\d{2}|h)`;

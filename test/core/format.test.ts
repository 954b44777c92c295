import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatList, formatNumber, formatShortTime } from '../../src/core/format.js';
import { formatDay, formatMoment } from '../../src/domain/calendar.js';

/** Dates and numbers shown the way each language writes them (CLDR through Intl), English as before. */
const at = new Date('2026-12-01T09:00:00Z'); // Tue 1 Dec 2026, 10:00 in Belgrade

describe('when a date is shown to a person', () => {
  it('keeps the English form as it was', () => {
    expect(formatDay('2026-12-01', 'en')).toBe('Tue 1 Dec 2026');
    expect(formatDate(at, 'Europe/Belgrade', 'en')).toBe('Tue 1 Dec 2026');
    expect(formatMoment(at, { timeZone: 'Europe/Belgrade', locale: 'en' }, 'Europe/Belgrade')).toBe('Tue 1 Dec 2026, 10:00');
  });

  it('writes each language\'s day the local way (docs/glossary.md): weekday and month names, case, order and dots', () => {
    const expected: Record<string, string> = {
      sq: 'mar, 1 dhjetor 2026',
      'sr-Latn': 'uto, 1. decembar 2026.',
      'sr-Cyrl': 'уто, 1. децембар 2026.',
      bs: 'uto, 1. decembar 2026.',
      hr: 'uto, 1. prosinca 2026.',
      mk: 'вто., 1 декември 2026 г.',
    };
    for (const [locale, text] of Object.entries(expected)) {
      expect(formatDay('2026-12-01', locale), locale).toBe(text);
      expect(formatDate(at, 'Europe/Belgrade', locale), locale).toBe(text);
    }
  });

  it('adds the time of day on the 24-hour clock in every language', () => {
    for (const locale of ['sq', 'sr-Latn', 'sr-Cyrl', 'bs', 'hr', 'mk']) {
      const moment = formatMoment(at, { timeZone: 'Europe/Belgrade', locale }, 'Europe/Belgrade');
      expect(moment, locale).toContain('10:00');
      expect(moment, locale).toContain(formatDay('2026-12-01', locale));
      expect(formatDateTime(at, 'Europe/Belgrade', locale), locale).toContain('10:00');
    }
    expect(formatShortTime(at, new Date('2026-12-05T09:00:00Z'), 'Europe/Belgrade', 'hr')).toBe('1. prosinca u 10:00');
  });

  it('writes numbers with the locale\'s separators', () => {
    expect(formatNumber(1234.5, 'en')).toBe('1,234.5');
    expect(formatNumber(1234.5, 'sr-Latn')).toBe('1.234,5');
    expect(formatNumber(1234.5, 'mk')).toBe('1.234,5');
    expect(formatNumber(0.425, 'sq', { style: 'percent', maximumFractionDigits: 1 })).toMatch(/^42,5\s?%$/u);
    // The same locale with other options is another formatter, not the first one again.
    expect(formatNumber(0.425, 'sq')).toBe('0,425');
  });
});

describe('when lists are written in several languages one after another', () => {
  it('writes each in its own language, whichever came first', () => {
    expect(formatList(['a', 'b', 'c'], 'en')).toBe('a, b, and c');
    expect(formatList(['a', 'b'], 'hr')).toBe('a i b');
    expect(formatList(['a', 'b'], 'en')).toBe('a and b');
  });
});

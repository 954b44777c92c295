import { describe, expect, it } from 'vitest';
import { parseDateInput, parseDuration, parseTimeInput } from '../../src/core/date-input.js';

describe('when someone types a date', () => {
  it('reads the region\'s ways and ISO as the same day', () => {
    for (const typed of ['01.12.2026', '1.12.2026', '01.12.2026.', '1. 12. 2026.', '1/12/2026', '2026-12-01', ' 2026-12-1 ']) expect(parseDateInput(typed), typed).toBe('2026-12-01');
  });

  it('refuses what is not a real calendar day', () => {
    for (const typed of ['31.02.2027', '2027-02-30', '12/31/2026', '1.12.26', 'tomorrow', '']) expect(parseDateInput(typed), typed).toBeNull();
  });
});

describe('when someone types a time or a duration', () => {
  it('reads 10:00, 9:30, 10.30, 10h and 10h30', () => {
    expect(['10:00', '9:30', '10.30', '10h', '10h30'].map(parseTimeInput)).toEqual(['10:00', '09:30', '10:30', '10:00', '10:30']);
    expect(['24:00', '10', '9:7', 'noon'].map(parseTimeInput)).toEqual([null, null, null, null]);
  });

  it('reads a number with a unit letter or word', () => {
    expect(parseDuration('2d')).toEqual({ days: 2 });
    expect(parseDuration('3 days')).toEqual({ days: 3 });
    expect(parseDuration('1 week')).toEqual({ weeks: 1 });
    expect(parseDuration('12H')).toEqual({ hours: 12 });
    expect(parseDuration('0d')).toBeNull();
    expect(parseDuration('2 fortnights')).toBeNull();
  });
});

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

describe('when someone types a duration in their own language', () => {
  const cases: Record<string, [string, object][]> = {
    sq: [['2 ditë', { days: 2 }], ['2 dite', { days: 2 }], ['1 javë', { weeks: 1 }], ['3 javë', { weeks: 3 }], ['3 orë', { hours: 3 }], ['2 ditësh', { days: 2 }]],
    'sr-Latn': [['2 dana', { days: 2 }], ['1 dan', { days: 1 }], ['1 nedelja', { weeks: 1 }], ['1 nedelju', { weeks: 1 }], ['2 nedelje', { weeks: 2 }], ['1 nedelju dana', { weeks: 1 }], ['3 sata', { hours: 3 }], ['5 sati', { hours: 5 }]],
    'sr-Cyrl': [['2 дана', { days: 2 }], ['1 недеља', { weeks: 1 }], ['1 недељу', { weeks: 1 }], ['недељу дана'.replace(/^/, '1 '), { weeks: 1 }], ['3 сата', { hours: 3 }]],
    bs: [['1 sedmica', { weeks: 1 }], ['1 sedmicu', { weeks: 1 }], ['2 sedmice', { weeks: 2 }], ['1 nedjelju', { weeks: 1 }], ['2 dana', { days: 2 }], ['3 sahata', { hours: 3 }]],
    hr: [['1 tjedan', { weeks: 1 }], ['2 tjedna', { weeks: 2 }], ['5 tjedana', { weeks: 5 }], ['2 dana', { days: 2 }], ['3 sata', { hours: 3 }]],
    mk: [['2 дена', { days: 2 }], ['1 ден', { days: 1 }], ['1 недела', { weeks: 1 }], ['2 недели', { weeks: 2 }], ['3 часа', { hours: 3 }], ['5 часови', { hours: 5 }]],
  };
  for (const [language, typed] of Object.entries(cases)) {
    it(`reads ${language} units with the case forms people type`, () => {
      for (const [text, duration] of typed) expect(parseDuration(text), text).toEqual(duration);
    });
  }

  it('refuses a unit word it does not know, a zero, and a second word that is not "of days"', () => {
    for (const typed of ['2 muaj', '0 dana', '2 dana sati', '1 nedelju sata', 'dana']) expect(parseDuration(typed), typed).toBeNull();
  });
});


import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { formatMoment, formatSpan, periodInstants, phaseOf, spanDays, timelineDays, type CalendarSpan } from '../../src/domain/calendar.js';

const zones = ['Europe/Belgrade', 'Europe/London', 'America/New_York', 'Asia/Tokyo', 'Pacific/Auckland', 'UTC'];

describe('when a period is stored and read back', () => {
  it('gives the same first and last day in every zone, across daylight-saving changes', () => {
    const day = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: 400 }), fc.constantFrom(...zones), (first, length, zone) => {
        const last = DateTime.fromISO(first).plus({ days: length }).toISODate()!;
        const span = { ...periodInstants(first, last, zone), allDay: true };
        expect(spanDays(span, zone)).toEqual({ first, last });
        // Shown the same to a viewer anywhere: the days are the cluster's, not the viewer's.
        for (const viewerZone of zones) expect(formatSpan(span, { timeZone: viewerZone, locale: 'en' }, zone)).toBe(formatSpan(span, { timeZone: zone, locale: 'en' }, zone));
      }),
    );
  });

  it('reads a period stored at another zone\'s midnight as the day that was meant', () => {
    // Written by an editor in London for a Belgrade cluster: London midnights are 01:00 in Belgrade.
    const span: CalendarSpan = { startsAt: new Date('2026-10-13T00:00:00Z'), endsAt: new Date('2027-02-12T00:00:00Z'), allDay: true };
    expect(spanDays(span, 'Europe/Belgrade')).toEqual({ first: '2026-10-13', last: '2027-02-11' });
  });

  it('never stores an exclusive end that a view could show raw', () => {
    const { endsAt } = periodInstants('2026-11-02', '2026-11-02', 'Europe/Belgrade');
    expect(endsAt.toISOString()).toBe('2026-11-02T23:00:00.000Z');
    expect(formatSpan({ startsAt: periodInstants('2026-11-02', '2026-11-02', 'Europe/Belgrade').startsAt, endsAt, allDay: true }, { timeZone: 'Europe/London', locale: 'en' }, 'Europe/Belgrade')).toBe('Mon 2 Nov 2026');
  });

  it('spans a whole timeline from the first day of its first item to the last day of its last', () => {
    const prep = { ...periodInstants('2026-10-13', '2026-11-02', 'Europe/Belgrade'), allDay: true };
    const event = { startsAt: new Date('2026-11-05T09:00:00Z'), endsAt: new Date('2026-11-06T15:00:00Z'), allDay: false };
    expect(timelineDays([prep, event], 'Europe/Belgrade')).toEqual({ first: '2026-10-13', last: '2026-11-06' });
  });
});

describe('when an event time is shown', () => {
  const at = new Date('2026-12-02T09:00:00Z');
  it('shows the viewer\'s clock and names the zone only when it differs from the cluster\'s', () => {
    expect(formatMoment(at, { timeZone: 'Europe/Belgrade', locale: 'en' }, 'Europe/Belgrade')).toBe('Wed 2 Dec 2026, 10:00');
    // Same clock, other city: nothing to explain.
    expect(formatMoment(at, { timeZone: 'Europe/Tirane', locale: 'en' }, 'Europe/Belgrade')).toBe('Wed 2 Dec 2026, 10:00');
    expect(formatMoment(at, { timeZone: 'Europe/London', locale: 'en' }, 'Europe/Belgrade')).toBe('Wed 2 Dec 2026, 09:00 United Kingdom Time');
  });

  it('names each zone in each language, whichever was asked for first', () => {
    const london = formatMoment(at, { timeZone: 'Europe/London', locale: 'en' }, 'Europe/Belgrade');
    const lisbon = formatMoment(at, { timeZone: 'Europe/Lisbon', locale: 'en' }, 'Europe/Belgrade');
    const londonInCroatian = formatMoment(at, { timeZone: 'Europe/London', locale: 'hr' }, 'Europe/Belgrade');
    expect(lisbon).not.toBe(london);
    expect(lisbon).toContain('Western European');
    expect(londonInCroatian).toContain('Ujedinjeno Kraljevstvo');
    expect(formatMoment(at, { timeZone: 'Europe/London', locale: 'en' }, 'Europe/Belgrade')).toBe(london);
  });
});

describe('when the phase of a timeline is asked for', () => {
  const period = (first: string, last: string) => ({ ...periodInstants(first, last, 'Europe/Belgrade'), allDay: true, name: first });
  const timeline = [period('2025-01-06', '2025-02-28'), period('2025-03-03', '2025-06-30')];

  it('says "ended" for a timeline wholly in the past, never the last phase begun', () => {
    expect(phaseOf(timeline, new Date('2026-12-01T10:00:00Z'))).toEqual({ state: 'ended', last: timeline[1] });
  });

  it('finds the phase that contains now, up to the last moment of its last day in the cluster\'s zone', () => {
    expect(phaseOf(timeline, new Date('2025-02-28T22:59:59Z'))).toEqual({ state: 'current', item: timeline[0] });
    expect(phaseOf(timeline, new Date('2025-02-28T23:00:00Z'))).toEqual({ state: 'between', previous: timeline[0], next: timeline[1] });
  });

  it('says "not started" before the first item, and "empty" with no dates', () => {
    expect(phaseOf(timeline, new Date('2024-12-01T00:00:00Z'))).toEqual({ state: 'not-started', next: timeline[0] });
    expect(phaseOf([], new Date())).toEqual({ state: 'empty' });
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { publicHolidayCalendar } from '../../src/domain/public-holidays.js';
import { addWorkingHours, deadlineFor, DEFAULT_WORKING_HOURS, effectiveWorkingHours } from '../../src/domain/questions/policy.js';

const belgrade = 'Europe/Belgrade';
const localClock = new Intl.DateTimeFormat('en-GB', { timeZone: belgrade, hour: '2-digit', minute: '2-digit', weekday: 'short', hourCycle: 'h23' });

describe('when a normal question waits 24 working hours', () => {
  it('counts only Monday to Friday, 09:00 to 18:00, in the assignee’s zone', () => {
    // Friday 16:00 in Belgrade (15:00 UTC): 2 h on Friday, 9 h Monday, 9 h Tuesday, 4 h Wednesday.
    const due = deadlineFor(new Date('2026-11-27T15:00:00Z'), false, { timeZone: belgrade, workingHours: DEFAULT_WORKING_HOURS });
    expect(due.toISOString()).toBe('2026-12-02T12:00:00.000Z');
  });

  it('starts counting at the next working morning when asked at night', () => {
    const due = addWorkingHours(new Date('2026-11-23T22:30:00Z'), 2, belgrade, DEFAULT_WORKING_HOURS);
    expect(due.toISOString()).toBe('2026-11-24T10:00:00.000Z');
  });

  it('follows the assignee’s own working hours over the cluster’s', () => {
    const hours = effectiveWorkingHours({ start: '07:00', end: '11:00', days: [1, 2, 3, 4, 5] }, { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] });
    expect(addWorkingHours(new Date('2026-11-23T06:00:00Z'), 6, belgrade, hours).toISOString()).toBe('2026-11-24T08:00:00.000Z');
  });

  it('skips the public holidays of the person’s country (New Year and Orthodox Christmas in Serbia)', () => {
    // Wednesday 31 Dec 2025, 16:00 in Belgrade: 2 h; 1–2 Jan holidays; 9 h Mon 5, 9 h Tue 6; 7 Jan holiday; 4 h Thu 8.
    const due = deadlineFor(new Date('2025-12-31T15:00:00Z'), false, { timeZone: belgrade, workingHours: DEFAULT_WORKING_HOURS, isHoliday: publicHolidayCalendar('RS') });
    expect(due.toISOString()).toBe('2026-01-08T12:00:00.000Z');
    const withoutHolidays = deadlineFor(new Date('2025-12-31T15:00:00Z'), false, { timeZone: belgrade, workingHours: DEFAULT_WORKING_HOURS, isHoliday: publicHolidayCalendar(null) });
    expect(withoutHolidays.toISOString()).toBe('2026-01-05T12:00:00.000Z');
  });

  it('falls back to the default when stored working hours are broken', () => {
    expect(effectiveWorkingHours({ start: 'nine' }, { start: '18:00', end: '09:00', days: [1] })).toEqual(DEFAULT_WORKING_HOURS);
  });

  it('never ends outside working hours and never before the start', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2026-01-01'), max: new Date('2027-12-31'), noInvalidDate: true }), fc.integer({ min: 1, max: 80 }), (from, hours) => {
        const due = addWorkingHours(from, hours, belgrade, DEFAULT_WORKING_HOURS);
        const local = localClock.format(due);
        expect(due.getTime()).toBeGreaterThan(from.getTime());
        expect(local).not.toMatch(/Sat|Sun/);
        const [h, m] = local.split(' ')[1].split(':').map(Number);
        expect(h * 60 + m).toBeGreaterThanOrEqual(9 * 60);
        expect(h * 60 + m).toBeLessThanOrEqual(18 * 60);
      }),
      { numRuns: 100 },
    );
  });
});

describe('when a question is urgent', () => {
  it('waits two clock hours, even at night or on a weekend', () => {
    const due = deadlineFor(new Date('2026-11-28T23:00:00Z'), true, { timeZone: belgrade, workingHours: DEFAULT_WORKING_HOURS });
    expect(due.toISOString()).toBe('2026-11-29T01:00:00.000Z');
  });
});

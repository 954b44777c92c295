import { DateTime } from 'luxon';
import { publicHolidays } from '../domain/public-holidays.js';
import { minutesOfDay, type WorkingHours } from '../domain/working-hours.js';

/**
 * Moves a nudge's ideal instant into the recipient's working hours, in their own zone, skipping
 * weekends and their country's public holidays. All arithmetic is done in local wall time with
 * luxon, so 09:00 stays 09:00 across a daylight-saving change.
 */

export { DEFAULT_WORKING_HOURS, effectiveWorkingHours, workingHoursSchema, type WorkingHours } from '../domain/working-hours.js';

/** Who a delivery time is computed for. */
export interface LocalProfile {
  timeZone: string;
  country?: string | null;
  hours: WorkingHours;
}

/** True when `date` is a working day for the profile (weekday in hours.days and not a public holiday). */
export function isWorkingDay(local: DateTime, profile: LocalProfile): boolean {
  if (!profile.hours.days.includes(local.weekday)) return false;
  return !publicHolidays(profile.country, local.year).has(local.toISODate()!);
}

/** True when the instant lies inside the profile's working hours on a working day. */
export function isInWorkingHours(instant: Date, profile: LocalProfile): boolean {
  const local = DateTime.fromJSDate(instant).setZone(profile.timeZone);
  const m = local.hour * 60 + local.minute;
  return isWorkingDay(local, profile) && m >= minutesOfDay(profile.hours.start) && m < minutesOfDay(profile.hours.end);
}

/**
 * The first instant at or after `ideal` inside working hours: before the start → that day's start;
 * after the end, a weekend or a holiday → the next working day's start.
 */
export function nextWorkingInstant(ideal: Date, profile: LocalProfile): Date {
  const start = minutesOfDay(profile.hours.start);
  const end = minutesOfDay(profile.hours.end);
  let local: DateTime = DateTime.fromJSDate(ideal).setZone(profile.timeZone);
  for (let i = 0; i < 60; i++) {
    const m = local.hour * 60 + local.minute;
    if (isWorkingDay(local, profile)) {
      if (m < start) return atMinutes(local, start).toJSDate();
      if (m < end) return local.toJSDate();
    }
    local = atMinutes(local.plus({ days: 1 }), start);
  }
  // Sixty days without a working day means the hours are nonsense; deliver at the ideal time.
  return ideal;
}

/**
 * The last working instant at or before `ideal`, for reminders that must not slip past their anchor:
 * the same wall-clock time on the previous working day, clamped into that day's hours.
 */
export function previousWorkingInstant(ideal: Date, profile: LocalProfile): Date {
  const start = minutesOfDay(profile.hours.start);
  const end = minutesOfDay(profile.hours.end);
  let local: DateTime = DateTime.fromJSDate(ideal).setZone(profile.timeZone);
  for (let i = 0; i < 60; i++) {
    const m = local.hour * 60 + local.minute;
    if (isWorkingDay(local, profile)) {
      if (m >= start && m < end) return local.toJSDate();
      if (m >= end) return atMinutes(local, end - 30).toJSDate();
    }
    local = atMinutes(local.minus({ days: 1 }), Math.min(Math.max(m, start), end - 30));
  }
  return ideal;
}

/** The local calendar day of an instant for a zone ("2026-11-23"), used to merge nudges into one message. */
export function localDay(instant: Date, timeZone: string): string {
  return DateTime.fromJSDate(instant).setZone(timeZone).toISODate()!;
}

/** The local ISO week ("2026-W48"), used by the weekly cap. */
export function localWeek(instant: Date, timeZone: string): string {
  return DateTime.fromJSDate(instant).setZone(timeZone).toFormat("kkkk-'W'WW");
}

function atMinutes(local: DateTime, m: number): DateTime {
  return local.set({ hour: Math.floor(m / 60), minute: m % 60, second: 0, millisecond: 0 });
}


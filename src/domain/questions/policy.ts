import { DateTime } from 'luxon';
import { minutesOfDay, type WorkingHours } from '../working-hours.js';

/**
 * When an unanswered question moves on. The method asks for a "quick response mechanism" between
 * exchange events: a normal question waits a working day and a half at most (24 working hours of the
 * person asked, in their own time zone, without their country's public holidays), an urgent one two clock hours, day or night, because urgent
 * means someone is stuck now. Then it goes to the next resource person, then to a coordinator.
 */
export interface EscalationPolicy {
  /** Working hours a normal question waits for its answer at each step. */
  normalWorkingHours: number;
  /** Clock hours an urgent question waits at each step. */
  urgentHours: number;
}

export const DEFAULT_ESCALATION_POLICY: EscalationPolicy = { normalWorkingHours: 24, urgentHours: 2 };

export { DEFAULT_WORKING_HOURS, effectiveWorkingHours, workingHoursSchema, type WorkingHours } from '../working-hours.js';

/**
 * `from` plus `hours` counted only inside the working hours, in `timeZone`, skipping the local dates
 * `isHoliday` names (public holidays of the person's country).
 */
export function addWorkingHours(from: Date, hours: number, timeZone: string, workingHours: WorkingHours, isHoliday?: (isoDate: string) => boolean): Date {
  let remaining = Math.round(hours * 60);
  let cursor = DateTime.fromJSDate(from).setZone(timeZone);
  const startMinutes = minutesOfDay(workingHours.start);
  const endMinutes = minutesOfDay(workingHours.end);
  // A year of days is far more than any deadline needs; the bound only guards against a bad definition.
  for (let day = 0; day < 366; day++) {
    if (workingHours.days.includes(cursor.weekday) && !isHoliday?.(cursor.toISODate() ?? '')) {
      const dayStart = cursor.startOf('day').plus({ minutes: startMinutes });
      const dayEnd = cursor.startOf('day').plus({ minutes: endMinutes });
      if (cursor < dayStart) cursor = dayStart;
      if (cursor < dayEnd) {
        const available = Math.floor(dayEnd.diff(cursor, 'minutes').minutes);
        if (remaining <= available) return cursor.plus({ minutes: remaining }).toJSDate();
        remaining -= available;
      }
    }
    cursor = cursor.startOf('day').plus({ days: 1 });
  }
  throw new Error('working hours leave no time to answer in a year');
}

/** The deadline of one step of a question, for the person it is put to. */
export function deadlineFor(
  askedAt: Date,
  urgent: boolean,
  assignee: { timeZone: string; workingHours: WorkingHours; isHoliday?: (isoDate: string) => boolean },
  policy: EscalationPolicy = DEFAULT_ESCALATION_POLICY,
): Date {
  if (urgent) return new Date(askedAt.getTime() + policy.urgentHours * 3_600_000);
  return addWorkingHours(askedAt, policy.normalWorkingHours, assignee.timeZone, assignee.workingHours, assignee.isHoliday);
}


import { z } from 'zod';

/**
 * Working hours, one definition for everything that respects them: nudges land inside them and a
 * question's "24 working hours" are counted in them.
 */

/** As stored in Cluster.workingHours / Person.workingHours (validated when read). */
export const workingHoursSchema = z.object({
  start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
  end: z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/),
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  days: z.array(z.number().int().min(1).max(7)).min(1),
});
export type WorkingHours = z.infer<typeof workingHoursSchema>;

export const DEFAULT_WORKING_HOURS: WorkingHours = { start: '09:00', end: '18:00', days: [1, 2, 3, 4, 5] };

/** Person's hours win over the cluster's, the cluster's over the default; stored JSON that is broken falls back quietly. */
export function effectiveWorkingHours(person: unknown, cluster: unknown): WorkingHours {
  for (const candidate of [person, cluster]) {
    const parsed = workingHoursSchema.safeParse(candidate);
    if (parsed.success && minutesOfDay(parsed.data.start) < minutesOfDay(parsed.data.end)) return parsed.data;
  }
  return DEFAULT_WORKING_HOURS;
}

/** "09:30" → 570. */
export function minutesOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

import { z } from 'zod';
import { activityContentSchema } from '../../src/domain/plans/content.js';

/** A removed activity kept for Undo, with everything needed to put it back. */
const removedActivitySchema = activityContentSchema.omit({ id: true }).extend({ planId: z.string(), position: z.number().int() });

/**
 * The plan flow's saved position. Answers themselves are never kept here (they are saved to the
 * plan at once); only where the member is: which plan, and the guided question they are at,
 * kept even while they look at the overview, so "Continue" returns to it on any platform.
 */
export const planStateSchema = z.object({
  planId: z.string().optional(),
  /** The guided conversation's question: "plan:<field>", "act:<activityId>:<field>", "new" or "more". */
  cursor: z.string().max(100).optional(),
  undo: removedActivitySchema.optional(),
});

export type PlanState = z.infer<typeof planStateSchema>;
export type RemovedActivity = z.infer<typeof removedActivitySchema>;

/** Steps: "overview" (buttons and forms) or "guided" (free text answers the current question). */
export type PlanStep = 'overview' | 'guided';

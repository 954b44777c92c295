import { z } from 'zod';
import type { ActivityProgress, PlanStage } from '../../generated/prisma/enums.js';

/**
 * The plan as one plain object: what a version freezes, what exports print and what diffs compare.
 * Deadlines are ISO dates (YYYY-MM-DD) so a snapshot reads the same in every time zone.
 */
export const activityContentSchema = z.object({
  id: z.string(),
  activity: z.string(),
  responsible: z.string().nullable(),
  deadline: z.string().nullable(),
  challenges: z.string().nullable(),
  mitigation: z.string().nullable(),
  resources: z.string().nullable(),
  results: z.string().nullable(),
  progress: z.enum(['NOT_STARTED', 'IN_PROGRESS', 'DONE', 'BLOCKED']),
  progressNote: z.string().nullable(),
});

export const planContentSchema = z.object({
  approach: z.string(),
  goal: z.string().nullable(),
  change: z.string().nullable(),
  targetGroup: z.string().nullable(),
  beneficiaries: z.string().nullable(),
  activities: z.array(activityContentSchema),
});

export type ActivityContent = z.infer<typeof activityContentSchema>;
export type PlanContent = z.infer<typeof planContentSchema>;

/** What a stored plan row with its activities looks like (Prisma's shape, kept structural). */
export interface PlanRow {
  id: string;
  clusterId: string;
  authorId: string;
  stage: PlanStage;
  approach: string;
  goal: string | null;
  change: string | null;
  targetGroup: string | null;
  beneficiaries: string | null;
  updatedAt: Date;
  activities: ActivityRow[];
}

export interface ActivityRow {
  id: string;
  position: number;
  activity: string;
  responsible: string | null;
  deadline: Date | null;
  challenges: string | null;
  mitigation: string | null;
  resources: string | null;
  results: string | null;
  progress: ActivityProgress;
  progressNote: string | null;
}

/** A plan row turned into content, activities in their order. */
export function contentOf(plan: PlanRow): PlanContent {
  return {
    approach: plan.approach,
    goal: plan.goal,
    change: plan.change,
    targetGroup: plan.targetGroup,
    beneficiaries: plan.beneficiaries,
    activities: [...plan.activities]
      .sort((a, b) => a.position - b.position)
      .map((a) => ({
        id: a.id,
        activity: a.activity,
        responsible: a.responsible,
        deadline: a.deadline ? isoDate(a.deadline) : null,
        challenges: a.challenges,
        mitigation: a.mitigation,
        resources: a.resources,
        results: a.results,
        progress: a.progress,
        progressNote: a.progressNote,
      })),
  };
}

/** A DATE column as YYYY-MM-DD (Prisma gives it as midnight UTC). */
export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

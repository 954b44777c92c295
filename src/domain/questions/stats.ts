import type { Db } from '../../core/db.js';

/** What a coordinator sees about questions at a glance. */
export interface QuestionStats {
  /** Questions waiting for an answer now (with a resource person or a coordinator). */
  open: number;
  /** Of those, how many are past their current deadline. */
  overdue: number;
  answered: number;
  /** Median minutes from asking to the first answer; null before the first answer. */
  medianMinutesToAnswer: number | null;
  /**
   * Share (0..1) of questions answered by their first deadline, among those that were answered or
   * whose first deadline has passed (a question still inside its first deadline is not judged yet);
   * null when none can be judged.
   */
  answeredInTimeShare: number | null;
}

/**
 * The numbers of the coordinators' status section: open questions, median time to answer, and the
 * share answered in time. Follow-ups count as questions of their own.
 */
export async function questionStats(db: Db, clusterId: string, now: Date): Promise<QuestionStats> {
  const [row] = await db.$queryRaw<{ open: bigint; overdue: bigint; answered: bigint; median: number | null; judged: bigint; intime: bigint }[]>`
    SELECT
      count(*) FILTER (WHERE status IN ('OPEN', 'ESCALATED_TO_COORDINATOR')) AS open,
      count(*) FILTER (WHERE status IN ('OPEN', 'ESCALATED_TO_COORDINATOR') AND "dueAt" < ${now}) AS overdue,
      count(*) FILTER (WHERE "answeredAt" IS NOT NULL) AS answered,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ("answeredAt" - "askedAt")) / 60)
        FILTER (WHERE "answeredAt" IS NOT NULL) AS median,
      count(*) FILTER (WHERE "answeredAt" IS NOT NULL OR "firstDueAt" < ${now}) AS judged,
      count(*) FILTER (WHERE "answeredAt" IS NOT NULL AND "firstDueAt" IS NOT NULL AND "answeredAt" <= "firstDueAt") AS intime
    FROM "RoutedQuestion" WHERE "clusterId" = ${clusterId}`;
  const judged = Number(row.judged);
  return {
    open: Number(row.open),
    overdue: Number(row.overdue),
    answered: Number(row.answered),
    medianMinutesToAnswer: row.median === null ? null : Math.round(Number(row.median)),
    answeredInTimeShare: judged === 0 ? null : Number(row.intime) / judged,
  };
}

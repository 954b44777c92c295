import type { Db } from '../../core/db.js';
import { consolidatePlan as freezeConsolidated } from '../plans/versions.js';

/**
 * Consolidation after a feedback round: the plan's next immutable version (stage CONSOLIDATED, linked
 * to the round through ActionPlanVersion.answersRoundId), carrying how the author took up each
 * suggestion. The freezing itself is the plans domain's; this adds what the feedback round knows.
 */
export async function consolidatePlan(db: Db, input: { planId: string; authorId: string; roundId: string; note?: string; now: Date }) {
  const suggestions = await db.feedbackSuggestion.findMany({
    where: { feedback: { deliveredAt: { not: null }, assignment: { roundId: input.roundId, planId: input.planId } } },
    orderBy: { id: 'asc' },
  });
  return freezeConsolidated(db, input.planId, {
    feedbackRoundId: input.roundId,
    authorId: input.authorId,
    consolidation: {
      roundId: input.roundId,
      note: input.note ?? null,
      consolidatedAt: input.now.toISOString(),
      suggestions: suggestions.map((s) => ({ id: s.id, target: s.target, text: s.text, takenUp: s.takenUp })),
    },
  });
}

import type { Db } from '../../core/db.js';
import { BotError, ErrorCode } from '../../core/errors.js';

/**
 * Consolidation: the author's plan after feedback becomes its next immutable version, stage
 * CONSOLIDATED, linked to the round whose feedback it answers (ActionPlanVersion.answersRoundId),
 * with how each suggestion was taken up. The plans helper has an equivalent for its own flows; the
 * two are merged later, so this one keeps to the shared schema and the content shape of a snapshot.
 */
export async function consolidatePlan(db: Db, input: { planId: string; authorId: string; roundId: string; note?: string; now: Date }) {
  return db.$transaction(async (tx) => {
    const plan = await tx.actionPlan.findUnique({ where: { id: input.planId }, include: { activities: { orderBy: { position: 'asc' } }, versions: { orderBy: { number: 'desc' }, take: 1 } } });
    if (!plan || plan.authorId !== input.authorId) throw new BotError(ErrorCode.NotFound, 'feedback:consolidate.notFound');
    const already = await tx.actionPlanVersion.findFirst({ where: { planId: plan.id, answersRoundId: input.roundId } });
    if (already) throw new BotError(ErrorCode.Conflict, 'feedback:consolidate.already', { number: already.number });
    const suggestions = await tx.feedbackSuggestion.findMany({
      where: { feedback: { deliveredAt: { not: null }, assignment: { roundId: input.roundId, planId: plan.id } } },
      orderBy: { id: 'asc' },
    });
    const number = (plan.versions[0]?.number ?? 0) + 1;
    const content = {
      approach: plan.approach,
      goal: plan.goal,
      change: plan.change,
      targetGroup: plan.targetGroup,
      beneficiaries: plan.beneficiaries,
      activities: plan.activities.map((a) => ({
        id: a.id,
        position: a.position,
        activity: a.activity,
        responsible: a.responsible,
        deadline: a.deadline?.toISOString().slice(0, 10) ?? null,
        challenges: a.challenges,
        mitigation: a.mitigation,
        resources: a.resources,
        results: a.results,
      })),
      consolidation: {
        roundId: input.roundId,
        note: input.note ?? null,
        consolidatedAt: input.now.toISOString(),
        suggestions: suggestions.map((s) => ({ id: s.id, target: s.target, text: s.text, takenUp: s.takenUp })),
      },
    };
    const version = await tx.actionPlanVersion.create({ data: { planId: plan.id, number, stage: 'CONSOLIDATED', content, answersRoundId: input.roundId, createdAt: input.now } });
    await tx.actionPlan.update({ where: { id: plan.id }, data: { stage: 'CONSOLIDATED' } });
    return version;
  });
}

import type { Db } from '../../core/db.js';
import { registerStatusSection, type StatusField } from '../status.js';

/**
 * The status sections this area can fill from the tables as they are: registrations and memberships,
 * plus first counts of plans, feedback, questionnaires and questions that the areas owning those
 * tables may replace with richer sections (same id) later. Phase and dates are shown by the flow.
 */
export function registerClusterStatusSections(): void {
  registerStatusSection({
    id: 'registrations',
    titleKey: 'clusters:status.sections.registrations',
    order: 10,
    async collect(db: Db, clusterId: string): Promise<StatusField[]> {
      const [firstChoice, listed, byStatus] = await Promise.all([
        db.registrationPreference.count({ where: { clusterId, rank: 1, registration: { status: { not: 'WITHDRAWN' } } } }),
        db.registrationPreference.count({ where: { clusterId, registration: { status: { not: 'WITHDRAWN' } } } }),
        db.registration.groupBy({ by: ['status'], where: { assignedClusterId: clusterId }, _count: { _all: true } }),
      ]);
      const count = (s: string) => byStatus.find((r) => r.status === s)?._count._all ?? 0;
      return [
        { labelKey: 'clusters:status.firstChoice', value: firstChoice },
        { labelKey: 'clusters:status.listed', value: listed },
        { labelKey: 'clusters:status.awaitingApproval', value: count('ASSIGNED') },
        { labelKey: 'clusters:status.approved', value: count('APPROVED') },
      ];
    },
  });
  registerStatusSection({
    id: 'memberships',
    titleKey: 'clusters:status.sections.memberships',
    order: 20,
    async collect(db: Db, clusterId: string) {
      const [rows, municipalities, cluster] = await Promise.all([
        db.membership.groupBy({ by: ['role', 'status'], where: { clusterId, status: { in: ['ACTIVE', 'INVITED'] } }, _count: { _all: true } }),
        db.membership.findMany({ where: { clusterId, role: 'MEMBER', status: 'ACTIVE', organisationId: { not: null } }, distinct: ['organisationId'], select: { organisationId: true } }),
        db.cluster.findUnique({ where: { id: clusterId }, select: { capacity: true } }),
      ]);
      const n = (role: string, status = 'ACTIVE') => rows.find((r) => r.role === role && r.status === status)?._count._all ?? 0;
      const invited = rows.filter((r) => r.status === 'INVITED').reduce((s, r) => s + r._count._all, 0);
      return [
        { labelKey: 'clusters:status.municipalities', value: `${municipalities.length} / ${cluster?.capacity ?? '?'}` },
        { labelKey: 'clusters:status.members', value: n('MEMBER') },
        { labelKey: 'clusters:status.resourcePersons', value: n('RESOURCE_PERSON') },
        { labelKey: 'clusters:status.coordinators', value: n('COORDINATOR') },
        { labelKey: 'clusters:status.observers', value: n('OBSERVER') },
        { labelKey: 'clusters:status.invited', value: invited },
      ];
    },
  });
  registerStatusSection({
    id: 'plans',
    fallback: true,
    titleKey: 'clusters:status.sections.plans',
    order: 30,
    async collect(db: Db, clusterId: string) {
      const written = { not: '' };
      const [stages, drafted] = await Promise.all([
        db.actionPlan.groupBy({ by: ['stage'], where: { clusterId }, _count: { _all: true } }),
        // Opening /lc plan creates an empty draft (the approach filled in for the member); only one with something written in it counts.
        db.actionPlan.count({ where: { clusterId, stage: 'DRAFT', OR: [{ goal: written }, { change: written }, { targetGroup: written }, { beneficiaries: written }, { activities: { some: {} } }] } }),
      ]);
      const n = (s: string) => stages.find((r) => r.stage === s)?._count._all ?? 0;
      return [
        { labelKey: 'clusters:status.plansDrafted', value: drafted },
        { labelKey: 'clusters:status.plansSubmitted', value: n('SUBMITTED') + n('CONSOLIDATED') + n('IN_APPLICATION') },
      ];
    },
  });
  registerStatusSection({
    id: 'feedback',
    fallback: true,
    titleKey: 'clusters:status.sections.feedback',
    order: 40,
    async collect(db: Db, clusterId: string) {
      const [given, assigned] = await Promise.all([
        db.feedbackAssignment.count({ where: { round: { clusterId }, status: 'SUBMITTED' } }),
        db.feedbackAssignment.count({ where: { round: { clusterId } } }),
      ]);
      return [{ labelKey: 'clusters:status.feedbackGiven', value: `${given} / ${assigned}` }];
    },
  });
  registerStatusSection({
    id: 'questionnaires',
    fallback: true,
    titleKey: 'clusters:status.sections.questionnaires',
    order: 50,
    async collect(db: Db, clusterId: string) {
      const runs = await db.questionnaireRun.findMany({ where: { clusterId, status: { in: ['OPEN', 'CLOSED'] } }, include: { participations: { select: { answered: true } }, questionnaire: { select: { key: true, definition: true } } }, orderBy: { opensAt: 'asc' } });
      if (runs.length === 0) return [{ labelKey: 'clusters:status.noQuestionnaires', value: '–' }];
      return runs.map((run) => {
        const answered = run.participations.filter((p) => p.answered).length;
        const total = run.participations.length;
        const rate = total ? Math.round((answered / total) * 100) : 0;
        // The questionnaire's title, never its key (ee1-evaluation is a file name, not words).
        const title = (run.questionnaire.definition as { title?: Record<string, string> } | null)?.title;
        return { labelKey: 'clusters:status.responseRate', ...(title?.en ? { localisedVars: { name: title } } : { vars: { name: run.questionnaire.key } }), value: `${answered} / ${total} (${rate}%)` };
      });
    },
  });
  registerStatusSection({
    id: 'questions',
    fallback: true,
    titleKey: 'clusters:status.sections.questions',
    order: 60,
    async collect(db: Db, clusterId: string) {
      const [open, urgent] = await Promise.all([
        db.routedQuestion.count({ where: { clusterId, status: { in: ['OPEN', 'ESCALATED_TO_COORDINATOR'] } } }),
        db.routedQuestion.count({ where: { clusterId, urgent: true, status: { in: ['OPEN', 'ESCALATED_TO_COORDINATOR'] } } }),
      ]);
      return [
        { labelKey: 'clusters:status.openQuestions', value: open },
        { labelKey: 'clusters:status.urgentQuestions', value: urgent },
      ];
    },
  });
}

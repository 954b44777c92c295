import type { Db } from '../../../src/core/db.js';
import type { OutboundMessage } from '../../../src/core/messages.js';
import type { PlatformSender } from '../../../src/core/notifier.js';

/** Test data for feedback rounds: submitted plans made directly in the database (no plan flows needed). */
export async function submittedPlan(db: Db, clusterCode: string, externalId: string, activities = 2) {
  const identity = await db.platformIdentity.findFirstOrThrow({ where: { externalId }, include: { person: true } });
  const cluster = await db.cluster.findFirstOrThrow({ where: { code: clusterCode } });
  const name = identity.person.displayName;
  const plan = await db.actionPlan.create({
    data: {
      clusterId: cluster.id,
      authorId: identity.personId,
      stage: 'SUBMITTED',
      approach: cluster.approach,
      goal: `A day-care centre for 20 elderly people in the municipality of ${name}`,
      change: 'Fewer elderly people alone at home',
      targetGroup: 'Elderly people living alone',
      beneficiaries: 'Elderly people and their families',
      activities: {
        create: Array.from({ length: activities }, (_, i) => ({
          position: i + 1,
          activity: i === 0 ? 'Secure premises and ownership rights for the centre' : `Activity ${i + 1}: hire and train staff`,
          responsible: 'Social services department',
          deadline: new Date(Date.UTC(2027, i + 1, 1)),
          challenges: 'Budget approval',
          mitigation: 'Early talks with the council',
          resources: 'Municipal budget line and two staff',
          results: 'The centre open five days a week',
        })),
      },
    },
    include: { activities: true },
  });
  await db.actionPlanVersion.create({ data: { planId: plan.id, number: 1, stage: 'SUBMITTED', content: { goal: plan.goal } } });
  return { plan, person: identity.person, externalId };
}

/** Moves a member to another member's organisation (e.g. two practitioners from one municipality). */
export async function sameOrganisationAs(db: Db, clusterCode: string, externalId: string, otherExternalId: string) {
  const cluster = await db.cluster.findFirstOrThrow({ where: { code: clusterCode } });
  const [a, b] = await Promise.all([externalId, otherExternalId].map((id) => db.platformIdentity.findFirstOrThrow({ where: { externalId: id }, include: { person: true } })));
  await db.person.update({ where: { id: a.personId }, data: { organisationId: b.person.organisationId } });
  await db.membership.updateMany({ where: { personId: a.personId, clusterId: cluster.id }, data: { organisationId: b.person.organisationId } });
}

/** A web-chat sender that records every proactive message per identity, to read what people received. */
export class RecordingSender implements PlatformSender {
  readonly platform = 'WEB' as const;
  readonly sent: { externalId: string; message: OutboundMessage }[] = [];
  async send(target: { externalId: string }, message: OutboundMessage): Promise<void> {
    this.sent.push({ externalId: target.externalId, message });
  }
  to(externalId: string): OutboundMessage[] {
    return this.sent.filter((s) => s.externalId === externalId).map((s) => s.message);
  }
}

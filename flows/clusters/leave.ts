import type { Translate } from '../../src/core/i18n.js';
import { z } from 'zod';
import { notifyInTheirLanguage } from '../../src/core/in-their-language.js';
import { defineFlow, type FlowContext, type FlowResult } from '../../src/core/flow.js';
import { ui, type Block } from '../../src/core/messages.js';
import { leaveCluster } from '../../src/domain/clusters/members.js';
import { coordinatorsOf, findRegistration, withdrawRegistration } from '../../src/domain/clusters/registrations.js';

type State = Record<string, never>;

/**
 * `/lc leave [cluster]`: leave a cluster (every role in it) or withdraw an open registration, after a
 * confirmation. Coordinators are told. Leaving as the last coordinator is refused with advice.
 */
export const leaveFlow = defineFlow<State>({
  name: 'leave',
  version: 1,
  schema: z.object({}) as z.ZodType<State>,
  commands: [{ verb: 'leave', summaryKey: 'clusters:summary.leave', usageKey: 'clusters:usage.leave', audience: 'anyone' }],
  async start(ctx, { args }) {
    const { t } = ctx;
    const db = ctx.services.db;
    const code = args.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    const memberships = await db.membership.findMany({ where: { personId: ctx.person.id, status: { in: ['ACTIVE', 'INVITED'] } }, include: { cluster: true } });
    const clusters = [...new Map(memberships.map((m) => [m.clusterId, m.cluster])).values()].filter((c) => !code || c.code.toLowerCase() === code);
    const registration = await findRegistration(db, ctx.person.id);
    const openRegistration = registration && (registration.status === 'SUBMITTED' || registration.status === 'ASSIGNED') ? registration : null;
    const blocks: Block[] = [];
    for (const cluster of clusters) {
      blocks.push(ui.paragraph(t('clusters:leave.cluster', { code: cluster.code, name: cluster.name })));
      blocks.push(ui.actions({ ...ui.button(t('clusters:leave.leaveButton', { code: cluster.code }), 'leave:cluster', cluster.id, 'danger'), confirm: { title: t('clusters:leave.confirmTitle'), text: t('clusters:leave.confirmText', { code: cluster.code }), yes: t('clusters:leave.yes'), no: t('clusters:cancel') } }));
    }
    if (openRegistration && !code) {
      blocks.push(ui.paragraph(t('clusters:leave.registration')));
      blocks.push(ui.actions({ ...ui.button(t('clusters:leave.withdraw'), 'leave:registration', openRegistration.id, 'danger'), confirm: { title: t('clusters:leave.confirmTitle'), text: t('clusters:leave.withdrawText'), yes: t('clusters:leave.withdraw'), no: t('clusters:cancel') } }));
    }
    if (blocks.length === 0) return { replies: [ui.text(code ? t('clusters:leave.notIn', { code: args.trim() }) : t('clusters:leave.nothing'), { ephemeral: true })], next: null };
    return { replies: [ui.message(t('clusters:leave.title'), [ui.heading(t('clusters:leave.title')), ...blocks], { ephemeral: true })], next: null };
  },
  accepts: { actions: { 'leave:cluster': '{cluster}', 'leave:registration': '{registration}' }, forms: [] },
  async handle(ctx, event): Promise<FlowResult<State>> {
    if (event.type !== 'action') return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
    const db = ctx.services.db;
    if (event.actionId === 'leave:cluster') {
      const cluster = await db.cluster.findUnique({ where: { id: event.value } });
      if (!cluster) return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
      const coordinators = await coordinatorsOf(db, [cluster.id]);
      if (coordinators.length === 1 && coordinators[0] === ctx.person.id) return { replies: [ui.text(ctx.t('clusters:leave.lastCoordinator', { code: cluster.code }), { ephemeral: true })] };
      const count = await leaveCluster(db, ctx.person.id, cluster.id);
      if (count === 0) return { replies: [ui.text(ctx.t('clusters:leave.notIn', { code: cluster.code }), { ephemeral: true })] };
      await ctx.services.scheduler.clusterChanged(cluster.id, 'membership');
      await tellCoordinators(ctx, [cluster.id], (t) => t('clusters:leave.coordinatorNotice', { name: ctx.person.displayName, code: cluster.code }));
      return { replies: [ui.text(ctx.t('clusters:leave.left', { code: cluster.code }), { replaceOriginal: true })] };
    }
    if (event.actionId === 'leave:registration') {
      const registration = await db.registration.findUnique({ where: { id: event.value }, include: { preferences: true } });
      if (!registration || !(await withdrawRegistration(db, ctx.person.id, event.value))) return { replies: [ui.text(ctx.t('clusters:leave.nothing'), { ephemeral: true })] };
      await tellCoordinators(ctx, registration.preferences.map((p) => p.clusterId), (t) => t('clusters:leave.withdrawNotice', { name: ctx.person.displayName }));
      return { replies: [ui.text(ctx.t('clusters:leave.withdrawn'), { replaceOriginal: true })] };
    }
    return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
  },
});

/** Each coordinator hears it in their own language. */
async function tellCoordinators(ctx: FlowContext, clusterIds: string[], text: (t: Translate) => string) {
  for (const id of await coordinatorsOf(ctx.services.db, clusterIds)) if (id !== ctx.person.id) await notifyInTheirLanguage(ctx.services, id, (t) => ui.text(text(t)));
}

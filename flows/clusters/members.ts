import { z } from 'zod';
import { defineFlow, type FlowContext, type FlowResult } from '../../src/core/flow.js';
import { ui, type Block, type OutboundMessage } from '../../src/core/messages.js';
import { approveRegistration, changeRole, clusterRoster, declineRegistration } from '../../src/domain/clusters/members.js';
import { loadCluster } from '../../src/domain/clusters/timeline-edits.js';
import { Role } from '../../src/generated/prisma/enums.js';
import { withCluster } from './common.js';

/**
 * `/lc members [cluster]`: a coordinator's roster: people, roles, organisations and status, with
 * Approve/Decline for registrations the matching assigned here and a role menu per membership.
 * Every button is re-checked in the domain against the cluster of the stored row.
 */
export const membersFlow = defineFlow({
  name: 'members',
  version: 1,
  schema: z.object({}),
  commands: [{ verb: 'members', summaryKey: 'clusters:summary.members', usageKey: 'clusters:usage.members', audience: ['COORDINATOR'], common: true }],
  async start(ctx, { args }) {
    return withCluster(ctx, 'members', args, ['COORDINATOR'], async (cluster) => ({ replies: [await renderRoster(ctx, cluster.id)], next: null }));
  },
  async handle(ctx, event): Promise<FlowResult<object>> {
    if (event.type !== 'action') return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
    const db = ctx.services.db;
    switch (event.actionId) {
      case 'members:cluster':
        return this.start(ctx, { verb: 'members', args: event.value });
      case 'members:approve': {
        const { registration, clusterId } = await approveRegistration(db, ctx.person.id, event.value);
        await ctx.services.scheduler.clusterChanged(clusterId, 'membership');
        const cluster = await loadCluster(db, clusterId);
        const welcome = ctx.t('clusters:members.welcome', { code: cluster.code, name: cluster.name });
        await ctx.services.notifier.notify(registration.personId, ui.message(welcome, [ui.paragraph(welcome), ui.actions(ui.commandButton(ctx.t('clusters:invite.seeTimeline'), `timeline ${cluster.code}`, 'primary'))]));
        return rosterWithNote(ctx, clusterId, ctx.t('clusters:members.approved', { name: await nameOf(ctx, registration.personId) }));
      }
      case 'members:decline': {
        const { registration, clusterId } = await declineRegistration(db, ctx.person.id, event.value);
        const cluster = await loadCluster(db, clusterId);
        await ctx.services.notifier.notify(registration.personId, ui.text(ctx.t('clusters:members.declinedNotice', { code: cluster.code, name: cluster.name })));
        return rosterWithNote(ctx, clusterId, ctx.t('clusters:members.declined', { name: await nameOf(ctx, registration.personId) }));
      }
      case 'members:role': {
        const [membershipId, role] = event.value.split('|');
        const parsedRole = z.enum(Role).safeParse(role);
        if (!membershipId || !parsedRole.success) return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
        const { membership, changed } = await changeRole(db, ctx.person.id, membershipId, parsedRole.data);
        if (changed) {
          await ctx.services.scheduler.clusterChanged(membership.clusterId, 'membership');
          const cluster = await loadCluster(db, membership.clusterId);
          await ctx.services.notifier.notify(membership.personId, ui.text(ctx.t('clusters:members.roleChangedNotice', { role: ctx.t(`roles.${parsedRole.data}`), code: cluster.code })));
        }
        return rosterWithNote(ctx, membership.clusterId, ctx.t('clusters:members.roleChanged', { name: await nameOf(ctx, membership.personId), role: ctx.t(`roles.${parsedRole.data}`) }));
      }
      default:
        return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
    }
  },
});

async function nameOf(ctx: FlowContext, personId: string) {
  return (await ctx.services.db.person.findUnique({ where: { id: personId }, select: { displayName: true } }))?.displayName ?? '?';
}

async function rosterWithNote(ctx: FlowContext, clusterId: string, note: string): Promise<FlowResult<object>> {
  const roster = await renderRoster(ctx, clusterId);
  return { replies: [{ ...roster, blocks: [ui.paragraph(note), ...roster.blocks], replaceOriginal: true }] };
}

async function renderRoster(ctx: FlowContext, clusterId: string): Promise<OutboundMessage> {
  const { t } = ctx;
  const cluster = await loadCluster(ctx.services.db, clusterId);
  const { memberships, registrations } = await clusterRoster(ctx.services.db, ctx.person.id, clusterId);
  const blocks: Block[] = [ui.heading(t('clusters:members.title', { code: cluster.code, name: cluster.name }))];
  if (registrations.length) {
    blocks.push(ui.paragraph(`**${t('clusters:members.awaiting')}**`));
    for (const r of registrations) {
      blocks.push(ui.paragraph(`${r.person.displayName}: ${r.organisationName}${r.position ? `, ${r.position}` : ''}${r.country ? ` (${r.country})` : ''}${r.assignedReason ? `\n_${r.assignedReason}_` : ''}`));
      if (r.status === 'ASSIGNED') {
        blocks.push(ui.actions(ui.button(t('clusters:members.approve'), 'members:approve', r.id, 'primary'), { ...ui.button(t('clusters:members.decline'), 'members:decline', r.id, 'danger'), confirm: { title: t('clusters:members.declineTitle'), text: t('clusters:members.declineConfirm', { name: r.person.displayName }), yes: t('clusters:members.decline'), no: t('clusters:cancel') } }));
      }
    }
    blocks.push(ui.divider());
  }
  blocks.push(ui.paragraph(`**${t('clusters:members.current', { count: memberships.length })}**`));
  for (const m of memberships) {
    const status = m.status === 'INVITED' ? ` · ${t('clusters:members.invited')}` : '';
    const topics = m.topics.length ? ` · ${t('clusters:members.topics', { topics: m.topics.join(', ') })}` : '';
    blocks.push(ui.paragraph(`${m.person.displayName}: ${t(`roles.${m.role}`)}${m.organisation ? `, ${m.organisation.name}` : ''}${status}${topics}`));
    if (m.personId !== ctx.person.id) {
      blocks.push(
        ui.actions({
          type: 'select',
          actionId: 'members:role',
          placeholder: t('clusters:members.changeRole'),
          options: (['MEMBER', 'RESOURCE_PERSON', 'OBSERVER', 'COORDINATOR'] as Role[]).filter((r) => r !== m.role).map((r) => ({ label: t(`clusters:roleChoice.${r}`), value: `${m.id}|${r}` })),
        }),
      );
    }
  }
  blocks.push(ui.actions(ui.commandButton(t('clusters:members.invite'), `invite ${cluster.code}`), ui.commandButton(t('clusters:members.status'), `status ${cluster.code}`)));
  return ui.message(t('clusters:members.title', { code: cluster.code, name: cluster.name }), blocks, { ephemeral: true });
}

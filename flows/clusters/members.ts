import type { Translate } from '../../src/core/i18n.js';
import { escapeMarkup, md } from '../../src/core/markup.js';
import { notifyInTheirLanguage } from '../../src/core/in-their-language.js';
import { z } from 'zod';
import { BotError, ErrorCode } from '../../src/core/errors.js';
import { defineFlow, type FlowContext, type FlowResult } from '../../src/core/flow.js';
import { ui, type Block, type Button, type OutboundMessage, type Select } from '../../src/core/messages.js';
import { requireRole, ROLE_ORDER } from '../../src/domain/memberships.js';
import { formatList } from '../../src/core/format.js';
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
  accepts: { actions: { 'members:cluster': '{cluster}', 'members:approve': '{registration}', 'members:pick': '{membership}', 'members:approve-all': '{cluster}', 'members:decline': '{registration}', 'members:role': '{membership}|COORDINATOR' }, forms: [] },
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
        await notifyInTheirLanguage(ctx.services, registration.personId, (t) => welcomeMessage(t, cluster));
        return rosterWithNote(ctx, clusterId, ctx.t('clusters:members.approved', { name: await nameOf(ctx, registration.personId) }));
      }
      case 'members:pick':
        return roleMenu(ctx, event.value);
      case 'members:approve-all': {
        await requireRole(db, ctx.person.id, event.value, ['COORDINATOR']);
        const waiting = await db.registration.findMany({ where: { assignedClusterId: event.value, status: 'ASSIGNED' }, select: { id: true } });
        const cluster = await loadCluster(db, event.value);
        for (const { id } of waiting) {
          // Another coordinator may decide one at the same moment: skip it rather than stop the rest.
          const approved = await approveRegistration(db, ctx.person.id, id).catch((error: unknown) => {
            if (error instanceof BotError && error.code === ErrorCode.Conflict) return null;
            throw error;
          });
          if (!approved) continue;
          const { registration } = approved;
          await notifyInTheirLanguage(ctx.services, registration.personId, (t) => welcomeMessage(t, cluster));
        }
        if (waiting.length) await ctx.services.scheduler.clusterChanged(event.value, 'membership');
        return rosterWithNote(ctx, event.value, ctx.t('clusters:members.approvedAll', { count: waiting.length }));
      }
      case 'members:decline': {
        const { registration, clusterId } = await declineRegistration(db, ctx.person.id, event.value);
        const cluster = await loadCluster(db, clusterId);
        await notifyInTheirLanguage(ctx.services, registration.personId, (t) => ui.text(t('clusters:members.declinedNotice', { code: cluster.code, name: cluster.name })));
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
          await notifyInTheirLanguage(ctx.services, membership.personId, (t) => ui.text(t('clusters:members.roleChangedNotice', { role: t(`roles.${parsedRole.data}`), code: cluster.code })));
        }
        return rosterWithNote(ctx, membership.clusterId, ctx.t('clusters:members.roleChanged', { name: await nameOf(ctx, membership.personId), role: ctx.t(`roles.${parsedRole.data}`) }));
      }
      default:
        return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
    }
  },
});

/** The welcome an approved person gets, in their own language. */
function welcomeMessage(t: Translate, cluster: { code: string; name: string }): OutboundMessage {
  const welcome = t('clusters:members.welcome', { code: cluster.code, name: cluster.name });
  return ui.message(welcome, [ui.paragraph(welcome), ui.actions(ui.commandButton(t('clusters:invite.seeTimeline'), `timeline ${cluster.code}`, 'primary'))]);
}

async function nameOf(ctx: FlowContext, personId: string) {
  return (await ctx.services.db.person.findUnique({ where: { id: personId }, select: { displayName: true } }))?.displayName ?? '?';
}

async function rosterWithNote(ctx: FlowContext, clusterId: string, note: string): Promise<FlowResult<object>> {
  const roster = await renderRoster(ctx, clusterId);
  // A decision pressed again answers with the roster as it is then (Bot.replay).
  return { replies: [{ ...roster, blocks: [ui.paragraph(note), ...roster.blocks], replaceOriginal: true, current: { actionId: 'members:cluster', value: clusterId } }] };
}

/** Most registrations listed one by one with their buttons; more are approved with "Approve all" (chat platforms cap a message's size). */
const MAX_LISTED_REGISTRATIONS = 15;

async function renderRoster(ctx: FlowContext, clusterId: string): Promise<OutboundMessage> {
  const { t } = ctx;
  const cluster = await loadCluster(ctx.services.db, clusterId);
  const { memberships, registrations } = await clusterRoster(ctx.services.db, ctx.person.id, clusterId);
  const blocks: Block[] = [ui.heading(t('clusters:members.title', { code: cluster.code, name: cluster.name }))];
  const assigned = registrations.filter((r) => r.status === 'ASSIGNED');
  if (assigned.length) {
    blocks.push(ui.paragraph(`**${t('clusters:members.awaiting')}** (${assigned.length})`));
    for (const r of assigned.slice(0, MAX_LISTED_REGISTRATIONS)) {
      blocks.push(ui.paragraph(`${md`${r.person.displayName}: ${r.organisationName}`}${r.position ? md`, ${r.position}` : ''}${r.country ? md` (${r.country})` : ''}${r.assignedReason ? `\n_${r.assignedReason}_` : ''}`));
      blocks.push(ui.actions(ui.button(t('clusters:members.approve'), 'members:approve', r.id, 'primary'), { ...ui.button(t('clusters:members.decline'), 'members:decline', r.id, 'danger'), confirm: { title: t('clusters:members.declineTitle'), text: t('clusters:members.declineConfirm', { name: r.person.displayName }), yes: t('clusters:members.decline'), no: t('clusters:cancel') } }));
    }
    if (assigned.length > MAX_LISTED_REGISTRATIONS) blocks.push(ui.context(t('clusters:members.more', { count: assigned.length - MAX_LISTED_REGISTRATIONS })));
    if (assigned.length > 1) {
      blocks.push(ui.actions({ ...ui.button(t('clusters:members.approveAll', { count: assigned.length }), 'members:approve-all', clusterId, 'primary'), confirm: { title: t('clusters:members.approveAllTitle'), text: t('clusters:members.approveAllText', { count: assigned.length, code: cluster.code }), yes: t('clusters:members.approveAll', { count: assigned.length }), no: t('clusters:cancel') } }));
    }
    blocks.push(ui.divider());
  }
  // One line per person, with every role they hold here (a resource person may also be a member).
  const people = new Map<string, typeof memberships>();
  for (const m of memberships) people.set(m.personId, [...(people.get(m.personId) ?? []), m]);
  const lines = [...people.values()].map((held) => {
    const m = held[0];
    const roles = formatList(ROLE_ORDER.filter((r) => held.some((h) => h.role === r)).map((r) => t(`roles.${r}`) + (held.find((h) => h.role === r)?.status === 'INVITED' ? ` (${t('clusters:members.invited')})` : '')), ctx.person.locale);
    const organisation = held.find((h) => h.organisation)?.organisation;
    const topics = [...new Set(held.flatMap((h) => h.topics))];
    return `- ${escapeMarkup(m.person.displayName)}: ${roles}${organisation ? `, ${escapeMarkup(organisation.name)}` : ''}${topics.length ? ` · ${t('clusters:members.topics', { topics: topics.join(', ') })}` : ''}`;
  });
  blocks.push(ui.paragraph(`**${t('clusters:members.current', { count: people.size })}**\n${lines.join('\n')}`));
  const others = memberships.filter((m) => m.personId !== ctx.person.id).slice(0, 100);
  const elements: (Button | Select)[] = [];
  if (others.length) elements.push({ type: 'select', actionId: 'members:pick', placeholder: t('clusters:members.changeRole'), options: others.map((m) => ({ label: `${escapeMarkup(m.person.displayName.slice(0, 50))} (${t(`roles.${m.role}`)})`, value: m.id })) });
  elements.push(ui.commandButton(t('clusters:members.invite'), `invite ${cluster.code}`), ui.commandButton(t('clusters:members.status'), `status ${cluster.code}`));
  blocks.push(ui.actions(...elements));
  return ui.message(t('clusters:members.title', { code: cluster.code, name: cluster.name }), blocks, { ephemeral: true });
}

/** The second step of a role change: which role for the person picked. */
async function roleMenu(ctx: FlowContext, membershipId: string): Promise<FlowResult<object>> {
  const { t } = ctx;
  const membership = await ctx.services.db.membership.findUnique({ where: { id: membershipId }, include: { person: true } });
  if (!membership) return { replies: [ui.text(t('clusters:members.noMembership'), { ephemeral: true })] };
  await requireRole(ctx.services.db, ctx.person.id, membership.clusterId, ['COORDINATOR']);
  const text = t('clusters:members.pickRole', { name: membership.person.displayName, role: t(`roles.${membership.role}`) });
  return {
    replies: [
      ui.message(text, [
        ui.paragraph(text),
        ui.actions({ type: 'select', actionId: 'members:role', placeholder: t('clusters:members.newRole'), options: (['MEMBER', 'RESOURCE_PERSON', 'OBSERVER', 'COORDINATOR'] as Role[]).filter((r) => r !== membership.role).map((r) => ({ label: t(`clusters:roleChoice.${r}`), value: `${membership.id}|${r}` })) }),
      ], { ephemeral: true }),
    ],
  };
}

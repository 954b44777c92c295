import type { Translate } from '../../src/core/i18n.js';
import { BotError, ErrorCode } from '../../src/core/errors.js';
import { notifyInTheirLanguage } from '../../src/core/in-their-language.js';
import { escapeMarkup } from '../../src/core/markup.js';
import { z } from 'zod';
import { checkForm, refill } from '../../src/core/forms.js';
import { defineFlow, type FlowContext, type FlowResult } from '../../src/core/flow.js';
import { formatList } from '../../src/core/format.js';
import { ui, type Button, type Form } from '../../src/core/messages.js';
import { requireRole } from '../../src/domain/memberships.js';
import { addRole, answerInvitation, invite, parseHandles } from '../../src/domain/clusters/invitations.js';
import { coordinatorsOf } from '../../src/domain/clusters/registrations.js';
import { loadCluster } from '../../src/domain/clusters/timeline-edits.js';
import { Role } from '../../src/generated/prisma/enums.js';
import { single, withCluster } from './common.js';

const stateSchema = z.object({ clusterId: z.string() });
type State = z.infer<typeof stateSchema>;

const ROLE_WORDS: Record<string, Role> = {
  member: 'MEMBER',
  members: 'MEMBER',
  rp: 'RESOURCE_PERSON',
  resource: 'RESOURCE_PERSON',
  'resource-person': 'RESOURCE_PERSON',
  observer: 'OBSERVER',
  observers: 'OBSERVER',
  coordinator: 'COORDINATOR',
  'co-coordinator': 'COORDINATOR',
};

const formSchema = z.object({
  people: z.string().trim().min(1).max(2000),
  role: single(z.enum(Role, { message: 'form.invalidChoice' })),
});

/**
 * `/lc invite [cluster] [people] [as role]`: a coordinator invites people by mention, email or name.
 * Each invitee gets a direct message with Accept and Decline; unknown emails are kept, and the
 * invitation waits until that person first talks to the bot with the same email.
 */
export const inviteFlow = defineFlow<State>({
  name: 'invite',
  version: 1,
  schema: stateSchema,
  commands: [{ verb: 'invite', summaryKey: 'clusters:summary.invite', usageKey: 'clusters:usage.invite', audience: ['COORDINATOR'], common: true }],
  async start(ctx, { args }) {
    return withCluster<State>(
      ctx,
      'invite',
      args,
      ['COORDINATOR'],
      async (cluster, rest) => {
        if (!rest) return { replies: [formMessage(inviteForm(ctx, cluster.code))], next: { step: 'form', data: { clusterId: cluster.id } } };
        const { people, role } = splitRole(rest);
        return sendInvitations(ctx, cluster.id, people, role);
      },
      { firstWordIsCluster: false },
    );
  },
  accepts: { actions: { 'invite:cluster': '{cluster}', 'invite:addRole': '{cluster}|{person}|MEMBER', 'invite:accept': '{membership}', 'invite:decline': '{membership}' }, forms: ['invite:people'] },
  async handle(ctx, event, position): Promise<FlowResult<State>> {
    if (event.type === 'action' && event.actionId === 'invite:cluster') {
      await requireRole(ctx.services.db, ctx.person.id, event.value, ['COORDINATOR']);
      const cluster = await loadCluster(ctx.services.db, event.value);
      return { replies: [formMessage(inviteForm(ctx, cluster.code))], next: { step: 'form', data: { clusterId: cluster.id } } };
    }
    if (event.type === 'form' && event.formId === 'invite:people') {
      if (!position) throw new BotError(ErrorCode.StaleConversation, 'errors.stepPast', { flow: 'invite' });
      await requireRole(ctx.services.db, ctx.person.id, position.data.clusterId, ['COORDINATOR']);
      const cluster = await loadCluster(ctx.services.db, position.data.clusterId);
      const checked = checkForm(formSchema, event.values, ctx.t);
      if (!checked.ok) return { replies: [formMessage(refill(inviteForm(ctx, cluster.code), event.values, checked.errors))] };
      return sendInvitations(ctx, cluster.id, checked.data.people, checked.data.role);
    }
    if (event.type === 'action' && event.actionId === 'invite:addRole') {
      const [clusterId, personId, role] = event.value.split('|');
      const parsedRole = z.enum(Role).safeParse(role);
      if (!clusterId || !personId || !parsedRole.success) return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
      const { membership, changed } = await addRole(ctx.services.db, ctx.person.id, clusterId, personId, parsedRole.data);
      const cluster = await loadCluster(ctx.services.db, clusterId);
      const roleName = ctx.t(`roles.${parsedRole.data}`);
      const person = await ctx.services.db.person.findUniqueOrThrow({ where: { id: membership.personId }, select: { displayName: true } });
      if (changed) {
        await ctx.services.scheduler.clusterChanged(clusterId, 'membership');
        await notifyInTheirLanguage(ctx.services, membership.personId, (t) => ui.text(t('clusters:invite.roleAddedNotice', { inviter: ctx.person.displayName, role: t(`roles.${parsedRole.data}`), code: cluster.code })));
      }
      const text = ctx.t('clusters:invite.roleAdded', { name: person.displayName, role: roleName, code: cluster.code });
      return { replies: [ui.message(text, [ui.paragraph(text), ui.actions(ui.commandButton(ctx.t('clusters:invite.seeMembers'), `members ${cluster.code}`))], { ephemeral: true, replaceOriginal: true })], next: null };
    }
    if (event.type === 'action' && (event.actionId === 'invite:accept' || event.actionId === 'invite:decline')) {
      const accept = event.actionId === 'invite:accept';
      const { membership, cluster } = await answerInvitation(ctx.services.db, ctx.person.id, event.value, accept);
      await ctx.services.scheduler.clusterChanged(cluster.id, 'membership');
      const role = ctx.t(`roles.${membership.role}`);
      for (const coordinatorId of await coordinatorsOf(ctx.services.db, [cluster.id])) {
        if (coordinatorId === ctx.person.id) continue;
        await notifyInTheirLanguage(ctx.services, coordinatorId, (t) => ui.text(t(accept ? 'clusters:invite.acceptedNotice' : 'clusters:invite.declinedNotice', { name: ctx.person.displayName, role: t(`roles.${membership.role}`), code: cluster.code })));
      }
      const text = ctx.t(accept ? 'clusters:invite.accepted' : 'clusters:invite.declined', { role, code: cluster.code, name: cluster.name });
      const buttons = accept ? [ui.commandButton(ctx.t('clusters:invite.seeTimeline'), `timeline ${cluster.code}`, 'primary'), ...(membership.role === 'RESOURCE_PERSON' ? [ui.commandButton(ctx.t('clusters:invite.addTopics'), 'profile')] : [])] : [];
      // Accepted, pressed again: the cluster as it is now (its timeline), not the first note; a decline has nothing to show.
      const current = accept ? { current: { actionId: 'timeline:cluster', value: cluster.id } } : {};
      return { replies: [ui.message(text, [ui.paragraph(text), ...(buttons.length ? [ui.actions(...buttons)] : [])], { replaceOriginal: true, ...current })] };
    }
    return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
  },
});

function splitRole(text: string): { people: string; role: Role } {
  const match = /\s+(?:as\s+)?(?:an?\s+)?(member|members|rp|resource[- ]person|resource|observers?|co-coordinator|coordinator)\s*$/i.exec(text);
  if (!match) return { people: text, role: 'MEMBER' };
  return { people: text.slice(0, match.index), role: ROLE_WORDS[match[1].toLowerCase().replace(' ', '-')] ?? 'MEMBER' };
}

function formMessage(form: Form) {
  return ui.message(form.title, [ui.form(form)], { ephemeral: true });
}

function inviteForm(ctx: FlowContext, code: string): Form {
  const t = ctx.t;
  return {
    formId: 'invite:people',
    title: t('clusters:invite.title', { code }),
    submitLabel: t('clusters:invite.submit'),
    intro: t('clusters:invite.intro'),
    fields: [
      { name: 'people', label: t('clusters:invite.people'), kind: 'textarea', required: true, maxLength: 2000, hint: t('clusters:invite.peopleHint') },
      { name: 'role', label: t('clusters:invite.role'), kind: 'select', required: true, initial: 'MEMBER', options: (['MEMBER', 'RESOURCE_PERSON', 'OBSERVER', 'COORDINATOR'] as Role[]).map((r) => ({ label: t(`clusters:roleChoice.${r}`), value: r })) },
    ],
  };
}

async function sendInvitations(ctx: FlowContext, clusterId: string, people: string, role: Role): Promise<FlowResult<State>> {
  const handles = parseHandles(people).map((handle) => ({ handle, text: handle.kind === 'slack' ? `<@${handle.userId}>` : handle.kind === 'email' ? handle.email : handle.kind === 'badEmail' ? handle.text : handle.name }));
  const cluster = await loadCluster(ctx.services.db, clusterId);
  const outcomes = await invite(ctx.services.db, ctx.person.id, clusterId, handles, role);
  const roleName = ctx.t(`roles.${role}`);
  const lines: string[] = [];
  const addRoleButtons: Button[] = [];
  for (const outcome of outcomes) {
    if (outcome.status === 'failed') {
      lines.push(`- ${escapeMarkup(outcome.handle)}: ${ctx.t(outcome.messageKey, outcome.vars)}`);
      continue;
    }
    if (outcome.status === 'already') {
      lines.push(`- ${escapeMarkup(outcome.handle)}: ${ctx.t('clusters:invite.already', { role: roleName })}`);
      continue;
    }
    if (outcome.status === 'otherRole') {
      const roles = formatList(outcome.roles.map((r) => ctx.t(`roles.${r}`)), ctx.person.locale);
      lines.push(`- ${escapeMarkup(outcome.handle)}: ${ctx.t(outcome.active ? 'clusters:invite.otherRole' : 'clusters:invite.otherRoleInvited', { roles, role: roleName })}`);
      if (outcome.active) addRoleButtons.push(ui.button(ctx.t('clusters:invite.addRole', { name: outcome.name, role: roleName }), 'invite:addRole', `${clusterId}|${outcome.personId}|${role}`, 'primary'));
      continue;
    }
    const membershipId = outcome.membershipId;
    const delivery = await notifyInTheirLanguage(ctx.services, outcome.personId, (t) => {
      const invitation = t('clusters:invite.dm', { inviter: ctx.person.displayName, role: t(`roles.${role}`), code: cluster.code, name: cluster.name, approach: cluster.approach });
      return ui.message(invitation, [
        ui.paragraph(invitation),
        ui.actions(ui.button(t('clusters:invite.accept'), 'invite:accept', membershipId, 'primary'), ui.button(t('clusters:invite.decline'), 'invite:decline', membershipId)),
      ]);
    });
    lines.push(`- ${escapeMarkup(outcome.handle)}: ${ctx.t(delivery.delivered ? 'clusters:invite.sent' : 'clusters:invite.waiting')}`);
  }
  if (outcomes.some((o) => o.status === 'invited' || o.status === 'reinvited')) await ctx.services.scheduler.clusterChanged(clusterId, 'membership');
  const heading = ctx.t('clusters:invite.result', { code: cluster.code, role: roleName });
  const buttons = [...addRoleButtons.slice(0, 4), ui.commandButton(ctx.t('clusters:invite.seeMembers'), `members ${cluster.code}`)];
  return { replies: [ui.message(heading, [ui.paragraph(`**${heading}**\n${lines.join('\n')}`), ui.actions(...buttons)], { ephemeral: true })], next: null };
}

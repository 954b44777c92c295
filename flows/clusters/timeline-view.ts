import type { FlowContext } from '../../src/core/flow.js';
import { escapeMarkup, md } from '../../src/core/markup.js';
import { formatDateTime, formatList } from '../../src/core/format.js';
import { ui, type Block, type OutboundMessage } from '../../src/core/messages.js';
import { clockDiffers, formatSpan, phaseSentence } from '../../src/domain/calendar.js';
import { loadCluster } from '../../src/domain/clusters/timeline-edits.js';
import type { TimelineConflict } from '../../src/domain/clusters/timeline-rules.js';
import { isAllDay, itemTitle, labelText, labelTimeline, missingRoles, phaseAt } from '../../src/domain/timeline.js';
import type { TimelineItemType, TimelineRole } from '../../src/generated/prisma/enums.js';
import type { ReminderGroup, ReminderPreview } from '../../src/scheduler/preview.js';

/** The timeline as a readable list in the viewer's zone; coordinators also get the edit controls. */
export async function renderTimeline(ctx: FlowContext, clusterId: string): Promise<OutboundMessage> {
  const { t, person } = ctx;
  const cluster = await loadCluster(ctx.services.db, clusterId);
  const now = ctx.services.clock.now();
  const viewer = { timeZone: person.timeZone, locale: person.locale };
  const items = labelTimeline(cluster.timeline);
  const lines = items.map((item) => {
    const when = item.startsAt && item.endsAt ? formatSpan({ startsAt: item.startsAt, endsAt: item.endsAt, allDay: isAllDay(item) }, viewer, cluster.timeZone) : t('clusters:timeline.notSet');
    const where = item.location ? md` (${item.location})` : '';
    const notes = [
      ...item.roles.map((r) => t(`timeline.role.${r}`)),
      ...(item.jointEventId ? [t('clusters:timeline.jointMark')] : []),
      ...(item.reminders ? [] : [t('clusters:timeline.remindersOffMark')]),
    ];
    return `- **${md`${itemTitle(t, item)}`}**: ${when}${where}${notes.length ? ` · _${formatList(notes, person.locale)}_` : ''}`;
  });
  const phase = phaseSentence(t, phaseAt(cluster.timeline, now), (item) => itemTitle(t, item), viewer, cluster.timeZone);
  const blocks: Block[] = [
    ui.heading(t('clusters:timeline.title', { code: cluster.code, name: cluster.name })),
    ui.paragraph(phase),
    ui.paragraph(lines.length ? lines.join('\n') : t('clusters:timeline.empty')),
    ui.context(clockDiffers(now, person.timeZone, cluster.timeZone) ? t('clusters:timeline.shownInOther', { zone: cluster.timeZone, yours: person.timeZone }) : t('clusters:timeline.shownIn', { zone: cluster.timeZone })),
  ];
  const coordinator = await ctx.services.db.membership.findFirst({ where: { personId: person.id, clusterId, role: 'COORDINATOR', status: 'ACTIVE' } });
  if (coordinator) {
    const missing = missingRoles(cluster.timeline);
    if (missing.length) blocks.push(ui.paragraph(missingRolesText(ctx, missing)));
    const options = items.map((item) => ({ label: escapeMarkup(itemTitle(t, item).slice(0, 75)), value: `${clusterId}|${item.id}` }));
    blocks.push(ui.actions(ui.openButton(t('clusters:timeline.add'), 'timeline:add', clusterId, 'primary'), ui.commandButton(t('clusters:timeline.jointEvents'), `joint ${cluster.code}`), ui.openButton(t('clusters:timeline.history'), 'timeline:history', clusterId)));
    if (options.length) {
      blocks.push(ui.actions({ type: 'select', actionId: 'timeline:edit', placeholder: t('clusters:timeline.editPlaceholder'), options }));
      blocks.push(ui.actions({ type: 'select', actionId: 'timeline:remove', placeholder: t('clusters:timeline.removePlaceholder'), options }));
    }
  }
  return ui.message(t('clusters:timeline.title', { code: cluster.code, name: cluster.name }), blocks, { ephemeral: true });
}

/** Roles no item plays, and what the cluster goes without because of it. */
export function missingRolesText(ctx: FlowContext, roles: TimelineRole[]): string {
  return [ctx.t('clusters:timeline.missingTitle'), ...roles.map((r) => `- ${ctx.t('clusters:timeline.missing', { role: ctx.t(`timeline.role.${r}`), consequence: ctx.t(`clusters:timeline.consequence.${r}`) })}`)].join('\n');
}

/** What saving would do to reminders, in a few short lines. */
export function previewLines(ctx: FlowContext, preview: ReminderPreview): string[] {
  const { t, person } = ctx;
  const group = (g: ReminderGroup) =>
    t('clusters:timeline.previewGroup', {
      what: t(`scheduler:kind.${g.kind}`, { event: g.itemLabel ? labelText(t, g.itemLabel) : '', defaultValue: g.kind }),
      count: g.people,
      first: formatDateTime(g.firstDueAt, person.timeZone, person.locale),
    });
  const lines: string[] = [];
  if (preview.added.length) lines.push(`**${t('clusters:timeline.previewAdded')}**`, ...preview.added.map((g) => `- ${group(g)}`));
  if (preview.removed.length) lines.push(`**${t('clusters:timeline.previewRemoved')}**`, ...preview.removed.map((g) => `- ${group(g)}`));
  if (preview.moved) lines.push(t('clusters:timeline.previewMoved', { count: preview.moved }));
  if (preview.rolesLost.length) lines.push(missingRolesText(ctx, preview.rolesLost));
  if (!lines.length) lines.push(t('clusters:timeline.previewNone'));
  return lines;
}

/** A conflict as a sentence naming the items involved. */
export function describeConflict(ctx: FlowContext, c: TimelineConflict): string {
  const { t } = ctx;
  const item = labelText(t, c.item);
  switch (c.kind) {
    case 'ends-before-start':
      return t('clusters:timeline.conflict.endsBeforeStart', { item });
    case 'half-dated':
      return t('clusters:timeline.conflict.halfDated', { item });
    case 'role-shape':
      return t('clusters:timeline.conflict.roleShape', { item, role: t(`timeline.role.${c.role}`) });
    case 'role-taken':
      return t('clusters:timeline.conflict.roleTaken', { item, other: labelText(t, c.other), role: t(`timeline.role.${c.role}`) });
    case 'role-order':
      return t('clusters:timeline.conflict.roleOrder', { item, role: t(`timeline.role.${c.role}`), other: labelText(t, c.other), otherRole: t(`timeline.role.${c.otherRole}`) });
  }
}

/** The latest edits of a cluster's timeline: when, who, what. */
export async function renderHistory(ctx: FlowContext, clusterId: string): Promise<OutboundMessage> {
  const { t, person } = ctx;
  const cluster = await loadCluster(ctx.services.db, clusterId);
  const changes = await ctx.services.db.timelineChange.findMany({ where: { clusterId }, include: { changedBy: { select: { displayName: true } } }, orderBy: { changedAt: 'desc' }, take: 15 });
  const lines = changes.map((c) => {
    const value = (c.newValue ?? c.oldValue) as { type?: TimelineItemType; title?: string | null } | null;
    const item = value?.title ? value.title : value?.type ? t(`timeline.type.${value.type}`) : '?';
    return `- ${formatDateTime(c.changedAt, person.timeZone, person.locale)} · ${c.changedBy ? md`${c.changedBy.displayName}` : t('clusters:timeline.someone')} · ${t(`clusters:timeline.action.${c.action}`, { defaultValue: c.action, item })}`;
  });
  const title = t('clusters:timeline.historyTitle', { code: cluster.code });
  return ui.message(title, [ui.heading(title), ui.paragraph(lines.length ? lines.join('\n') : t('clusters:timeline.noHistory')), ui.actions(ui.commandButton(t('clusters:timeline.back'), `timeline ${cluster.code}`))], { ephemeral: true });
}

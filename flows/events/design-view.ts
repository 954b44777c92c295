import type { FlowContext } from '../../src/core/flow.js';
import { escapeMarkup, md } from '../../src/core/markup.js';
import { ui, type Block, type OutboundMessage, type SelectOption } from '../../src/core/messages.js';
import { formatDay, formatSpan } from '../../src/domain/calendar.js';
import { agendaOf, byDay, dayDate, sessionTime, type AgendaSession, type DesignedEvent, type EventDesignView, type Session } from '../../src/domain/events/design.js';
import { itemTitle } from '../../src/domain/timeline.js';

/** The cluster of a design, as its views need it. */
export interface DesignCluster {
  id: string;
  code: string;
  timeZone: string;
}

/** A day's heading: its number, and its date when the event has dates. */
export function dayHeading(ctx: FlowContext, event: DesignedEvent, day: number, zone: string): string {
  const date = dayDate(event, day, zone);
  return date ? ctx.t('events:agenda.dayOn', { n: day, date: formatDay(date, ctx.person.locale) }) : ctx.t('events:agenda.day', { n: day });
}

/** One session of the agenda as one short line: time, name, objective, who (fits a phone screen). */
function agendaLine(ctx: FlowContext, s: AgendaSession): string {
  const objective = s.objective ? md`: ${s.objective}` : '';
  const who = s.responsibleName ? ` · _${ctx.t('events:agenda.responsible', { who: s.responsibleName })}_` : '';
  return `- **${sessionTime(s)}** ${md`${s.name}`}${objective}${who}`;
}

/** The agenda's days as blocks: a heading line and one line per session, each day its own block. */
export function agendaBlocks(ctx: FlowContext, event: DesignedEvent, sessions: AgendaSession[], zone: string, onlyDays?: number): Block[] {
  return byDay(sessions)
    .slice(0, onlyDays)
    .map(({ day, sessions: list }) => ui.paragraph([`**${dayHeading(ctx, event, day, zone)}**`, ...list.map((s) => agendaLine(ctx, s))].join('\n')));
}

/** When and where the event is, in the viewer's zone. */
function whenWhere(ctx: FlowContext, event: DesignedEvent, zone: string): string | undefined {
  if (!event.startsAt || !event.endsAt) return undefined;
  const when = formatSpan({ startsAt: event.startsAt, endsAt: event.endsAt, allDay: false }, { timeZone: ctx.person.timeZone, locale: ctx.person.locale }, zone);
  return event.location ? `${when}${md` · ${event.location}`}` : when;
}

/**
 * The members' view of an event: goal and objectives, then per day time, session, objective and who is
 * responsible. Never the moderators' instructions or the preparation notes, whoever looks.
 */
export function renderAgenda(ctx: FlowContext, cluster: DesignCluster, event: DesignedEvent, design: EventDesignView, editor: boolean): OutboundMessage {
  const { t } = ctx;
  const name = itemTitle(t, event);
  const title = t('events:agenda.title', { event: name, code: cluster.code });
  const blocks: Block[] = [ui.heading(title)];
  const where = whenWhere(ctx, event, cluster.timeZone);
  if (where) blocks.push(ui.context(where));
  const fields = [
    ...(design.goal ? [{ label: t('events:agenda.goal'), value: escapeMarkup(design.goal) }] : []),
    ...(design.objectives.length ? [{ label: t('events:agenda.objectives'), value: design.objectives.map((o) => md`- ${o}`).join('\n') }] : []),
  ];
  if (fields.length) blocks.push(ui.fields(fields));
  const days = agendaBlocks(ctx, event, agendaOf(design), cluster.timeZone);
  blocks.push(...(days.length ? days : [ui.paragraph(t('events:agenda.empty'))]));
  if (days.length) blocks.push(ui.context(t('events:agenda.shownIn', { zone: cluster.timeZone })));
  const ids = `${cluster.id}|${event.id}`;
  const buttons = [
    ...(editor ? [ui.openButton(t('events:agenda.edit'), 'event:design', ids, 'primary')] : []),
    ...(days.length ? [ui.openButton(t('events:export.agendaHtml'), 'event:export', `${ids}|agenda-html`), ui.openButton(t('events:export.agendaMd'), 'event:export', `${ids}|agenda-md`)] : []),
  ];
  if (buttons.length) blocks.push(ui.actions(...buttons));
  return ui.message(title, blocks, { ephemeral: true });
}

/** A session as an option label: day, time and name (Slack allows 75 characters). */
function sessionOption(ctx: FlowContext, clusterId: string, itemId: string, s: Session, version?: number): SelectOption {
  const label = `${ctx.t('events:agenda.day', { n: s.day })} · ${s.startTime} · ${s.name}`;
  return { label: escapeMarkup(label.slice(0, 75)), value: [clusterId, itemId, s.id, ...(version === undefined ? [] : [String(version)])].join('|') };
}

/**
 * The organisers' view: everything of Annex 2 (goal, objectives, output, indicator, and every column of
 * every session), with the controls to edit it one session at a time.
 */
export function renderDesign(ctx: FlowContext, cluster: DesignCluster, event: DesignedEvent, design: EventDesignView, note?: string): OutboundMessage {
  const { t } = ctx;
  const name = itemTitle(t, event);
  const title = t('events:design.title', { event: name, code: cluster.code });
  const unset = `_${t('events:design.notSet')}_`;
  const blocks: Block[] = [];
  if (note) blocks.push(ui.paragraph(note));
  blocks.push(ui.heading(title));
  const where = whenWhere(ctx, event, cluster.timeZone);
  blocks.push(ui.context(where ? `${where}\n${t('events:design.intro')}` : t('events:design.intro')));
  blocks.push(
    ui.fields([
      { label: t('events:design.goal'), value: design.goal ? escapeMarkup(design.goal) : unset },
      { label: t('events:design.objectives'), value: design.objectives.length ? design.objectives.map((o) => md`- ${o}`).join('\n') : unset },
      { label: t('events:design.output'), value: design.output ? escapeMarkup(design.output) : unset },
      { label: t('events:design.indicator'), value: design.indicator ? escapeMarkup(design.indicator) : unset },
    ]),
  );
  for (const { day, sessions } of byDay(design.sessions)) {
    const lines = sessions.map((s) => {
      const rows = [
        `- **${sessionTime(s)}** ${md`${s.name}`}${s.objective ? md`: ${s.objective}` : ''}`,
        ...(s.content || s.responsibleName ? [`  ${t('events:design.content')}: ${md`${[s.content, s.responsibleName].filter(Boolean).join(' · ')}`}`] : []),
        ...(s.moderatorNotes ? [`  ${t('events:design.moderators')}: ${md`${s.moderatorNotes}`}`] : []),
        ...(s.preparationNotes ? [`  ${t('events:design.preparation')}: ${md`${s.preparationNotes}`}`] : []),
      ];
      return rows.join('\n');
    });
    blocks.push(ui.paragraph([`**${dayHeading(ctx, event, day, cluster.timeZone)}**`, ...lines].join('\n')));
  }
  if (!design.sessions.length) blocks.push(ui.paragraph(t('events:design.noSessions')));
  const ids = `${cluster.id}|${event.id}`;
  blocks.push(
    ui.actions(
      ui.openButton(t('events:design.addSession'), 'event:add', ids, 'primary'),
      ui.openButton(t('events:design.editGoals'), 'event:goals', ids),
      ...(design.sessions.length ? [ui.openButton(t('events:design.copyDay'), 'event:copyDay', ids)] : []),
      ui.openButton(t('events:design.copyFrom'), 'event:copyFrom', ids),
      ui.openButton(t('events:design.agenda'), 'event:pick', ids),
    ),
  );
  blocks.push(ui.actions(ui.openButton(t('events:export.annexHtml'), 'event:export', `${ids}|annex-html`), ui.openButton(t('events:export.annexMd'), 'event:export', `${ids}|annex-md`)));
  if (design.sessions.length) {
    const options = (version?: number) => design.sessions.slice(0, 100).map((s) => sessionOption(ctx, cluster.id, event.id, s, version));
    blocks.push(ui.actions({ type: 'select', actionId: 'event:edit', placeholder: t('events:design.editPlaceholder'), options: options() }));
    if (design.sessions.length > 1) {
      blocks.push(ui.actions({ type: 'select', actionId: 'event:up', placeholder: t('events:design.upPlaceholder'), options: options(design.version) }));
      blocks.push(ui.actions({ type: 'select', actionId: 'event:down', placeholder: t('events:design.downPlaceholder'), options: options(design.version) }));
    }
    blocks.push(ui.actions({ type: 'select', actionId: 'event:remove', placeholder: t('events:design.removePlaceholder'), options: options(design.version) }));
  }
  return ui.message(title, blocks, { ephemeral: true });
}

import { createDownload } from '../../src/core/downloads.js';
import { BotError, ErrorCode } from '../../src/core/errors.js';
import type { FlowContext } from '../../src/core/flow.js';
import { documentTranslator } from '../../src/core/i18n.js';
import { ui, type OutboundMessage } from '../../src/core/messages.js';
import { formatDay, formatSpan } from '../../src/domain/calendar.js';
import { dayDate, eventOfCluster, loadDesign } from '../../src/domain/events/design.js';
import { agendaToHtml, agendaToMarkdown, designToHtml, designToMarkdown, type DesignDocument } from '../../src/domain/events/exports.js';
import { itemTitle } from '../../src/domain/timeline.js';

const KINDS = ['annex-html', 'annex-md', 'agenda-html', 'agenda-md'] as const;
/** Which document a button asks for: the Annex 2 table or the members' agenda, as a page or Markdown. */
export type ExportKind = (typeof KINDS)[number];

/** The kind a button carries, or a refusal for anything else. */
export function exportKind(value: string | undefined): ExportKind {
  if (!KINDS.includes(value as ExportKind)) throw new BotError(ErrorCode.InvalidInput, 'errors.invalidInput', { problem: 'Unknown export format.' });
  return value as ExportKind;
}

/**
 * An event's design or agenda as an expiring link, in the requester's language. The caller has checked
 * the role: organisers for the Annex 2 table, anyone of the cluster for the agenda.
 */
export async function exportDesign(ctx: FlowContext, clusterId: string, itemId: string, kind: ExportKind): Promise<OutboundMessage> {
  const { db, clock, config } = ctx.services;
  const t = documentTranslator(ctx.person.locale);
  const cluster = await db.cluster.findUniqueOrThrow({ where: { id: clusterId }, select: { code: true, name: true, timeZone: true, programme: { select: { name: true } } } });
  const event = await eventOfCluster(db, clusterId, itemId);
  const viewer = { timeZone: ctx.person.timeZone, locale: ctx.person.locale };
  const when = event.startsAt && event.endsAt ? formatSpan({ startsAt: event.startsAt, endsAt: event.endsAt, allDay: false }, viewer, cluster.timeZone) : '';
  const doc: DesignDocument = {
    programme: cluster.programme.name,
    clusterCode: cluster.code,
    clusterName: cluster.name,
    event: itemTitle(t, event),
    when: [when, event.location].filter(Boolean).join(' · '),
    dayHeading: (day) => {
      const date = dayDate(event, day, cluster.timeZone);
      return date ? t('events:agenda.dayOn', { n: day, date: formatDay(date, ctx.person.locale) }) : t('events:agenda.day', { n: day });
    },
    design: await loadDesign(db, itemId),
  };
  const html = kind.endsWith('html');
  const body = kind === 'annex-html' ? designToHtml(doc, t) : kind === 'annex-md' ? designToMarkdown(doc, t) : kind === 'agenda-html' ? agendaToHtml(doc, t) : agendaToMarkdown(doc, t);
  const label = event.label;
  const slug = 'text' in label ? 'event' : `${label.type === 'EXCHANGE_EVENT' ? 'EE' : 'event'}${label.n ?? ''}`;
  const filename = `${kind.startsWith('annex') ? 'design' : 'agenda'}-${cluster.code}-${slug}.${html ? 'html' : 'md'}`;
  const { url } = await createDownload(db, config.PUBLIC_URL!, { filename, contentType: html ? 'text/html; charset=utf-8' : 'text/markdown; charset=utf-8', body, createdById: ctx.person.id }, clock.now());
  const text = ctx.t('plan:export.ready', { filename, url });
  return ui.message(text, [ui.paragraph(text)], { ephemeral: true });
}

import { escapeMarkup } from '../core/markup.js';
import { formatDate, formatDateTime } from '../core/format.js';
import { formatDay, formatMoment } from '../domain/calendar.js';
import { translator, type Translate } from '../core/i18n.js';
import { labelText } from '../domain/timeline.js';
import { ui, type Block, type Button, type OutboundMessage } from '../core/messages.js';
import type { NudgePayload } from './plan.js';
import { localise, type LocalisedText } from '../domain/questionnaires/definition.js';
import { BEFORE_EVENT_REMINDERS, REMINDER_SESSIONS, type ReminderAgenda } from '../domain/events/reminder-agenda.js';
import { sessionTime } from '../domain/events/design.js';

/** Who a message is rendered for: their language and zone decide the words and the times shown. */
export interface Reader {
  locale: string;
  timeZone: string;
}

/** One nudge as a line of text, dates in the reader's zone and language. */
export function nudgeLine(payload: NudgePayload, reader: Reader): string {
  const t = translator(reader.locale);
  if (payload.text !== undefined) return `${t('scheduler:fromCoordinator', { from: payload.from ?? '', cluster: payload.clusterCode })}\n${escapeMarkup(payload.text)}`;
  const when = payload.startsAt ? formatMoment(new Date(payload.startsAt), reader, payload.clusterTimeZone ?? reader.timeZone) : '';
  return t(`scheduler:nudge.${payload.kind}`, {
    context: wordingFor(payload),
    event: payloadEvent(t, payload),
    next: payload.nextLabel ? labelText(t, payload.nextLabel) : '',
    when,
    where: payload.location ? t('scheduler:at', { location: payload.location }) : '',
    activity: payload.activity ?? '',
    // An activity's deadline is a calendar day; a feedback round's is a moment.
    deadline: payload.deadline ? (payload.kind === 'activity-due' ? formatDay(payload.deadline.slice(0, 10), reader.locale) : formatDate(new Date(payload.deadline), reader.timeZone, reader.locale)) : '',
    count: payload.openAssignments ?? 0,
    questionnaire: (payload.questionnaireTitles && localise(payload.questionnaireTitles as LocalisedText, reader.locale)) || (payload.questionnaire ?? ''),
    closes: payload.closesAt ? formatDateTime(new Date(payload.closesAt), reader.timeZone, reader.locale) : '',
  });
}

/** The name of the timeline item a nudge is about, in the reader's language ('' when it is about none). */
export function payloadEvent(t: Translate, payload: Pick<NudgePayload, 'itemLabel'>): string {
  return payload.itemLabel ? labelText(t, payload.itemLabel) : '';
}

/**
 * Which wording of a rule's text fits the item (i18next context, `key_<context>`): an event where concepts are
 * presented asks members to bring theirs, one where first experiences are shared asks them to think of theirs;
 * the mid-way nudge names the event it points to only when the timeline has one.
 */
function wordingFor(payload: NudgePayload): string | undefined {
  if (payload.kind === 'event-week-before') {
    if (payload.itemRoles?.includes('CONCEPTS_PRESENTED')) return 'present';
    if (payload.itemRoles?.includes('FIRST_EXPERIENCES')) return 'experiences';
  }
  if (payload.kind === 'conceptualisation-midway' && !payload.nextLabel) return 'alone';
  return undefined;
}

/**
 * The nudges of one delivery slot as one message: merged, so a busy day is one ping, not five. A reminder
 * before an event whose design has sessions carries its first day's agenda and a button to the whole one
 * (`agendas`, read at delivery by src/domain/events/reminder-agenda.ts).
 */
export function renderNudges(payloads: NudgePayload[], reader: Reader, agendas: ReadonlyMap<string, ReminderAgenda> = new Map()): OutboundMessage {
  const t = translator(reader.locale);
  const clusters = [...new Set(payloads.map((p) => p.clusterCode))].join(', ');
  const title = payloads.length > 1 ? t('scheduler:titleMany', { count: payloads.length, cluster: clusters }) : t('scheduler:title', { cluster: clusters });
  const lines = payloads.map((p) => nudgeLine(p, reader));
  const blocks: Block[] = [ui.heading(title), ui.paragraph(payloads.length > 1 ? lines.map((l) => `- ${l}`).join('\n') : lines[0])];
  const agendaButtons: Button[] = [];
  for (const p of payloads) {
    const agenda = p.itemId ? agendas.get(p.itemId) : undefined;
    if (!agenda || agendaButtons.some((b) => b.value?.endsWith(agenda.itemId))) continue;
    blocks.push(ui.paragraph(agendaText(t, payloadEvent(t, p), agenda, reader.locale)));
    agendaButtons.push(ui.commandButton(t('events:agenda.open', { event: payloadEvent(t, p) }), `event ${agenda.clusterCode} ${agenda.itemId}`));
  }
  const practice = practiceButtons(payloads, t);
  if (practice.length) blocks.push(ui.context(t('practice:nudgeHint')));
  blocks.push(ui.actions(...agendaButtons, ...practice, ui.commandButton(t('scheduler:button.myClusters'), 'me'), ui.commandButton(t('scheduler:button.snoozeWeek'), 'snooze 1w')));
  blocks.push(ui.context(t('scheduler:footer')));
  return ui.message(`${title}: ${lines.join(' ')}`, blocks, { locale: reader.locale });
}

/** The first day of an event's agenda, short: time, session and who, one line each. */
function agendaText(t: Translate, event: string, agenda: ReminderAgenda, locale: string): string {
  const day = agenda.date ? t('events:agenda.dayOn', { n: agenda.day, date: formatDay(agenda.date, locale) }) : t('events:agenda.day', { n: agenda.day });
  const lines = agenda.sessions.slice(0, REMINDER_SESSIONS).map((s) => {
    const who = s.responsibleName ? ` · _${escapeMarkup(s.responsibleName)}_` : '';
    return `- **${sessionTime(s)}** ${escapeMarkup(s.name)}${who}`;
  });
  if (agenda.sessions.length > REMINDER_SESSIONS) lines.push('- …');
  const more = agenda.moreDays ? [t('events:reminder.moreDays', { count: agenda.moreDays })] : [];
  return [`**${t('events:reminder.title', { event, day })}**`, ...lines, ...more].join('\n');
}

/**
 * The reminders before the event where the approach is introduced (the role TEMPLATE_INTRODUCED, EE1 in the
 * generic design) point to the good practice the resource persons documented: one button per cluster.
 */
function practiceButtons(payloads: NudgePayload[], t: Translate): Button[] {
  const codes = new Set(payloads.filter((p) => BEFORE_EVENT_REMINDERS.includes(p.kind) && p.itemRoles?.includes('TEMPLATE_INTRODUCED')).map((p) => p.clusterCode));
  return [...codes].map((code) => ui.commandButton(codes.size > 1 ? `${t('practice:buttons.see')} ${escapeMarkup(`(${code})`)}` : t('practice:buttons.see'), `practice ${code}`));
}

import { escapeHtml, escapeMarkdown, htmlPage } from '../../core/documents.js';
import type { Translate } from '../../core/i18n.js';
import { agendaOf, byDay, sessionTime, type EventDesignView } from './design.js';

/**
 * An event's design as documents: the Annex 2 table (goal, objectives, output, indicator, and per day
 * every column of every session) for the organisers, and the members' agenda (time, session, objective,
 * responsible: never the moderators' instructions or the preparation notes). Printable HTML (served with
 * the documents' CSP, src/core/documents.ts) and Markdown; every value escaped for its format.
 */

/** What a document says besides the design: names and dates already in the reader's language. */
export interface DesignDocument {
  programme: string;
  clusterCode: string;
  clusterName: string;
  event: string;
  /** When and where, as the reader reads it ('' when undated). */
  when: string;
  /** Each day's heading ("Day 1 · Tue 8 Dec 2026"). */
  dayHeading: (day: number) => string;
  design: EventDesignView;
}

const STYLE = `
  body { font-family: Arial, Helvetica, sans-serif; font-size: 10pt; margin: 1.5cm; }
  table { border-collapse: collapse; width: 100%; table-layout: fixed; margin-bottom: 1em; }
  th, td { border: 1px solid #444; padding: 4px 6px; vertical-align: top; white-space: pre-wrap; word-wrap: break-word; }
  th { background: #dbe5f1; text-align: left; }
  .label { width: 22%; background: #dbe5f1; font-weight: bold; }
  .time { width: 9%; }
  h2 { font-size: 12pt; margin-top: 1.2em; }
  @page { size: A4 landscape; margin: 1cm; }
  @media print { body { margin: 0; } h2 { page-break-before: auto; } }
  @media (max-width: 600px) { body { margin: 0.5cm; } }`;

function page(t: Translate, title: string, body: string): string {
  return htmlPage({ lang: t('plan:export.lang'), title, style: STYLE, body, viewport: true });
}

/** A multi-line value as HTML text (line breaks kept by the style's pre-wrap). */
const h = (text: string | null | undefined) => escapeHtml(text ?? '');

/** A Markdown table cell: escaped, one line (GitHub-flavoured tables are one line per row). */
function cell(text: string | null | undefined): string {
  return escapeMarkdown((text ?? '').trim()).replace(/\r?\n/g, '<br>');
}

const responsibleOf = (s: { content: string | null; responsibleName: string | null }) => [s.content, s.responsibleName].filter(Boolean).join('\n');

/** The Annex 2 columns, in the template's order. */
const ANNEX_COLUMNS = ['time', 'name', 'objective', 'content', 'moderators', 'preparation'] as const;
const AGENDA_COLUMNS = ['time', 'name', 'objective', 'responsible'] as const;

/** The detailed design (Annex 2) as a printable page. */
export function designToHtml(doc: DesignDocument, t: Translate): string {
  const d = doc.design;
  const title = t('events:export.annexTitle', { event: doc.event, code: doc.clusterCode });
  const head = [
    [t('events:export.project'), doc.programme],
    [t('events:export.event'), `${doc.event} (${doc.clusterCode}: ${doc.clusterName})`],
    [t('events:export.goal'), d.goal ?? ''],
    [t('events:export.objectives'), d.objectives.map((o) => `- ${o}`).join('\n')],
    [t('events:export.output'), d.output ?? ''],
    [t('events:export.indicator'), d.indicator ?? ''],
    [t('events:export.date'), doc.when],
  ];
  const days = byDay(d.sessions).map(({ day, sessions }) => {
    const header = ANNEX_COLUMNS.map((c) => `<th${c === 'time' ? ' class="time"' : ''}>${h(t(`events:export.column.${c}`))}</th>`).join('');
    const rows = sessions.map((s) => `<tr><td>${h(sessionTime(s))}</td><td>${h(s.name)}</td><td>${h(s.objective)}</td><td>${h(responsibleOf(s))}</td><td>${h(s.moderatorNotes)}</td><td>${h(s.preparationNotes)}</td></tr>`).join('\n');
    return `<h2>${h(t('events:export.designDay', { day: doc.dayHeading(day) }))}</h2>\n<table>\n<tr>${header}</tr>\n${rows}\n</table>`;
  });
  return page(
    t,
    title,
    `<h1>${h(title)}</h1>
<table>
${head.map(([label, value]) => `<tr><td class="label">${h(label)}</td><td>${h(value)}</td></tr>`).join('\n')}
</table>
${days.length ? days.join('\n') : `<p>${h(t('events:agenda.empty'))}</p>`}`,
  );
}

/** The detailed design (Annex 2) as Markdown: the head as a list, one table per day. */
export function designToMarkdown(doc: DesignDocument, t: Translate): string {
  const d = doc.design;
  const lines = [
    `# ${escapeMarkdown(t('events:export.annexTitle', { event: doc.event, code: doc.clusterCode }))}`,
    '',
    `- **${escapeMarkdown(t('events:export.project'))}:** ${cell(doc.programme)}`,
    `- **${escapeMarkdown(t('events:export.event'))}:** ${cell(`${doc.event} (${doc.clusterCode}: ${doc.clusterName})`)}`,
    `- **${escapeMarkdown(t('events:export.goal'))}:** ${cell(d.goal)}`,
    `- **${escapeMarkdown(t('events:export.objectives'))}:**${d.objectives.map((o) => `\n  - ${cell(o)}`).join('')}`,
    `- **${escapeMarkdown(t('events:export.output'))}:** ${cell(d.output)}`,
    `- **${escapeMarkdown(t('events:export.indicator'))}:** ${cell(d.indicator)}`,
    `- **${escapeMarkdown(t('events:export.date'))}:** ${cell(doc.when)}`,
  ];
  for (const { day, sessions } of byDay(d.sessions)) {
    lines.push('', `## ${escapeMarkdown(t('events:export.designDay', { day: doc.dayHeading(day) }))}`, '');
    lines.push(`| ${ANNEX_COLUMNS.map((c) => cell(t(`events:export.column.${c}`))).join(' | ')} |`, `|${ANNEX_COLUMNS.map(() => '---').join('|')}|`);
    for (const s of sessions) lines.push(`| ${[sessionTime(s), s.name, s.objective, responsibleOf(s), s.moderatorNotes, s.preparationNotes].map(cell).join(' | ')} |`);
  }
  if (!d.sessions.length) lines.push('', escapeMarkdown(t('events:agenda.empty')));
  return `${lines.join('\n')}\n`;
}

/** The members' agenda as a printable page: one table per day, four columns. */
export function agendaToHtml(doc: DesignDocument, t: Translate): string {
  const title = t('events:agenda.title', { event: doc.event, code: doc.clusterCode });
  const goal = doc.design.goal ? `<p><strong>${h(t('events:agenda.goal'))}:</strong> ${h(doc.design.goal)}</p>` : '';
  const days = byDay(agendaOf(doc.design)).map(({ day, sessions }) => {
    const header = AGENDA_COLUMNS.map((c) => `<th${c === 'time' ? ' class="time"' : ''}>${h(t(`events:export.column.${c}`))}</th>`).join('');
    const rows = sessions.map((s) => `<tr><td>${h(sessionTime(s))}</td><td>${h(s.name)}</td><td>${h(s.objective)}</td><td>${h(s.responsibleName)}</td></tr>`).join('\n');
    return `<h2>${h(doc.dayHeading(day))}</h2>\n<table>\n<tr>${header}</tr>\n${rows}\n</table>`;
  });
  return page(t, title, `<h1>${h(title)}</h1>\n<p>${h(doc.when)}</p>\n${goal}\n${days.length ? days.join('\n') : `<p>${h(t('events:agenda.empty'))}</p>`}`);
}

/** The members' agenda as Markdown. */
export function agendaToMarkdown(doc: DesignDocument, t: Translate): string {
  const lines = [`# ${escapeMarkdown(t('events:agenda.title', { event: doc.event, code: doc.clusterCode }))}`, '', cell(doc.when)];
  if (doc.design.goal) lines.push('', `**${escapeMarkdown(t('events:agenda.goal'))}:** ${cell(doc.design.goal)}`);
  for (const { day, sessions } of byDay(agendaOf(doc.design))) {
    lines.push('', `## ${escapeMarkdown(doc.dayHeading(day))}`, '');
    lines.push(`| ${AGENDA_COLUMNS.map((c) => cell(t(`events:export.column.${c}`))).join(' | ')} |`, `|${AGENDA_COLUMNS.map(() => '---').join('|')}|`);
    for (const s of sessions) lines.push(`| ${[sessionTime(s), s.name, s.objective, s.responsibleName].map(cell).join(' | ')} |`);
  }
  if (!doc.design.sessions.length) lines.push('', escapeMarkdown(t('events:agenda.empty')));
  return `${lines.join('\n')}\n`;
}

import { escapeHtml as esc, escapeMarkdown as md, htmlPage, toCsv } from '../../core/documents.js';
import type { Translate } from '../../core/i18n.js';
import type { PlanDocument } from './documents.js';
import { ACTIVITY_FIELDS, PLAN_FIELDS } from './limits.js';

/**
 * Exports of plans in the template's layout (Annex 1): Markdown to paste anywhere, CSV for a
 * spreadsheet (one row per activity), and a printable HTML page laid out like the template's
 * table. Labels come from the reader's language. `t` is a document translator (i18n
 * `documentTranslator`): every value is escaped here for the format, and CSV cells are neutralised.
 */
export function plansToMarkdown(docs: PlanDocument[], t: Translate): string {
  return docs.map((doc) => planToMarkdown(doc, t)).join('\n\n---\n\n');
}

function planToMarkdown(doc: PlanDocument, t: Translate): string {
  const lines = [`# ${md(t('plan:export.title', { author: doc.authorName, cluster: doc.clusterCode }))}`, '', `_${md(stageLine(doc, t))}_`, ''];
  for (const field of PLAN_FIELDS) {
    lines.push(`## ${md(t(`plan:fields.${field}.label`))}`, '', doc.content[field]?.trim() ? mdBlock(doc.content[field]!) : `_${t('plan:export.empty')}_`, '');
  }
  lines.push(`## ${md(t('plan:sections.activities'))}`, '');
  if (!doc.content.activities.length) lines.push(`_${t('plan:export.noActivities')}_`);
  else {
    lines.push(`| # | ${ACTIVITY_FIELDS.map((f) => cell(t(`plan:fields.${f}.label`))).join(' | ')} |`);
    lines.push(`|---|${ACTIVITY_FIELDS.map(() => '---').join('|')}|`);
    doc.content.activities.forEach((a, i) => lines.push(`| ${i + 1} | ${ACTIVITY_FIELDS.map((f) => cell(a[f] ?? '')).join(' | ')} |`));
  }
  return lines.join('\n') + '\n';
}

/**
 * The CSV export's columns, in a fixed order whatever the language: the ones of the plan as a whole,
 * then the activity's. Each header is a catalogue text in the reader's language (plan parts by their
 * field labels, the others from `plan:export.csv`).
 */
export const CSV_COLUMNS = [
  'cluster', 'author', 'organisation', 'stage', 'version',
  ...PLAN_FIELDS, 'activity_no', ...ACTIVITY_FIELDS, 'progress', 'progress_note',
] as const;

const CSV_HEADER_KEYS: Record<string, string> = {
  cluster: 'plan:export.csv.cluster',
  author: 'plan:export.csv.author',
  organisation: 'plan:export.csv.organisation',
  stage: 'plan:export.csv.stage',
  version: 'plan:export.csv.version',
  activity_no: 'plan:export.csv.activityNo',
  progress: 'plan:export.csv.progress',
  progress_note: 'plan:export.csv.progressNote',
};

/** The CSV's header row in the reader's language, column for column as CSV_COLUMNS. */
export function csvHeader(t: Translate): string[] {
  return CSV_COLUMNS.map((column) => t(CSV_HEADER_KEYS[column] ?? `plan:fields.${column}.label`));
}

/** Plans as CSV, one row per activity, with a byte-order mark so spreadsheets read Cyrillic and diacritics as UTF-8. */
export function plansToCsv(docs: PlanDocument[], t: Translate): string {
  const rows: (string | number)[][] = [];
  for (const doc of docs) {
    const head = [doc.clusterCode, doc.authorName, doc.organisation ?? '', doc.stage, doc.versionNumber ?? 'draft', ...PLAN_FIELDS.map((f) => doc.content[f] ?? '')];
    if (!doc.content.activities.length) rows.push([...head, '', ...ACTIVITY_FIELDS.map(() => ''), '', '']);
    doc.content.activities.forEach((a, i) => rows.push([...head, i + 1, ...ACTIVITY_FIELDS.map((f) => a[f] ?? ''), a.progress, a.progressNote ?? '']));
  }
  return toCsv(rows, { header: csvHeader(t), bom: true });
}

const PLAN_STYLE = `
  body { font-family: Arial, Helvetica, sans-serif; font-size: 10pt; margin: 1.5cm; }
  section { page-break-after: always; }
  section:last-child { page-break-after: auto; }
  table { border-collapse: collapse; width: 100%; table-layout: fixed; }
  th, td { border: 1px solid #444; padding: 4px 6px; vertical-align: top; white-space: pre-wrap; word-wrap: break-word; }
  th { background: #dbe5f1; text-align: left; }
  th small { display: block; font-weight: normal; color: #333; }
  .label { width: 14%; background: #dbe5f1; font-weight: bold; }
  .footnote { font-size: 8pt; margin-top: 4px; }
  @page { size: A4 landscape; margin: 1cm; }
  @media print { body { margin: 0; } }
`;

export function plansToHtml(docs: PlanDocument[], t: Translate, clusterCode?: string): string {
  const title = docs.length === 1 && !clusterCode ? t('plan:export.title', { author: docs[0].authorName, cluster: docs[0].clusterCode }) : t('plan:export.clusterTitle', { cluster: clusterCode ?? docs[0]?.clusterCode ?? '' });
  const body = docs.length ? docs.map((doc) => planToHtml(doc, t)).join('\n') : `<p>${esc(t('plan:export.nothing'))}</p>`;
  return htmlPage({ lang: t('plan:export.lang'), title, style: PLAN_STYLE, body });
}

function planToHtml(doc: PlanDocument, t: Translate): string {
  const goal = ['goal', 'change', 'targetGroup', 'beneficiaries']
    .map((f) => `<strong>${esc(t(`plan:fields.${f}.label`))}:</strong> ${esc(doc.content[f as 'goal'] ?? '')}`)
    .join('<br>');
  const header = ACTIVITY_FIELDS.map((f) => `<th>${esc(t(`plan:fields.${f}.label`))}${f === 'activity' ? '¹' : ''}<small>${esc(t(`plan:fields.${f}.question`))}</small></th>`).join('');
  const rows = doc.content.activities.map((a) => `<tr>${ACTIVITY_FIELDS.map((f) => `<td>${esc(a[f] ?? '')}</td>`).join('')}</tr>`).join('\n');
  return `<section>
<h1>${esc(t('plan:export.title', { author: doc.authorName, cluster: doc.clusterCode }))}</h1>
<p>${esc(stageLine(doc, t))}</p>
<table>
<tr><td class="label">${esc(t('plan:fields.approach.label'))}</td><td colspan="6">${esc(doc.content.approach)}</td></tr>
<tr><td class="label">${esc(t('plan:sections.goal'))}</td><td colspan="6">${goal}</td></tr>
<tr>${header}</tr>
${rows}
</table>
<p class="footnote">¹ ${esc(t('plan:legalReminder'))}</p>
</section>`;
}

function stageLine(doc: PlanDocument, t: Translate): string {
  const stage = t(`plan:stages.${doc.stage}`);
  const org = doc.organisation ? `${doc.organisation} · ` : '';
  return doc.versionNumber ? `${org}${doc.clusterName} · ${stage} · ${t('plan:export.version', { number: doc.versionNumber })}` : `${org}${doc.clusterName} · ${stage} · ${t('plan:export.living')}`;
}

/** A multi-line paragraph kept as written, with markup characters escaped. */
function mdBlock(text: string): string {
  return md(text.trim()).replace(/\n/g, '  \n');
}

/** A table cell: pipes escaped, line breaks as <br> (GitHub-flavoured Markdown tables are one line per row). */
function cell(text: string): string {
  return md(text.trim()).replace(/\r?\n/g, '<br>');
}

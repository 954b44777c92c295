import { escapeHtml as esc, escapeMarkdown as md, htmlPage } from '../../core/documents.js';
import type { Translate } from '../../core/i18n.js';
import { PRACTICE_SECTIONS, type PracticeContent, type PracticeSection } from './content.js';
import type { PracticeVersion } from './repository.js';

/** What a good-practice document says about itself: the approach, the cluster it was read in, its version. */
export interface PracticeDocument {
  approach: string;
  clusterCode: string;
  version: Pick<PracticeVersion, 'number' | 'createdAt' | 'authorName'> | null;
  /** The version's date as the reader reads dates (formatted by the caller in their zone and language). */
  dateText: string;
  content: PracticeContent;
}

/**
 * Exports of a good practice: Markdown to paste anywhere, and a printable HTML page. `t` is a document
 * translator (values come back unescaped): every value is escaped here for its format, and links are
 * https addresses only (checked when saved, and again by the content schema when read).
 */
export function practiceToMarkdown(doc: PracticeDocument, t: Translate): string {
  const lines = [`# ${md(t('practice:export.title', { approach: doc.approach }))}`, '', `_${md(versionLine(doc, t))}_`, ''];
  for (const section of PRACTICE_SECTIONS) {
    lines.push(`## ${md(t(`practice:sections.${section}`))}`, '');
    const body = markdownSection(doc.content, section);
    lines.push(body || `_${md(t('practice:export.empty'))}_`, '');
  }
  return lines.join('\n');
}

function markdownSection(content: PracticeContent, section: PracticeSection): string {
  if (section === 'steps') return content.steps.map((step, i) => `${i + 1}. ${md(step.trim()).replace(/\n/g, ' ')}`).join('\n');
  if (section === 'links') return content.links.map((link) => `- [${md(link.label.trim() || link.url)}](<${link.url}>)`).join('\n');
  const text = content[section].trim();
  return text ? md(text).replace(/\n/g, '  \n') : '';
}

const PRACTICE_STYLE = `
  body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; margin: 1.5cm; max-width: 18cm; }
  h1 { font-size: 16pt; } h2 { font-size: 13pt; border-bottom: 1px solid #444; margin-top: 1.2em; }
  p { white-space: pre-wrap; } .meta, .empty { color: #555; font-style: italic; }
  a { color: #1a4f8b; word-break: break-all; }
  section { page-break-inside: avoid; }
  @page { size: A4; margin: 1.5cm; }
  @media print { body { margin: 0; } }
`;

export function practiceToHtml(doc: PracticeDocument, t: Translate): string {
  const title = t('practice:export.title', { approach: doc.approach });
  const sections = PRACTICE_SECTIONS.map((section) => `<section>\n<h2>${esc(t(`practice:sections.${section}`))}</h2>\n${htmlSection(doc.content, section) || `<p class="empty">${esc(t('practice:export.empty'))}</p>`}\n</section>`).join('\n');
  const body = `<h1>${esc(title)}</h1>
<p class="meta">${esc(versionLine(doc, t))}</p>
${sections}`;
  return htmlPage({ lang: t('plan:export.lang'), title, style: PRACTICE_STYLE, body });
}

function htmlSection(content: PracticeContent, section: PracticeSection): string {
  if (section === 'steps') return content.steps.length ? `<ol>\n${content.steps.map((step) => `<li>${esc(step.trim())}</li>`).join('\n')}\n</ol>` : '';
  if (section === 'links') return content.links.length ? `<ul>\n${content.links.map((link) => `<li><a href="${esc(link.url)}">${esc(link.label.trim() || link.url)}</a></li>`).join('\n')}\n</ul>` : '';
  const text = content[section].trim();
  return text ? `<p>${esc(text)}</p>` : '';
}

function versionLine(doc: PracticeDocument, t: Translate): string {
  if (!doc.version) return t('practice:export.notYet', { cluster: doc.clusterCode });
  return t('practice:export.version', { number: doc.version.number, date: doc.dateText, author: doc.version.authorName ?? t('practice:someone'), cluster: doc.clusterCode });
}

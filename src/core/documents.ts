import { Marked } from 'marked';
import { stringify, type Options as CsvOptions } from 'csv-stringify/sync';

/**
 * How the files the bot generates (the cluster report, plan exports, results CSVs, the pages it serves)
 * keep what people typed as plain data: one escape per format, a Markdown renderer that emits no raw
 * HTML and no script links, one CSV writer that neutralises formulas, and the headers generated pages
 * are served with. Every document writer uses these, so a new document cannot forget one.
 */

/** Text as HTML text or attribute value. */
export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Text as literal Markdown inline content: every character CommonMark reads as structure gets a
 * backslash (a link needs `[`, raw HTML needs `<`), and a line cannot start a list, heading or quote.
 */
export function escapeMarkdown(text: string): string {
  return String(text)
    .replace(/([\\`*_[\]#|<>~])/g, '\\$1')
    .replace(/(^|\n)([ \t]*)([-+=]|\d+[.)])(?=[ \t]|$)/g, (_m, start: string, space: string, mark: string) => `${start}${space}${mark.replace(/^(\d+)([.)])/, '$1\\$2').replace(/^([-+=])$/, '\\$1')}`);
}

/** Link targets a generated page may carry: web, mail, and the bot's own paths. */
const SAFE_URL = /^(https?:\/\/|mailto:|\/(?!\/))/i;

const safeMarked = new Marked({
  async: false,
  renderer: {
    // Raw HTML in Markdown is shown as text, never passed through.
    html({ text }) {
      return escapeHtml(text);
    },
    // Only written links are links: a bare address in someone's text (GFM would autolink it) stays text.
    link({ href, text }) {
      const bare = text === href || `mailto:${text}` === href;
      return SAFE_URL.test(href) && !bare ? `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>` : escapeHtml(text);
    },
    image({ href, text }) {
      return SAFE_URL.test(href) ? `<img src="${escapeHtml(href)}" alt="${escapeHtml(text)}">` : escapeHtml(text);
    },
  },
});

/**
 * The shell of every printable page the bot writes (plans, the report, event designs, the good practice):
 * one self-contained HTML file, its language and title escaped, its own inline style (the CSP below allows
 * inline styles only), and a viewport line for pages meant to be read on a phone too.
 */
export function htmlPage(page: { lang: string; title: string; style: string; body: string; viewport?: boolean }): string {
  const viewport = page.viewport ? '\n<meta name="viewport" content="width=device-width, initial-scale=1">' : '';
  return `<!doctype html>
<html lang="${escapeHtml(page.lang)}">
<head>
<meta charset="utf-8">${viewport}
<title>${escapeHtml(page.title)}</title>
<style>
${page.style.trim()}
</style>
</head>
<body>
${page.body}
</body>
</html>
`;
}

/** Markdown as HTML with no raw HTML and no links other than web, mail and the bot's own. */
export function markdownToHtml(markdown: string): string {
  return safeMarked.parse(markdown, { async: false }) as string;
}

/**
 * Response headers of every generated page and file the bot serves: no script may run (not even one
 * smuggled into a document), styles only inline, images only from the bot itself, and no sniffing a
 * file into another type.
 */
export const DOCUMENT_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
} as const;

/**
 * A cell a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a carriage return)
 * gets a leading apostrophe, so opening an export can never run one.
 */
export function neutraliseCsvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** The one CSV writer: every cell (header included) neutralised, then quoted as RFC 4180 wants. */
export function toCsv(rows: unknown[][], options: Pick<CsvOptions, 'bom'> & { header?: string[] } = {}): string {
  const all = options.header ? [options.header, ...rows] : rows;
  return stringify(all.map((row) => row.map(neutraliseCsvCell)), { bom: options.bom });
}

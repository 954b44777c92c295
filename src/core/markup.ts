/**
 * The message model's small markup, in one place: its grammar (`**bold**`, `_italic_`, `` `code` ``,
 * `[label](url)`, lines starting with "- " as bullets, and a backslash before a markup character to show
 * it as typed), the escape that turns any text into markup showing that text literally, and the parser
 * every renderer (Slack, Teams, the web chat, plain summaries) builds its own output from.
 *
 * The rule it serves: only the bot's own texts carry markup. Whatever a person typed (a plan goal, a name,
 * a question) enters a message escaped, either through the catalogue (i18n escapes every interpolated
 * value unless the catalogue writes `{{- value}}` for a value the bot built itself) or through `md`
 * / `escapeMarkup` when a flow shows it directly. A renderer never re-reads literal text as markup.
 */

/** One piece of a line: literal text, or a styled run of pieces, or one of the bot's links. */
export type MarkupNode =
  | { type: 'text'; text: string }
  | { type: 'bold'; children: MarkupNode[] }
  | { type: 'italic'; children: MarkupNode[] }
  | { type: 'code'; text: string }
  | { type: 'link'; label: string; url: string };

/** One line of markup; `bullet` when it started with "- ". */
export interface MarkupLine {
  bullet: boolean;
  nodes: MarkupNode[];
}

/** Characters a backslash makes literal. */
const ESCAPABLE = new Set(['\\', '*', '_', '`', '[', ']', '-']);

/** Link targets the markup accepts: web and mail addresses, and paths on the bot's own origin. */
const LINK_URL = /^(?:https?:\/\/[^\s()<>]+|mailto:[^\s()<>]+|\/[^\s()<>]*)$/;

/**
 * Markup that shows `text` exactly as written on every platform: every markup character gets a
 * backslash, and a line that starts with "- " keeps its dash instead of becoming a bullet.
 */
export function escapeMarkup(text: string): string {
  return String(text)
    .replace(/[\\*_`[\]]/g, '\\$&')
    .replace(/(^|\n)- /g, '$1\\- ');
}

/** Marks a piece of markup the bot built itself, so `md` leaves it as it is. */
export interface TrustedMarkup {
  readonly markup: string;
}

/** Wraps markup the bot built (a link, a list it made of escaped items) for use inside `md`. */
export function trusted(markup: string): TrustedMarkup {
  return { markup };
}

/**
 * A template tag for text a flow builds itself: every interpolated value is escaped, except values
 * wrapped in `trusted(...)`. `` md`**${label}**: ${plan.goal}` `` shows the goal literally.
 */
export function md(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0];
  values.forEach((value, i) => {
    out += isTrusted(value) ? value.markup : escapeMarkup(String(value ?? ''));
    out += strings[i + 1];
  });
  return out;
}

function isTrusted(value: unknown): value is TrustedMarkup {
  return typeof value === 'object' && value !== null && 'markup' in value && typeof (value as TrustedMarkup).markup === 'string';
}

/** The characters that may start markup inside a line (a backslash, code, bold, italic, a link). */
const MARKUP_START = /[\\`*_[]/g;

/** Where the next character that may start markup is, at or after `from` (the text's length if none). */
function nextMarkupCharacter(text: string, from: number): number {
  MARKUP_START.lastIndex = from;
  return MARKUP_START.exec(text)?.index ?? text.length;
}

/** Parses markup into lines of nodes. Never fails: anything that is not well-formed markup is literal text. */
export function parseMarkup(markup: string): MarkupLine[] {
  return String(markup)
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => (line.startsWith('- ') ? { bullet: true, nodes: parseInline(line.slice(2)) } : { bullet: false, nodes: parseInline(line) }));
}

/** Inline markup of one line (no line breaks inside). */
export function parseInline(text: string): MarkupNode[] {
  return new InlineParser(text).parse(false);
}

class InlineParser {
  private pos = 0;
  private readonly nodes: MarkupNode[] = [];
  private buffer = '';

  constructor(private readonly src: string) {}

  parse(nested: boolean): MarkupNode[] {
    const { src } = this;
    while (this.pos < src.length) {
      const ch = src[this.pos];
      if (ch === '\\' && ESCAPABLE.has(src[this.pos + 1] ?? '')) {
        this.buffer += src[this.pos + 1];
        this.pos += 2;
        continue;
      }
      if (ch === '`') {
        const end = findUnescaped(src, '`', this.pos + 1);
        if (end > this.pos + 1) {
          this.flush();
          this.nodes.push({ type: 'code', text: unescape(src.slice(this.pos + 1, end)) });
          this.pos = end + 1;
          continue;
        }
      }
      if (ch === '*' && src[this.pos + 1] === '*' && !nested) {
        const end = findUnescaped(src, '**', this.pos + 2);
        if (end > this.pos + 2) {
          this.flush();
          this.nodes.push({ type: 'bold', children: new InlineParser(src.slice(this.pos + 2, end)).parse(true) });
          this.pos = end + 2;
          continue;
        }
      }
      if (ch === '_' && !nested && !isWordChar(src[this.pos - 1]) && src[this.pos + 1] !== undefined && src[this.pos + 1] !== ' ') {
        const end = findClosingUnderscore(src, this.pos + 1);
        if (end > this.pos + 1) {
          this.flush();
          this.nodes.push({ type: 'italic', children: new InlineParser(src.slice(this.pos + 1, end)).parse(true) });
          this.pos = end + 1;
          continue;
        }
      }
      if (ch === '[') {
        const link = this.link();
        if (link) {
          this.flush();
          this.nodes.push(link.node);
          this.pos = link.end;
          continue;
        }
      }
      // Plain text up to the next character that may start markup, in one piece (not one string per character).
      const next = nextMarkupCharacter(src, this.pos + 1);
      this.buffer += src.slice(this.pos, next);
      this.pos = next;
    }
    this.flush();
    return this.nodes;
  }

  private link(): { node: MarkupNode; end: number } | null {
    const close = findUnescaped(this.src, ']', this.pos + 1);
    if (close <= this.pos + 1 || this.src[close + 1] !== '(') return null;
    const urlEnd = this.src.indexOf(')', close + 2);
    if (urlEnd < 0) return null;
    const url = this.src.slice(close + 2, urlEnd);
    if (!LINK_URL.test(url)) return null;
    return { node: { type: 'link', label: unescape(this.src.slice(this.pos + 1, close)), url }, end: urlEnd + 1 };
  }

  private flush(): void {
    if (!this.buffer) return;
    const last = this.nodes[this.nodes.length - 1];
    if (last?.type === 'text') last.text += this.buffer;
    else this.nodes.push({ type: 'text', text: this.buffer });
    this.buffer = '';
  }
}

/** Index of `token` at or after `from`, skipping backslash-escaped characters; -1 when absent. */
function findUnescaped(src: string, token: string, from: number): number {
  for (let i = from; i < src.length; i++) {
    if (src[i] === '\\' && ESCAPABLE.has(src[i + 1] ?? '')) {
      i += 1;
      continue;
    }
    if (src.startsWith(token, i)) return i;
  }
  return -1;
}

/** The `_` that closes an italic run: not escaped, not after a space, not followed by a letter or digit. */
function findClosingUnderscore(src: string, from: number): number {
  for (let i = from; i < src.length; i++) {
    if (src[i] === '\\' && ESCAPABLE.has(src[i + 1] ?? '')) {
      i += 1;
      continue;
    }
    if (src[i] === '_' && i > from && src[i - 1] !== ' ' && !isWordChar(src[i + 1])) return i;
  }
  return -1;
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);
}

/** Removes the backslashes of escaped characters. */
function unescape(text: string): string {
  return text.replace(/\\([\\*_`[\]-])/g, '$1');
}

/** Options for `plainText`. */
export interface PlainTextOptions {
  /** How a link reads in plain text: its label only, or "label (url)" (default). */
  links?: 'label' | 'label-and-url';
}

/**
 * The text a person reads, without markup: for plain-text surfaces (button labels, notifications,
 * Teams summaries, test transcripts). Bullets stay "- " lines.
 */
export function plainText(markup: string, options: PlainTextOptions = {}): string {
  return parseMarkup(markup)
    .map((line) => `${line.bullet ? '- ' : ''}${nodesText(line.nodes, options)}`)
    .join('\n');
}

function nodesText(nodes: MarkupNode[], options: PlainTextOptions): string {
  return nodes
    .map((node) => {
      switch (node.type) {
        case 'text':
        case 'code':
          return node.text;
        case 'bold':
        case 'italic':
          return nodesText(node.children, options);
        case 'link':
          return options.links === 'label' || node.label === node.url ? node.label : `${node.label} (${node.url})`;
      }
    })
    .join('');
}

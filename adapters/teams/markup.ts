import { parseMarkup, plainText, type MarkupNode } from '../../src/core/markup.js';

/**
 * The core's markup (**bold**, _italic_, `code`, [label](url), "- " bullets, backslash escapes) as the
 * Markdown subset Adaptive Card TextBlocks render. Literal text is backslash-escaped wherever Markdown
 * would read it as style, a link or a list, so what people typed shows as typed and only the bot's own
 * links are links. Teams has no inline code style, so code spans become quoted text, and "/lc verb"
 * becomes "lc verb": in Teams a leading slash opens Teams' own menu.
 */
export function toCardMarkdown(text: string): string {
  const lines = parseMarkup(text).map((line) => ({ bullet: line.bullet, md: `${line.bullet ? '- ' : ''}${blockStart(nodesMarkdown(line.nodes))}` }));
  // A single newline is a soft break in Markdown, but the core means a new line: separate lines
  // by a blank line, except between bullets of one list.
  let out = '';
  lines.forEach((line, i) => {
    if (i > 0) out += lines[i - 1].bullet && line.bullet ? '\n' : '\n\n';
    out += line.md;
  });
  return out.replace(/\n{3,}/g, '\n\n');
}

/**
 * Plain text in Teams' own grammar, for an activity's `summary` (notifications, screen readers):
 * no Markdown, links by their label, and commands as Teams users type them ("lc plan").
 */
export function toTeamsPlain(text: string): string {
  return teamsCommands(plainText(text, { links: 'label' }));
}

function nodesMarkdown(nodes: MarkupNode[]): string {
  return nodes
    .map((node) => {
      switch (node.type) {
        case 'text':
          return literal(teamsCommands(node.text));
        case 'bold':
          return `**${nodesMarkdown(node.children)}**`;
        case 'italic':
          return `_${nodesMarkdown(node.children)}_`;
        case 'code':
          return `“${literal(node.text.replace(/^\/lc\b/, 'lc'))}”`;
        case 'link':
          return `[${literal(node.label)}](${node.url.replace(/[()\s]/g, encodeURIComponent)})`;
      }
    })
    .join('');
}

/**
 * Text Markdown shows as written: a backslash before every character it could read as markup, and
 * before what would make a bare address a link (`://`, `www.`, `@`), so a typed address stays text.
 */
function literal(text: string): string {
  return text
    .replace(/[\\*_`[\]~<>@]/g, '\\$&')
    .replace(/:(?=\/\/)/g, '\\:')
    .replace(/\b(www)\./gi, '$1\\.');
}

/** What would open a list, heading or quote at the start of a line is escaped too. */
function blockStart(line: string): string {
  return line.replace(/^(\s*)([-+#>=]|\d+[.)])(?=\s|$)/, (_m, space: string, mark: string) => `${space}${mark.replace(/^(\d+)([.)])/, '$1\\$2').replace(/^([-+#>=])$/, '\\$1')}`);
}

/** "/lc verb" as Teams users type it: "lc verb". */
function teamsCommands(text: string): string {
  return text.replace(/(^|\s|“|")\/lc(?=\s|$|”|")/g, '$1lc');
}

/**
 * The core's small markup (**bold**, _italic_, `code`, [label](url), "- " bullets) as the Markdown
 * subset Adaptive Card TextBlocks render. Teams has no inline code style, so code spans become
 * quoted text, and "/lc verb" becomes "lc verb": in Teams a leading slash opens Teams' own menu.
 */
export function toCardMarkdown(text: string): string {
  const converted = text
    .replace(/`([^`]+)`/g, (_m, code: string) => `“${code.replace(/^\/lc\b/, 'lc')}”`)
    .replace(/(^|\s)\/lc(?=\s)/g, '$1lc')
    .replace(/\r\n/g, '\n');
  // A single newline is a soft break in Markdown, but the core means a new line: separate lines
  // by a blank line, except between bullets of one list.
  const lines = converted.split('\n');
  let out = '';
  lines.forEach((line, i) => {
    if (i > 0) out += lines[i - 1].startsWith('- ') && line.startsWith('- ') ? '\n' : '\n\n';
    out += line;
  });
  return out.replace(/\n{3,}/g, '\n\n');
}

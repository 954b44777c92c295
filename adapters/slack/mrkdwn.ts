import { parseMarkup, type MarkupNode } from '../../src/core/markup.js';

/**
 * The core's markup (**bold**, _italic_, `code`, [label](url), "- " bullets, backslash escapes) in
 * Slack's mrkdwn. Literal text stays literal: `&`, `<` and `>` are escaped (so nothing typed becomes a
 * mention or a link), and Slack's own formatting characters in it (`*`, `_`, `~`, `` ` ``, a leading `>`)
 * are shown as typed (see `literalMrkdwn`). Only the bot's `[label](url)` becomes a link.
 */
export function toMrkdwn(text: string): string {
  return parseMarkup(text)
    .map((line) => `${line.bullet ? '• ' : ''}${nodesMrkdwn(line.nodes)}`)
    .map((line) => line.replace(/^&gt;/, '\u00ad&gt;'))
    .join('\n');
}

function nodesMrkdwn(nodes: MarkupNode[]): string {
  return nodes
    .map((node) => {
      switch (node.type) {
        case 'text':
          return literalMrkdwn(node.text);
        case 'bold':
          return `*${nodesMrkdwn(node.children)}*`;
        case 'italic':
          return `_${nodesMrkdwn(node.children)}_`;
        case 'code':
          return `\`${escapeSlack(node.text).replace(/`/g, 'ˋ')}\``;
        case 'link':
          return `<${node.url.replace(/[<>|]/g, encodeURIComponent)}|${lookalikes(escapeSlack(node.label)).replace(/\|/g, '¦')}>`;
      }
    })
    .join('');
}

/**
 * Text Slack shows exactly as typed. Slack has no escape for its formatting characters, so a run of
 * them becomes a date token with an impossible format, which Slack shows as its fallback text, as
 * plain text (the approach of jsx-slack's <Escape>).
 */
export function literalMrkdwn(text: string): string {
  return escapeSlack(text).replace(/[*_~`]+/g, (run) => `<!date^00000000^{_}|${run}>`);
}

/** Inside a link label a date token cannot be nested: formatting characters become look-alikes. */
function lookalikes(text: string): string {
  return text.replace(/[*_~`]/g, (c) => ({ '*': '∗', _: 'ˍ', '~': '∼', '`': 'ˋ' })[c]!);
}

/** Slack's three control characters; everything else is shown as typed. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts text to a length, on a character boundary, marking the cut with an ellipsis. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Cuts mrkdwn to a length without leaving half an entity (`&amp;`) or half a `<…>` token (a link or a
 * literal run), which Slack would show raw.
 */
export function clipMrkdwn(mrkdwn: string, max: number): string {
  if (mrkdwn.length <= max) return mrkdwn;
  return `${mrkdwn.slice(0, safeCut(mrkdwn, max - 1))}…`;
}

/** The largest cut position at or before `cut` that splits no surrogate pair, entity or `<…>` token. */
function safeCut(text: string, cut: number): number {
  if (/[\uD800-\uDBFF]/.test(text[cut - 1] ?? '')) cut -= 1;
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp >= 0 && amp > cut - 6 && text.indexOf(';', amp) >= cut) cut = amp;
  const lt = text.lastIndexOf('<', cut - 1);
  if (lt > 0 && text.indexOf('>', lt) >= cut) cut = lt;
  return cut;
}

/**
 * Splits text into pieces of at most `max` characters, preferring line breaks, then spaces,
 * so a long help text or plan becomes several sections instead of being refused or cut.
 */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut < max / 2) cut = rest.lastIndexOf(' ', max);
    if (cut < max / 2) cut = max;
    // Never split a surrogate pair, an escaped entity such as &amp;, or a <…> token.
    cut = safeCut(rest, cut);
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\n/, '');
  }
  if (rest.length || pieces.length === 0) pieces.push(rest);
  return pieces.filter((p, i) => p.length > 0 || i === 0);
}

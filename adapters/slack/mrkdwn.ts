/**
 * The core's small markup (**bold**, _italic_, `code`, [label](url), "- " bullets) in Slack's
 * mrkdwn. Everything else is escaped, so user text can never become a mention or a link.
 */
export function toMrkdwn(text: string): string {
  const codes: string[] = [];
  // Code spans first, so markup inside them is left alone.
  let out = text.replace(/`([^`\n]+)`/g, (_m, code: string) => {
    codes.push(escapeSlack(code));
    return `\u0000${codes.length - 1}\u0000`;
  });
  const links: string[] = [];
  out = out.replace(/\[([^\]\n]+)\]\(((?:https?:\/\/|mailto:)[^)\s]+)\)/g, (_m, label: string, url: string) => {
    links.push(`<${url.replace(/[<>|]/g, encodeURIComponent)}|${escapeSlack(label).replace(/\|/g, '¦')}>`);
    return `\u0001${links.length - 1}\u0001`;
  });
  out = escapeSlack(out)
    .replace(/\*\*(.+?)\*\*/g, '*$1*')
    .replace(/^- /gm, '• ');
  return out.replace(/\u0001(\d+)\u0001/g, (_m, i: string) => links[Number(i)]).replace(/\u0000(\d+)\u0000/g, (_m, i: string) => `\`${codes[Number(i)]}\``);
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
    // Never split a surrogate pair or an escaped entity such as &amp;.
    if (/[\uD800-\uDBFF]/.test(rest[cut - 1] ?? '')) cut -= 1;
    const amp = rest.lastIndexOf('&', cut - 1);
    if (amp > cut - 5 && rest.indexOf(';', amp) >= cut) cut = amp;
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\n/, '');
  }
  if (rest.length || pieces.length === 0) pieces.push(rest);
  return pieces.filter((p, i) => p.length > 0 || i === 0);
}

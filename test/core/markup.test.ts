import fc from 'fast-check';
import { marked, type Token } from 'marked';
import { describe, expect, it } from 'vitest';
import { literalMrkdwn, toMrkdwn } from '../../adapters/slack/mrkdwn.js';
import { renderMessage as renderSlack } from '../../adapters/slack/block-kit.js';
import { renderMessage as renderTeams } from '../../adapters/teams/cards.js';
import { toCardMarkdown, toTeamsPlain } from '../../adapters/teams/markup.js';
import { toWebMessage } from '../../adapters/web-chat/web-message.js';
import { translator } from '../../src/core/i18n.js';
import { escapeMarkup, md, parseMarkup, plainText, trusted, type MarkupLine, type MarkupNode } from '../../src/core/markup.js';
import { ui } from '../../src/core/messages.js';

const t = translator('en');
const DISGUISED = '[Open Slack login](https://evil.example/login)';

/** Text a person could type: every markup character of every platform, line breaks, and any Unicode. */
const typed = fc
  .oneof(
    fc.string({ maxLength: 300, unit: fc.constantFrom('*', '_', '`', '[', ']', '(', ')', '~', '<', '>', '&', '|', '\\', '-', '#', '+', '.', '1', ' ', '\n', 'a', 'h', 't', 'p', ':', '/', '!', '@', '=') }),
    fc.string({ maxLength: 300, unit: 'grapheme' }),
    fc.constantFrom(DISGUISED, '**bold** _it_ `code`', '<https://evil.example|click> <!channel> <@U123>', '- a bullet\n1. a list\n# heading\n> quote', '\\[x\\](https://e.x)'),
  )
  // Teams users type commands without the slash, so a typed "/lc" reads "lc" there; that rewrite is shown below.
  .filter((s) => !s.includes('/lc') && !s.includes('\r'));

/** The Slack mrkdwn a text renders to, read back as Slack shows it (entities decoded, literal runs as typed). */
function slackShows(mrkdwn: string): string {
  return mrkdwn
    .replace(/<!date\^00000000\^\{_\}\|([^>]*)>/g, '$1')
    .replace(/\u00ad(?=&gt;)/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** What Slack would read as markup in mrkdwn: links, mentions, and formatting characters outside literal runs. */
function slackMarkup(mrkdwn: string): string[] {
  const outside = mrkdwn.replace(/<!date\^00000000\^\{_\}\|[^>]*>/g, '');
  return [...outside.matchAll(/<[^>]*>|[*_~`]/g)].map((m) => m[0]);
}

/** Every inline token CommonMark (a stand-in for Teams' Markdown) finds, flattened. */
function markdownTokens(text: string): Token[] {
  const out: Token[] = [];
  const walk = (tokens: Token[]) => {
    for (const token of tokens) {
      out.push(token);
      const children = (token as { tokens?: Token[] }).tokens ?? (token as { items?: Token[] }).items;
      if (children) walk(children);
    }
  };
  walk(marked.lexer(text));
  return out;
}

/** Every mrkdwn text inside Block Kit blocks. */
function mrkdwnTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(mrkdwnTexts);
  if (!value || typeof value !== 'object') return [];
  const object = value as Record<string, unknown>;
  if (object.type === 'mrkdwn' && typeof object.text === 'string') return [object.text];
  return Object.values(object).flatMap(mrkdwnTexts);
}

function nodesAreText(lines: MarkupLine[]): boolean {
  const textOnly = (nodes: MarkupNode[]) => nodes.every((n) => n.type === 'text');
  return lines.every((l) => !l.bullet && textOnly(l.nodes));
}

describe('when the bot writes its own markup', () => {
  it('parses bold, italic, code, links and bullets, and a backslash shows the next character as typed', () => {
    expect(parseMarkup('**Due** _soon_: `lc plan` [the guide](https://x.org)\n- one\n\\*not bold\\* a_b_c')).toEqual([
      {
        bullet: false,
        nodes: [
          { type: 'bold', children: [{ type: 'text', text: 'Due' }] },
          { type: 'text', text: ' ' },
          { type: 'italic', children: [{ type: 'text', text: 'soon' }] },
          { type: 'text', text: ': ' },
          { type: 'code', text: 'lc plan' },
          { type: 'text', text: ' ' },
          { type: 'link', label: 'the guide', url: 'https://x.org' },
        ],
      },
      { bullet: true, nodes: [{ type: 'text', text: 'one' }] },
      { bullet: false, nodes: [{ type: 'text', text: '*not bold* a_b_c' }] },
    ]);
  });

  it('makes no link of a target that is not a web, mail or own address', () => {
    expect(parseMarkup('[x](javascript:alert(1))')[0].nodes).toEqual([{ type: 'text', text: '[x](javascript:alert(1))' }]);
  });

  it('escapes values in md`` and keeps trusted markup', () => {
    expect(md`**${'a*b'}** ${trusted('[ok](https://x.org)')} ${DISGUISED}`).toBe('**a\\*b** [ok](https://x.org) \\[Open Slack login\\](https://evil.example/login)');
  });
});

describe('when a person types text that reaches a message (property)', () => {
  it('reads back exactly as typed, with no markup, in the core, on Slack, in Teams and in the web chat', () => {
    fc.assert(
      fc.property(typed, (text) => {
        const escaped = escapeMarkup(text);
        // The core: one literal text, nothing else.
        expect(nodesAreText(parseMarkup(escaped))).toBe(true);
        expect(plainText(escaped)).toBe(text);
        // Slack: no link, mention or formatting, and the same characters once Slack has decoded them.
        const mrkdwn = toMrkdwn(escaped);
        expect(slackMarkup(mrkdwn)).toEqual([]);
        expect(slackShows(mrkdwn)).toBe(text);
        // Teams: Markdown that holds only text and paragraphs, whose text is what was typed.
        const card = toCardMarkdown(escaped);
        const kinds = new Set(markdownTokens(card).map((tk) => tk.type));
        for (const kind of ['link', 'strong', 'em', 'codespan', 'del', 'list', 'heading', 'blockquote', 'html', 'image', 'code', 'hr', 'table']) expect(kinds.has(kind)).toBe(false);
        expect(toTeamsPlain(escaped)).toBe(text);
        // The web chat: lines of text nodes only.
        const [block] = toWebMessage(ui.message(escaped, [ui.paragraph(escaped)])).blocks;
        expect(block.type === 'text' && nodesAreText(block.lines)).toBe(true);
        expect(block.type === 'text' && block.lines.map((l) => l.nodes.map((n) => (n.type === 'text' ? n.text : '')).join('')).join('\n')).toBe(text);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 400) },
    );
  });

  it('stays literal when interpolated into a catalogue string, on every platform', () => {
    fc.assert(
      fc.property(typed, (author) => {
        const text = t('plan:view.title', { author, cluster: 'LC1' });
        expect(plainText(text)).toBe(`Action plan: ${author} (LC1)`);
        const message = ui.message(text, [ui.heading(text), ui.paragraph(text), ui.fields([{ label: text, value: text }])]);
        for (const part of renderSlack(message)) {
          // Slack reads links and mentions only in the top-level text and mrkdwn objects (the bold labels are the bot's own).
          for (const mrkdwn of [part.text, ...mrkdwnTexts(part.blocks)]) expect(slackMarkup(mrkdwn).filter((m) => m.startsWith('<'))).toEqual([]);
        }
        for (const card of renderTeams(message, t).cards) {
          for (const element of card.body) {
            const facts = (element.facts ?? []) as { title: string; value: string }[];
            for (const shown of [String(element.text ?? ''), ...facts.flatMap((f) => [f.title, f.value])]) expect(markdownTokens(shown).some((tk) => tk.type === 'link')).toBe(false);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('when a plan goal is a disguised link', () => {
  const goal = escapeMarkup(DISGUISED);

  it('reaches Slack as literal text in verbatim mrkdwn, never as <url|label>', () => {
    const [part] = renderSlack(ui.message(goal, [ui.paragraph(`**Goal**\n${goal}`)]));
    expect(part.text).toBe(DISGUISED);
    const section = part.blocks[0] as unknown as { text: { text: string; verbatim: boolean } };
    expect(section.text.text).toBe(`*Goal*\n${DISGUISED}`);
    expect(section.text.verbatim).toBe(true);
    expect(JSON.stringify(part)).not.toContain('<https://evil.example');
  });

  it('reaches Teams escaped, so the card shows the brackets and makes no link', () => {
    const md = toCardMarkdown(goal);
    expect(md).toBe('\\[Open Slack login\\](https\\://evil.example/login)');
    expect(markdownTokens(md).some((tk) => tk.type === 'link' && tk.text === 'Open Slack login')).toBe(false);
  });

  it('shows Slack formatting characters someone typed as typed, not as bold or strike', () => {
    expect(literalMrkdwn('*sale* ~50%~ a_b')).toBe('<!date^00000000^{_}|*>sale<!date^00000000^{_}|*> <!date^00000000^{_}|~>50%<!date^00000000^{_}|~> a<!date^00000000^{_}|_>b');
  });
});

describe('when a summary is shown by each platform', () => {
  const summary = 'Your export is ready: [LC1.csv](https://bot.example/files/abc_def/LC1.csv). Type `/lc plan` to see **your plan**.';

  it('gives Slack its own markup: *bold* and <url|label>, no Markdown', () => {
    const [part] = renderSlack(ui.message(summary, [ui.paragraph(summary)]));
    expect(part.text).toBe('Your export is ready: <https://bot.example/files/abc_def/LC1.csv|LC1.csv>. Type `/lc plan` to see *your plan*.');
  });

  it('gives Teams plain text in its own grammar: no backticks, no links, lc without the slash', () => {
    expect(toTeamsPlain(summary)).toBe('Your export is ready: LC1.csv. Type lc plan to see your plan.');
  });
});

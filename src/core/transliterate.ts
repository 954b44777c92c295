/**
 * Serbian Latin → Serbian Cyrillic. Serbian is written once, in Latin script (locales/sr-Latn,
 * questionnaires/translations/sr-Latn); the Cyrillic texts are derived from it when the bot loads them,
 * so the two scripts never drift apart (docs/languages.md, docs/glossary.md).
 *
 * What stays Latin: code spans, `{{placeholders}}`, `$t(…)` nestings, link targets and URLs, e-mail
 * addresses, Slack mentions, brand names (Slack, Teams, Cluster Bot…) and Latin abbreviations (LC1, CSV,
 * EE2); the glossary's own abbreviations DR1–DR3 become ДР1–ДР3.
 */

const LETTERS: Record<string, string> = {
  a: 'а', b: 'б', c: 'ц', č: 'ч', ć: 'ћ', d: 'д', đ: 'ђ', e: 'е', f: 'ф', g: 'г', h: 'х', i: 'и', j: 'ј', k: 'к',
  l: 'л', m: 'м', n: 'н', o: 'о', p: 'п', r: 'р', s: 'с', š: 'ш', t: 'т', u: 'у', v: 'в', z: 'з', ž: 'ж',
  // Letters Serbian does not use, for foreign words that slip through (the nearest Cyrillic reading).
  q: 'кв', w: 'в', x: 'кс', y: 'ј',
};
const DIGRAPHS: Record<string, string> = { lj: 'љ', nj: 'њ', dž: 'џ' };

/**
 * Word stems where lj, nj or dž are two letters, not one (a prefix before j or ž, a foreign word).
 * The `|` marks the split. Matched case-insensitively inside a word. Add a word here and to the test
 * when it comes out wrong.
 */
const EXCEPTIONS = [
  'in|jek', // injekcija, injektirati
  'kon|jug', // konjugacija
  'kon|junk', // konjunktura, konjunkcija
  'van|jez', // vanjezički, izvanjezički
  'tan|jug', // Tanjug
  '^nad|ž', // nadživeti, nadžnjeti (a prefix: only at the start of a word, so hodža stays ходжа)
  '^pod|ž', // podžupan, podžanr
  '^od|ž', // odžaliti
].map((entry) => {
  const atStart = entry.startsWith('^');
  const [before, after] = entry.replace('^', '').split('|');
  return { stem: before + after, split: before.length, atStart };
});

/** Brand and product names that keep their Latin spelling in Cyrillic text. */
const BRANDS = ['Cluster Bot', 'Microsoft Teams', 'Microsoft', 'Slack', 'Teams', 'Block Kit', 'Adaptive Cards', 'Excel', 'Markdown', 'Google', 'Zoom', 'PostgreSQL', 'Redis'];

/** The glossary's Serbian abbreviations, written in Latin in the catalogue and in Cyrillic here. */
const LOCAL_ABBREVIATIONS: Record<string, string> = { DR: 'ДР' };

/**
 * Spans copied as they are, tried in this order at every position: code spans, placeholders and
 * nestings, link targets (the `(…)` right after `]`), URLs, e-mail addresses, Slack mentions and
 * channel links, commands (`/lc plan` outside a code span), language tags and time-zone names, emoji codes, brand names, Latin abbreviations (two to four capitals or capitals with
 * digits: a longer word in capitals is Serbian shouted, LJUBAV), and a number with a unit like 2d/12h
 * typed as an example.
 */
const PROTECTED = new RegExp(
  [
    '`[^`]*`',
    '\\{\\{[^}]*\\}\\}',
    '\\$t\\([^)]*\\)',
    '(?<=\\])\\([^)\\s]*\\)',
    '\\b(?:https?|mailto):[^\\s)>\\]]+',
    '\\b[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+',
    '<[@#!][^>]*>',
    // A command outside a code span: Slack and Teams know only the English verb (`/lc plan`).
    '/lc(?:\\s+[a-z][a-z-]*)?(?![\\p{L}-])',
    // Language tags and time-zone names are codes, not words (sr-Latn, Europe/Belgrade).
    '(?<![\\p{L}-])[a-z]{2,3}-(?:Latn|Cyrl|[A-Z]{2})(?![\\p{L}-])',
    // Our language codes standing alone in examples (none is a Serbian word).
    '(?<![\\p{L}-])(?:en|sq|sr|bs|hr|mk)(?![\\p{L}-])',
    '(?<![\\p{L}/])[A-Z][a-z]+/[A-Z][A-Za-z_]+(?![\\p{L}/])',
    ':[a-z0-9_+-]+:',
    `(?<!\\p{L})(?:${BRANDS.map((b) => b.replace(/ /g, '\\s')).join('|')})(?!\\p{L})`,
    '(?<![\\p{L}\\d])(?:[A-Z]{2,4}[0-9]*|[A-Z]+[0-9]+)(?![\\p{L}\\d])',
    '(?<![\\p{L}\\d])\\d+[a-z]{1,2}(?![\\p{L}\\d])',
  ].join('|'),
  'gu',
);

/** Serbian Latin text (a catalogue string, a questionnaire text) in Serbian Cyrillic, markup and codes kept. */
export function toCyrillic(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(PROTECTED)) {
    const start = match.index;
    out += transliteratePlain(text.slice(last, start));
    out += keepOrLocalise(match[0]);
    last = start + match[0].length;
  }
  return out + transliteratePlain(text.slice(last));
}

/** A protected span as it is, except the glossary's own abbreviations (DR2 → ДР2). */
function keepOrLocalise(span: string): string {
  const abbreviation = /^([A-Z]{2,})([0-9]*)$/.exec(span);
  if (abbreviation && LOCAL_ABBREVIATIONS[abbreviation[1]]) return LOCAL_ABBREVIATIONS[abbreviation[1]] + abbreviation[2];
  return span;
}

/** Plain text: word by word, so the exceptions can see whole words. */
function transliteratePlain(text: string): string {
  return text.replace(/\p{L}+/gu, transliterateWord);
}

function transliterateWord(word: string): string {
  const lower = word.toLowerCase();
  // Positions where a digraph must not be read as one letter (after an exception stem's split).
  const splits = new Set<number>();
  for (const { stem, split, atStart } of EXCEPTIONS) {
    if (atStart) {
      if (lower.startsWith(stem)) splits.add(split);
      continue;
    }
    for (let at = lower.indexOf(stem); at >= 0; at = lower.indexOf(stem, at + 1)) splits.add(at + split);
  }
  let out = '';
  for (let i = 0; i < word.length; i++) {
    const pair = lower.slice(i, i + 2);
    if (DIGRAPHS[pair] && !splits.has(i + 1)) {
      out += caseLike(DIGRAPHS[pair], word[i]);
      i++;
      continue;
    }
    const letter = LETTERS[lower[i]];
    out += letter === undefined ? word[i] : caseLike(letter, word[i]);
  }
  return out;
}

/** The Cyrillic letter(s) in the case of the Latin letter they replace (Lj and LJ both give Љ). */
function caseLike(cyrillic: string, latin: string): string {
  if (latin === latin.toLowerCase()) return cyrillic;
  return cyrillic.charAt(0).toUpperCase() + cyrillic.slice(1);
}

/** Every string in a catalogue object (nested JSON of strings) transliterated; keys unchanged. */
export function catalogueToCyrillic<T>(value: T): T {
  // A text that is the language's own tag (the `lang` of an exported document) names the derived language.
  if (value === 'sr-Latn') return 'sr-Cyrl' as T;
  if (typeof value === 'string') return toCyrillic(value) as T;
  if (Array.isArray(value)) return value.map(catalogueToCyrillic) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, catalogueToCyrillic(v)])) as T;
  return value;
}

import { distance } from 'fastest-levenshtein';
import { foldWord } from './fold.js';
import { getI18n, languageOf } from './i18n.js';
import { LANGUAGES, type Language } from './languages.js';

/**
 * The words that name each `/lc` verb in every language (locales/<language>/commands.json: verb → words
 * separated by spaces, the first one the word help shows; docs/glossary.md, "Commands"). The English verb
 * works in every language; a person's own language is looked up first, then English, then the others,
 * so a word two languages use for different verbs means what it means in the person's language.
 * Diacritics never matter: `pomoc` is `pomoć`, `ndihme` is `ndihmë`.
 */
export interface VerbWord {
  /** The English verb the word names (what flows register). */
  verb: string;
  /** The word as the catalogue writes it. */
  word: string;
  language: Language;
}

/** Every language's words, read once: the catalogues are fixed for the life of a process. */
let byLanguage: Map<Language, VerbWord[]> | undefined;

function wordsByLanguage(): Map<Language, VerbWord[]> {
  if (byLanguage) return byLanguage;
  const i18n = getI18n();
  byLanguage = new Map();
  for (const language of LANGUAGES) {
    const table = i18n.getResourceBundle(language, 'commands') as Record<string, string> | undefined;
    if (!table) continue;
    byLanguage.set(
      language,
      Object.entries(table).flatMap(([verb, words]) => String(words).split(/\s+/).filter(Boolean).map((word) => ({ verb, word, language }))),
    );
  }
  return byLanguage;
}

/** The languages in the order a word is looked up for a person: theirs, English, then the rest. */
function lookupOrder(locale: string): Language[] {
  const own = languageOf(locale);
  return [own, 'en', ...LANGUAGES.filter((l) => l !== own && l !== 'en')];
}

/** The English verb a typed word names for this person, if any (the verb itself always counts). */
export function verbOfWord(typed: string, locale: string, known: ReadonlySet<string>): string | undefined {
  if (known.has(typed)) return typed;
  const folded = foldWord(typed);
  const words = wordsByLanguage();
  for (const language of lookupOrder(locale)) {
    const hit = words.get(language)?.find((w) => foldWord(w.word) === folded && known.has(w.verb));
    if (hit) return hit.verb;
  }
  return undefined;
}

/** The word help shows for a verb in the person's language (the first of its words), or the verb. */
export function shownWord(verb: string, locale: string): string {
  return wordsByLanguage().get(languageOf(locale))?.find((w) => w.verb === verb)?.word ?? verb;
}

/**
 * The known word closest to a mistyped one, in any language, if it is close enough to be a likely
 * typo: short words tolerate one slip, longer ones two or more (a swapped pair of letters counts as two).
 * The person's own language wins a tie.
 */
export function closestWord(typed: string, locale: string, known: ReadonlySet<string>): VerbWord | undefined {
  const folded = foldWord(typed);
  const candidates: VerbWord[] = [...known].map((verb) => ({ verb, word: verb, language: 'en' as Language }));
  const words = wordsByLanguage();
  for (const language of lookupOrder(locale)) candidates.push(...(words.get(language) ?? []).filter((w) => known.has(w.verb)));
  let best: { candidate: VerbWord; d: number } | undefined;
  for (const candidate of candidates) {
    const d = distance(folded, foldWord(candidate.word));
    if (!best || d < best.d) best = { candidate, d };
  }
  if (!best) return undefined;
  const length = [...best.candidate.word].length;
  const tolerance = length <= 3 ? 1 : 2 + Math.floor(length / 8);
  return best.d <= tolerance || foldWord(best.candidate.word).startsWith(folded) ? best.candidate : undefined;
}

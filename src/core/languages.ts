import { foldWord } from './fold.js';
/**
 * The languages Cluster Bot speaks, in one place: their codes, their names in themselves (for
 * pickers, docs/glossary.md), and how any language tag a platform or a person gives is read as one
 * of them. Whether a language's catalogue is present is the loader's business (src/core/i18n.ts): a
 * missing text falls back to English key by key.
 */

export const LANGUAGES = ['en', 'sq', 'sr-Latn', 'sr-Cyrl', 'bs', 'hr', 'mk'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Each language named in itself, as a picker shows it. */
export const LANGUAGE_NAMES: Record<Language, string> = {
  en: 'English',
  sq: 'Shqip',
  'sr-Latn': 'Srpski (latinica)',
  'sr-Cyrl': 'Српски (ћирилица)',
  bs: 'Bosanski',
  hr: 'Hrvatski',
  mk: 'Македонски',
};

/** Languages whose catalogue is derived from another's, never written (sr-Cyrl from sr-Latn). */
export const DERIVED_LANGUAGES: Partial<Record<Language, Language>> = { 'sr-Cyrl': 'sr-Latn' };

export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}

/**
 * A language tag (BCP 47, or with an underscore as some platforms write it) as one of ours, or
 * undefined when we do not speak it: sq-AL → sq, sr / sr-RS / sr-Latn-RS → sr-Latn, sr-Cyrl-RS →
 * sr-Cyrl, bs-BA → bs, hr-HR → hr, mk-MK → mk, en-GB → en. Montenegrin (cnr, sr-ME) reads Serbian.
 */
export function normaliseLanguage(tag: string | null | undefined): Language | undefined {
  if (typeof tag !== 'string') return undefined;
  const parts = tag.trim().replace(/_/g, '-').split('-').filter(Boolean);
  if (!parts.length || !/^[a-z]{2,3}$/i.test(parts[0])) return undefined;
  const primary = parts[0].toLowerCase();
  const script = parts.slice(1).find((p) => /^[a-z]{4}$/i.test(p))?.toLowerCase();
  switch (primary) {
    case 'en':
    case 'sq':
    case 'bs':
    case 'hr':
    case 'mk':
      return primary;
    case 'sr':
    case 'cnr':
      return script === 'cyrl' ? 'sr-Cyrl' : 'sr-Latn';
    case 'sh':
      return 'sr-Latn';
    default:
      return undefined;
  }
}

/** Words a person may type for a language besides its code: its own name, with and without diacritics. */
const NAME_WORDS: Record<Language, string[]> = {
  en: ['english', 'anglisht', 'engleski', 'англиски', 'енглески'],
  sq: ['shqip', 'albanian', 'albanski', 'shqipe', 'албански'],
  'sr-Latn': ['srpski', 'serbian', 'latinica', 'srpski latinica', 'serbian latin', 'sr'],
  'sr-Cyrl': ['српски', 'ћирилица', 'cirilica', 'ćirilica', 'srpski cirilica', 'srpski ćirilica', 'српски ћирилица', 'serbian cyrillic'],
  bs: ['bosanski', 'bosnian', 'босански'],
  hr: ['hrvatski', 'croatian', 'хрватски'],
  mk: ['македонски', 'makedonski', 'macedonian', 'maqedonisht'],
};

/** What a person typed after `/lc language` (a code like sr-Cyrl or a name like Hrvatski) as a language, if it is one. */
export function languageFromInput(input: string): Language | undefined {
  const typed = input.trim();
  if (!typed) return undefined;
  const exact = LANGUAGES.find((l) => l.toLowerCase() === typed.toLowerCase());
  if (exact) return exact;
  const simple = fold(typed);
  for (const language of LANGUAGES) {
    if (fold(LANGUAGE_NAMES[language]) === simple || NAME_WORDS[language].some((w) => fold(w) === simple)) return language;
  }
  return normaliseLanguage(typed);
}

/** Lower case, no diacritics, no brackets or punctuation, single spaces: "Srpski (ćirilica)" → "srpski cirilica". */
function fold(text: string): string {
  return foldWord(text)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * The main language of a country (ISO 3166 alpha-2; XK for Kosovo), for a cluster's language when
 * it is created: what the bot posts for everyone in a channel (the answers to a question asked there) reads in it
 * until a coordinator changes it.
 */
export function countryLanguage(country: string | null | undefined): Language | undefined {
  switch (country?.trim().toUpperCase()) {
    case 'XK':
    case 'AL':
      return 'sq';
    case 'RS':
    case 'ME':
      return 'sr-Latn';
    case 'BA':
      return 'bs';
    case 'HR':
      return 'hr';
    case 'MK':
      return 'mk';
    default:
      return undefined;
  }
}

/** A stored language tag as people read it: the language's own name, or the tag itself for one we do not speak. */
export function languageName(tag: string): string {
  const language = normaliseLanguage(tag);
  return language ? LANGUAGE_NAMES[language] : tag;
}

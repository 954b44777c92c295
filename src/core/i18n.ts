import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, basename } from 'node:path';
import i18next, { type i18n, type Resource, type TFunction } from 'i18next';
import { projectPath } from './paths.js';
import { escapeMarkup } from './markup.js';
import { DERIVED_LANGUAGES, isLanguage, LANGUAGES, normaliseLanguage, type Language } from './languages.js';
import { catalogueToCyrillic } from './transliterate.js';

/**
 * The text catalogue. Every user-facing string lives in locales/<language>/<namespace>.json,
 * one namespace per area (core, help, me, registration, …), so a new language is a folder
 * of JSON files and no code change.
 *
 * Catalogue strings are message markup (src/core/markup.ts). Every interpolated value is escaped by
 * default, so a name or a plan goal shows as typed and never becomes a link or bold text; a value the
 * bot built itself as markup (a link target, a list of escaped items) is written `{{- value}}`.
 */
const localesDir = projectPath('locales');

/**
 * Every catalogue folder of a language we speak (locales/<language>/<namespace>.json), plus the derived
 * ones: sr-Cyrl is sr-Latn transliterated here, never written by hand (a locales/sr-Cyrl folder would be
 * ignored). A folder of a language we do not speak is not loaded: add it to src/core/languages.ts first.
 */
export function loadCatalogues(dir = localesDir): Resource {
  const resources: Resource = {};
  if (!existsSync(dir)) return resources;
  for (const language of readdirSync(dir)) {
    if (!isLanguage(language) || DERIVED_LANGUAGES[language]) continue;
    resources[language] = {};
    for (const file of readdirSync(join(dir, language)).filter((f) => f.endsWith('.json'))) {
      resources[language][basename(file, '.json')] = JSON.parse(readFileSync(join(dir, language, file), 'utf8'));
    }
  }
  for (const [derived, source] of Object.entries(DERIVED_LANGUAGES)) {
    if (resources[source]) resources[derived] = catalogueToCyrillic(resources[source]);
  }
  return resources;
}

let instance: i18n | undefined;

/** The shared i18next instance; created on first use, synchronously, with English as fallback key by key. */
export function getI18n(): i18n {
  if (instance) return instance;
  const resources = loadCatalogues();
  instance = i18next.createInstance();
  void instance.init({
    resources,
    lng: 'en',
    fallbackLng: 'en',
    // sr-Latn is its own catalogue, not a region of "sr": look it up, then English, nothing between.
    load: 'currentOnly',
    ns: Object.keys(resources.en ?? {}),
    defaultNS: 'core',
    fallbackNS: 'core',
    interpolation: { escapeValue: true, escape: escapeMarkup },
    returnNull: false,
    // A text a translator left empty reads as missing, so English stands in, never an empty message.
    returnEmptyString: false,
    initAsync: false,
  });
  return instance;
}

export type Translate = TFunction;

const translators = new Map<string, Translate>();

/**
 * A translate function fixed to one person's locale, made once per locale. A key asked for without
 * options (most labels and headings) is translated once and remembered: the catalogue is read once at
 * start-up and never changes, and i18next's lookup showed in every command's profile.
 */
export function translator(locale: string): Translate {
  const known = translators.get(locale);
  if (known) return known;
  const i18n = getI18n();
  const lng = languageOf(locale);
  const t = i18n.getFixedT(lng);
  const plain = new Map<string, string>();
  const remembering = ((key: unknown, ...rest: unknown[]) => {
    // With options (variables, a count, a default): straight to i18next's t with the language set, which
    // is what the fixed t does after copying all of i18next's options into a new object on every call
    // (about a third of the memory a command allocated, and so of its garbage collection).
    if (rest.length === 1 && isOptions(rest[0])) {
      // Only a default ("/lc <verb>" for a button without its own label) is still static text: remembered too.
      const options = rest[0];
      if (typeof key === 'string' && typeof options.defaultValue === 'string' && Object.keys(options).length === 1) {
        const id = `${key}\u0000${options.defaultValue}`;
        let text = plain.get(id);
        if (text === undefined) plain.set(id, (text = (i18n.t as unknown as (...args: unknown[]) => string)(key, { lng, ...options })));
        return text;
      }
      return (i18n.t as unknown as (...args: unknown[]) => string)(key, { lng, ...options });
    }
    if (rest.length > 0 || typeof key !== 'string') return (t as unknown as (...args: unknown[]) => string)(key, ...rest);
    let text = plain.get(key);
    if (text === undefined) plain.set(key, (text = t(key)));
    return text;
  }) as unknown as Translate;
  translators.set(locale, remembering);
  return remembering;
}

function isOptions(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A translate function for generated documents (report, exports, charts), which are not message
 * markup: values come back unescaped, and the document escapes them for its own format (HTML,
 * Markdown, CSV, SVG).
 */
export function documentTranslator(locale: string): Translate {
  const t = translator(locale);
  return ((key: string | string[], options?: Record<string, unknown>) => t(key, { ...options, interpolation: { escapeValue: false } })) as Translate;
}

/** One of our languages for any tag (a stored locale, a platform's); English for one we do not speak. */
export function languageOf(locale: string | null | undefined): Language {
  return normaliseLanguage(locale) ?? 'en';
}

/** The languages whose catalogue is present (English always), in the order pickers show them. */
export function supportedLanguages(): Language[] {
  const loaded = getI18n().options.resources ?? {};
  return LANGUAGES.filter((language) => language === 'en' || loaded[language]);
}


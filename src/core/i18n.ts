import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, basename } from 'node:path';
import i18next, { type i18n, type Resource, type TFunction } from 'i18next';
import { projectPath } from './paths.js';
import { escapeMarkup } from './markup.js';

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

function loadResources(): Resource {
  const resources: Resource = {};
  if (!existsSync(localesDir)) return resources;
  for (const language of readdirSync(localesDir)) {
    resources[language] = {};
    for (const file of readdirSync(join(localesDir, language)).filter((f) => f.endsWith('.json'))) {
      resources[language][basename(file, '.json')] = JSON.parse(readFileSync(join(localesDir, language, file), 'utf8'));
    }
  }
  return resources;
}

let instance: i18n | undefined;

/** The shared i18next instance; created on first use, synchronously, with English as fallback. */
export function getI18n(): i18n {
  if (instance) return instance;
  const resources = loadResources();
  instance = i18next.createInstance();
  void instance.init({
    resources,
    lng: 'en',
    fallbackLng: 'en',
    ns: Object.keys(resources.en ?? {}),
    defaultNS: 'core',
    fallbackNS: 'core',
    interpolation: { escapeValue: true, escape: escapeMarkup },
    returnNull: false,
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
  const language = supportedLanguages().includes(locale) ? locale : locale.split('-')[0];
  const t = i18n.getFixedT(language || 'en');
  const plain = new Map<string, string>();
  const remembering = ((key: unknown, ...rest: unknown[]) => {
    if (rest.length > 0 || typeof key !== 'string') return (t as unknown as (...args: unknown[]) => string)(key, ...rest);
    let text = plain.get(key);
    if (text === undefined) plain.set(key, (text = t(key)));
    return text;
  }) as unknown as Translate;
  translators.set(locale, remembering);
  return remembering;
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

export function supportedLanguages(): string[] {
  return Object.keys(getI18n().options.resources ?? {});
}


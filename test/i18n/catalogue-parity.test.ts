import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalogues, supportedLanguages, translator } from '../../src/core/i18n.js';
import { DERIVED_LANGUAGES, isLanguage } from '../../src/core/languages.js';
import { projectPath } from '../../src/core/paths.js';

/**
 * Every catalogue folder present on this checkout is held to English: the same keys, the plural
 * forms its language needs (CLDR through Intl.PluralRules) and none it does not have, the same
 * placeholders and nestings, the same link targets. A language whose folder does not exist yet is
 * not checked; the test names show which were.
 */
const localesDir = projectPath('locales');
const written = readdirSync(localesDir).filter((l) => l !== 'en' && existsSync(join(localesDir, l)) && isLanguage(l) && !DERIVED_LANGUAGES[l]);
const PLURAL = /_(zero|one|two|few|many|other)$/;

type Flat = Map<string, string>;
function flatten(value: unknown, prefix = '', into: Flat = new Map()): Flat {
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v && typeof v === 'object') flatten(v, `${prefix}${key}.`, into);
    else into.set(`${prefix}${key}`, String(v));
  }
  return into;
}

function readNamespace(language: string, file: string): Flat {
  return flatten(JSON.parse(readFileSync(join(localesDir, language, file), 'utf8')));
}

/** Placeholder names ({{name}}, {{- link}}, {{count, number}} → name, link, count) and $t(…) nestings. */
function codes(text: string): string[] {
  const placeholders = [...text.matchAll(/\{\{-?\s*([\w.]+)[^}]*\}\}/g)].map((m) => `{{${m[1]}}}`);
  const nestings = [...text.matchAll(/\$t\(([^)]*)\)/g)].map((m) => `$t(${m[1]})`);
  return [...new Set([...placeholders, ...nestings])].sort();
}

function linkTargets(text: string): string[] {
  return [...text.matchAll(/\]\(([^)]*)\)/g)].map((m) => m[1]).sort();
}

/** Keys grouped by their base (plural suffix removed); plural bases are those with a suffix in English. */
function groups(flat: Flat): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const [key, text] of flat) {
    const suffix = PLURAL.exec(key)?.[1] ?? '';
    const base = suffix ? key.slice(0, -suffix.length - 1) : key;
    if (!out.has(base)) out.set(base, new Map());
    out.get(base)!.set(suffix, text);
  }
  return out;
}

describe('when catalogues are checked against English', () => {
  it(`names the languages it checks: ${written.join(', ') || 'none yet (only English is on this checkout)'}`, () => {
    expect(written.every((l) => isLanguage(l))).toBe(true);
    console.info(`catalogue parity checked: ${written.join(', ') || 'no language besides English'}`);
  });

  const namespaces = readdirSync(join(localesDir, 'en')).filter((f) => f.endsWith('.json'));

  describe.each(written)('%s', (language) => {
    const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories as string[];

    it('has every namespace of English and no other', () => {
      expect(readdirSync(join(localesDir, language)).filter((f) => f.endsWith('.json')).sort()).toEqual([...namespaces].sort());
    });

    it.each(namespaces)('%s has the keys of English, with this language\'s plural forms', (file) => {
      const english = groups(readNamespace('en', file));
      const mine = groups(existsSync(join(localesDir, language, file)) ? readNamespace(language, file) : new Map());
      const problems: string[] = [];
      for (const [base, forms] of english) {
        // A counted text; English may keep a plain key too (i18next's form for one when there is no _one).
        const plural = [...forms.keys()].some((form) => form !== '');
        const own = mine.get(base);
        if (!own) {
          problems.push(`${base}: missing`);
          continue;
        }
        if (plural) {
          // Where English keeps a plain key for one, a translation's plain key may stand for its _one too.
          const missing = categories.filter((c) => !own.has(c) && !(c === 'one' && own.has('') && forms.has('')));
          const extra = [...own.keys()].filter((c) => !categories.includes(c) && !(c === '' && forms.has('')));
          if (missing.length) problems.push(`${base}: needs the plural forms ${missing.map((c) => `_${c}`).join(', ')}`);
          if (extra.length) problems.push(`${base}: ${language} has no plural forms ${extra.map((c) => (c ? `_${c}` : '(plain key)')).join(', ')}`);
        } else if (own.size !== 1 || !own.has('')) {
          problems.push(`${base}: English has no plural forms here; write one key`);
        }
        if (![...own.values()].every((t) => t.trim())) problems.push(`${base}: empty text`);
      }
      for (const base of mine.keys()) if (!english.has(base)) problems.push(`${base}: not in English (renamed or removed?)`);
      expect(problems).toEqual([]);
    });

    it.each(namespaces)('%s keeps every placeholder, nesting and link target of English', (file) => {
      const english = groups(readNamespace('en', file));
      const mine = groups(existsSync(join(localesDir, language, file)) ? readNamespace(language, file) : new Map());
      const problems: string[] = [];
      for (const [base, forms] of english) {
        const own = mine.get(base);
        if (!own) continue;
        const allowed = new Set([...forms.values()].flatMap(codes));
        // A plural's count may be written or left out in a form ("one plan"), as each language needs.
        const needed = [...allowed].filter((c) => c !== '{{count}}' || (forms.size === 1 && forms.has('')));
        for (const [form, text] of own) {
          const found = codes(text);
          const unknown = found.filter((c) => !allowed.has(c));
          if (unknown.length) problems.push(`${base}${form ? `_${form}` : ''}: ${unknown.join(', ')} not in English`);
        }
        const union = new Set([...own.values()].flatMap(codes));
        const lost = needed.filter((c) => !union.has(c));
        if (lost.length) problems.push(`${base}: lost ${lost.join(', ')}`);
        const targets = linkTargets([...forms.values()][0]);
        for (const [form, text] of own) {
          if (JSON.stringify(linkTargets(text)) !== JSON.stringify(targets)) problems.push(`${base}${form ? `_${form}` : ''}: link targets ${JSON.stringify(linkTargets(text))}, English has ${JSON.stringify(targets)}`);
        }
      }
      expect(problems).toEqual([]);
    });
  });
});

describe('when a counted text is shown', () => {
  const present = supportedLanguages();
  const english = flatten(loadCatalogues().en);
  // Every key counted in English, in namespace:key form.
  const counted = [...new Set([...english.keys()].filter((k) => k.endsWith('_one')).map((k) => k.replace(/_one$/, '')))];

  it(`reads 1, 2, 5, 21 and 22 in each language present: ${present.join(', ')}`, () => {
    const catalogues = loadCatalogues();
    const problems: string[] = [];
    for (const language of present) {
      const rules = new Intl.PluralRules(language);
      const t = translator(language);
      const own = catalogues[language];
      for (const flatKey of counted) {
        const [ns, ...rest] = flatKey.split('.');
        const key = rest.join('.');
        for (const count of [1, 2, 5, 21, 22]) {
          const category = rules.select(count);
          const expected = flatten(own?.[ns.replace(/\.json$/, '')] ?? {}).get(`${key}_${category}`);
          if (expected === undefined) continue; // not translated yet: the parity test above says so
          const shown = t(`${ns}:${key}`, { count, interpolation: { escapeValue: false } });
          const form = expected.replace(/\{\{-?\s*count[^}]*\}\}/g, String(count));
          if (!shown.startsWith(form.split('{{')[0])) problems.push(`${language} ${ns}:${key} ${count}: "${shown}" is not the ${category} form "${expected}"`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

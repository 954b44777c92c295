import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DERIVED_LANGUAGES, isLanguage, type Language } from '../../src/core/languages.js';
import { loadQuestionnaires, QUESTIONNAIRES_DIR } from '../../src/domain/questionnaires/catalogue.js';
import { localisedTexts, translationsDir } from '../../src/domain/questionnaires/translations.js';

/**
 * Every built-in questionnaire is complete in every language whose translation folder is present
 * (questionnaires/translations/<language>/), and in the languages derived from them (sr-Cyrl).
 * A language without a folder yet is not checked; the test names show which were.
 */
const dir = translationsDir(QUESTIONNAIRES_DIR);
const written = existsSync(dir) ? readdirSync(dir).filter((l): l is Language => isLanguage(l) && !DERIVED_LANGUAGES[l]) : [];
const checked: Language[] = [...written, ...(Object.entries(DERIVED_LANGUAGES) as [Language, Language][]).filter(([, source]) => written.includes(source)).map(([derived]) => derived)];

describe('when the questionnaires are checked for translations', () => {
  const definitions = loadQuestionnaires();

  it(`names the languages it checks: ${checked.join(', ') || 'none yet (no translation folder on this checkout)'}`, () => {
    console.info(`questionnaire parity checked: ${checked.join(', ') || 'no language besides English'}`);
    expect(checked.every(isLanguage)).toBe(true);
  });

  it.each(checked)('has every English text of every questionnaire in %s', (language) => {
    const missing = definitions.flatMap((d) => localisedTexts(d).filter(({ text }) => !text[language]?.trim()).map(({ field }) => `${d.key}@${d.version}: ${field}`));
    expect(missing).toEqual([]);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allFlows } from '../../flows/index.js';
import { foldWord } from '../../src/core/fold.js';
import { getI18n, supportedLanguages } from '../../src/core/i18n.js';
import { projectPath } from '../../src/core/paths.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { buttonsOf, talkAs, textOf } from '../support/transcript.js';

/**
 * Issue 18 item 5: every `/lc` verb answers to its words in each language (locales/<lang>/commands.json),
 * with or without diacritics, in either Serbian script; help shows the person's own word beside the
 * English; "did you mean" searches every language.
 */
const registered = allFlows.flatMap((flow) => flow.commands.map((c) => c.verb)).sort();
const words = (language: string) => getI18n().getResourceBundle(language, 'commands') as Record<string, string>;

describe('the command words of every language', () => {
  it('give every registered verb its words in English and in each written language', () => {
    const written = readdirSync(projectPath('locales')).filter((l) => readdirSync(join(projectPath('locales'), l)).includes('commands.json'));
    expect(written).toContain('en');
    for (const language of written) {
      const table = JSON.parse(readFileSync(join(projectPath('locales'), language, 'commands.json'), 'utf8')) as Record<string, string>;
      expect(Object.keys(table).sort(), `${language}/commands.json`).toEqual(registered);
      for (const [verb, list] of Object.entries(table)) {
        for (const word of list.split(/\s+/)) expect(word, `${language} ${verb}`).toMatch(/^[\p{Ll}\p{N}]+(-[\p{Ll}\p{N}]+)*$/u);
      }
    }
  });

  it('never gives one word to two verbs of a language, nor an English verb to another verb (English works everywhere)', () => {
    for (const language of supportedLanguages()) {
      const owner = new Map<string, string>();
      for (const [verb, list] of Object.entries(words(language))) {
        for (const word of list.split(/\s+/)) {
          const folded = foldWord(word);
          expect(owner.get(folded) ?? verb, `${language}: "${word}" names ${owner.get(folded)} and ${verb}`).toBe(verb);
          owner.set(folded, verb);
          if (registered.includes(folded)) expect(folded, `${language}: "${word}" is the English verb ${folded}`).toBe(verb);
        }
      }
    }
  });

  it('derives the Serbian Cyrillic words from the Latin ones', () => {
    if (!supportedLanguages().includes('sr-Cyrl')) return;
    expect(words('sr-Cyrl').help.split(/\s+/)[0]).toBe('помоћ');
  });
});

describe('when people type a command in their own words', () => {
  let runtime: Runtime;
  beforeAll(async () => {
    runtime = await testRuntime();
    await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
  });

  async function personIn(externalId: string, locale: string) {
    const person = talkAs(runtime.bot, externalId);
    await person.say('/lc me');
    await runtime.db.person.updateMany({ where: { identities: { some: { externalId } } }, data: { locale } });
    return person;
  }

  it('answers /lc ndihmë and /lc ndihme (no diacritics) in Albanian, and shows the Albanian word beside the English in the full help', async () => {
    const member = await personIn('web:words-sq', 'sq');
    const withDiacritics = textOf(await member.say('/lc ndihmë'));
    const without = textOf(await member.say('/lc NDIHME'));
    expect(without).toBe(withDiacritics);
    expect(textOf(await member.say('/lc help'))).toBe(withDiacritics);
    expect(textOf(await member.say('/lc ndihmë all'))).toContain('/lc unë (/lc me)');
  });

  it('answers /lc помош in Macedonian, /lc помоћ in Serbian Cyrillic, /lc pomoc in Serbian Latin, and the English verb for all of them', async () => {
    for (const [id, locale, word] of [['web:words-mk', 'mk', 'помош'], ['web:words-sr-cyrl', 'sr-Cyrl', 'помоћ'], ['web:words-sr', 'sr-Latn', 'pomoc']] as const) {
      const person = await personIn(id, locale);
      expect(textOf(await person.say(`/lc ${word}`)), `${locale} ${word}`).toBe(textOf(await person.say('/lc help')));
    }
  });

  it('accepts another language\'s word too, and suggests the nearest word of any language for a slip, with a button for the verb', async () => {
    const english = await personIn('web:words-en', 'en');
    expect(textOf(await english.say('/lc pomoć'))).toBe(textOf(await english.say('/lc help')));
    const slip = await english.say('/lc izvestja');
    expect(textOf(slip)).toContain('Did you mean /lc izveštaj?');
    const button = buttonsOf(slip).find((b) => b.label === '/lc izveštaj');
    expect(button?.value).toBe('report');
    expect(textOf(await english.say('/lc zzzzzz'))).not.toContain('Did you mean');
  });
});

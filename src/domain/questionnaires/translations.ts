import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DERIVED_LANGUAGES, isLanguage, LANGUAGES } from '../../core/languages.js';
import { toCyrillic } from '../../core/transliterate.js';
import type { LocalisedText, QuestionDefinition, QuestionnaireDefinition } from './definition.js';

/**
 * Questionnaire translations kept beside the questionnaires, one file per language and questionnaire
 * (questionnaires/translations/<language>/<questionnaire key>.yaml), so translators never edit the
 * definitions themselves. They are merged into the definitions' LocalisedText maps when the files are
 * loaded; a sidecar text wins over one written inline. sr-Cyrl is derived from sr-Latn, never written.
 *
 * Translations are texts only: they do not change what a questionnaire asks (its key, version,
 * questions, options), so adding one never needs a new version (see syncQuestionnaires).
 */

const text = z.string({ error: 'must be a text in quotes' }).trim().min(1, 'must not be empty');
const valueTexts = z.record(z.string(), text, { error: 'must map each value to its text, e.g. { yes: "…" }' });

const questionTexts = z
  .object({
    text: text.optional(),
    help: text.optional(),
    labels: z.array(text, { error: 'must be a list of texts, e.g. ["…", "…"]' }).optional(),
    minLabel: text.optional(),
    maxLabel: text.optional(),
    options: valueTexts.optional(),
    items: valueTexts.optional(),
  })
  .strict();

export const translationSchema = z
  .object({
    title: text.optional(),
    intro: text.optional(),
    questions: z.record(z.string(), questionTexts, { error: 'questions must map each question key to its texts' }).optional(),
  })
  .strict();
export type QuestionnaireTranslation = z.output<typeof translationSchema>;

/** Where the translations live, under the questionnaires folder. */
export function translationsDir(questionnairesDir: string): string {
  return join(questionnairesDir, 'translations');
}

/**
 * Reads every translation file, checks it against its questionnaire and merges it into the
 * definitions (a copy; the inputs stay as they were). Returns the merged definitions and every
 * problem, each naming the file and the field.
 */
export function applyTranslations(questionnairesDir: string, definitions: QuestionnaireDefinition[]): { definitions: QuestionnaireDefinition[]; problems: string[] } {
  const merged = definitions.map((d) => structuredClone(d));
  const problems: string[] = [];
  const dir = translationsDir(questionnairesDir);
  if (existsSync(dir)) {
    for (const language of readdirSync(dir).sort()) {
      const folder = join(dir, language);
      const label = (file: string) => relative(process.cwd(), join(folder, file)) || file;
      if (!isLanguage(language)) {
        problems.push(`${label('')}: "${language}" is not a language the bot speaks (${LANGUAGES.filter((l) => !DERIVED_LANGUAGES[l]).join(', ')}); rename the folder`);
        continue;
      }
      if (DERIVED_LANGUAGES[language]) {
        problems.push(`${label('')}: ${language} is derived from ${DERIVED_LANGUAGES[language]} when the bot loads; remove this folder and write ${DERIVED_LANGUAGES[language]} only`);
        continue;
      }
      for (const file of readdirSync(folder).filter((f) => /\.ya?ml$/.test(f)).sort()) {
        const key = file.replace(/\.ya?ml$/, '');
        const versions = merged.filter((d) => d.key === key);
        if (!versions.length) {
          problems.push(`${label(file)}: there is no questionnaire "${key}"; name the file after a questionnaire's key (${[...new Set(merged.map((d) => d.key))].join(', ')})`);
          continue;
        }
        let raw: unknown;
        try {
          raw = parseYaml(readFileSync(join(folder, file), 'utf8'));
        } catch (error) {
          problems.push(`${label(file)}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
          continue;
        }
        const parsed = translationSchema.safeParse(raw ?? {});
        if (!parsed.success) {
          problems.push(...parsed.error.issues.map((issue) => `${label(file)}${issue.path.length ? `, field ${issue.path.join('.')}` : ''}: ${issue.message}`));
          continue;
        }
        // Checked against the newest version; merged into every version that has the field.
        const newest = versions.reduce((a, b) => (b.version > a.version ? b : a));
        const found = checkTranslation(newest, parsed.data).map((p) => `${label(file)}, ${p}`);
        problems.push(...found);
        if (!found.length) for (const definition of versions) merge(definition, parsed.data, language);
      }
    }
  }
  for (const definition of merged) deriveScripts(definition);
  return { definitions: merged, problems };
}

/** What in a translation does not fit its questionnaire, each as "field …: problem". */
export function checkTranslation(definition: QuestionnaireDefinition, translation: QuestionnaireTranslation): string[] {
  const problems: string[] = [];
  if (translation.intro && !definition.intro) problems.push('field intro: the questionnaire has no intro in English; remove it');
  for (const [key, texts] of Object.entries(translation.questions ?? {})) {
    const question = definition.questions.find((q) => q.key === key);
    const at = `field questions.${key}`;
    if (!question) {
      problems.push(`${at}: "${key}" is not a question of ${definition.key} (its questions: ${definition.questions.map((q) => q.key).join(', ')})`);
      continue;
    }
    if (texts.help && !question.help) problems.push(`${at}.help: the question has no help text in English; remove it`);
    if (texts.labels) {
      if (question.type !== 'scale') problems.push(`${at}.labels: only scale questions have labels ("${key}" is ${question.type})`);
      else if (texts.labels.length !== question.labels.length) problems.push(`${at}.labels: give exactly ${question.labels.length} labels, one for each of 1 to ${question.labels.length} (found ${texts.labels.length})`);
    }
    for (const end of ['minLabel', 'maxLabel'] as const) {
      if (!texts[end]) continue;
      if (question.type !== 'rating') problems.push(`${at}.${end}: only rating questions have ${end} ("${key}" is ${question.type})`);
      else if (!question[end]) problems.push(`${at}.${end}: the question has no ${end} in English; remove it`);
    }
    for (const field of ['options', 'items'] as const) {
      const given = texts[field];
      if (!given) continue;
      const own = field === 'options' ? ('options' in question ? question.options : undefined) : 'items' in question ? question.items : undefined;
      if (!own) {
        problems.push(`${at}.${field}: "${key}" is ${question.type} and has no ${field}`);
        continue;
      }
      for (const value of Object.keys(given)) {
        if (!own.some((o) => o.value === value)) problems.push(`${at}.${field}.${value}: "${value}" is not one of its ${field} (${own.map((o) => o.value).join(', ')})`);
      }
    }
  }
  return problems;
}

function merge(definition: QuestionnaireDefinition, translation: QuestionnaireTranslation, language: string): void {
  const put = (target: LocalisedText | undefined, value: string | undefined) => {
    if (target && value) target[language] = value;
  };
  put(definition.title, translation.title);
  put(definition.intro, translation.intro);
  for (const question of definition.questions) {
    const texts = translation.questions?.[question.key];
    if (!texts) continue;
    put(question.text, texts.text);
    put(question.help, texts.help);
    if (question.type === 'scale' && texts.labels?.length === question.labels.length) question.labels.forEach((l, i) => put(l, texts.labels![i]));
    if (question.type === 'rating') {
      put(question.minLabel, texts.minLabel);
      put(question.maxLabel, texts.maxLabel);
    }
    if ('options' in question) for (const o of question.options) put(o.label, texts.options?.[o.value]);
    if ('items' in question) for (const o of question.items) put(o.label, texts.items?.[o.value]);
  }
}

/** Every LocalisedText of a definition, so derived scripts and parity checks reach all of them. */
export function localisedTexts(definition: QuestionnaireDefinition): { field: string; text: LocalisedText }[] {
  const all: { field: string; text: LocalisedText }[] = [{ field: 'title', text: definition.title }];
  if (definition.intro) all.push({ field: 'intro', text: definition.intro });
  for (const question of definition.questions as QuestionDefinition[]) {
    const at = `questions.${question.key}`;
    all.push({ field: `${at}.text`, text: question.text });
    if (question.help) all.push({ field: `${at}.help`, text: question.help });
    if (question.type === 'scale') question.labels.forEach((l, i) => all.push({ field: `${at}.labels.${i}`, text: l }));
    if (question.type === 'rating') {
      if (question.minLabel) all.push({ field: `${at}.minLabel`, text: question.minLabel });
      if (question.maxLabel) all.push({ field: `${at}.maxLabel`, text: question.maxLabel });
    }
    if ('options' in question) for (const o of question.options) all.push({ field: `${at}.options.${o.value}`, text: o.label });
    if ('items' in question) for (const o of question.items) all.push({ field: `${at}.items.${o.value}`, text: o.label });
  }
  return all;
}

/** sr-Cyrl from sr-Latn for every text that has Serbian (an inline sr-Cyrl is replaced: one source). */
function deriveScripts(definition: QuestionnaireDefinition): void {
  for (const { text } of localisedTexts(definition)) {
    for (const [derived, source] of Object.entries(DERIVED_LANGUAGES)) {
      if (text[source]) text[derived] = toCyrillic(text[source]);
    }
  }
}

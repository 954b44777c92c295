import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import type { Db } from '../../core/db.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { questionnaireSchema, type QuestionnaireDefinition } from './definition.js';
import { projectPath } from '../../core/paths.js';
import { applyTranslations, localisedTexts } from './translations.js';

/** Where the built-in questionnaire files live (questionnaires/ at the repository root). */
export const QUESTIONNAIRES_DIR = projectPath('questionnaires');

/**
 * A questionnaire file that cannot be used. The message names the file, the question and the
 * problem in one line each, so whoever edited the file can fix it without reading code.
 */
export class QuestionnaireFileError extends Error {
  constructor(readonly problems: string[]) {
    super(`Questionnaire files have problems; fix them and start again:\n${problems.map((p) => `- ${p}`).join('\n')}`);
    this.name = 'QuestionnaireFileError';
  }
}

/** Parses and checks one file's text; returns the definition or the problems, each naming file and question. */
export function parseQuestionnaire(fileLabel: string, text: string): { ok: true; definition: QuestionnaireDefinition } | { ok: false; problems: string[] } {
  let raw: unknown;
  try {
    raw = fileLabel.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line})` : '';
    return { ok: false, problems: [`${fileLabel}${where}: not valid ${fileLabel.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`] };
  }
  const parsed = questionnaireSchema.safeParse(raw);
  if (parsed.success) return { ok: true, definition: parsed.data };
  return { ok: false, problems: parsed.error.issues.map((issue) => describe(fileLabel, raw, issue)) };
}

function describe(fileLabel: string, raw: unknown, issue: z.core.$ZodIssue): string {
  const path = issue.path;
  if (path[0] === 'questions' && typeof path[1] === 'number') {
    const question = (raw as { questions?: { key?: unknown }[] }).questions?.[path[1]];
    const name = typeof question?.key === 'string' ? `"${question.key}"` : `number ${path[1] + 1}`;
    const field = path.slice(2).join('.');
    return `${fileLabel}, question ${name}${field ? `, field ${field}` : ''}: ${issue.message}`;
  }
  return `${fileLabel}${path.length ? `, field ${path.join('.')}` : ''}: ${issue.message}`;
}

/** Loads and checks every *.yaml / *.json file of a folder; throws one QuestionnaireFileError listing every problem. */
export function loadQuestionnaires(dir = QUESTIONNAIRES_DIR): QuestionnaireDefinition[] {
  const files = readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort();
  const problems: string[] = [];
  const definitions: QuestionnaireDefinition[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const label = relative(process.cwd(), join(dir, file)) || basename(file);
    const result = parseQuestionnaire(label, readFileSync(join(dir, file), 'utf8'));
    if (!result.ok) {
      problems.push(...result.problems);
      continue;
    }
    const id = `${result.definition.key}@${result.definition.version}`;
    if (seen.has(id)) problems.push(`${label}: key "${result.definition.key}" version ${result.definition.version} is also defined in ${seen.get(id)}; give the new one a higher version`);
    seen.set(id, label);
    definitions.push(result.definition);
  }
  if (problems.length) throw new QuestionnaireFileError(problems);
  // Translations (questionnaires/translations/<language>/<key>.yaml) are merged in, sidecar texts winning.
  const translated = applyTranslations(dir, definitions);
  if (translated.problems.length) throw new QuestionnaireFileError(translated.problems);
  return translated.definitions;
}

/**
 * Writes the definitions into Questionnaire/Question (upsert by key + version), so runs refer to
 * rows and answers to question ids. A stored version is never changed in place once runs use it:
 * a changed file with the same version is refused, because members may already have answered it.
 */
export async function syncQuestionnaires(db: Db, definitions: QuestionnaireDefinition[]): Promise<void> {
  for (const definition of definitions) {
    const existing = await db.questionnaire.findUnique({ where: { key_version: { key: definition.key, version: definition.version } }, include: { _count: { select: { runs: true } } } });
    const json = definition as unknown as Prisma.InputJsonValue;
    // PostgreSQL's jsonb reorders keys, so compare canonical forms, not the stored text.
    if (existing && canonical(existing.definition) === canonical(json)) continue;
    // A new or changed translation changes no question, option or English text: it is written in place,
    // even into a version already sent, so members answering it get their language at once.
    if (existing && existing._count.runs > 0 && canonical(englishOnly(existing.definition)) !== canonical(englishOnly(json))) {
      throw new QuestionnaireFileError([`questionnaire "${definition.key}" version ${definition.version} changed but has already been sent; raise its version instead`]);
    }
    try {
      await writeDefinition(db, definition, json);
    } catch (error) {
      // Another instance starting at the same moment wrote it first: its rows are the same file's.
      if ((error as { code?: string }).code !== 'P2002') throw error;
    }
  }
}

async function writeDefinition(db: Db, definition: QuestionnaireDefinition, json: Prisma.InputJsonValue): Promise<void> {
  await db.$transaction(async (tx) => {
      const row = await tx.questionnaire.upsert({
        where: { key_version: { key: definition.key, version: definition.version } },
        create: { key: definition.key, version: definition.version, definition: json },
        update: { definition: json },
      });
      await tx.question.deleteMany({ where: { questionnaireId: row.id, key: { notIn: definition.questions.map((q) => q.key) } } });
      for (const [position, question] of definition.questions.entries()) {
        const data = { position, type: question.type, definition: question as unknown as Prisma.InputJsonValue };
        await tx.question.upsert({
          where: { questionnaireId_key: { questionnaireId: row.id, key: question.key } },
          create: { questionnaireId: row.id, key: question.key, ...data },
          update: data,
        });
      }
  });
}

/** A stored or loaded definition with its texts in English only: what identifies a version. */
function englishOnly(value: unknown): unknown {
  const copy = structuredClone(value) as QuestionnaireDefinition;
  for (const { text } of localisedTexts(copy)) for (const language of Object.keys(text)) if (language !== 'en') delete text[language];
  return copy;
}

/** JSON with object keys sorted at every level, so equal definitions compare equal however they were stored. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadQuestionnaires, parseQuestionnaire, QUESTIONNAIRES_DIR, QuestionnaireFileError, syncQuestionnaires } from '../../src/domain/questionnaires/catalogue.js';
import { isVisible, localise } from '../../src/domain/questionnaires/definition.js';
import type { Runtime } from '../../src/server/runtime.js';
import { createRuntime } from '../../src/server/runtime.js';
import { createLogger } from '../../src/core/logger.js';
import { testConfig, testRuntime } from '../support/harness.js';

const good = `
key: tiny
version: 1
purpose: evaluation
title: { en: "Tiny", sq: "E vogël" }
questions:
  - key: liked
    type: scale
    text: "Did you like it?"
    labels: [a, b, c, d, e]
  - key: why_not
    type: text
    showIf: { question: liked, in: [1, 2] }
    text: { en: "Why not?" }
`;

function problemsOf(text: string, file = 'questionnaires/broken.yaml'): string[] {
  const result = parseQuestionnaire(file, text);
  if (result.ok) throw new Error('expected the file to be refused');
  return result.problems;
}

describe('when the built-in questionnaire files are checked', () => {
  const files = readdirSync(QUESTIONNAIRES_DIR).filter((f) => f.endsWith('.yaml'));

  it.each(files)('%s passes the schema', (file) => {
    const definitions = loadQuestionnaires(QUESTIONNAIRES_DIR);
    expect(definitions.some((d) => file.startsWith(d.key))).toBe(true);
  });

  it('provides every template the issue lists', () => {
    const keys = loadQuestionnaires().map((d) => d.key);
    expect(keys).toEqual(expect.arrayContaining(['ee1-evaluation', 'ee2-evaluation', 'ee3-evaluation', 'workshop-four-questions', 'pla-evaluation', 'self-assessment']));
    const workshop = loadQuestionnaires().find((d) => d.key === 'workshop-four-questions')!;
    expect(workshop.questions.map((q) => q.type)).toEqual(['text', 'text', 'text', 'text', 'ranking']);
  });
});

describe('when a questionnaire file is broken', () => {
  it('names the file, the question and the problem for a scale with four labels', () => {
    const problems = problemsOf(good.replace('labels: [a, b, c, d, e]', 'labels: [a, b, c, d]'));
    expect(problems).toEqual(['questionnaires/broken.yaml, question "liked", field labels: a scale needs exactly 5 labels, for 1 to 5']);
  });

  it('refuses text without an English version', () => {
    const problems = problemsOf(good.replace('text: { en: "Why not?" }', 'text: { sq: "Pse jo?" }'));
    expect(problems.join('\n')).toContain('question "why_not", field text: text needs an English ("en") version');
  });

  it('refuses a condition on a later or unknown question', () => {
    const problems = problemsOf(good.replace('question: liked, in: [1, 2]', 'question: nothing, in: [1, 2]'));
    expect(problems.join('\n')).toContain('question "why_not", field showIf: showIf refers to "nothing", which is not an earlier question');
  });

  it('refuses a condition value the earlier question cannot have', () => {
    const problems = problemsOf(good.replace('in: [1, 2]', 'in: [1, 7]'));
    expect(problems.join('\n')).toContain('showIf compares "liked" with 7, but it is answered with a whole number from 1 to 5');
  });

  it('refuses an unknown question type and a repeated key', () => {
    const problems = problemsOf(good.replace('type: text', 'type: essay'));
    expect(problems.join('\n')).toContain('question "why_not", field type');
    const twice = problemsOf(good.replace('key: why_not', 'key: liked').replace('    showIf: { question: liked, in: [1, 2] }\n', ''));
    expect(twice.join('\n')).toContain('the key "liked" is used twice');
  });

  it('reports YAML syntax errors with the line', () => {
    expect(problemsOf('key: [unclosed\n')[0]).toMatch(/^questionnaires\/broken\.yaml \(line \d+\): not valid YAML/);
  });

  it('stops loading with one message listing every problem of every file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'questionnaires-'));
    writeFileSync(join(dir, 'good.yaml'), good);
    writeFileSync(join(dir, 'bad.yaml'), good.replace('key: tiny', 'key: other').replace('type: scale', 'type: slider'));
    writeFileSync(join(dir, 'copy.yaml'), good);
    let error: unknown;
    try {
      loadQuestionnaires(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QuestionnaireFileError);
    const message = (error as Error).message;
    expect(message).toContain('bad.yaml, question "liked", field type');
    expect(message).toContain('key "tiny" version 1 is also defined in');
  });
});

describe('when texts and conditions are read', () => {
  it('falls back to English and evaluates showIf on earlier answers', () => {
    const result = parseQuestionnaire('x.yaml', good);
    if (!result.ok) throw new Error(result.problems.join());
    const [liked, whyNot] = result.definition.questions;
    expect(localise(result.definition.title, 'sq')).toBe('E vogël');
    expect(localise(liked.text, 'sq')).toBe('Did you like it?');
    expect(isVisible(whyNot, {})).toBe(false);
    expect(isVisible(whyNot, { liked: 2 })).toBe(true);
    expect(isVisible(whyNot, { liked: 4 })).toBe(false);
  });
});

describe('when definitions are stored', () => {
  let runtime: Runtime;
  beforeAll(async () => {
    runtime = await testRuntime();
  });

  it('upserts each questionnaire by key and version with its questions in order, and is idempotent', async () => {
    await syncQuestionnaires(runtime.db, runtime.questionnaires);
    await syncQuestionnaires(runtime.db, runtime.questionnaires);
    expect(await runtime.db.questionnaire.count()).toBe(runtime.questionnaires.length);
    const ee3 = await runtime.db.questionnaire.findUniqueOrThrow({ where: { key_version: { key: 'ee3-evaluation', version: 1 } }, include: { questions: { orderBy: { position: 'asc' } } } });
    expect(ee3.questions.map((q) => q.key)).toEqual(runtime.questionnaires.find((d) => d.key === 'ee3-evaluation')!.questions.map((q) => q.key));
  });

  it('starts again unchanged after a questionnaire has been sent, and refuses a changed file with the same version', async () => {
    const row = await runtime.db.questionnaire.findUniqueOrThrow({ where: { key_version: { key: 'ee2-evaluation', version: 1 } } });
    const cluster = await runtime.db.cluster.create({ data: { programme: { create: { name: 'P' } }, code: 'X1', name: 'X', approach: 'X', timeZone: 'UTC', language: 'en', capacity: 5 } });
    await runtime.db.questionnaireRun.create({ data: { questionnaireId: row.id, clusterId: cluster.id, opensAt: new Date(), closesAt: new Date(Date.now() + 86_400_000) } });
    await expect(syncQuestionnaires(runtime.db, runtime.questionnaires)).resolves.toBeUndefined();
    const changed = runtime.questionnaires.map((d) => (d.key === 'ee2-evaluation' ? { ...d, title: { en: 'Something else' } } : d));
    await expect(syncQuestionnaires(runtime.db, changed)).rejects.toThrow('questionnaire "ee2-evaluation" version 1 changed but has already been sent; raise its version instead');
  });
});

describe('when the bot starts with a broken questionnaire file', () => {
  it('refuses to start, naming the file, the question and the problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'questionnaires-'));
    writeFileSync(join(dir, 'ee9.yaml'), good.replace('labels: [a, b, c, d, e]', 'labels: [a, b]'));
    const config = await testConfig();
    expect(() => createRuntime(config, createLogger('silent'), { questionnairesDir: dir })).toThrow(/ee9\.yaml, question "liked", field labels: a scale needs exactly 5 labels/);
  });
});

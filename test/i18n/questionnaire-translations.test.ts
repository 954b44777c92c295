import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadQuestionnaires, QuestionnaireFileError, syncQuestionnaires } from '../../src/domain/questionnaires/catalogue.js';
import { localise, type QuestionnaireDefinition } from '../../src/domain/questionnaires/definition.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';

const questionnaire = `
key: tiny
version: 1
purpose: evaluation
title: { en: "Tiny", sq: "Inline title" }
intro: "About a minute."
questions:
  - key: liked
    type: scale
    text: "Did you like it?"
    labels: [a, b, c, d, e]
  - key: score
    type: rating
    text: "How likely?"
    minLabel: "Not at all"
    maxLabel: "Very"
  - key: next
    type: single
    text: "What next?"
    help: "Pick one."
    options:
      - { value: apply, label: "Apply it" }
      - { value: wait, label: "Wait" }
  - key: order
    type: ranking
    text: "Rank them"
    items:
      - { value: one, label: "One" }
      - { value: two, label: "Two" }
`;

const albanian = `
title: "E vogël"
intro: "Rreth një minutë."
questions:
  liked:
    text: "A ju pëlqeu?"
    labels: ["Aspak", "Pak", "Disi", "Shumë", "Plotësisht"]
  score: { text: "Sa gjasa?", minLabel: "Aspak", maxLabel: "Shumë" }
  next:
    text: "Çfarë më pas?"
    help: "Zgjidhni një."
    options: { apply: "Ta zbatoj", wait: "Të pres" }
  order: { text: "Renditini", items: { one: "Një", two: "Dy" } }
`;

/** A questionnaires folder with the tiny questionnaire and the given translation files. */
function folder(translations: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'questionnaires-'));
  writeFileSync(join(dir, 'tiny.yaml'), questionnaire);
  for (const [path, text] of Object.entries(translations)) {
    mkdirSync(join(dir, 'translations', path.split('/')[0]), { recursive: true });
    writeFileSync(join(dir, 'translations', path), text);
  }
  return dir;
}

function problemsOf(dir: string): string {
  try {
    loadQuestionnaires(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(QuestionnaireFileError);
    return (error as Error).message;
  }
  throw new Error('expected the translations to be refused');
}

describe('when a questionnaire has translation files beside it', () => {
  it('merges every text of the file into the questionnaire, the file winning over an inline text', () => {
    const [tiny] = loadQuestionnaires(folder({ 'sq/tiny.yaml': albanian }));
    expect(localise(tiny.title, 'sq')).toBe('E vogël');
    expect(localise(tiny.intro, 'sq')).toBe('Rreth një minutë.');
    const [liked, score, next, order] = tiny.questions;
    expect(localise(liked.text, 'sq')).toBe('A ju pëlqeu?');
    expect(liked.type === 'scale' && liked.labels.map((l) => localise(l, 'sq'))).toEqual(['Aspak', 'Pak', 'Disi', 'Shumë', 'Plotësisht']);
    expect(score.type === 'rating' && [localise(score.minLabel, 'sq'), localise(score.maxLabel, 'sq')]).toEqual(['Aspak', 'Shumë']);
    expect(next.type === 'single' && next.options.map((o) => localise(o.label, 'sq'))).toEqual(['Ta zbatoj', 'Të pres']);
    expect(localise(next.help, 'sq')).toBe('Zgjidhni një.');
    expect(order.type === 'ranking' && order.items.map((o) => localise(o.label, 'sq'))).toEqual(['Një', 'Dy']);
    // English stays as it was, and a language without a file falls back to it.
    expect(localise(liked.text, 'en')).toBe('Did you like it?');
    expect(localise(liked.text, 'mk')).toBe('Did you like it?');
  });

  it('derives Serbian Cyrillic from Serbian Latin', () => {
    const [tiny] = loadQuestionnaires(folder({ 'sr-Latn/tiny.yaml': 'title: "Mali upitnik"\nquestions:\n  next: { options: { apply: "Primenite ga" } }\n' }));
    expect(localise(tiny.title, 'sr-Latn')).toBe('Mali upitnik');
    expect(localise(tiny.title, 'sr-Cyrl')).toBe('Мали упитник');
    const next = tiny.questions[2];
    expect(next.type === 'single' && localise(next.options[0].label, 'sr-Cyrl')).toBe('Примените га');
  });

  it('refuses a question key the questionnaire does not have, naming the file and the field', () => {
    const message = problemsOf(folder({ 'sq/tiny.yaml': 'questions:\n  likd: { text: "A ju pëlqeu?" }\n' }));
    expect(message).toMatch(/translations\/sq\/tiny\.yaml, field questions\.likd: "likd" is not a question of tiny \(its questions: liked, score, next, order\)/);
  });

  it('refuses a scale with the wrong number of labels', () => {
    const message = problemsOf(folder({ 'sq/tiny.yaml': 'questions:\n  liked: { labels: ["a", "b", "c", "d"] }\n' }));
    expect(message).toContain('tiny.yaml, field questions.liked.labels: give exactly 5 labels, one for each of 1 to 5 (found 4)');
  });

  it('refuses an unknown option, a misspelt field and a file for no questionnaire', () => {
    expect(problemsOf(folder({ 'sq/tiny.yaml': 'questions:\n  next: { options: { later: "Më vonë" } }\n' }))).toContain('field questions.next.options.later: "later" is not one of its options (apply, wait)');
    expect(problemsOf(folder({ 'sq/tiny.yaml': 'questions:\n  next: { txt: "Çfarë?" }\n' }))).toContain('tiny.yaml, field questions.next');
    expect(problemsOf(folder({ 'sq/huge.yaml': 'title: "X"\n' }))).toContain('there is no questionnaire "huge"');
  });

  it('refuses a Cyrillic folder (derived) and a language the bot does not speak', () => {
    expect(problemsOf(folder({ 'sr-Cyrl/tiny.yaml': 'title: "Мали"\n' }))).toContain('sr-Cyrl is derived from sr-Latn');
    expect(problemsOf(folder({ 'de/tiny.yaml': 'title: "Klein"\n' }))).toContain('"de" is not a language the bot speaks');
  });
});

describe('when translations are added to a questionnaire already sent', () => {
  let runtime: Runtime;
  beforeAll(async () => {
    runtime = await testRuntime();
  });

  it('keeps its key and version, writes the texts in place, and the run reads them', async () => {
    const [plain] = loadQuestionnaires(folder({}));
    await syncQuestionnaires(runtime.db, [plain]);
    const row = await runtime.db.questionnaire.findUniqueOrThrow({ where: { key_version: { key: 'tiny', version: 1 } } });
    const cluster = await runtime.db.cluster.create({ data: { programme: { create: { name: 'P' } }, code: 'T1', name: 'T', approach: 'T', timeZone: 'UTC', language: 'en', capacity: 5 } });
    await runtime.db.questionnaireRun.create({ data: { questionnaireId: row.id, clusterId: cluster.id, opensAt: new Date(), closesAt: new Date(Date.now() + 86_400_000) } });

    const [translated] = loadQuestionnaires(folder({ 'sq/tiny.yaml': albanian }));
    await syncQuestionnaires(runtime.db, [translated]);
    const after = await runtime.db.questionnaire.findMany({ where: { key: 'tiny' } });
    expect(after.map((q) => [q.id, q.version])).toEqual([[row.id, 1]]);
    expect(localise((after[0].definition as unknown as QuestionnaireDefinition).title, 'sq')).toBe('E vogël');
    const question = await runtime.db.question.findFirstOrThrow({ where: { questionnaireId: row.id, key: 'liked' } });
    expect(localise((question.definition as unknown as QuestionnaireDefinition['questions'][number]).text, 'sq')).toBe('A ju pëlqeu?');

    // A change of what is asked still needs a new version.
    const changed = { ...translated, title: { ...translated.title, en: 'Something else' } };
    await expect(syncQuestionnaires(runtime.db, [changed])).rejects.toThrow('changed but has already been sent');
  });
});

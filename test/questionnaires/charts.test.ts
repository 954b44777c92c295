import { describe, expect, it } from 'vitest';
import { translator } from '../../src/core/i18n.js';
import { summarise } from '../../src/domain/questionnaires/aggregate.js';
import { loadQuestionnaires } from '../../src/domain/questionnaires/catalogue.js';
import { renderCharts, wrapLines, type ChartImage } from '../../src/domain/questionnaires/chart.js';
import type { AnswerValue, QuestionDefinition } from '../../src/domain/questionnaires/definition.js';
import { beforeAfterCharts, comparisonCharts, resultsCharts, type RunResults } from '../../src/domain/questionnaires/results.js';

/**
 * Charts people can read (issue 17 item 6): every chart the bot draws is at most 1024 px on each side and
 * under 1 MB (what Teams shows), and no text in it is smaller than body text (14 CSS px) on a 390 px wide
 * phone once the image is scaled to that width, nor when it is scaled to 340 px inside a message bubble.
 * The alt text carries the numbers.
 */

const t = translator('en');
const BODY_TEXT = 14;

/** The PNG's size from its IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Every font size the SVG draws text at, in CSS px on a phone that shows the image `shownWidth` px wide. */
function phoneFontSizes(image: ChartImage, shownWidth: number): number[] {
  const svgWidth = Number(image.svg.match(/<svg[^>]*\swidth="(\d+(?:\.\d+)?)"/)![1]);
  const { width } = pngSize(image.png);
  // The PNG is the SVG drawn `width / svgWidth` times larger; the phone shrinks it to `shownWidth`.
  const scale = (width / svgWidth) * (shownWidth / width);
  const sizes = [...image.svg.matchAll(/font-size:\s*(\d+(?:\.\d+)?)px/g), ...image.svg.matchAll(/font="[^"]*?(\d+(?:\.\d+)?)px/g), ...image.svg.matchAll(/\sfont-size="(\d+(?:\.\d+)?)"/g)].map((m) => Number(m[1]) * scale);
  return sizes;
}

function expectReadable(images: ChartImage[]) {
  expect(images.length).toBeGreaterThan(0);
  for (const image of images) {
    const { width, height } = pngSize(image.png);
    expect(width).toBeLessThanOrEqual(1024);
    expect(height).toBeLessThanOrEqual(1024);
    expect([image.width, image.height]).toEqual([width, height]);
    expect(image.png.length).toBeLessThan(1024 * 1024);
    const sizes = phoneFontSizes(image, 390);
    expect(sizes.length).toBeGreaterThan(0);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(BODY_TEXT);
    expect(Math.min(...phoneFontSizes(image, 340))).toBeGreaterThanOrEqual(BODY_TEXT);
    // The SVG has a text element for each font size found: no text escapes the check by another notation.
    expect(sizes.length).toBeGreaterThanOrEqual((image.svg.match(/<text/g) ?? []).length);
  }
}

/** Answers that touch every option, so every bar of the real questionnaires is drawn. */
function answersFor(question: QuestionDefinition): AnswerValue[] {
  switch (question.type) {
    case 'scale':
      return question.labels.map((_, i) => i + 1);
    case 'rating':
      return [0, 3, 7, 7, 10];
    case 'single':
      return question.options.map((o) => o.value);
    case 'multiple':
      return question.options.map((o) => [o.value]);
    case 'ranking':
      return [question.items.map((i) => i.value), [...question.items.map((i) => i.value)].reverse()];
    case 'text':
      return ['A comment'];
  }
}

describe('when the bot draws the results of every questionnaire it ships', () => {
  for (const definition of loadQuestionnaires()) {
    it(`draws ${definition.key} as phone-readable images, one per question with bars, alt text with every count`, () => {
      const questions = definition.questions.map((question) => ({ question, summary: summarise(question, answersFor(question)) }));
      const results = { questions } as unknown as RunResults;
      const charts = resultsCharts(results, 'en', t);
      expectReadable(charts.map((c) => c.image));
      const withBars = questions.filter((q) => q.summary.type !== 'text');
      expect(new Set(charts.map((c) => c.question)).size).toBe(withBars.length);
      for (const { question, image } of charts) {
        const { summary } = questions[question];
        if (summary.type === 'scale' || summary.type === 'rating' || summary.type === 'single' || summary.type === 'multiple') {
          // Each bar's count is in the alt text, after its label.
          for (const bucket of summary.buckets) expect(image.alt).toMatch(new RegExp(`${bucket.count}[,.]`));
          expect(image.alt).toContain(`Answers: ${summary.answered}`);
        }
      }
    });
  }
});

describe('when the answers are many or long', () => {
  it('keeps the 0–10 chart, its figures and its eleven bars apart and readable', () => {
    const [image] = renderCharts([{ title: 'How ready is your municipality to apply the approach? (0 = not at all, 10 = fully)', subtitle: 'Answers: 12 · mean 6.4 · median 7', labels: Array.from({ length: 11 }, (_, i) => String(i)), values: [0, 0, 1, 0, 1, 2, 1, 3, 2, 1, 1] }]);
    expectReadable([image]);
    // The figures line sits below the two lines of the title and above the first bar: positions from the SVG.
    const texts = [...image.svg.matchAll(/<text[^>]*transform="translate\(([\d.]+) ([\d.]+)\)"[^>]*>([^<]*)<\/text>/g)].map((m) => ({ y: Number(m[2]), text: m[3] }));
    const figures = texts.find((x) => x.text.startsWith('Answers: 12'));
    const zero = texts.find((x) => x.text === '0');
    const titleLines = texts.filter((x) => /ready|apply|fully/.test(x.text));
    expect(figures && zero && titleLines.length).toBeTruthy();
    expect(Math.max(...titleLines.map((x) => x.y))).toBeLessThan(figures!.y - 10);
    expect(figures!.y).toBeLessThan(zero!.y - 10);
  });

  it('splits a question with 40 options over several images rather than shrinking its text', () => {
    const labels = Array.from({ length: 40 }, (_, i) => `Option number ${i + 1} with a longer name`);
    const images = renderCharts([{ title: 'Which of these did you use?', labels, values: labels.map((_, i) => i % 7) }]);
    expect(images.length).toBeGreaterThan(1);
    expectReadable(images);
    expect(images.map((i) => i.alt).join(' ')).toContain('Option number 40 with a longer name 4');
  });

  it('draws comparisons of five clusters and before/after pairs a few questions to an image, all readable', () => {
    const categories = ['The feedback I received on my concept was useful.', 'The method suited my municipality.', 'The resource persons answered in time.', 'I would recommend the cluster to a colleague.'];
    const compare = comparisonCharts({ categories, series: ['LC1', 'LC2', 'LC3', 'LC4', 'LC5'].map((name, s) => ({ name, responded: 5, shown: true, values: categories.map((_, i) => 1 + ((s + i) % 5) * 0.93) })) } as never);
    expectReadable(compare);
    expect(compare[0].alt).toContain('The feedback I received on my concept was useful.: LC1 1, LC2 1.93');
    const change = beforeAfterCharts({ before: 'Before (Mon 12 Oct 2026)', after: 'After (Thu 4 Feb 2027)' }, { rows: categories.map((question, i) => ({ question, before: 2 + i * 0.5, after: 3.5 + i * 0.25, change: 1.5 - i * 0.25 })) } as never);
    expectReadable(change);
    expect(change.length).toBeLessThan(categories.length);
    expect(change[0].alt).toContain('Before (Mon 12 Oct 2026) 2, After (Thu 4 Feb 2027) 3.5');
  });

  it('wraps long words and lines within their limits, marking what was cut', () => {
    expect(wrapLines('a'.repeat(40), 16, 2)).toEqual(['aaaaaaaaaaaaaaa-', 'aaaaaaaaaaaaaaa…']);
    expect(wrapLines('Fewer elderly people alone at home', 16, 2)).toEqual(['Fewer elderly', 'people alone at…']);
    expect(wrapLines('Agree', 16, 2)).toEqual(['Agree']);
  });
});

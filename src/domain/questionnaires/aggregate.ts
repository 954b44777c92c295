import type { AnswerValue, QuestionDefinition } from './definition.js';

/**
 * Pure statistics over the answers to one question. No database, no platform: the results view,
 * the CSV, the charts and the report all read these numbers, so they always agree.
 */

export interface Bucket {
  value: string;
  count: number;
}

export type QuestionSummary =
  | { type: 'scale' | 'rating'; key: string; answered: number; buckets: Bucket[]; mean: number | null; median: number | null }
  | { type: 'single' | 'multiple'; key: string; answered: number; buckets: Bucket[] }
  | { type: 'text'; key: string; answered: number; texts: string[] }
  | { type: 'ranking'; key: string; answered: number; order: { value: string; points: number; meanPosition: number }[] };

/** Arithmetic mean; null for no values. */
export function mean(values: number[]): number | null {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

/** Median (the mean of the two middle values when the count is even); null for no values. */
export function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Borda count: with n items, first place earns n-1 points, last place 0. Ties are broken by the
 * order the items are listed in the questionnaire, so the result is stable.
 */
export function bordaOrder(items: string[], rankings: string[][]): { value: string; points: number; meanPosition: number }[] {
  const n = items.length;
  const points = new Map(items.map((i) => [i, 0]));
  const positions = new Map(items.map((i) => [i, 0]));
  for (const ranking of rankings) {
    ranking.forEach((item, index) => {
      if (!points.has(item)) return;
      points.set(item, points.get(item)! + (n - 1 - index));
      positions.set(item, positions.get(item)! + index + 1);
    });
  }
  return items
    .map((value, listed) => ({ value, listed, points: points.get(value)!, meanPosition: rankings.length ? positions.get(value)! / rankings.length : 0 }))
    .sort((a, b) => b.points - a.points || a.listed - b.listed)
    .map(({ value, points: p, meanPosition }) => ({ value, points: p, meanPosition }));
}

/** The summary of one question over the answers given to it (answers to hidden questions are never stored). */
export function summarise(question: QuestionDefinition, answers: AnswerValue[]): QuestionSummary {
  const answered = answers.length;
  switch (question.type) {
    case 'scale':
    case 'rating': {
      const numbers = answers.filter((a): a is number => typeof a === 'number');
      const [min, max] = question.type === 'scale' ? [1, 5] : [0, 10];
      const buckets: Bucket[] = [];
      for (let v = min; v <= max; v++) buckets.push({ value: String(v), count: numbers.filter((n) => n === v).length });
      return { type: question.type, key: question.key, answered, buckets, mean: mean(numbers), median: median(numbers) };
    }
    case 'single':
    case 'multiple': {
      const chosen = answers.flatMap((a) => (Array.isArray(a) ? a : [String(a)]));
      const buckets = question.options.map((o) => ({ value: o.value, count: chosen.filter((c) => c === o.value).length }));
      return { type: question.type, key: question.key, answered, buckets };
    }
    case 'text':
      return { type: 'text', key: question.key, answered, texts: answers.map(String) };
    case 'ranking':
      return {
        type: 'ranking',
        key: question.key,
        answered,
        order: bordaOrder(
          question.items.map((i) => i.value),
          answers.filter(Array.isArray),
        ),
      };
  }
}

import { toCsv } from '../../core/documents.js';
import { formatNumber } from '../../core/format.js';
import type { Db } from '../../core/db.js';
import type { Translate } from '../../core/i18n.js';
import { BotError, ErrorCode } from '../../core/errors.js';
import { summarise, type QuestionSummary } from './aggregate.js';
import { renderCharts, type ChartImage, type ChartPanel } from './chart.js';
import { localise, type AnswerValue, type QuestionDefinition } from './definition.js';
import { loadRun, type LoadedRun } from './runs.js';

/**
 * What a run's results are, from the stored answers: response rate, per-question summaries, the
 * CSV, the charts, and comparisons across clusters and over time. The minimum-group rule lives
 * here, so no view or export can forget it.
 */

export interface RunResults {
  run: LoadedRun;
  cluster: { id: string; code: string; name: string; programmeId: string };
  /** People asked (participations), at least the number who answered. */
  invited: number;
  responded: number;
  /** False when an anonymous run has fewer answers than its minimum group size: nothing else may be shown. */
  shown: boolean;
  questions: { question: QuestionDefinition; summary: QuestionSummary }[];
}

/** Loads a run's results. Answers are read only when the minimum-group rule allows showing them. */
export async function runResults(db: Db, runId: string): Promise<RunResults> {
  const run = await loadRun(db, runId);
  const cluster = await db.cluster.findUniqueOrThrow({ where: { id: run.clusterId }, select: { id: true, code: true, name: true, programmeId: true } });
  const responded = await db.response.count({ where: { runId, answers: { some: {} } } });
  const invited = Math.max(await db.runParticipation.count({ where: { runId } }), responded);
  const shown = !run.anonymous || responded >= run.minGroupSize;
  if (!shown) return { run, cluster, invited, responded, shown, questions: [] };
  const answers = await db.answer.findMany({ where: { response: { runId } }, select: { questionId: true, value: true } });
  const questions = run.definition.questions.map((question) => {
    const id = run.questionIds.get(question.key);
    const values = answers.filter((a) => a.questionId === id).map((a) => a.value as AnswerValue);
    return { question, summary: summarise(question, values) };
  });
  return { run, cluster, invited, responded, shown, questions };
}

/** The label of one answer value, in the reader's language (used by the CSV, charts and views). */
export function answerLabel(question: QuestionDefinition, value: string, locale: string): string {
  switch (question.type) {
    case 'scale':
      return `${value} ${localise(question.labels[Number(value) - 1], locale)}`;
    case 'single':
    case 'multiple':
      return localise(question.options.find((o) => o.value === value)?.label, locale) || value;
    case 'ranking':
      return localise(question.items.find((o) => o.value === value)?.label, locale) || value;
    default:
      return value;
  }
}

/** Rounds for display: one decimal, no trailing ".0", with the reader's decimal sign ("3.5", "3,5"). */
export function round1(value: number | null, locale = 'en'): string {
  return value === null ? '–' : formatNumber(Math.round(value * 10) / 10, locale, { maximumFractionDigits: 1, useGrouping: false });
}

/** A bar-chart image for each question that has a distribution (scales, ratings, choices, rankings by points), with its alt text. */
export function resultsCharts(results: RunResults, locale: string, t: Translate): { question: number; image: ChartImage }[] {
  const charts: { question: number; image: ChartImage }[] = [];
  results.questions.forEach(({ question, summary }, index) => {
    const title = `${index + 1}. ${localise(question.text, locale)}`;
    let panel: ChartPanel | null = null;
    if (summary.type === 'scale' || summary.type === 'rating' || summary.type === 'single' || summary.type === 'multiple') {
      const subtitle =
        summary.type === 'scale' || summary.type === 'rating'
          ? t('surveys:chart.scaleSubtitle', { n: summary.answered, mean: round1(summary.mean, locale), median: round1(summary.median, locale) })
          : t('surveys:chart.countSubtitle', { n: summary.answered });
      panel = { title, subtitle, labels: summary.buckets.map((b) => answerLabel(question, b.value, locale)), values: summary.buckets.map((b) => b.count), locale };
    } else if (summary.type === 'ranking') {
      panel = { title, subtitle: t('surveys:chart.rankingSubtitle', { n: summary.answered }), labels: summary.order.map((o) => answerLabel(question, o.value, locale)), values: summary.order.map((o) => o.points), locale };
    }
    // One image per question (a long one continues on a second), each readable at a phone's width; none of empty bars.
    if (panel && summary.answered > 0) for (const image of renderCharts([panel])) charts.push({ question: index, image });
  });
  return charts;
}

/**
 * The answers as CSV, one row per response. Anonymous runs have no name column and their rows are
 * in the order of their random ids, so a row's position says nothing about when or who. The header
 * is in the reader's language (`t`, a document translator): each question by its number and text,
 * in the questionnaire's order, so the columns are the same whatever the language.
 */
export async function resultsCsv(db: Db, results: RunResults, locale: string, t: Translate): Promise<string> {
  if (!results.shown) throw new BotError(ErrorCode.Conflict, 'surveys:results.tooFew', { count: results.responded, min: results.run.minGroupSize });
  const { run } = results;
  const responses = await db.response.findMany({
    where: { runId: run.id, answers: { some: {} } },
    include: { answers: { include: { question: { select: { key: true } } } }, respondent: run.anonymous ? false : { select: { displayName: true } } },
    orderBy: { id: 'asc' },
  });
  const questions = run.definition.questions;
  const header = [t('surveys:csv.response'), ...(run.anonymous ? [] : [t('surveys:csv.respondent')]), ...questions.map((q, i) => `${i + 1}. ${localise(q.text, locale)}`)];
  const rows = responses.map((response, index) => {
    const byKey = new Map(response.answers.map((a) => [a.question.key, a.value as AnswerValue]));
    const cells = questions.map((q) => {
      const value = byKey.get(q.key);
      if (value === undefined) return '';
      if (Array.isArray(value)) return value.map((v) => answerLabel(q, v, locale)).join(q.type === 'ranking' ? ' > ' : '; ');
      return q.type === 'text' ? String(value) : answerLabel(q, String(value), locale);
    });
    const name = run.anonymous ? [] : [(response as { respondent?: { displayName: string } | null }).respondent?.displayName ?? ''];
    return [String(index + 1), ...name, ...cells];
  });
  return toCsv(rows, { header });
}

/** Questions with a mean (scales and ratings): the ones comparisons can line up. */
function meanQuestions(results: RunResults) {
  return results.questions.filter((q): q is { question: QuestionDefinition; summary: Extract<QuestionSummary, { type: 'scale' | 'rating' }> } => q.summary.type === 'scale' || q.summary.type === 'rating');
}

export interface Comparison {
  categories: string[];
  series: { name: string; responded: number; shown: boolean; values: (number | null)[] }[];
}

/** The same questionnaire across every cluster of the programme: response counts and means side by side. */
export async function programmeComparison(db: Db, results: RunResults, locale: string): Promise<Comparison> {
  const runs = await db.questionnaireRun.findMany({
    where: { questionnaire: { key: results.run.questionnaireKey }, cluster: { programmeId: results.cluster.programmeId }, status: { not: 'SCHEDULED' } },
    include: { cluster: { select: { code: true } } },
    orderBy: [{ cluster: { code: 'asc' } }, { opensAt: 'desc' }],
  });
  const latestPerCluster = runs.filter((r, i) => runs.findIndex((o) => o.clusterId === r.clusterId) === i);
  const keys = results.run.definition.questions.filter((q) => q.type === 'scale' || q.type === 'rating');
  const series: Comparison['series'] = [];
  for (const r of latestPerCluster) {
    const other = r.id === results.run.id ? results : await runResults(db, r.id);
    const means = new Map(meanQuestions(other).map((q) => [q.question.key, q.summary.mean]));
    series.push({ name: r.cluster.code, responded: other.responded, shown: other.shown, values: keys.map((k) => (other.shown ? (means.get(k.key) ?? null) : null)) });
  }
  return { categories: keys.map((k) => localise(k.text, locale)), series };
}

export interface BeforeAfter {
  before: RunResults;
  after: RunResults;
  rows: { question: string; before: number | null; after: number | null; change: number | null }[];
}

/** The first and the latest run of the same self-assessment in a cluster, means side by side. Null with fewer than two runs. */
export async function beforeAfter(db: Db, results: RunResults, locale: string): Promise<BeforeAfter | null> {
  const runs = await db.questionnaireRun.findMany({
    where: { clusterId: results.run.clusterId, questionnaire: { key: results.run.questionnaireKey }, status: { not: 'SCHEDULED' } },
    orderBy: { opensAt: 'asc' },
    select: { id: true },
  });
  if (runs.length < 2) return null;
  const before = runs[0].id === results.run.id ? results : await runResults(db, runs[0].id);
  const lastId = runs[runs.length - 1].id;
  const after = lastId === results.run.id ? results : await runResults(db, lastId);
  const beforeMeans = new Map(meanQuestions(before).map((q) => [q.question.key, q.summary.mean]));
  const afterMeans = new Map(meanQuestions(after).map((q) => [q.question.key, q.summary.mean]));
  const rows = results.run.definition.questions
    .filter((q) => q.type === 'scale' || q.type === 'rating')
    .map((q) => {
      const b = beforeMeans.get(q.key) ?? null;
      const a = afterMeans.get(q.key) ?? null;
      return { question: localise(q.text, locale), before: b, after: a, change: a !== null && b !== null ? a - b : null };
    });
  return { before, after, rows };
}

/** Charts of a comparison: per question, each cluster's mean, a few questions to an image. */
export function comparisonCharts(comparison: Comparison, locale = 'en'): ChartImage[] {
  return renderCharts(comparison.categories.map((question, i) => ({ title: question, labels: comparison.series.map((s) => s.name), values: comparison.series.map((s) => s.values[i]), locale })), { group: true });
}

/** Charts of a before/after pair: per question, the mean before and after, a few questions to an image. */
export function beforeAfterCharts(labels: { before: string; after: string }, change: BeforeAfter, locale = 'en'): ChartImage[] {
  return renderCharts(change.rows.map((r) => ({ title: r.question, labels: [labels.before, labels.after], values: [r.before, r.after], locale })), { group: true });
}

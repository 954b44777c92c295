import { md, plainText } from '../src/core/markup.js';
import { documentTranslator } from '../src/core/i18n.js';
import { defineFlow, type FlowContext, type FlowResult } from '../src/core/flow.js';
import { z } from 'zod';
import { createDownload } from '../src/core/downloads.js';
import { BotError, ErrorCode } from '../src/core/errors.js';
import { formatDate, formatDateTime } from '../src/core/format.js';
import { ui, type Block } from '../src/core/messages.js';
import { requireRole } from '../src/domain/memberships.js';
import { localise, type QuestionnaireDefinition } from '../src/domain/questionnaires/definition.js';
import { closeDueRuns } from '../src/domain/questionnaires/runs.js';
import { answerLabel, beforeAfter, beforeAfterCharts, comparisonCharts, programmeComparison, resultsCharts, resultsCsv, round1, runResults, type RunResults } from '../src/domain/questionnaires/results.js';

/** Who may read results: the cluster's coordinators, resource persons and observers. */
const READERS = ['COORDINATOR', 'RESOURCE_PERSON', 'OBSERVER'] as const;
/** Free-text answers listed in chat; the rest are in the CSV. */
const TEXTS_IN_CHAT = 15;
/** Chat platforms cap a block's length; long answers are cut here and complete in the CSV. */
const TEXT_LENGTH_IN_CHAT = 280;

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * `/lc results [cluster or run]`: the response rate and, per question, the distribution, mean and
 * median, the ranking's order and the free-text answers, with a bar-chart image, a CSV download,
 * a comparison across the programme's clusters and a before/after view for self-assessments.
 */
export const resultsFlow = defineFlow<Record<string, never>>({
  name: 'results',
  version: 1,
  schema: z.object({}).strict() as z.ZodType<Record<string, never>>,
  commands: [{ verb: 'results', summaryKey: 'surveys:summary.results', usageKey: 'surveys:usage.results', audience: [...READERS], common: true }],
  async start(ctx, { args }) {
    // Runs past their closing time are closed here too (erasing anonymous keys), whether or not a scheduler job did it yet.
    await closeDueRuns(ctx.services.db, ctx.services.clock.now());
    const arg = args.trim();
    if (!arg) return { replies: [await listRuns(ctx)] };
    const runId = await resolveRun(ctx, arg);
    return { replies: [await resultsMessage(ctx, runId)] };
  },
  accepts: { actions: { 'results:csv': '{run}', 'results:compare': '{run}', 'results:change': '{run}', 'results:details': '{run}' }, forms: [] },
  async handle(ctx, event) {
    if (event.type !== 'action') return { replies: [] };
    const results = await readableResults(ctx, event.value);
    switch (event.actionId) {
      case 'results:csv':
        return csvReply(ctx, results);
      case 'results:compare':
        return compareReply(ctx, results);
      case 'results:change':
        return changeReply(ctx, results);
      case 'results:details':
        return { replies: [await resultsMessage(ctx, results.run.id, { details: true })] };
    }
    return { replies: [] };
  },
});

async function readableResults(ctx: FlowContext, runId: string): Promise<RunResults> {
  const run = await ctx.services.db.questionnaireRun.findUnique({ where: { id: runId }, select: { clusterId: true } });
  if (!run) throw new BotError(ErrorCode.NotFound, 'surveys:errors.unknownRun');
  await requireRole(ctx.services.db, ctx.person.id, run.clusterId, [...READERS]);
  return runResults(ctx.services.db, runId);
}

async function resolveRun(ctx: FlowContext, arg: string): Promise<string> {
  const db = ctx.services.db;
  const byCluster = await db.questionnaireRun.findFirst({
    where: { cluster: { code: { equals: arg, mode: 'insensitive' }, memberships: { some: { personId: ctx.person.id, status: 'ACTIVE', role: { in: [...READERS] } } } }, status: { not: 'SCHEDULED' } },
    orderBy: { opensAt: 'desc' },
    select: { id: true },
  });
  if (byCluster) return byCluster.id;
  const byId = await db.questionnaireRun.findUnique({ where: { id: arg }, select: { id: true } });
  if (!byId) throw new BotError(ErrorCode.NotFound, 'surveys:errors.unknownRun');
  return byId.id;
}

async function listRuns(ctx: FlowContext) {
  const { t, person } = ctx;
  const runs = await ctx.services.db.questionnaireRun.findMany({
    where: { status: { not: 'SCHEDULED' }, cluster: { memberships: { some: { personId: person.id, status: 'ACTIVE', role: { in: [...READERS] } } } } },
    include: { questionnaire: true, cluster: true },
    orderBy: { opensAt: 'desc' },
    take: 10,
  });
  if (!runs.length) return ui.text(t('surveys:results.none'), { ephemeral: true });
  const blocks: Block[] = [ui.heading(t('surveys:results.listTitle'))];
  for (const run of runs) {
    const title = localise((run.questionnaire.definition as unknown as QuestionnaireDefinition).title, person.locale);
    blocks.push(ui.paragraph(`${md`**${title}** (${run.cluster.code})`}, ${t(`surveys:list.status.${run.status}`)}, ${formatDate(run.opensAt, person.timeZone, person.locale)}`));
    blocks.push(ui.actions(ui.commandButton(t('surveys:buttons.results'), `results ${run.id}`)));
  }
  return ui.message(t('surveys:results.listTitle'), blocks, { ephemeral: true });
}

/**
 * A run's results. By default short enough for one phone screen: the response rate and one line per
 * question (mean and median, the most chosen answer, the ranking's leader, how many comments), with
 * "Details" for every count and comment and each question's chart under it (one phone-sized image
 * per question: a chart of every question at once does not fit a phone screen).
 */
async function resultsMessage(ctx: FlowContext, runId: string, options: { details?: boolean } = {}) {
  const { t, person, services } = ctx;
  const results = await readableResults(ctx, runId);
  const { run } = results;
  const title = localise(run.definition.title, person.locale);
  const heading = t('surveys:results.title', { title, cluster: results.cluster.code });
  const percent = results.invited ? Math.round((results.responded / results.invited) * 100) : 0;
  const when = run.status === 'OPEN' ? t('surveys:list.closesAt', { date: formatDateTime(run.closesAt, person.timeZone, person.locale) }) : '';
  const blocks: Block[] = [
    ui.heading(heading),
    ui.paragraph(`${t('surveys:results.rate', { responded: results.responded, invited: results.invited, percent })}\n${t('surveys:results.status', { status: t(`surveys:list.status.${run.status}`) })}${when}`),
  ];
  if (!results.shown) {
    blocks.push(ui.paragraph(t('surveys:results.tooFew', { count: results.responded, min: run.minGroupSize })));
    return ui.message(heading, blocks, { ephemeral: true });
  }
  if (!options.details) {
    const lines = results.questions.map(({ question, summary }, index) => `${md`**${index + 1}.** ${shorten(localise(question.text, person.locale), SHORT_QUESTION)}`}: ${shortSummary(ctx, question, summary)}`);
    if (lines.length) blocks.push(ui.paragraph(lines.join('\n')));
  }
  const charts = options.details ? await storedCharts(ctx, results) : [];
  if (options.details) results.questions.forEach(({ question, summary }, index) => {
    const lines = [md`**${index + 1}. ${localise(question.text, person.locale)}**`];
    switch (summary.type) {
      case 'scale':
      case 'rating':
        lines.push(t('surveys:results.scaleLine', { n: summary.answered, mean: round1(summary.mean, person.locale), median: round1(summary.median, person.locale) }));
        lines.push(...summary.buckets.map((b) => md`- ${answerLabel(question, b.value, person.locale)}: ${b.count}`));
        break;
      case 'single':
      case 'multiple':
        lines.push(...summary.buckets.map((b) => md`- ${answerLabel(question, b.value, person.locale)}: ${b.count}`));
        break;
      case 'ranking':
        lines.push(t('surveys:results.rankingLine', { order: summary.order.map((o, i) => `${i + 1}. ${answerLabel(question, o.value, person.locale)} (${o.points})`).join(', ') }));
        break;
      case 'text':
        if (!summary.texts.length) lines.push(`_${t('surveys:results.noTexts')}_`);
        lines.push(...summary.texts.slice(0, TEXTS_IN_CHAT).map((text) => md`- ${shorten(text.replace(/\s+/g, ' '), TEXT_LENGTH_IN_CHAT)}`));
        if (summary.texts.length > TEXTS_IN_CHAT) lines.push(`- … (+${summary.texts.length - TEXTS_IN_CHAT})`);
        break;
    }
    blocks.push(ui.paragraph(lines.join('\n')));
    blocks.push(...charts.filter((c) => c.question === index).map((c) => c.block));
  });
  const buttons = [
    ...(options.details ? [] : [ui.openButton(t('surveys:buttons.details'), 'results:details', run.id, 'primary')]),
    ui.openButton(t('surveys:buttons.csv'), 'results:csv', run.id, options.details ? 'primary' : undefined),
    ui.openButton(t('surveys:buttons.compare'), 'results:compare', run.id),
  ];
  if (run.definition.purpose === 'self-assessment') buttons.push(ui.openButton(t('surveys:buttons.beforeAfter'), 'results:change', run.id));
  blocks.push(ui.actions(...buttons));
  return ui.message(heading, blocks, { ephemeral: true });
}

/** Each question's chart stored as a download, as an image block whose alt text carries the numbers. */
async function storedCharts(ctx: FlowContext, results: RunResults): Promise<{ question: number; block: Block }[]> {
  const { services, person } = ctx;
  const charts = resultsCharts(results, person.locale, documentTranslator(person.locale));
  return Promise.all(
    charts.map(async ({ question, image }, i) => {
      const file = await createDownload(services.db, services.config.PUBLIC_URL, { filename: `${results.cluster.code}-${results.run.questionnaireKey}-${i + 1}.png`, contentType: 'image/png', body: image.png, createdById: person.id }, services.clock.now());
      return { question, block: { type: 'image' as const, url: file.url, alt: image.alt } };
    }),
  );
}

async function csvReply(ctx: FlowContext, results: RunResults): Promise<FlowResult<Record<string, never>>> {
  const { services, person } = ctx;
  if (!results.shown) return { replies: [ui.text(ctx.t('surveys:results.tooFew', { count: results.responded, min: results.run.minGroupSize }), { ephemeral: true })] };
  const csv = await resultsCsv(services.db, results, person.locale, documentTranslator(person.locale));
  const filename = `${results.cluster.code}-${results.run.questionnaireKey}.csv`;
  const file = await createDownload(services.db, services.config.PUBLIC_URL, { filename, contentType: 'text/csv; charset=utf-8', body: `\ufeff${csv}`, createdById: person.id }, services.clock.now());
  return { replies: [ui.text(ctx.t('surveys:results.csvReady', { filename, url: file.url }), { ephemeral: true })] };
}

async function compareReply(ctx: FlowContext, results: RunResults): Promise<FlowResult<Record<string, never>>> {
  const { t, services, person } = ctx;
  const comparison = await programmeComparison(services.db, results, person.locale);
  const title = t('surveys:results.compareTitle', { title: localise(results.run.definition.title, person.locale) });
  const lines = comparison.series.map((s) => `${t('surveys:results.compareLine', { cluster: s.name, responded: s.responded })}${s.shown ? '' : t('surveys:results.compareHidden')}`);
  const blocks: Block[] = [ui.heading(title), ui.paragraph(lines.join('\n'))];
  if (comparison.categories.length) {
    blocks.push(ui.paragraph(`${t('surveys:results.compareMeans')}\n${comparison.categories.map((c, i) => md`- ${c}: ${comparison.series.map((s) => `${s.name} ${round1(s.values[i], person.locale)}`).join(', ')}`).join('\n')}`));
    for (const [i, image] of comparisonCharts(comparison, person.locale).entries()) {
      const chart = await createDownload(services.db, services.config.PUBLIC_URL, { filename: `compare-${results.run.questionnaireKey}-${i + 1}.png`, contentType: 'image/png', body: image.png, createdById: person.id }, services.clock.now());
      blocks.push({ type: 'image', url: chart.url, alt: image.alt });
    }
  }
  return { replies: [ui.message(title, blocks, { ephemeral: true })] };
}

async function changeReply(ctx: FlowContext, results: RunResults): Promise<FlowResult<Record<string, never>>> {
  const { t, services, person } = ctx;
  const change = await beforeAfter(services.db, results, person.locale);
  if (!change) return { replies: [ui.text(t('surveys:results.needTwoRuns'), { ephemeral: true })] };
  const title = t('surveys:results.beforeAfterTitle', { title: localise(results.run.definition.title, person.locale) });
  const labels = {
    before: t('surveys:results.beforeLabel', { date: formatDate(change.before.run.opensAt, person.timeZone, person.locale) }),
    after: t('surveys:results.afterLabel', { date: formatDate(change.after.run.opensAt, person.timeZone, person.locale) }),
  };
  const lines = change.rows.map((r) => `- ${t('surveys:results.beforeAfterLine', { question: r.question, before: round1(r.before, person.locale), after: round1(r.after, person.locale), change: r.change === null ? '–' : `${r.change >= 0 ? '+' : ''}${round1(r.change, person.locale)}` })}`);
  const blocks: Block[] = [ui.heading(title), ui.paragraph(`${labels.before} · ${labels.after}\n${lines.join('\n')}`)];
  for (const [i, image] of beforeAfterCharts({ before: plainText(labels.before), after: plainText(labels.after) }, change, person.locale).entries()) {
    const chart = await createDownload(services.db, services.config.PUBLIC_URL, { filename: `${results.cluster.code}-before-after-${i + 1}.png`, contentType: 'image/png', body: image.png, createdById: person.id }, services.clock.now());
    blocks.push({ type: 'image', url: chart.url, alt: image.alt });
  }
  return { replies: [ui.message(title, blocks, { ephemeral: true })] };
}

/** How much of a question's text the short results show. */
const SHORT_QUESTION = 60;

/** One question's result in a few words, for the short results message. */
function shortSummary(ctx: FlowContext, question: Parameters<typeof answerLabel>[0], summary: RunResults['questions'][number]['summary']): string {
  const { t, person } = ctx;
  switch (summary.type) {
    case 'scale':
    case 'rating':
      return t('surveys:results.scaleLine', { n: summary.answered, mean: round1(summary.mean, person.locale), median: round1(summary.median, person.locale) });
    case 'single':
    case 'multiple': {
      const top = [...summary.buckets].sort((a, b) => b.count - a.count)[0];
      return top && top.count > 0 ? t('surveys:results.mostChosen', { answer: answerLabel(question, top.value, person.locale), count: top.count }) : t('surveys:results.noTexts');
    }
    case 'ranking': {
      const first = summary.order[0];
      return first ? t('surveys:results.rankedFirst', { answer: answerLabel(question, first.value, person.locale), points: first.points }) : t('surveys:results.noTexts');
    }
    case 'text':
      return t('surveys:results.comments', { count: summary.texts.length });
  }
}

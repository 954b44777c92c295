import type { Db } from '../../core/db.js';
import { createDownload } from '../../core/downloads.js';
import { escapeHtml, escapeMarkdown as escapeMd, htmlPage, markdownToHtml } from '../../core/documents.js';
import { formatDate } from '../../core/format.js';
import type { Translate } from '../../core/i18n.js';
import { localise, type ReportSection } from '../questionnaires/definition.js';
import { answerLabel, resultsCharts, round1, runResults, type RunResults } from '../questionnaires/results.js';
import { formatEnd, formatStart, formatStoredDay } from '../calendar.js';
import { itemTitle, timelineSpans } from '../timeline.js';
import { wayForwardOf } from '../clusters/way-forward.js';

/**
 * The cluster's summary report in the shape the peer-learning guide asks of rapporteurs (results and
 * main decisions, conclusions, follow-up, activities to start at home, lessons, how to improve the
 * method), filled with what the bot knows. Evaluation answers enter only through the results module,
 * so the minimum-group rule and anonymity hold here too: no name is ever attached to an answer.
 */

export interface ReportOptions {
  locale: string;
  timeZone: string;
  now: Date;
  publicUrl: string;
  createdById?: string;
  /** A document translator (i18n `documentTranslator`): values come back raw and are escaped here. */
  t: Translate;
}

export interface ClusterReport {
  markdown: string;
  html: string;
}

/** The six sections, in the guide's order; each has an i18n heading under surveys:reportDoc.sections. */
export const REPORT_SECTION_ORDER: ReportSection[] = ['results', 'conclusions', 'followUp', 'homeActivities', 'lessons', 'methodImprovement'];

/** Builds the report; charts are stored as downloads and linked, so the Markdown and the page show the same images. */
export async function buildClusterReport(db: Db, clusterId: string, options: ReportOptions): Promise<ClusterReport> {
  const { t, locale, timeZone } = options;
  const cluster = await db.cluster.findUniqueOrThrow({
    where: { id: clusterId },
    include: {
      programme: true,
      hosts: { include: { organisation: true } },
      timeline: true,
      memberships: { where: { status: 'ACTIVE' }, include: { organisation: true } },
    },
  });
  const date = (d: Date) => formatDate(d, timeZone, locale);
  const viewer = { timeZone, locale };
  const md: string[] = [];
  md.push(`# ${t('surveys:reportDoc.title', { code: escapeMd(cluster.code), name: escapeMd(cluster.name) })}`);
  md.push(`_${t('surveys:reportDoc.subtitle', { programme: escapeMd(cluster.programme.name), approach: escapeMd(cluster.approach), hosts: escapeMd(cluster.hosts.map((h) => h.organisation.name).join(', ')), date: date(options.now) })}_`);
  md.push(`> ${t('surveys:reportDoc.howMade')}`);

  // Participants
  md.push(`## ${t('surveys:reportDoc.participants')}`);
  const byRole = (role: string) => cluster.memberships.filter((m) => m.role === role);
  const members = byRole('MEMBER');
  const municipalities = new Set(members.map((m) => m.organisation?.name).filter(Boolean));
  md.push(t('surveys:reportDoc.participantCounts', { members: members.length, municipalities: municipalities.size, rps: byRole('RESOURCE_PERSON').length, coordinators: byRole('COORDINATOR').length, observers: byRole('OBSERVER').length }));
  // Municipalities, not names: the report is shared widely, and nothing in it should point at a person.
  if (municipalities.size) md.push(t('surveys:reportDoc.municipalities', { list: [...municipalities].map((m) => escapeMd(m!)).join(', ') }));

  // Timeline
  md.push(`## ${t('surveys:reportDoc.timeline')}`);
  // One entry: a blank line between the header and the rows would end the table.
  md.push(
    [
      `| ${t('surveys:reportDoc.phase')} | ${t('surveys:reportDoc.from')} | ${t('surveys:reportDoc.to')} | ${t('surveys:reportDoc.roles')} |`,
      '|---|---|---|---|',
      ...timelineSpans(cluster.timeline).map((i) => `| ${escapeMd(itemTitle(t, i))} | ${formatStart(i, viewer, cluster.timeZone)} | ${formatEnd(i, viewer, cluster.timeZone)} | ${i.roles.map((r) => t(`timeline.role.${r}`)).join(', ')} |`),
    ].join('\n'),
  );

  // What the bot knows: plans, feedback, questions, evaluations.
  const plans = await db.actionPlan.findMany({ where: { clusterId }, include: { author: { select: { organisation: { select: { name: true } } } }, activities: true }, orderBy: { createdAt: 'asc' } });
  const assignments = await db.feedbackAssignment.findMany({ where: { round: { clusterId } }, select: { status: true } });
  const rounds = await db.feedbackRound.count({ where: { clusterId } });
  const questions = await db.routedQuestion.findMany({ where: { clusterId }, select: { status: true, urgent: true, text: true, inFaq: true } });
  const runs = await db.questionnaireRun.findMany({ where: { clusterId, status: { not: 'SCHEDULED' } }, orderBy: { opensAt: 'asc' }, select: { id: true } });
  const results: RunResults[] = [];
  for (const run of runs) results.push(await runResults(db, run.id));

  const quotes = (section: ReportSection): string[] =>
    results.flatMap((r) => r.questions.filter((q) => q.question.report === section && q.summary.type === 'text').flatMap((q) => (q.summary.type === 'text' ? q.summary.texts : [])));
  const quoteBlock = (section: ReportSection): string => {
    const list = quotes(section);
    return list.length ? `${t('surveys:reportDoc.fromAnswers')}\n\n${list.map((q) => `- “${escapeMd(q.replace(/\s+/g, ' '))}”`).join('\n')}` : `_${t('surveys:reportDoc.noAnswers')}_`;
  };

  // 1. Results and main decisions
  md.push(`## 1. ${t('surveys:reportDoc.sections.results')}`);
  md.push(`### ${t('surveys:reportDoc.plans')}`);
  if (!plans.length) md.push(`_${t('surveys:reportDoc.noPlans')}_`);
  else {
    const stages = ['DRAFT', 'SUBMITTED', 'CONSOLIDATED', 'IN_APPLICATION'] as const;
    md.push(stages.map((s) => `${t(`surveys:reportDoc.stage.${s}`)}: ${plans.filter((p) => p.stage === s).length}`).join(' · '));
    md.push(
      plans
        .map((p) => {
          const done = p.activities.filter((a) => a.progress === 'DONE').length;
          const who = p.author.organisation?.name ?? t('surveys:reportDoc.aMember');
          return `- ${escapeMd(who)}: ${t(`surveys:reportDoc.stage.${p.stage}`)}, ${t('surveys:reportDoc.activitiesDone', { done, total: p.activities.length })}${p.goal ? `. ${escapeMd(p.goal.slice(0, 200))}` : ''}`;
        })
        .join('\n'),
    );
  }
  md.push(`### ${t('surveys:reportDoc.feedback')}`);
  md.push(t('surveys:reportDoc.feedbackCounts', { rounds, submitted: assignments.filter((a) => a.status === 'SUBMITTED').length, total: assignments.length }));
  md.push(`### ${t('surveys:reportDoc.questions')}`);
  md.push(t('surveys:reportDoc.questionCounts', { total: questions.length, answered: questions.filter((q) => q.status === 'ANSWERED' || q.status === 'CLOSED').length, urgent: questions.filter((q) => q.urgent).length, open: questions.filter((q) => q.status === 'OPEN' || q.status === 'ESCALATED_TO_COORDINATOR').length }));
  const faq = questions.filter((q) => q.inFaq);
  if (faq.length) md.push(faq.map((q) => `- ${escapeMd(q.text.slice(0, 200))}`).join('\n'));

  md.push(`### ${t('surveys:reportDoc.evaluations')}`);
  if (!results.length) md.push(`_${t('surveys:reportDoc.noEvaluations')}_`);
  for (const r of results) {
    const title = localise(r.run.definition.title, locale);
    md.push(`#### ${escapeMd(title)} (${date(r.run.opensAt)})`);
    md.push(t('surveys:results.rate', { responded: r.responded, invited: r.invited, percent: r.invited ? Math.round((r.responded / r.invited) * 100) : 0 }));
    if (!r.shown) {
      md.push(`_${t('surveys:results.tooFew', { count: r.responded, min: r.run.minGroupSize })}_`);
      continue;
    }
    const lines: string[] = [];
    for (const { question, summary } of r.questions) {
      const text = escapeMd(localise(question.text, locale));
      if (summary.type === 'scale' || summary.type === 'rating') lines.push(`- ${text}: ${t('surveys:reportDoc.meanMedian', { mean: round1(summary.mean, locale), median: round1(summary.median, locale), n: summary.answered, max: summary.type === 'scale' ? 5 : 10 })}`);
      else if (summary.type === 'single' || summary.type === 'multiple') {
        const top = [...summary.buckets].sort((a, b) => b.count - a.count)[0];
        if (top && top.count) lines.push(`- ${text}: ${t('surveys:reportDoc.mostChosen', { option: escapeMd(answerLabel(question, top.value, locale)), count: top.count, n: summary.answered })}`);
      } else if (summary.type === 'ranking') lines.push(`- ${text}: ${summary.order.map((o, i) => `${i + 1}. ${escapeMd(answerLabel(question, o.value, locale))}`).join(', ')}`);
    }
    if (lines.length) md.push(lines.join('\n'));
    // One phone-sized chart per question; its alt text carries the numbers for readers who cannot see it.
    for (const { question, image } of resultsCharts(r, locale, t)) {
      const chart = await createDownload(db, options.publicUrl, { filename: `${cluster.code}-${r.run.questionnaireKey}-${question + 1}.png`, contentType: 'image/png', body: image.png, createdById: options.createdById }, options.now);
      md.push(`![${escapeMd(image.alt)}](${chart.url})`);
    }
  }
  md.push(quoteBlock('results'));

  // 2.–6. The rapporteur's remaining sections, from the answers that feed them and what the bot can infer.
  md.push(`## 2. ${t('surveys:reportDoc.sections.conclusions')}`);
  const scored = results.flatMap((r) => r.questions.flatMap((q) => ((q.summary.type === 'scale') && q.summary.mean !== null ? [{ text: localise(q.question.text, locale), mean: q.summary.mean }] : [])));
  if (scored.length) {
    const sorted = [...scored].sort((a, b) => b.mean - a.mean);
    md.push(t('surveys:reportDoc.strongest', { text: escapeMd(sorted[0].text), mean: round1(sorted[0].mean, locale) }));
    if (sorted.length > 1 && sorted[sorted.length - 1].mean < sorted[0].mean) md.push(t('surveys:reportDoc.weakest', { text: escapeMd(sorted[sorted.length - 1].text), mean: round1(sorted[sorted.length - 1].mean, locale) }));
  }
  md.push(quoteBlock('conclusions'));

  md.push(`## 3. ${t('surveys:reportDoc.sections.followUp')}`);
  const rankings = results.flatMap((r) => r.questions.filter((q) => q.summary.type === 'ranking').map((q) => ({ q, r })));
  for (const { q } of rankings) if (q.summary.type === 'ranking') md.push(t('surveys:reportDoc.rankedNeeds', { order: q.summary.order.map((o, i) => `${i + 1}. ${escapeMd(answerLabel(q.question, o.value, locale))}`).join(', ') }));
  md.push(quoteBlock('followUp'));
  md.push(...(await wayForwardSection(db, clusterId, options)));

  md.push(`## 4. ${t('surveys:reportDoc.sections.homeActivities')}`);
  const upcoming = plans.flatMap((p) => p.activities.filter((a) => a.progress !== 'DONE').map((a) => ({ a, who: p.author.organisation?.name ?? '' }))).slice(0, 30);
  if (upcoming.length) md.push(upcoming.map(({ a, who }) => `- ${escapeMd(who)}: ${escapeMd(a.activity.slice(0, 160))}${a.deadline ? ` (${formatStoredDay(a.deadline, locale)})` : ''}, ${t(`surveys:reportDoc.progress.${a.progress}`)}`).join('\n'));
  md.push(quoteBlock('homeActivities'));

  md.push(`## 5. ${t('surveys:reportDoc.sections.lessons')}`);
  md.push(quoteBlock('lessons'));

  md.push(`## 6. ${t('surveys:reportDoc.sections.methodImprovement')}`);
  if (results.length) md.push(results.map((r) => `- ${escapeMd(localise(r.run.definition.title, locale))}: ${t('surveys:results.rate', { responded: r.responded, invited: r.invited, percent: r.invited ? Math.round((r.responded / r.invited) * 100) : 0 })}`).join('\n'));
  md.push(quoteBlock('methodImprovement'));

  const markdown = `${md.join('\n\n')}\n`;
  return { markdown, html: printablePage(t('surveys:reportDoc.title', { code: cluster.code, name: cluster.name }), markdown, locale) };
}

/**
 * The way forward as the report states it: which way, when and by whom, the follow-on cluster, and how
 * many of the members asked opted in (counts only: the report names no member).
 */
async function wayForwardSection(db: Db, clusterId: string, { t, locale, timeZone }: ReportOptions): Promise<string[]> {
  const heading = `### ${t('after:report.heading')}`;
  const recorded = await wayForwardOf(db, clusterId);
  if (!recorded) return [heading, `_${t('after:report.none')}_`];
  const { followOn } = recorded;
  const asked = recorded.joined.length + recorded.declined.length + recorded.waiting.length;
  return [
    heading,
    [
      t('after:report.decision', { choice: t(`after:choiceLong.${recorded.choice}`), date: formatDate(recorded.decidedAt, timeZone, locale), who: escapeMd(recorded.decidedBy?.displayName ?? t('after:view.someone')) }),
      t('after:report.followOn', { code: escapeMd(followOn.code), name: escapeMd(followOn.name), approach: escapeMd(followOn.approach), start: recorded.start ? formatStart(recorded.start, { timeZone, locale }, followOn.timeZone) : t('clusters:timeline.notSet') }),
      t('after:report.optedIn', { count: asked, joined: recorded.joined.length, declined: recorded.declined.length, waiting: recorded.waiting.length }),
      ...(recorded.note ? [t('after:report.note', { note: escapeMd(recorded.note.replace(/\s+/g, ' ')) })] : []),
    ].join('\n\n'),
  ];
}

const REPORT_STYLE = `
  body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; color: #1d1d1d; }
  h1 { font-size: 1.6rem; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2rem; }
  table { border-collapse: collapse; } th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; }
  img { max-width: 100%; } blockquote { color: #555; border-left: 3px solid #ccc; margin-left: 0; padding-left: 1rem; }
  @media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } img, table { break-inside: avoid; } @page { size: A4; margin: 18mm; } }
`;

/** A self-contained HTML page that prints cleanly (A4, no navigation), from the same Markdown. */
export function printablePage(title: string, markdown: string, locale: string): string {
  return htmlPage({ lang: locale, title, style: REPORT_STYLE, body: markdownToHtml(markdown), viewport: true });
}


import { escapeMarkup } from '../../src/core/markup.js';
import type { Translate } from '../../src/core/i18n.js';
import { formatDate } from '../../src/core/format.js';
import { ui, type Block } from '../../src/core/messages.js';
import type { AllocationReport, LoadedRound } from '../../src/domain/feedback/rounds.js';

type Warning = 'sameOrganisation' | 'earlierRound' | 'reciprocal';

/**
 * The allocation as a coordinator reads it: each plan with its reviewers (and any rule a hand edit
 * broke), the load per reviewer, and when a plan is short, exactly why and what would fix it.
 */
export function describeAllocation(t: Translate, round: LoadedRound, viewer: { timeZone: string; locale: string }, warnings = new Map<string, Warning[]>()): Block[] {
  const blocks: Block[] = [];
  const yes = (v: boolean) => (v ? t('feedback:yes') : t('feedback:no'));
  blocks.push(
    ui.fields([
      { label: t('feedback:settings.deadline'), value: formatDate(round.deadline, viewer.timeZone, viewer.locale) },
      { label: t('feedback:settings.reviewersPerPlan'), value: String(round.reviewersPerPlan) },
      { label: t('feedback:settings.resourcePersons'), value: yes(round.resourcePersonsReview) },
      { label: t('feedback:settings.anonymous'), value: yes(round.anonymous) },
      { label: t('feedback:settings.delivery'), value: round.deliverAtDeadline ? t('feedback:settings.atDeadline') : t('feedback:settings.asSubmitted') },
    ]),
  );
  const byPlan = new Map<string, LoadedRound['assignments']>();
  for (const a of round.assignments) byPlan.set(a.planId, [...(byPlan.get(a.planId) ?? []), a]);
  const report = (round.allocationReport ?? { complete: true, shortfalls: [], reciprocalPairs: [], idle: [] }) as unknown as AllocationReport;
  const lines = round.plans.map((plan) => {
    const reviewers = (byPlan.get(plan.id) ?? []).map((a) => {
      const marks = (warnings.get(a.id) ?? []).map((w) => t(`feedback:warning.${w}`));
      const kind = a.kind === 'resource' ? ` (${t('feedback:kind.resource')})` : a.kind === 'manual' ? ` (${t('feedback:kind.manual')})` : '';
      return `${escapeMarkup(a.reviewer.displayName)}${kind}${marks.length ? ` ⚠ ${marks.join(', ')}` : ''}`;
    });
    const peers = (byPlan.get(plan.id) ?? []).filter((a) => a.kind !== 'resource').length;
    const short = peers < round.reviewersPerPlan ? ` ⚠ ${t('feedback:preview.short', { count: round.reviewersPerPlan - peers, missing: round.reviewersPerPlan - peers })}` : '';
    return `- **${escapeMarkup(plan.author.displayName)}**${plan.author.organisation ? ` (${escapeMarkup(plan.author.organisation.name)})` : ''} ← ${reviewers.join(', ') || t('feedback:preview.nobody')}${short}`;
  });
  blocks.push(ui.paragraph(`**${t('feedback:preview.plans')}**\n${lines.join('\n')}`));

  const loads = new Map<string, { name: string; count: number }>();
  for (const a of round.assignments.filter((x) => x.kind !== 'resource')) loads.set(a.reviewerId, { name: a.reviewer.displayName, count: (loads.get(a.reviewerId)?.count ?? 0) + 1 });
  if (loads.size) {
    const counts = [...loads.values()].map((l) => l.count);
    blocks.push(ui.context(t('feedback:preview.loads', { min: Math.min(...counts), max: Math.max(...counts), people: loads.size })));
  }
  const names = nameLookup(round);
  if (report.reciprocalPairs.length) {
    blocks.push(ui.context(t('feedback:preview.reciprocalKept', { pairs: report.reciprocalPairs.map(([a, b]) => `${names(a)} ↔ ${names(b)}`).join('; ') })));
  }
  if (report.idle.length) blocks.push(ui.context(t('feedback:preview.idle', { names: report.idle.map(names).join(', ') })));
  // The explanation is the allocator's; once hand edits have filled every plan it no longer applies.
  const stillShort = round.plans.some((plan) => (byPlan.get(plan.id) ?? []).filter((a) => a.kind !== 'resource').length < round.reviewersPerPlan);
  if (!report.complete && report.problem && stillShort) blocks.push(...explainProblem(t, round, report, names));
  return blocks;
}

function nameLookup(round: LoadedRound): (personId: string) => string {
  const names = new Map<string, string>(round.people.map((p) => [p.id, p.displayName]));
  for (const a of round.assignments) names.set(a.reviewerId, a.reviewer.displayName);
  for (const p of round.plans) names.set(p.authorId, p.author.displayName);
  return (id) => names.get(id) ?? id;
}

/** The exact reason and the fixes, in words. */
function explainProblem(t: Translate, round: LoadedRound, report: AllocationReport, name: (id: string) => string): Block[] {
  const problem = report.problem!;
  const planAuthor = new Map(round.plans.map((p) => [p.id, p.author.displayName]));
  const authors = problem.planIds.map((id) => planAuthor.get(id) ?? t('feedback:preview.aPlan'));
  const lines: string[] = [];
  const missing = report.shortfalls.reduce((sum, s) => sum + s.missing, 0);
  lines.push(t('feedback:problem.summary', { count: report.shortfalls.length, missing, perPlan: round.reviewersPerPlan }));
  if (problem.kind === 'group' || problem.planIds.length) {
    lines.push(
      t('feedback:problem.group', {
        count: problem.planIds.length,
        authors: authors.join(', '),
        needed: problem.needed,
        supply: problem.supply,
        contributors: problem.contributors.map((c) => `${name(c.reviewerId)} (${c.reviewable})`).join(', ') || t('feedback:preview.nobody'),
      }),
    );
    if (problem.kind === 'balance' && problem.maxLoad) lines.push(t('feedback:problem.cap', { maxLoad: problem.maxLoad }));
    if (problem.excluded.sameOrganisation || problem.excluded.earlierRound) lines.push(t('feedback:problem.excluded', problem.excluded));
  }
  for (const few of problem.tooFewOptions ?? []) lines.push(t('feedback:problem.tooFew', { name: name(few.reviewerId), count: few.reviewable, needed: few.needed }));
  if (problem.kind === 'balance' && problem.mostBalanced) lines.push(t('feedback:problem.unbalanced', { low: problem.mostBalanced.low, high: problem.mostBalanced.high }));
  const fixes = [t('feedback:fix.addByHand', { count: missing })];
  if (problem.feasibleReviewersPerPlan > 0) fixes.push(t('feedback:fix.lower', { k: problem.feasibleReviewersPerPlan }));
  if (!round.resourcePersonsReview) fixes.push(t('feedback:fix.resourcePersons'));
  return [ui.paragraph(`**${t('feedback:problem.title')}**\n${lines.join('\n')}`), ui.paragraph(`**${t('feedback:fix.title')}**\n${fixes.map((f) => `- ${f}`).join('\n')}`)];
}

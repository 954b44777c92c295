import { md } from '../src/core/markup.js';
import { z } from 'zod';
import { defineFlow, type FlowContext } from '../src/core/flow.js';
import { formatDateTime, formatList } from '../src/core/format.js';
import { ui, type Block, type Button } from '../src/core/messages.js';
import { activeClusters } from '../src/domain/memberships.js';
import { timelineGlance } from '../src/domain/timeline.js';

/** How many tasks of one kind the overview lists before saying "and N more". */
const TASKS_PER_KIND = 10;

/**
 * `/lc home`: one person's overview (clusters, next dates, pending tasks with buttons). Slack
 * shows it as the App Home tab, Teams may show it as a card; every platform can ask for it.
 */
export const homeFlow = defineFlow({
  name: 'home',
  version: 1,
  schema: z.object({}),
  commands: [{ verb: 'home', summaryKey: 'home:summary', audience: 'anyone', common: false }],
  async start(ctx) {
    const blocks = await buildHome(ctx);
    return { replies: [ui.message(ctx.t('home:title', { name: ctx.person.displayName }), blocks, { ephemeral: true })] };
  },
});

/** A button that runs `verb`, only when some flow offers that verb (the features arrive one by one). */
function commandButtonIf(ctx: FlowContext, label: string, verb: string, style?: Button['style']): Button[] {
  return ctx.commands.some((c) => c.verb === verb) ? [ui.commandButton(label, verb, style)] : [];
}

/**
 * The overview as core blocks, platform-neutral. Reads only stored state: memberships and
 * timelines, draft action plans, pending peer reviews, unanswered questionnaires, and for
 * resource persons the questions put to them and still open.
 */
export async function buildHome(ctx: FlowContext): Promise<Block[]> {
  const { t, person } = ctx;
  const { db, clock } = ctx.services;
  const now = clock.now();
  const dateTime = (d: Date) => formatDateTime(d, person.timeZone, person.locale);

  const [memberships, drafts, reviews, runs, questions] = await Promise.all([
    activeClusters(db, person.id),
    db.actionPlan.findMany({ where: { authorId: person.id, stage: 'DRAFT', cluster: { archivedAt: null } }, include: { cluster: true }, orderBy: { updatedAt: 'desc' } }),
    db.feedbackAssignment.findMany({
      where: { reviewerId: person.id, status: { in: ['PENDING', 'IN_PROGRESS'] }, round: { status: 'OPEN' } },
      include: { round: { include: { cluster: true } }, plan: { include: { author: true } } },
      orderBy: { round: { deadline: 'asc' } },
    }),
    db.runParticipation.findMany({
      where: { personId: person.id, answeredAt: null, run: { status: 'OPEN', closesAt: { gt: now } } },
      include: { run: { include: { cluster: true, questionnaire: true } } },
      orderBy: { run: { closesAt: 'asc' } },
    }),
    db.questionAsk.findMany({
      where: { personId: person.id, passedAt: null, question: { status: 'OPEN' } },
      include: { question: { include: { cluster: true } } },
      orderBy: { askedAt: 'asc' },
    }),
  ]);

  const blocks: Block[] = [ui.heading(t('home:title', { name: person.displayName }))];

  // Tasks first: what the person can do now matters more than the calendar.
  const tasks: Block[] = [];
  const more = (count: number) => (count > TASKS_PER_KIND ? [ui.context(t('home:more', { count: count - TASKS_PER_KIND }))] : []);
  for (const plan of drafts.slice(0, TASKS_PER_KIND)) {
    tasks.push(ui.paragraph(t('home:tasks.draftPlan', { cluster: plan.cluster.code, approach: plan.approach })));
    const buttons = commandButtonIf(ctx, t('home:buttons.openPlan'), 'plan', 'primary');
    if (buttons.length) tasks.push(ui.actions(...buttons));
  }
  tasks.push(...more(drafts.length));
  for (const review of reviews.slice(0, TASKS_PER_KIND)) {
    const author = review.round.anonymous ? t('home:aPeer') : review.plan.author.displayName;
    tasks.push(ui.paragraph(t('home:tasks.review', { author, cluster: review.round.cluster.code, deadline: dateTime(review.round.deadline) })));
    const buttons = commandButtonIf(ctx, t('home:buttons.giveFeedback'), 'feedback', 'primary');
    if (buttons.length) tasks.push(ui.actions(...buttons));
  }
  tasks.push(...more(reviews.length));
  for (const p of runs.slice(0, TASKS_PER_KIND)) {
    tasks.push(ui.paragraph(t('home:tasks.questionnaire', { cluster: p.run.cluster.code, closes: dateTime(p.run.closesAt) })));
    const buttons = commandButtonIf(ctx, t('home:buttons.answer'), 'survey', 'primary');
    if (buttons.length) tasks.push(ui.actions(...buttons));
  }
  tasks.push(...more(runs.length));
  for (const ask of questions.slice(0, TASKS_PER_KIND)) {
    const q = ask.question;
    const excerpt = q.text.length > 200 ? `${q.text.slice(0, 199)}…` : q.text;
    tasks.push(ui.paragraph(t(q.urgent ? 'home:tasks.urgentQuestion' : 'home:tasks.question', { cluster: q.cluster.code, asked: dateTime(q.askedAt), text: excerpt })));
    const buttons = commandButtonIf(ctx, t('home:buttons.questions'), 'questions', 'primary');
    if (buttons.length) tasks.push(ui.actions(...buttons));
  }
  tasks.push(...more(questions.length));

  blocks.push(ui.paragraph(`**${t('home:tasksTitle')}**`));
  blocks.push(...(tasks.length ? tasks : [ui.context(t('home:noTasks'))]));

  blocks.push(ui.divider(), ui.paragraph(`**${t('home:clustersTitle')}**`));
  if (memberships.length === 0) blocks.push(ui.paragraph(t('home:noClusters')));
  for (const m of memberships) {
    const roles = formatList(m.roles.map((r) => t(`roles.${r}`)), person.locale);
    const { cluster } = m;
    const { phase, next } = timelineGlance(t, cluster, { timeZone: person.timeZone, locale: person.locale }, now, 2);
    blocks.push(
      ui.paragraph(
        [
          md`**${cluster.code}: ${cluster.name}**`,
          `${t('home:clusterLine', { roles, count: m.roles.length })} ${phase}`,
          next.length ? `${t('home:nextDates')}\n${next.join('\n')}` : t('home:noUpcoming'),
        ].join('\n'),
      ),
    );
  }
  blocks.push(ui.divider());
  blocks.push(ui.actions(ui.commandButton(t('home:buttons.me'), 'me'), ui.commandButton(t('help.button'), 'help'), ...commandButtonIf(ctx, t('home:buttons.ask'), 'ask')));
  blocks.push(ui.context(t('home:updated', { at: dateTime(now) })));
  return blocks;
}

import { md } from '../src/core/markup.js';
import { z } from 'zod';
import { defineFlow, type FlowContext } from '../src/core/flow.js';
import { formatDate, formatDateTime, formatList } from '../src/core/format.js';
import { ui, type Block, type Button } from '../src/core/messages.js';
import { formatSpan, formatStart } from '../src/domain/calendar.js';
import { pendingFollowOns } from '../src/domain/clusters/way-forward.js';
import { activeClusters } from '../src/domain/memberships.js';
import { contentOf, missingParts } from '../src/domain/plans/index.js';
import { QUESTION_ACTIONS } from '../src/domain/questions/notices.js';
import { datedItemWithRole, isEventType, itemTitle, labelTimeline, timelineGlance, upcoming } from '../src/domain/timeline.js';
import { nextEvent } from './events/event.js';

/** How many tasks the overview lists before saying "and N more" (the list is soonest first). */
const MAX_TASKS = 15;

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
 * The overview as core blocks, platform-neutral: a task list ("Waiting for you", soonest first,
 * each task with its due date in the person's zone and a button that does it), then the person's
 * clusters with their next dates. Reads only stored state.
 */
export async function buildHome(ctx: FlowContext): Promise<Block[]> {
  const { t, person } = ctx;
  const { db, clock } = ctx.services;
  const now = clock.now();
  const dateTime = (d: Date) => formatDateTime(d, person.timeZone, person.locale);

  const memberships = await activeClusters(db, person.id);
  const tasks = await collectTasks(ctx, memberships);

  const blocks: Block[] = [ui.heading(t('home:title', { name: person.displayName }))];
  // Tasks first: what the person can do now matters more than the calendar.
  blocks.push(ui.paragraph(`**${t('home:tasksTitle')}**`));
  for (const task of tasks.slice(0, MAX_TASKS)) {
    blocks.push(ui.paragraph(task.text));
    if (task.buttons.length) blocks.push(ui.actions(...task.buttons));
  }
  if (tasks.length > MAX_TASKS) blocks.push(ui.context(t('home:more', { count: tasks.length - MAX_TASKS })));
  if (tasks.length === 0) blocks.push(ui.context(nothingWaiting(ctx, memberships, now)));

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
    // The next event's agenda, when its organisers have written one.
    const event = nextEvent(labelTimeline(cluster.timeline).filter((i) => isEventType(i.type)), now);
    if (event && (await db.eventSession.count({ where: { design: { itemId: event.id } } }))) {
      blocks.push(ui.actions(ui.commandButton(t('events:agenda.open', { event: itemTitle(t, event) }), `event ${cluster.code} ${event.id}`)));
    }
  }
  blocks.push(ui.divider());
  const answersQuestions = person.roles.has('RESOURCE_PERSON') || person.roles.has('COORDINATOR');
  blocks.push(
    ui.actions(
      ui.commandButton(t('home:buttons.me'), 'me'),
      ui.commandButton(t('help.button'), 'help'),
      ...(answersQuestions ? commandButtonIf(ctx, t('home:buttons.questions'), 'questions') : []),
      ...(person.roles.has('MEMBER') ? commandButtonIf(ctx, t('home:buttons.ask'), 'ask') : []),
      ...(memberships.length ? commandButtonIf(ctx, t('practice:buttons.see'), 'practice') : []),
    ),
  );
  blocks.push(ui.context(t('home:updated', { at: dateTime(now) })));
  return blocks;
}

/** One thing the person can do now: what, by when, and the button that does it. */
interface Task {
  due: Date | null;
  text: string;
  buttons: Button[];
}

/** Activities due this soon appear on home during the application period. */
const ACTIVITY_HORIZON_MS = 14 * 24 * 3600 * 1000;

/**
 * Everything waiting for the person, soonest first (undated last): their plan to write, finish or
 * submit (due at EE2), reviews to write, feedback received to consider, questionnaires, questions
 * put to them, and for coordinators registrations to approve and invitations not yet accepted; in
 * the application period, their plan's activities due within two weeks. Each with its button.
 */
async function collectTasks(ctx: FlowContext, memberships: Awaited<ReturnType<typeof activeClusters>>): Promise<Task[]> {
  const { t, person } = ctx;
  const { db, clock } = ctx.services;
  const now = clock.now();
  const dateTime = (d: Date) => formatDateTime(d, person.timeZone, person.locale);
  const date = (d: Date) => formatDate(d, person.timeZone, person.locale);
  const viewer = { timeZone: person.timeZone, locale: person.locale };
  const memberOf = memberships.filter((m) => m.roles.includes('MEMBER'));
  const coordinating = memberships.filter((m) => m.roles.includes('COORDINATOR')).map((m) => m.cluster.id);

  const [plans, reviews, runs, questions, feedbackToConsider, registrations, invitations] = await Promise.all([
    db.actionPlan.findMany({ where: { authorId: person.id, clusterId: { in: memberOf.map((m) => m.cluster.id) } }, include: { activities: { orderBy: { position: 'asc' } } } }),
    db.feedbackAssignment.findMany({
      where: { reviewerId: person.id, status: { in: ['PENDING', 'IN_PROGRESS'] }, round: { status: 'OPEN' } },
      include: { round: { include: { cluster: true } }, plan: { include: { author: true } } },
      orderBy: { round: { deadline: 'asc' } },
    }),
    db.runParticipation.findMany({
      where: { personId: person.id, answered: false, run: { status: 'OPEN', closesAt: { gt: now } } },
      include: { run: { include: { cluster: true } } },
      orderBy: { run: { closesAt: 'asc' } },
    }),
    db.questionAsk.findMany({
      where: { personId: person.id, passedAt: null, question: { status: 'OPEN' } },
      include: { question: { include: { cluster: true } } },
      orderBy: { askedAt: 'asc' },
    }),
    db.feedback.findMany({
      where: { deliveredAt: { not: null }, assignment: { plan: { authorId: person.id, stage: { in: ['SUBMITTED', 'CONSOLIDATED'] }, clusterId: { in: memberOf.map((m) => m.cluster.id) } } } },
      select: { assignment: { select: { roundId: true, plan: { select: { clusterId: true, versions: { where: { stage: 'CONSOLIDATED' }, select: { answersRoundId: true } } } } } } },
    }),
    coordinating.length ? db.registration.findMany({ where: { status: 'ASSIGNED', assignedClusterId: { in: coordinating } }, include: { assignedCluster: true } }) : [],
    coordinating.length ? db.membership.findMany({ where: { status: 'INVITED', clusterId: { in: coordinating } }, include: { cluster: true } }) : [],
  ]);

  const tasks: Task[] = [];
  for (const m of memberOf) {
    // Due when the event where concepts are presented (EE2) begins, told as the calendar tells its start; a
    // cluster without such an event has no plan deadline.
    const ee2 = datedItemWithRole(m.cluster.timeline, 'CONCEPTS_PRESENTED');
    const due = ee2?.startsAt ?? null;
    const dueText = ee2 ? t('home:due', { date: formatStart(ee2, viewer, m.cluster.timeZone) }) : '';
    const plan = plans.find((p) => p.clusterId === m.cluster.id);
    const open = ui.commandButton(t('home:buttons.openPlan'), `plan ${m.cluster.code}`, 'primary');
    if (!plan) {
      // Before EE2 only: after it, writing a plan from nothing is the coordinator's call, not a nag.
      if (due && due > now) tasks.push({ due, text: t('home:tasks.writePlan', { cluster: m.cluster.code, due: dueText }), buttons: [ui.commandButton(t('home:buttons.writePlan'), `plan ${m.cluster.code}`, 'primary')] });
      continue;
    }
    if (plan.stage === 'DRAFT') {
      const missing = missingParts(contentOf(plan)).length;
      // Without a presentation event there is no date to name: the sentence without one, not a dangling ", .".
      const undated = ee2 ? '' : 'Undated';
      const text = missing ? t(`home:tasks.finishPlan${undated}`, { cluster: m.cluster.code, count: missing, due: dueText }) : t(`home:tasks.submitPlan${undated}`, { cluster: m.cluster.code, due: dueText });
      tasks.push({ due, text, buttons: [open] });
    }
    if (plan.stage === 'IN_APPLICATION') {
      for (const a of plan.activities) {
        if (!a.deadline || a.progress === 'DONE' || a.deadline.getTime() - now.getTime() > ACTIVITY_HORIZON_MS) continue;
        tasks.push({ due: a.deadline, text: t('home:tasks.activity', { activity: clipText(a.activity, 80), due: date(a.deadline) }), buttons: [ui.openButton(t('home:buttons.progress'), 'plan:progress', a.id, 'primary')] });
      }
    }
  }
  for (const review of reviews) {
    const author = review.round.anonymous ? t('home:aPeer') : review.plan.author.displayName;
    tasks.push({ due: review.round.deadline, text: t('home:tasks.review', { author, cluster: review.round.cluster.code, deadline: dateTime(review.round.deadline) }), buttons: [ui.openButton(t('home:buttons.giveFeedback'), 'feedback:write', review.id, 'primary')] });
  }
  for (const m of memberOf) {
    // Feedback of a round no consolidated version answers yet: to read, take up or not, then consolidate,
    // before the application period begins (the consolidated plan is the one applied).
    const received = feedbackToConsider.filter(({ assignment: { roundId, plan } }) => plan.clusterId === m.cluster.id && !plan.versions.some((v) => v.answersRoundId === roundId)).length;
    if (!received) continue;
    const application = datedItemWithRole(m.cluster.timeline, 'APPLICATION');
    const text = application
      ? t('home:tasks.considerFeedback', { count: received, cluster: m.cluster.code, due: t('home:due', { date: formatStart(application, viewer, m.cluster.timeZone) }) })
      : t('home:tasks.considerFeedbackUndated', { count: received, cluster: m.cluster.code });
    tasks.push({ due: application?.startsAt ?? null, text, buttons: commandButtonIf(ctx, t('home:buttons.openFeedback'), 'feedback', 'primary') });
  }
  for (const p of runs) {
    tasks.push({ due: p.run.closesAt, text: t('home:tasks.questionnaire', { cluster: p.run.cluster.code, closes: dateTime(p.run.closesAt) }), buttons: [ui.openButton(t('home:buttons.answer'), 'survey:form', p.runId, 'primary')] });
  }
  for (const ask of questions) {
    const q = ask.question;
    const excerpt = clipText(q.text, 200);
    tasks.push({
      due: q.dueAt,
      text: t(q.urgent ? 'home:tasks.urgentQuestion' : 'home:tasks.question', { cluster: q.cluster.code, asked: dateTime(q.askedAt), text: excerpt }),
      buttons: [ui.openButton(t('home:buttons.answerQuestion'), QUESTION_ACTIONS.answer, q.id, 'primary'), ui.openButton(t('home:buttons.pass'), QUESTION_ACTIONS.pass, q.id)],
    });
  }
  const byCluster = <T,>(rows: T[], code: (row: T) => string) => [...rows.reduce((map, row) => map.set(code(row), (map.get(code(row)) ?? 0) + 1), new Map<string, number>())];
  for (const [cluster, count] of byCluster(registrations, (r) => r.assignedCluster?.code ?? '')) {
    tasks.push({ due: null, text: t('home:tasks.registrations', { cluster, count }), buttons: [ui.commandButton(t('home:buttons.members'), `members ${cluster}`, 'primary')] });
  }
  for (const [cluster, count] of byCluster(invitations, (m) => m.cluster.code)) {
    tasks.push({ due: null, text: t('home:tasks.invitations', { cluster, count }), buttons: [ui.commandButton(t('home:buttons.members'), `members ${cluster}`)] });
  }
  // A follow-on cluster's question (the message may not have reached them, or scrolled away): answer it here too.
  for (const q of await pendingFollowOns(db, person.id)) {
    tasks.push({ due: null, text: t('after:home.task', { code: q.code, followOn: q.followOn }), buttons: [ui.button(t('after:ask.yes', { followOn: q.followOn }), 'way-forward:join', q.clusterId, 'primary'), ui.button(t('after:ask.no'), 'way-forward:decline', q.clusterId)] });
  }
  // Soonest first; undated tasks (nothing forces a date on them) after the dated ones.
  return tasks.sort((a, b) => (a.due?.getTime() ?? Infinity) - (b.due?.getTime() ?? Infinity));
}

function clipText(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** An empty task list says what comes next and when, so "nothing" is never a dead end. */
function nothingWaiting(ctx: FlowContext, memberships: Awaited<ReturnType<typeof activeClusters>>, now: Date): string {
  const { t, person } = ctx;
  const viewer = { timeZone: person.timeZone, locale: person.locale };
  const next = memberships
    .flatMap((m) => upcoming(m.cluster.timeline, now, 1).map((item) => ({ item, cluster: m.cluster })))
    .sort((a, b) => a.item.startsAt.getTime() - b.item.startsAt.getTime())[0];
  if (!next) return t('home:noTasks');
  const when = next.item.allDay ? formatSpan(next.item, viewer, next.cluster.timeZone) : formatStart(next.item, viewer, next.cluster.timeZone);
  return t('home:noTasksNext', { what: itemTitle(t, next.item), cluster: next.cluster.code, when });
}

import type { Clock } from '../../core/clock.js';
import type { Db } from '../../core/db.js';
import { BotError, ErrorCode } from '../../core/errors.js';
import { translator } from '../../core/i18n.js';
import type { Logger } from '../../core/logger.js';
import { ui, type OutboundMessage } from '../../core/messages.js';
import type { Notifier } from '../../core/notifier.js';
import type { QuestionDeadlinePort } from './deadline-port.js';
import { answerForAsker, loadReader, movedForAsker, questionForAssignee, replyForAnswerer, type AskReason, type Reader } from './notices.js';
import { publicHolidayCalendar } from '../public-holidays.js';
import { DEFAULT_ESCALATION_POLICY, deadlineFor, effectiveWorkingHours, type EscalationPolicy } from './policy.js';
import { nextAssignee, rankCandidates } from './routing.js';

/** What the question lifecycle needs; flows pass their services, the deadline worker its own. */
export interface QuestionDeps {
  db: Db;
  clock: Clock;
  notifier: Notifier;
  /** Absent where no queue runs: then deadlines are stored but nothing escalates by itself. */
  deadlines?: QuestionDeadlinePort;
  policy?: EscalationPolicy;
  logger?: Logger;
}

const WAITING = ['OPEN', 'ESCALATED_TO_COORDINATOR'] as const;

/** Who has a question now, as returned to the flow that moved it. */
export interface Assignment {
  questionId: string;
  personId: string;
  displayName: string;
  role: 'RESOURCE_PERSON' | 'COORDINATOR';
  dueAt: Date | null;
  step: number;
}

/** Where a question's answers go back: the thread it was asked in, and whether many read it (a channel). */
export interface QuestionThread {
  threadKey: string;
  /** Asked in a channel or group conversation, not in the asker's own chat with the bot. */
  shared: boolean;
}

/** Reads the thread stored with a question (RoutedQuestion.threadRef is JSON, so it is checked). */
export function threadOf(threadRef: unknown): QuestionThread | undefined {
  const ref = threadRef as { threadKey?: unknown; shared?: unknown } | null;
  return typeof ref?.threadKey === 'string' && ref.threadKey.length > 0 ? { threadKey: ref.threadKey, shared: ref.shared === true } : undefined;
}

/**
 * Who reads what goes into a question's thread: in the asker's own chat, the asker; in a channel, everyone
 * there, so the cluster's language and time zone (docs/languages.md), whatever the asker or answerer reads.
 */
async function threadReader(db: Db, question: { clusterId: string; threadRef: unknown }, asker: Reader): Promise<Reader> {
  if (!threadOf(question.threadRef)?.shared) return asker;
  const cluster = await db.cluster.findUniqueOrThrow({ where: { id: question.clusterId }, select: { language: true, timeZone: true } });
  return { ...asker, locale: cluster.language, timeZone: cluster.timeZone };
}

/**
 * A member's question enters the system: stored with the thread to answer into, then put to the
 * best resource person (or, for a follow-up, to the person who answered the question it follows).
 * Returns who has it, or null when the cluster has nobody to ask.
 */
export async function askQuestion(
  deps: QuestionDeps,
  input: { askerId: string; clusterId: string; text: string; urgent: boolean; planRef?: string | null; thread?: QuestionThread; followUpOfId?: string },
): Promise<{ questionId: string; assignment: Assignment | null }> {
  // The same question again from the same member, still waiting: a retry after "try again in a moment" (the
  // first attempt was saved before something else failed). It is that question, not a second one.
  const again = await sameQuestionAgain(deps, input);
  if (again && again.step > 0) return { questionId: again.id, assignment: await currentAssignment(deps, again) };
  const question =
    again ??
    (await deps.db.routedQuestion.create({
    data: {
      clusterId: input.clusterId,
      askerId: input.askerId,
      text: input.text,
      urgent: input.urgent,
      planRef: input.planRef ?? null,
      threadRef: input.thread ? { threadKey: input.thread.threadKey, ...(input.thread.shared ? { shared: true } : {}) } : undefined,
      followUpOfId: input.followUpOfId ?? null,
      askedAt: deps.clock.now(),
    },
  }));
  let target: { personId: string; role: 'RESOURCE_PERSON' | 'COORDINATOR' } | null = null;
  let reason: AskReason = 'routed';
  if (input.followUpOfId) {
    const previous = await deps.db.questionAnswer.findFirst({ where: { questionId: input.followUpOfId, authorId: { not: null } }, orderBy: { createdAt: 'asc' } });
    const membership = previous?.authorId
      ? await deps.db.membership.findFirst({ where: { personId: previous.authorId, clusterId: input.clusterId, status: 'ACTIVE', role: { in: ['RESOURCE_PERSON', 'COORDINATOR'] } }, orderBy: { role: 'desc' } })
      : null;
    if (membership) {
      target = { personId: membership.personId, role: membership.role as 'RESOURCE_PERSON' | 'COORDINATOR' };
      reason = 'follow-up';
    }
  }
  target ??= await nextAssignee(deps.db, { clusterId: input.clusterId, text: await routingText(deps.db, question), questionId: question.id, askerId: input.askerId });
  if (!target) return { questionId: question.id, assignment: null };
  const assignment = await assign(deps, question.id, 0, target, reason);
  return { questionId: question.id, assignment };
}

/**
 * The deadline check of one step, run by the deadline worker. It re-reads the question and acts only
 * if the question still waits at that very step and its deadline has come; otherwise (answered,
 * passed on meanwhile, a duplicate or late job) it does nothing. "early" means the job fired before
 * the deadline (clock skew, a manual promote): the caller plans it again for `dueAt`.
 */
export async function checkDeadline(
  deps: QuestionDeps,
  questionId: string,
  step: number,
): Promise<{ outcome: 'stale' } | { outcome: 'early'; dueAt: Date } | { outcome: 'escalated'; assignment: Assignment } | { outcome: 'nobody-left' }> {
  const question = await deps.db.routedQuestion.findUnique({ where: { id: questionId } });
  if (!question || !WAITING.includes(question.status as (typeof WAITING)[number]) || question.step !== step) return { outcome: 'stale' };
  // A minute of tolerance: instances' clocks differ a little, and a job may fire a few ms early.
  if (question.dueAt && deps.clock.now().getTime() < question.dueAt.getTime() - 60_000) return { outcome: 'early', dueAt: question.dueAt };
  const target = await nextAssignee(deps.db, { clusterId: question.clusterId, text: await routingText(deps.db, question), questionId, askerId: question.askerId });
  if (!target) {
    // Everyone has been asked: the question stays with the last person, overdue, with no further check.
    deps.logger?.warn({ questionId, step }, 'question unanswered and everyone in the cluster has been asked');
    return { outcome: 'nobody-left' };
  }
  const assignment = await assign(deps, questionId, step, target, 'escalated');
  return assignment ? { outcome: 'escalated', assignment } : { outcome: 'stale' };
}

/** Resource persons of the question's cluster who have not been asked yet: whom the current one may pass it to. */
export async function passCandidates(deps: QuestionDeps, questionId: string, byPersonId: string) {
  const question = await requireCurrentAssignee(deps, questionId, byPersonId);
  return rankCandidates(deps.db, { clusterId: question.clusterId, role: 'RESOURCE_PERSON', text: await routingText(deps.db, question), questionId, excludePersonIds: question.askerId ? [question.askerId] : [] });
}

/** The person holding a question hands it to another resource person of the cluster who has not been asked. */
export async function passQuestion(deps: QuestionDeps, questionId: string, byPersonId: string, toPersonId: string): Promise<Assignment> {
  const question = await requireCurrentAssignee(deps, questionId, byPersonId);
  const allowed = await passCandidates(deps, questionId, byPersonId);
  if (!allowed.some((c) => c.personId === toPersonId)) throw new BotError(ErrorCode.InvalidInput, 'questions:errors.cannotPassTo');
  const assignment = await assign(deps, questionId, question.step, { personId: toPersonId, role: 'RESOURCE_PERSON' }, 'passed');
  if (!assignment) throw new BotError(ErrorCode.Conflict, 'questions:errors.movedMeanwhile');
  return assignment;
}

/** The resource person asks a coordinator to take the question (one not asked yet, fewest open questions first). */
export async function askCoordinator(deps: QuestionDeps, questionId: string, byPersonId: string): Promise<Assignment> {
  const question = await requireCurrentAssignee(deps, questionId, byPersonId);
  const [coordinator] = await rankCandidates(deps.db, { clusterId: question.clusterId, role: 'COORDINATOR', text: question.text, questionId, excludePersonIds: question.askerId ? [question.askerId] : [] });
  if (!coordinator) throw new BotError(ErrorCode.NotFound, 'questions:errors.noCoordinatorLeft');
  const assignment = await assign(deps, questionId, question.step, { personId: coordinator.personId, role: 'COORDINATOR' }, 'coordinator');
  if (!assignment) throw new BotError(ErrorCode.Conflict, 'questions:errors.movedMeanwhile');
  return assignment;
}

/**
 * Someone who was asked answers. The first answer closes the question's deadlines (the planned check
 * is cancelled, and would do nothing anyway); later answers (to the asker's reply) are added. Every
 * answer reaches the asker in the thread they asked in.
 */
export async function answerQuestion(deps: QuestionDeps, questionId: string, authorId: string, text: string): Promise<{ first: boolean; delivered: boolean }> {
  const question = await deps.db.routedQuestion.findUnique({ where: { id: questionId }, include: { asks: { where: { personId: authorId } } } });
  if (!question) throw new BotError(ErrorCode.NotFound, 'questions:errors.notFound');
  if (question.asks.length === 0) throw new BotError(ErrorCode.NotAllowed, 'questions:errors.notAskedToYou');
  if (question.status === 'CLOSED') throw new BotError(ErrorCode.Conflict, 'questions:errors.closed');
  const now = deps.clock.now();
  const first = await deps.db.$transaction(async (tx) => {
    await tx.questionAnswer.create({ data: { questionId, authorId, text, createdAt: now } });
    // Only the first answer flips the status: two people answering at once both get their answer delivered.
    const flipped = await tx.routedQuestion.updateMany({
      where: { id: questionId, status: { in: [...WAITING] } },
      // Consent given before the answer (e.g. a later version of the ask form) publishes it now.
      data: { status: 'ANSWERED', answeredAt: now, answerText: text, dueAt: null, inFaq: question.faqConsent },
    });
    return flipped.count === 1;
  });
  if (first) await deps.deadlines?.cancel(questionId, question.step);
  if (!question.askerId) return { first, delivered: false };
  const [asker, author] = await Promise.all([loadReader(deps.db, question.askerId), loadReader(deps.db, authorId)]);
  const reader = await threadReader(deps.db, question, asker);
  const message = answerForAsker({ id: questionId, text: question.text, threadKey: threadOf(question.threadRef)?.threadKey }, { authorName: author.displayName, text, first, offerFaq: first && !question.faqConsent }, reader);
  const result = await deps.notifier.notify(question.askerId, message);
  if (!result.delivered) deps.logger?.warn({ questionId, reason: result.reason }, 'answer could not be delivered to the asker');
  return { first, delivered: result.delivered };
}

/** The asker replies to an answer: the reply goes to whoever answered last, who can answer again. */
export async function replyToAnswer(deps: QuestionDeps, questionId: string, askerId: string, text: string): Promise<{ toName: string }> {
  const question = await requireAsker(deps, questionId, askerId);
  const last = await deps.db.questionAnswer.findFirst({ where: { questionId, authorId: { not: null } }, orderBy: { createdAt: 'desc' } });
  if (!last?.authorId) throw new BotError(ErrorCode.Conflict, 'questions:errors.notAnsweredYet');
  const [asker, answerer] = await Promise.all([loadReader(deps.db, askerId), loadReader(deps.db, last.authorId)]);
  await deps.notifier.notify(last.authorId, replyForAnswerer(question, { askerName: asker.displayName, text }, answerer));
  return { toName: answerer.displayName };
}

/** The asker marks the latest answer helpful; its author hears so (resource persons want to know what works). */
export async function markHelpful(deps: QuestionDeps, questionId: string, askerId: string): Promise<{ authorName: string | null }> {
  await requireAsker(deps, questionId, askerId);
  const last = await deps.db.questionAnswer.findFirst({ where: { questionId }, orderBy: { createdAt: 'desc' } });
  if (!last) throw new BotError(ErrorCode.Conflict, 'questions:errors.notAnsweredYet');
  if (last.helpful) return { authorName: last.authorId ? (await loadReader(deps.db, last.authorId)).displayName : null };
  await deps.db.questionAnswer.update({ where: { id: last.id }, data: { helpful: true } });
  if (!last.authorId) return { authorName: null };
  const [asker, author] = await Promise.all([loadReader(deps.db, askerId), loadReader(deps.db, last.authorId)]);
  await deps.notifier.notify(last.authorId, ui.text(translator(author.locale)('questions:toAssignee.helpful', { who: asker.displayName })));
  return { authorName: author.displayName };
}

/**
 * The asker's consent decides whether an answered question joins the cluster's FAQ (without the
 * asker's name). Saying no later takes it out again. Nothing is published without consent.
 */
export async function setFaqConsent(deps: QuestionDeps, questionId: string, askerId: string, consent: boolean): Promise<{ inFaq: boolean }> {
  const question = await requireAsker(deps, questionId, askerId);
  const inFaq = consent && question.answerText !== null;
  await deps.db.routedQuestion.update({ where: { id: questionId }, data: { faqConsent: consent, inFaq } });
  return { inFaq };
}

/** A follow-up: a new question linked to the first, put to the same resource person. */
export async function askFollowUp(deps: QuestionDeps, questionId: string, askerId: string, text: string) {
  const question = await requireAsker(deps, questionId, askerId);
  return askQuestion(deps, { askerId, clusterId: question.clusterId, text, urgent: question.urgent, planRef: question.planRef, thread: threadOf(question.threadRef), followUpOfId: questionId });
}

// ------------------------------------------------------------------------------------------ internals

/**
 * Puts the question to `target` as step `fromStep + 1`. The step counter is the lock: of two instances
 * moving the same question at once (a deadline job and a "pass" button), only the one that still sees
 * `fromStep` wins; the other gets null. The QuestionAsk primary key (question, person) makes asking
 * someone twice impossible even then.
 */
async function assign(
  deps: QuestionDeps,
  questionId: string,
  fromStep: number,
  target: { personId: string; role: 'RESOURCE_PERSON' | 'COORDINATOR' },
  reason: AskReason,
): Promise<Assignment | null> {
  const now = deps.clock.now();
  const person = await deps.db.person.findUniqueOrThrow({ where: { id: target.personId }, select: { id: true, displayName: true, timeZone: true, workingHours: true, country: true } });
  const question = await deps.db.routedQuestion.findUniqueOrThrow({ where: { id: questionId }, include: { cluster: { select: { workingHours: true } } } });
  const dueAt = deadlineFor(now, question.urgent, { timeZone: person.timeZone, workingHours: effectiveWorkingHours(person.workingHours, question.cluster.workingHours), isHoliday: publicHolidayCalendar(person.country) }, deps.policy ?? DEFAULT_ESCALATION_POLICY);
  const step = fromStep + 1;
  const won = await deps.db.$transaction(async (tx) => {
    const moved = await tx.routedQuestion.updateMany({
      where: { id: questionId, step: fromStep, status: { in: [...WAITING] } },
      data: { step, dueAt, ...(fromStep === 0 ? { firstDueAt: dueAt } : {}), ...(target.role === 'COORDINATOR' ? { status: 'ESCALATED_TO_COORDINATOR' } : {}) },
    });
    if (moved.count !== 1) return false;
    await tx.questionAsk.updateMany({ where: { questionId, passedAt: null }, data: { passedAt: now } });
    const already = await tx.questionAsk.findUnique({ where: { questionId_personId: { questionId, personId: target.personId } } });
    if (already) throw new Error(`question ${questionId} was already put to ${target.personId}`);
    await tx.questionAsk.create({ data: { questionId, personId: target.personId, askedAt: now, reason } });
    return true;
  });
  if (!won) return null;

  const told = await tellAssignee(deps, { ...question, dueAt }, target.personId, reason, target.role);
  let checkAt = dueAt;
  if (told === 'unreachable') {
    // Nobody can reach this person on any platform: the asker should not wait out a deadline for
    // nothing, so the check runs at once and moves the question on.
    deps.logger?.warn({ questionId, personId: target.personId }, 'question could not be delivered; moving it on now');
    checkAt = now;
    await deps.db.routedQuestion.updateMany({ where: { id: questionId, step }, data: { dueAt: now } });
  }
  // The move is saved: a queue (Redis) that is away must not turn it into "try again" (a retry would ask
  // twice). The reconciler plans the check from the question row (reconcileQuestions).
  if (fromStep > 0) await quietly(deps, 'cancel a question deadline', () => deps.deadlines?.cancel(questionId, fromStep));
  await quietly(deps, 'plan a question deadline', () => deps.deadlines?.plan(questionId, step, checkAt));
  if (reason !== 'routed' && reason !== 'follow-up' && question.askerId) {
    const reader = await threadReader(deps.db, question, await loadReader(deps.db, question.askerId));
    await quietly(deps, 'tell the asker their question moved', () =>
      deps.notifier.notify(question.askerId!, movedForAsker({ text: question.text, threadKey: threadOf(question.threadRef)?.threadKey }, { name: person.displayName, role: target.role, dueAt }, reader)),
    );
  }
  return { questionId, personId: person.id, displayName: person.displayName, role: target.role, dueAt, step };
}

/**
 * Tells the person a question was put to, after the move is saved. "told" and "unreachable" (no platform
 * can reach them) are settled and recorded on their QuestionAsk (notifiedAt); "later" means the delivery
 * failed for a moment (Redis or a platform away): the move stands, nobody is asked to retry, and the
 * reconciler tells them once it can (retellAssignees). Never throws: the question is safe in PostgreSQL.
 */
async function tellAssignee(
  deps: QuestionDeps,
  question: Parameters<typeof questionForAssignee>[1],
  personId: string,
  reason: AskReason,
  role: 'RESOURCE_PERSON' | 'COORDINATOR',
): Promise<'told' | 'unreachable' | 'later'> {
  try {
    const assignee = await loadReader(deps.db, personId);
    const result = await deps.notifier.notify(personId, await questionForAssignee(deps.db, question, assignee, reason, role));
    await deps.db.questionAsk.updateMany({ where: { questionId: question.id, personId, notifiedAt: null }, data: { notifiedAt: deps.clock.now() } });
    return result.delivered ? 'told' : 'unreachable';
  } catch (error) {
    deps.logger?.warn({ err: error, questionId: question.id, personId }, 'could not tell the person a question is theirs; the reconciler will');
    return 'later';
  }
}

/** Runs a step that may fail while a backing service is away, after what matters is saved; logs instead of throwing. */
async function quietly(deps: QuestionDeps, what: string, step: () => Promise<unknown> | undefined): Promise<void> {
  try {
    await step();
  } catch (error) {
    deps.logger?.warn({ err: error }, `could not ${what} now; the reconciler will catch up`);
  }
}

/** How long the same text from the same member counts as a retry of the same question. */
const RETRY_WINDOW_MS = 60 * 60_000;

async function sameQuestionAgain(deps: QuestionDeps, input: { askerId: string; clusterId: string; text: string; followUpOfId?: string }) {
  return deps.db.routedQuestion.findFirst({
    where: {
      askerId: input.askerId,
      clusterId: input.clusterId,
      text: input.text,
      followUpOfId: input.followUpOfId ?? null,
      status: { in: [...WAITING] },
      askedAt: { gte: new Date(deps.clock.now().getTime() - RETRY_WINDOW_MS) },
    },
    orderBy: { askedAt: 'desc' },
  });
}

/** Who has a waiting question now, as assign() would have said. */
async function currentAssignment(deps: QuestionDeps, question: { id: string; status: string; dueAt: Date | null; step: number }): Promise<Assignment | null> {
  const ask = await deps.db.questionAsk.findFirst({ where: { questionId: question.id, passedAt: null }, include: { person: { select: { displayName: true } } } });
  if (!ask) return null;
  const role = question.status === 'ESCALATED_TO_COORDINATOR' || ask.reason === 'coordinator' ? 'COORDINATOR' : 'RESOURCE_PERSON';
  return { questionId: question.id, personId: ask.personId, displayName: ask.person.displayName, role, dueAt: question.dueAt, step: question.step };
}

/**
 * The reconciler's share of questions (reconcileQuestions): people a question was put to while their
 * platform could not be reached for a moment are told now, once. An ask is claimed (notifiedAt set) before
 * sending, so several instances never tell the same person twice; a send that fails gives the claim back.
 * `graceMs`: asks younger than this are left to the request that made them, which may still be telling.
 */
export async function retellAssignees(deps: QuestionDeps, options: { graceMs?: number } = {}): Promise<{ told: number; failed: number }> {
  const now = deps.clock.now();
  const untold = await deps.db.questionAsk.findMany({
    where: { notifiedAt: null, passedAt: null, askedAt: { lt: new Date(now.getTime() - (options.graceMs ?? 60_000)) }, question: { status: { in: [...WAITING] } } },
    include: { question: true },
    take: 200,
  });
  let told = 0;
  let failed = 0;
  for (const ask of untold) {
    const { count } = await deps.db.questionAsk.updateMany({ where: { questionId: ask.questionId, personId: ask.personId, notifiedAt: null }, data: { notifiedAt: now } });
    if (count !== 1) continue;
    const q = ask.question;
    const role = q.status === 'ESCALATED_TO_COORDINATOR' || ask.reason === 'coordinator' ? 'COORDINATOR' : 'RESOURCE_PERSON';
    try {
      const assignee = await loadReader(deps.db, ask.personId);
      const result = await deps.notifier.notify(ask.personId, await questionForAssignee(deps.db, q, assignee, (ask.reason ?? 'routed') as AskReason, role));
      told++;
      if (!result.delivered) {
        // Nobody can reach them on any platform: as in assign(), the question moves on at once.
        await deps.db.routedQuestion.updateMany({ where: { id: q.id, step: q.step }, data: { dueAt: now } });
        await deps.deadlines?.plan(q.id, q.step, now);
      }
    } catch (error) {
      failed++;
      await deps.db.questionAsk.updateMany({ where: { questionId: ask.questionId, personId: ask.personId, notifiedAt: now }, data: { notifiedAt: null } });
      deps.logger?.warn({ err: error, questionId: q.id, personId: ask.personId }, 'still cannot tell the person a question is theirs');
      // The same service is most likely away for the rest too: try again on the next pass.
      break;
    }
  }
  return { told, failed };
}

/**
 * The reconciler's other share: every waiting question's deadline check is planned again from the
 * question row (step and dueAt), so checks lost with Redis (a restart, a flush, a plan that failed) come
 * back. Planning an existing (question, step) keeps the one there. Stops at the first failure (Redis away).
 */
export async function replanQuestionDeadlines(deps: QuestionDeps): Promise<number> {
  if (!deps.deadlines) return 0;
  const waiting = await deps.db.routedQuestion.findMany({ where: { status: { in: [...WAITING] }, step: { gt: 0 }, dueAt: { not: null } }, select: { id: true, step: true, dueAt: true } });
  for (const question of waiting) await deps.deadlines.plan(question.id, question.step, question.dueAt!);
  return waiting.length;
}

/** The text routing matches topics against: the question plus the linked plan section. */
async function routingText(db: Db, question: { text: string; planRef: string | null; askerId: string | null; clusterId: string }): Promise<string> {
  if (!question.planRef || question.planRef === 'goal') return question.text;
  const activity = await db.activity.findUnique({ where: { id: question.planRef }, select: { activity: true, challenges: true } });
  return [question.text, activity?.activity, activity?.challenges].filter(Boolean).join('\n');
}

async function requireCurrentAssignee(deps: QuestionDeps, questionId: string, personId: string) {
  const question = await deps.db.routedQuestion.findUnique({ where: { id: questionId }, include: { asks: { where: { personId } } } });
  if (!question) throw new BotError(ErrorCode.NotFound, 'questions:errors.notFound');
  if (!WAITING.includes(question.status as (typeof WAITING)[number])) throw new BotError(ErrorCode.Conflict, 'questions:errors.alreadyAnswered');
  const ask = question.asks[0];
  if (!ask) throw new BotError(ErrorCode.NotAllowed, 'questions:errors.notAskedToYou');
  if (ask.passedAt) throw new BotError(ErrorCode.Conflict, 'questions:errors.movedMeanwhile');
  return question;
}

async function requireAsker(deps: QuestionDeps, questionId: string, askerId: string) {
  const question = await deps.db.routedQuestion.findUnique({ where: { id: questionId } });
  if (!question) throw new BotError(ErrorCode.NotFound, 'questions:errors.notFound');
  if (question.askerId !== askerId) throw new BotError(ErrorCode.NotAllowed, 'questions:errors.notYourQuestion');
  return question;
}

import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../../core/db.js';
import { BotError, ErrorCode } from '../../core/errors.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { answerSchema, isVisible, type AnswerValue, type QuestionDefinition, type QuestionnaireDefinition } from './definition.js';
import { shuffle } from '../../core/shuffle.js';

/**
 * Questionnaire runs and answers: who is asked, how an answer is saved, and the anonymity rules.
 *
 * Anonymous runs (see docs/questionnaires.md): a Response has no respondentId. While the run is
 * open it carries respondentKey = HMAC(run secret, person id), so the same person finds and changes
 * their own answers; closing the run erases the secret and every key, after which nothing links
 * answers to anyone. RunParticipation says only that a person answered (for reminders), not when.
 * Responses and answers carry no timestamps, and every write (and the close) writes all of the
 * run's responses, answers and participations again, in random order with fresh random ids, in one
 * transaction: neither ids, row versions (xmin) nor physical order (ctid) follow who answered when.
 */

type Tx = Prisma.TransactionClient;

/** A run with its questionnaire definition and the database ids of its questions. */
export interface LoadedRun {
  id: string;
  clusterId: string;
  anonymous: boolean;
  minGroupSize: number;
  status: 'SCHEDULED' | 'OPEN' | 'CLOSED';
  opensAt: Date;
  closesAt: Date;
  /** The timeline item whose start opens it, when sent "at" one. */
  phaseItemId: string | null;
  answerKeySecret: string | null;
  maxReminders: number;
  questionnaireKey: string;
  definition: QuestionnaireDefinition;
  questionIds: Map<string, string>;
}

/** Loads a run and its definition; NotFound when it does not exist. */
export async function loadRun(db: Db | Tx, runId: string): Promise<LoadedRun> {
  const run = await db.questionnaireRun.findUnique({ where: { id: runId }, include: { questionnaire: { include: { questions: true } } } });
  if (!run) throw new BotError(ErrorCode.NotFound, 'errors.notFound', { what: { key: 'things.questionnaire' } });
  return {
    id: run.id,
    clusterId: run.clusterId,
    anonymous: run.anonymous,
    minGroupSize: run.minGroupSize,
    status: run.status,
    opensAt: run.opensAt,
    closesAt: run.closesAt,
    phaseItemId: run.phaseItemId,
    answerKeySecret: run.answerKeySecret,
    maxReminders: run.maxReminders,
    questionnaireKey: run.questionnaire.key,
    definition: run.questionnaire.definition as unknown as QuestionnaireDefinition,
    questionIds: new Map(run.questionnaire.questions.map((q) => [q.key, q.id])),
  };
}

/** True while members may answer: open and before the closing time. */
export function isAnswerable(run: Pick<LoadedRun, 'status' | 'closesAt'>, now: Date): boolean {
  return run.status === 'OPEN' && now < run.closesAt;
}

/** The key an anonymous response is found by while the run is open. */
export function respondentKey(secret: string, personId: string): string {
  return createHmac('sha256', secret).update(personId).digest('base64url');
}

/** Where the person's own response is, for either kind of run. Null when an anonymous run has lost its secret (closed). */
function ownResponseWhere(run: LoadedRun, personId: string): Prisma.ResponseWhereInput | null {
  if (!run.anonymous) return { runId: run.id, respondentId: personId };
  if (!run.answerKeySecret) return null;
  return { runId: run.id, respondentKey: respondentKey(run.answerKeySecret, personId) };
}

/** The person's own answers so far (to show and change them), keyed by question key. */
export async function ownAnswers(db: Db, run: LoadedRun, personId: string): Promise<Record<string, AnswerValue>> {
  const where = ownResponseWhere(run, personId);
  if (!where) return {};
  const response = await db.response.findFirst({ where, include: { answers: { include: { question: { select: { key: true } } } } } });
  return Object.fromEntries((response?.answers ?? []).map((a) => [a.question.key, a.value as AnswerValue]));
}

/** The questions to show, given the answers so far (conditions evaluated in order). */
export function visibleQuestions(definition: QuestionnaireDefinition, answers: Record<string, AnswerValue | undefined>): QuestionDefinition[] {
  return definition.questions.filter((q) => isVisible(q, answers));
}

/** Required questions still unanswered; empty means the response is complete. */
export function missingRequired(definition: QuestionnaireDefinition, answers: Record<string, AnswerValue | undefined>): QuestionDefinition[] {
  return visibleQuestions(definition, answers).filter((q) => q.required && answers[q.key] === undefined);
}

/** Refuses people who may not answer this run (closed, or not a member of its cluster nor asked). */
export async function requireAnswerer(db: Db, run: LoadedRun, personId: string, now: Date): Promise<void> {
  if (!isAnswerable(run, now)) throw new BotError(ErrorCode.Conflict, 'surveys:errors.closed');
  await requireRespondent(db, run, personId);
}

/** Refuses people the run was never for (not a member of its cluster nor asked), open or closed. */
export async function requireRespondent(db: Db, run: Pick<LoadedRun, 'id' | 'clusterId'>, personId: string): Promise<void> {
  const allowed = await db.membership.count({ where: { personId, clusterId: run.clusterId, status: 'ACTIVE', role: 'MEMBER' } });
  const invited = await db.runParticipation.count({ where: { runId: run.id, personId } });
  if (!allowed && !invited) throw new BotError(ErrorCode.NotAllowed, 'surveys:errors.notInvited');
}

/**
 * Saves (or, with undefined, clears) one answer at once, so nothing is lost if the person stops
 * half-way. Answers to questions that the change hides are removed, so they never count.
 * Returns every answer of the person after the change.
 */
export async function saveAnswers(db: Db, run: LoadedRun, personId: string, changes: Record<string, unknown>, now: Date): Promise<Record<string, AnswerValue>> {
  await requireAnswerer(db, run, personId, now);
  const checked: Record<string, AnswerValue | undefined> = {};
  for (const [key, value] of Object.entries(changes)) {
    const question = run.definition.questions.find((q) => q.key === key);
    if (!question) throw new BotError(ErrorCode.InvalidInput, 'surveys:errors.unknownQuestion', { key });
    if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) {
      checked[key] = undefined;
      continue;
    }
    const parsed = answerSchema(question).safeParse(value);
    if (!parsed.success) throw new BotError(ErrorCode.InvalidInput, 'surveys:errors.badAnswer', { question: key });
    checked[key] = parsed.data;
  }

  return db.$transaction(async (tx) => {
    // One writer per run at a time: an anonymous write rewrites every row of the run, so two writers
    // would wait on each other's rows (a deadlock); the lock also orders writes against closeRun,
    // so no answer (and no respondent key) can land after the run was closed.
    const [locked] = await tx.$queryRaw<{ status: string }[]>`SELECT "status" FROM "QuestionnaireRun" WHERE "id" = ${run.id} FOR UPDATE`;
    if (locked?.status !== 'OPEN') throw new BotError(ErrorCode.Conflict, 'surveys:errors.closed');
    const response = await findOrCreateResponse(tx, run, personId);
    const current = await answersOf(tx, response.id);
    const merged: Record<string, AnswerValue | undefined> = { ...current, ...checked };
    // Drop answers to questions the new answers hide, so results count only what was shown.
    for (const q of run.definition.questions) if (merged[q.key] !== undefined && !isVisible(q, merged)) merged[q.key] = undefined;
    for (const q of run.definition.questions) {
      const questionId = run.questionIds.get(q.key)!;
      const value = merged[q.key];
      if (value === undefined) {
        if (current[q.key] !== undefined) await tx.answer.deleteMany({ where: { responseId: response.id, questionId } });
      } else if (JSON.stringify(value) !== JSON.stringify(current[q.key])) {
        await tx.answer.upsert({
          where: { responseId_questionId: { responseId: response.id, questionId } },
          create: { id: randomUUID(), responseId: response.id, questionId, value },
          update: { value },
        });
      }
    }
    await tx.runParticipation.upsert({
      where: { runId_personId: { runId: run.id, personId } },
      create: { runId: run.id, personId, answered: true },
      update: { answered: true },
    });
    if (run.anonymous) await rewriteShuffled(tx, run.id, run.opensAt);
    else await tx.response.update({ where: { id: response.id }, data: { submittedAt: missingRequired(run.definition, merged).length ? null : now } });
    return Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)) as Record<string, AnswerValue>;
  });
}

async function findOrCreateResponse(tx: Tx, run: LoadedRun, personId: string) {
  const where = ownResponseWhere(run, personId);
  if (!where) throw new BotError(ErrorCode.Conflict, 'surveys:errors.closed');
  const existing = await tx.response.findFirst({ where, select: { id: true } });
  if (existing) return existing;
  const identity = run.anonymous ? { respondentKey: respondentKey(run.answerKeySecret!, personId) } : { respondentId: personId };
  // A random id, not a cuid: cuids grow with time and would tell the order people first answered.
  return tx.response.create({ data: { id: randomUUID(), runId: run.id, ...identity, ...(run.anonymous ? { updatedAt: run.opensAt } : {}) }, select: { id: true } });
}

async function answersOf(tx: Tx, responseId: string): Promise<Record<string, AnswerValue>> {
  const rows = await tx.answer.findMany({ where: { responseId }, include: { question: { select: { key: true } } } });
  return Object.fromEntries(rows.map((a) => [a.question.key, a.value as AnswerValue]));
}

/**
 * Writes every response, answer and participation row of an anonymous run again, inside the current
 * transaction (which holds the run's lock): deleted, then inserted in a fresh random order with fresh
 * random ids, one constant updatedAt and no submission time. A row's place on disk (ctid), its id,
 * its row version (xmin) and its times then say nothing about when, or in which order, people answered:
 * the newest writer's rows are no longer the last ones. Safe to repeat.
 */
export async function rewriteShuffled(tx: Tx, runId: string, opensAt: Date): Promise<void> {
  const responses = await tx.response.findMany({ where: { runId }, select: { id: true, respondentKey: true, answers: { select: { questionId: true, value: true } } } });
  const participations = await tx.runParticipation.findMany({ where: { runId }, select: { personId: true, answered: true, remindersSent: true } });
  await tx.response.deleteMany({ where: { runId } });
  await tx.runParticipation.deleteMany({ where: { runId } });
  const fresh = responses.map((r) => ({ ...r, id: randomUUID() }));
  // One statement per table: rows land on disk in the order given.
  if (fresh.length) {
    await tx.response.createMany({ data: shuffle(fresh).map((r) => ({ id: r.id, runId, respondentKey: r.respondentKey, submittedAt: null, updatedAt: opensAt })) });
    const answers = fresh.flatMap((r) => r.answers.map((a) => ({ id: randomUUID(), responseId: r.id, questionId: a.questionId, value: a.value as Prisma.InputJsonValue })));
    if (answers.length) await tx.answer.createMany({ data: shuffle(answers) });
  }
  if (participations.length) await tx.runParticipation.createMany({ data: shuffle(participations).map((p) => ({ runId, ...p })) });
}

// ------------------------------------------------------------------ creating, opening, closing

export interface NewRun {
  questionnaireKey: string;
  clusterId: string;
  createdById: string;
  /** "now", or the id of the timeline item whose start opens it. */
  when: 'now' | { itemId: string };
  closesAt: Date;
  anonymous: boolean;
  minGroupSize: number;
}

/** Creates a run; the caller opens it at once (when "now") or lets the scheduler open it at its phase. */
export async function createRun(db: Db, input: NewRun, now: Date) {
  const questionnaire = await db.questionnaire.findFirst({ where: { key: input.questionnaireKey }, orderBy: { version: 'desc' } });
  if (!questionnaire) throw new BotError(ErrorCode.NotFound, 'errors.notFound', { what: { key: 'things.questionnaire' } });
  let opensAt = now;
  if (input.when !== 'now') {
    const item = await db.timelineItem.findFirst({ where: { id: input.when.itemId, clusterId: input.clusterId, removedAt: null } });
    if (!item?.startsAt) throw new BotError(ErrorCode.InvalidInput, 'surveys:errors.noSuchPhase');
    opensAt = item.startsAt > now ? item.startsAt : now;
  }
  if (input.closesAt <= opensAt) throw new BotError(ErrorCode.InvalidInput, 'surveys:errors.closesBeforeOpen');
  return db.questionnaireRun.create({
    data: {
      questionnaireId: questionnaire.id,
      clusterId: input.clusterId,
      anonymous: input.anonymous,
      minGroupSize: input.minGroupSize,
      status: 'SCHEDULED',
      opensAt,
      closesAt: input.closesAt,
      phaseItemId: input.when === 'now' ? null : input.when.itemId,
      createdById: input.createdById,
    },
  });
}

/**
 * Opens a scheduled run: creates the anonymity secret, records who is asked (the active members),
 * and returns their ids for the invitation. Safe to call twice (a retried job): only the call
 * that moves it from SCHEDULED to OPEN returns people to invite.
 */
export async function openRun(db: Db, runId: string, now: Date): Promise<string[]> {
  return db.$transaction(async (tx) => {
    const run = await tx.questionnaireRun.findUnique({ where: { id: runId } });
    if (!run) return [];
    const { count } = await tx.questionnaireRun.updateMany({
      where: { id: runId, status: 'SCHEDULED' },
      data: { status: 'OPEN', opensAt: run.opensAt < now ? run.opensAt : now, answerKeySecret: run.anonymous ? randomBytes(32).toString('base64url') : null },
    });
    if (!count) return [];
    const members = await tx.membership.findMany({ where: { clusterId: run.clusterId, status: 'ACTIVE', role: 'MEMBER' }, select: { personId: true }, distinct: ['personId'] });
    await tx.runParticipation.createMany({ data: members.map((m) => ({ runId, personId: m.personId })), skipDuplicates: true });
    return members.map((m) => m.personId);
  });
}

/**
 * Closes a run: no more answers, and for an anonymous run the secret and every respondent key are
 * erased in the same transaction, so from then on nobody (not even a database administrator) can
 * tell whose answers are whose. Safe to repeat.
 */
export async function closeRun(db: Db, runId: string, now: Date): Promise<boolean> {
  return db.$transaction(async (tx) => {
    // The same lock as saveAnswers: no answer is half-written while the run closes.
    const [run] = await tx.$queryRaw<{ anonymous: boolean; opensAt: Date }[]>`SELECT "anonymous", "opensAt" FROM "QuestionnaireRun" WHERE "id" = ${runId} FOR UPDATE`;
    const { count } = await tx.questionnaireRun.updateMany({ where: { id: runId, status: { not: 'CLOSED' } }, data: { status: 'CLOSED', closedAt: now, answerKeySecret: null } });
    await tx.response.updateMany({ where: { runId, respondentKey: { not: null } }, data: { respondentKey: null } });
    // Once more in a new random order, now without keys: the rows of the last write are not its last rows.
    if (count > 0 && run?.anonymous) await rewriteShuffled(tx, runId, run.opensAt);
    return count > 0;
  });
}

/** Closes every open run whose closing time has passed (for the scheduler's periodic job). */
export async function closeDueRuns(db: Db, now: Date): Promise<string[]> {
  const due = await db.questionnaireRun.findMany({ where: { status: 'OPEN', closesAt: { lte: now } }, select: { id: true } });
  for (const run of due) await closeRun(db, run.id, now);
  return due.map((r) => r.id);
}

/** People asked in a run who have not answered and may still be reminded; counts the reminder. */
export async function takeReminderTargets(db: Db, runId: string, now: Date): Promise<string[]> {
  const run = await db.questionnaireRun.findUnique({ where: { id: runId } });
  if (!run || !isAnswerable(run, now)) return [];
  return db.$transaction(async (tx) => {
    // The run's lock: an anonymous run's participations are deleted and written again by each answer,
    // and an increment must not miss a row that is being rewritten.
    await tx.$queryRaw`SELECT 1 FROM "QuestionnaireRun" WHERE "id" = ${runId} FOR UPDATE`;
    const due = await tx.runParticipation.findMany({ where: { runId, answered: false, remindersSent: { lt: run.maxReminders } }, select: { personId: true } });
    const taken: string[] = [];
    for (const { personId } of due) {
      // Conditional increment: two workers reminding at once never exceed the limit.
      const { count } = await tx.runParticipation.updateMany({ where: { runId, personId, answered: false, remindersSent: { lt: run.maxReminders } }, data: { remindersSent: { increment: 1 } } });
      if (count) taken.push(personId);
    }
    return taken;
  });
}

/** Open runs a person is asked to answer, soonest closing first, with whether they have answered. */
export async function openRunsFor(db: Db, personId: string, now: Date) {
  const runs = await db.questionnaireRun.findMany({
    where: { status: 'OPEN', closesAt: { gt: now }, OR: [{ participations: { some: { personId } } }, { cluster: { memberships: { some: { personId, role: 'MEMBER', status: 'ACTIVE' } } } }] },
    include: { questionnaire: true, cluster: true, participations: { where: { personId } } },
    orderBy: { closesAt: 'asc' },
  });
  return runs.map((r) => ({
    id: r.id,
    title: (r.questionnaire.definition as unknown as QuestionnaireDefinition).title,
    clusterCode: r.cluster.code,
    closesAt: r.closesAt,
    anonymous: r.anonymous,
    answered: Boolean(r.participations[0]?.answered),
  }));
}

import { randomInt } from 'node:crypto';
import type { Db } from '../core/db.js';
import { BotError, ErrorCode } from '../core/errors.js';
import type { Platform } from '../generated/prisma/enums.js';

/** How long a link code can be used. */
export const LINK_CODE_TTL_MS = 10 * 60 * 1000;
/** Wrong codes a person may type per LINK_CODE_TTL_MS before they must wait: codes cannot be guessed. */
export const MAX_LINK_FAILURES = 5;
/** No 0/O, 1/I/L: people copy these codes by eye, often on a phone. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;

/** "abcd-2345" or "ABCD 2345" → "ABCD2345"; null when it cannot be a code at all. */
export function normaliseLinkCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  return code.length === CODE_LENGTH && [...code].every((c) => ALPHABET.includes(c)) ? code : null;
}

/** The code as shown to people: two groups of four. */
export function displayLinkCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * Makes a fresh code for a person on the platform where it is shown. Earlier codes of the person
 * are dropped, so only the latest one works.
 */
export async function createLinkCode(db: Db, personId: string, platform: Platform, now: Date): Promise<{ code: string; expiresAt: Date }> {
  const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
  await db.linkCode.deleteMany({ where: { OR: [{ personId }, { expiresAt: { lte: now } }] } });
  for (let attempt = 0; ; attempt++) {
    const code = Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    try {
      await db.linkCode.create({ data: { code, personId, platform, createdAt: now, expiresAt } });
      return { code, expiresAt };
    } catch (error) {
      // A collision with a live code is astronomically rare; try another, but never loop forever.
      if (attempt >= 3) throw error;
    }
  }
}

/**
 * Takes a live code, once: the single statement that deletes it also says whose it was, so of two
 * concurrent attempts exactly one gets the owner. Used both to link accounts (redeemLinkCode) and
 * to sign in to the web chat with a code from Slack or Teams (src/domain/web-sessions.ts).
 */
export async function claimLinkCode(db: Db, code: string, now: Date): Promise<{ personId: string; platform: Platform } | null> {
  const rows = await db.$queryRaw<{ personId: string; platform: Platform }[]>`
    DELETE FROM "LinkCode" WHERE code = ${code} AND "expiresAt" > ${now} RETURNING "personId", platform::text AS platform`;
  return rows[0] ?? null;
}

/** A successful link: who survived, how many memberships moved, and the clusters to re-plan. */
export type LinkOutcome = { merged: true; survivorId: string; movedMemberships: number; clusterIds: string[] };

/**
 * Redeems a code typed by `personId` on `platform`: the person who typed it and the person the
 * code was shown to become one person (the code's owner survives; the typer's accounts, clusters
 * and history move to it) in one transaction. Refuses, changing nothing, when the code is wrong,
 * expired, from the same platform, or when both people hold data that cannot be combined safely.
 */
export async function redeemLinkCode(db: Db, input: { personId: string; platform: Platform; code: string; now: Date }): Promise<LinkOutcome> {
  const { personId, platform, now } = input;
  const since = new Date(now.getTime() - LINK_CODE_TTL_MS);
  const failures = await db.linkFailure.count({ where: { personId, failedAt: { gt: since } } });
  if (failures >= MAX_LINK_FAILURES) throw new BotError(ErrorCode.NotAllowed, 'link:tooManyTries', { minutes: LINK_CODE_TTL_MS / 60_000 });

  const code = normaliseLinkCode(input.code);
  const row = code ? await db.linkCode.findUnique({ where: { code } }) : null;
  if (!row || row.expiresAt <= now) {
    await db.linkFailure.create({ data: { personId, failedAt: now } });
    throw new BotError(ErrorCode.NotFound, 'link:unknownCode');
  }
  if (row.personId === personId) throw new BotError(ErrorCode.InvalidInput, 'link:sameAccount');
  if (row.platform === platform) throw new BotError(ErrorCode.InvalidInput, 'link:samePlatform', { platform: row.platform });

  return db.$transaction(async (tx) => {
    // Single use: whoever deletes the row first links; a second, concurrent attempt finds nothing.
    if (!(await claimLinkCode(tx as unknown as Db, row.code, now))) throw new BotError(ErrorCode.NotFound, 'link:unknownCode');
    return mergePeople(tx as unknown as Db, { survivorId: row.personId, absorbedId: personId });
  });
}

/**
 * Moves everything of `absorbedId` to `survivorId` and deletes the absorbed person. Must run in a
 * transaction. Data that exists once per person and cluster/programme/run (a registration, a plan,
 * a questionnaire answer) cannot be combined without losing something, so such a clash refuses.
 */
export async function mergePeople(tx: Db, { survivorId, absorbedId }: { survivorId: string; absorbedId: string }): Promise<LinkOutcome> {
  const [survivor, absorbed] = await Promise.all([
    tx.person.findUniqueOrThrow({ where: { id: survivorId } }),
    tx.person.findUniqueOrThrow({ where: { id: absorbedId } }),
  ]);
  if (survivor.erasedAt || absorbed.erasedAt) throw new BotError(ErrorCode.Conflict, 'link:erased');

  const clash = await findClash(tx, survivorId, absorbedId);
  if (clash) throw new BotError(ErrorCode.Conflict, 'link:clash', { what: clash });

  const memberships = await tx.membership.findMany({ where: { personId: absorbedId } });
  let movedMemberships = 0;
  for (const m of memberships) {
    const twin = await tx.membership.findUnique({ where: { personId_clusterId_role: { personId: survivorId, clusterId: m.clusterId, role: m.role } } });
    if (twin) {
      // Same role in the same cluster: keep the stronger status (ACTIVE beats INVITED).
      if (twin.status !== 'ACTIVE' && m.status === 'ACTIVE') await tx.membership.update({ where: { id: twin.id }, data: { status: 'ACTIVE' } });
      await tx.membership.delete({ where: { id: m.id } });
    } else {
      await tx.membership.update({ where: { id: m.id }, data: { personId: survivorId } });
      movedMemberships++;
    }
  }
  await tx.platformIdentity.updateMany({ where: { personId: absorbedId }, data: { personId: survivorId } });
  await tx.registration.updateMany({ where: { personId: absorbedId }, data: { personId: survivorId } });
  await tx.actionPlan.updateMany({ where: { authorId: absorbedId }, data: { authorId: survivorId } });
  await tx.feedbackAssignment.updateMany({ where: { reviewerId: absorbedId }, data: { reviewerId: survivorId } });
  await tx.runParticipation.updateMany({ where: { personId: absorbedId }, data: { personId: survivorId } });
  await tx.response.updateMany({ where: { respondentId: absorbedId }, data: { respondentId: survivorId } });
  await tx.routedQuestion.updateMany({ where: { askerId: absorbedId }, data: { askerId: survivorId } });
  await tx.questionAnswer.updateMany({ where: { authorId: absorbedId }, data: { authorId: survivorId } });
  await tx.timelineChange.updateMany({ where: { changedById: absorbedId }, data: { changedById: survivorId } });
  await tx.goodPracticeVersion.updateMany({ where: { authorId: absorbedId }, data: { authorId: survivorId } });
  // Asked twice the same question: the survivor's record is kept.
  const asks = await tx.questionAsk.findMany({ where: { personId: absorbedId } });
  for (const ask of asks) {
    const twin = await tx.questionAsk.findUnique({ where: { questionId_personId: { questionId: ask.questionId, personId: survivorId } } });
    if (!twin) await tx.questionAsk.create({ data: { ...ask, personId: survivorId } });
  }
  // Open conversations of the absorbed account are dropped where the survivor has one of the same flow.
  const survivorFlows = (await tx.flowState.findMany({ where: { personId: survivorId }, select: { flow: true } })).map((f) => f.flow);
  await tx.flowState.deleteMany({ where: { personId: absorbedId, flow: { in: survivorFlows } } });
  await tx.flowState.updateMany({ where: { personId: absorbedId }, data: { personId: survivorId } });
  // Planned nudges are rebuilt for the survivor by the scheduler (the callers announce the clusters);
  // the absorbed person's rows go with it (cascade).
  await tx.person.delete({ where: { id: absorbedId } });
  await tx.person.update({
    where: { id: survivorId },
    data: {
      email: survivor.email ?? absorbed.email,
      organisationId: survivor.organisationId ?? absorbed.organisationId,
      position: survivor.position ?? absorbed.position,
      country: survivor.country ?? absorbed.country,
      isDemo: survivor.isDemo && absorbed.isDemo,
    },
  });
  const clusterIds = [...new Set(memberships.map((m) => m.clusterId))];
  return { merged: true, survivorId, movedMemberships, clusterIds };
}

/** The first kind of once-per-person data both people hold for the same thing, as an i18n key. */
async function findClash(tx: Db, a: string, b: string): Promise<string | null> {
  const twoOf = async (rows: { k: string }[]) => rows.length !== new Set(rows.map((r) => r.k)).size;
  const regs = await tx.registration.findMany({ where: { personId: { in: [a, b] } }, select: { programmeId: true } });
  if (await twoOf(regs.map((r) => ({ k: r.programmeId })))) return 'registration';
  const plans = await tx.actionPlan.findMany({ where: { authorId: { in: [a, b] } }, select: { clusterId: true } });
  if (await twoOf(plans.map((p) => ({ k: p.clusterId })))) return 'plan';
  const reviews = await tx.feedbackAssignment.findMany({ where: { reviewerId: { in: [a, b] } }, select: { roundId: true, planId: true } });
  if (await twoOf(reviews.map((r) => ({ k: `${r.roundId}:${r.planId}` })))) return 'feedback';
  const runs = await tx.runParticipation.findMany({ where: { personId: { in: [a, b] } }, select: { runId: true } });
  if (await twoOf(runs.map((r) => ({ k: r.runId })))) return 'questionnaire';
  const responses = await tx.response.findMany({ where: { respondentId: { in: [a, b] } }, select: { runId: true } });
  if (await twoOf(responses.map((r) => ({ k: r.runId })))) return 'questionnaire';
  return null;
}

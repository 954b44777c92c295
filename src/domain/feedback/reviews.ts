import type { Db } from '../../core/db.js';
import { BotError, ErrorCode } from '../../core/errors.js';
import { extractSuggestions, hasAnyText, readContent, type FeedbackContent, type FeedbackSection } from './content.js';

/** The assignment a reviewer works on, with the plan the form is built from. Only the reviewer may open it. */
export async function reviewerAssignment(db: Db, assignmentId: string, reviewerId: string) {
  const assignment = await db.feedbackAssignment.findUnique({
    where: { id: assignmentId },
    include: {
      round: { include: { cluster: true } },
      plan: { include: { author: true, activities: { orderBy: { position: 'asc' } } } },
      feedback: true,
    },
  });
  if (!assignment || assignment.reviewerId !== reviewerId) throw new BotError(ErrorCode.NotFound, 'feedback:write.notFound');
  if (assignment.round.status === 'PREVIEW') throw new BotError(ErrorCode.NotFound, 'feedback:write.notFound');
  return assignment;
}
/** An assignment with its round, plan (and activities) and draft, as the form needs it. */
export type ReviewerAssignment = Awaited<ReturnType<typeof reviewerAssignment>>;

/**
 * Autosave: merges one page of the form (the goal, one activity, or the rating) into the draft.
 * Submitted feedback is final, so a late page is refused instead of silently changing what the author read.
 */
export async function saveDraft(db: Db, assignmentId: string, reviewerId: string, patch: { target?: string; section?: FeedbackSection; rating?: number | null }) {
  const assignment = await reviewerAssignment(db, assignmentId, reviewerId);
  if (assignment.status === 'SUBMITTED') throw new BotError(ErrorCode.Conflict, 'feedback:write.alreadySubmitted');
  const content: FeedbackContent = readContent(assignment.feedback?.content);
  if (patch.target === 'goal' && patch.section) content.goal = patch.section;
  else if (patch.target && patch.section) content.activities[patch.target] = patch.section;
  const rating = patch.rating === undefined ? (assignment.feedback?.rating ?? null) : patch.rating;
  await db.$transaction([
    db.feedback.upsert({
      where: { assignmentId },
      create: { assignmentId, content: content as object, rating },
      update: { content: content as object, rating },
    }),
    db.feedbackAssignment.update({ where: { id: assignmentId }, data: { status: 'IN_PROGRESS' } }),
  ]);
  return content;
}

/**
 * Submits the feedback: checks the "at least one comment" rule, turns each suggestion line into a
 * markable FeedbackSuggestion, and freezes it. Returns the feedback id, or null when it was already
 * submitted (a double press from two devices submits once).
 */
export async function submitFeedback(db: Db, assignmentId: string, reviewerId: string, now: Date): Promise<string | null> {
  const assignment = await reviewerAssignment(db, assignmentId, reviewerId);
  if (assignment.status === 'SUBMITTED') return null;
  const content = readContent(assignment.feedback?.content);
  if (!assignment.feedback || !hasAnyText(content)) throw new BotError(ErrorCode.InvalidInput, 'feedback:write.empty');
  const feedbackId = assignment.feedback.id;
  return db.$transaction(async (tx) => {
    const { count } = await tx.feedbackAssignment.updateMany({ where: { id: assignmentId, status: { not: 'SUBMITTED' } }, data: { status: 'SUBMITTED' } });
    if (count === 0) return null;
    await tx.feedback.update({ where: { id: feedbackId }, data: { submittedAt: now } });
    await tx.feedbackSuggestion.createMany({ data: extractSuggestions(content).map((s) => ({ feedbackId, ...s })) });
    return feedbackId;
  });
}

/** Claims delivery of one piece of feedback; true for exactly one caller (several instances may race). */
export async function claimDelivery(db: Db, feedbackId: string, now: Date): Promise<boolean> {
  const { count } = await db.feedback.updateMany({ where: { id: feedbackId, deliveredAt: null, submittedAt: { not: null } }, data: { deliveredAt: now } });
  return count === 1;
}

/** One delivered piece of feedback as its plan's author sees it. Only the author (or the reviewer) may read it. */
export async function feedbackForReader(db: Db, feedbackId: string, personId: string) {
  const feedback = await db.feedback.findUnique({
    where: { id: feedbackId },
    include: {
      suggestions: { orderBy: { id: 'asc' } },
      replies: { orderBy: { createdAt: 'asc' } },
      assignment: { include: { reviewer: true, round: { include: { cluster: true } }, plan: { include: { author: true, activities: { orderBy: { position: 'asc' } } } } } },
    },
  });
  if (!feedback) throw new BotError(ErrorCode.NotFound, 'feedback:view.notFound');
  const isAuthor = feedback.assignment.plan.authorId === personId;
  const isReviewer = feedback.assignment.reviewerId === personId;
  if (!(isAuthor && feedback.deliveredAt) && !isReviewer) throw new BotError(ErrorCode.NotFound, 'feedback:view.notFound');
  return { feedback, isAuthor, isReviewer };
}
/** A piece of feedback with everything its rendering needs. */
export type ReaderFeedback = Awaited<ReturnType<typeof feedbackForReader>>['feedback'];

/** The author marks a suggestion as taken up or not (they may change their mind until they consolidate). */
export async function markSuggestion(db: Db, suggestionId: string, authorId: string, takenUp: boolean) {
  const suggestion = await db.feedbackSuggestion.findUnique({
    where: { id: suggestionId },
    include: { feedback: { include: { assignment: { include: { plan: true } } } } },
  });
  if (!suggestion || suggestion.feedback.assignment.plan.authorId !== authorId || !suggestion.feedback.deliveredAt) {
    throw new BotError(ErrorCode.NotFound, 'feedback:view.notFound');
  }
  await db.feedbackSuggestion.update({ where: { id: suggestionId }, data: { takenUp } });
  return suggestion.feedback.id;
}

/** Adds a message to the thread under a piece of feedback, from the author or the reviewer. */
export async function addReply(db: Db, feedbackId: string, personId: string, text: string) {
  const { feedback, isAuthor } = await feedbackForReader(db, feedbackId, personId);
  if (!feedback.deliveredAt) throw new BotError(ErrorCode.NotFound, 'feedback:view.notFound');
  await db.feedbackReply.create({ data: { feedbackId, fromAuthor: isAuthor, text } });
  return { feedback, fromAuthor: isAuthor };
}

/** The reviewer's label as the author sees it: "Reviewer 2" in an anonymous round (never the name or id). */
export function reviewerIndex(assignments: { id: string }[], assignmentId: string): number {
  return [...assignments].sort((a, b) => a.id.localeCompare(b.id)).findIndex((a) => a.id === assignmentId) + 1;
}

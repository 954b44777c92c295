import { z } from 'zod';

/** What a reviewer writes about one part of a plan (the goal, or one activity). All optional. */
export const sectionSchema = z.object({
  strengths: z.string().max(2000).optional(),
  questions: z.string().max(2000).optional(),
  suggestions: z.string().max(2000).optional(),
});
/** One section of feedback (strengths, questions, suggestions). */
export type FeedbackSection = z.infer<typeof sectionSchema>;

/**
 * The shape of Feedback.content: the goal and each activity (by activity id). Validated whenever it is
 * read, so a hand-edited or older row can never crash a flow.
 */
export const feedbackContentSchema = z.object({
  goal: sectionSchema.default({}),
  activities: z.record(z.string(), sectionSchema).default({}),
});
/** The whole of Feedback.content, after validation. */
export type FeedbackContent = z.infer<typeof feedbackContentSchema>;

/** The three comment kinds of every plan part, in the order the form shows them. */
export const SECTION_KEYS = ['strengths', 'questions', 'suggestions'] as const;

/** Reads stored content, falling back to empty for anything unreadable. */
export function readContent(value: unknown): FeedbackContent {
  const parsed = feedbackContentSchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : { goal: {}, activities: {} };
}

/** The "at least one comment overall" rule of the form. */
export function hasAnyText(content: FeedbackContent): boolean {
  return [content.goal, ...Object.values(content.activities)].some((section) => SECTION_KEYS.some((key) => section[key]?.trim()));
}

/**
 * Each suggestion the author can mark as taken up or not: one per line of a suggestions field
 * (a leading "- " or "* " is dropped), so a reviewer's list becomes separate, markable items.
 */
export function extractSuggestions(content: FeedbackContent): { target: string; text: string }[] {
  const split = (text: string | undefined) =>
    (text ?? '')
      .split(/\r?\n/)
      .map((line) => line.replace(/^\s*[-*•]\s*/, '').trim())
      .filter(Boolean);
  return [
    ...split(content.goal.suggestions).map((text) => ({ target: 'goal', text })),
    ...Object.entries(content.activities).flatMap(([activityId, section]) => split(section.suggestions).map((text) => ({ target: activityId, text }))),
  ];
}

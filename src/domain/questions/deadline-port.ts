/**
 * What question code tells whoever keeps deadlines (a BullMQ queue in production). Domain code and
 * flows plan and cancel checks through this port and never see BullMQ. Not part of the contract on
 * purpose: retries, job ids and queue names; and exactly-once, because a check re-reads the question
 * before acting, so a check that fires twice or too late does nothing.
 */
export interface QuestionDeadlinePort {
  /** Plans the check of `step` of a question at `dueAt`. Planning the same (question, step) twice keeps one check. */
  plan(questionId: string, step: number, dueAt: Date): Promise<void>;
  /** Forgets a planned check. Best effort: a check that still fires finds the question moved on and does nothing. */
  cancel(questionId: string, step: number): Promise<void>;
}

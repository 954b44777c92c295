import type { FlowContext } from '../../src/core/flow.js';
import type { QuestionDeps } from '../../src/domain/questions/lifecycle.js';

/** The question lifecycle's dependencies, taken from a flow's services. */
export function questionDeps(ctx: FlowContext): QuestionDeps {
  const { db, clock, notifier, questionDeadlines } = ctx.services;
  return { db, clock, notifier, deadlines: questionDeadlines };
}

/** Question ids travel in button values and form ids; anything else is refused before it reaches the database. */
export const QUESTION_ID = /^[A-Za-z0-9_-]{1,64}$/;

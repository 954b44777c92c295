import { BotError, ErrorCode } from '../../src/core/errors.js';
import type { FlowContext } from '../../src/core/flow.js';
import { formatShortTime } from '../../src/core/format.js';
import { escapeMarkup } from '../../src/core/markup.js';
import { ui, type Block, type OutboundMessage } from '../../src/core/messages.js';
import { QUESTION_ACTIONS } from '../../src/domain/questions/notices.js';
import { clip } from '../plan/render.js';

/** Action id of the question as it stands; the current view of an answer sent (a repeated "Send answer" shows it). */
export const QUESTION_VIEW = 'questions:view';

/** How much of each answer the view shows: the whole went to the asker; this is the record. */
const ANSWER_SHOWN = 600;

/**
 * One question as it stands now: who asked it and when, and every answer with who gave it and when.
 * Read-only, for the people it concerns: those it was put to, the asker, and whoever answered it.
 */
export async function questionView(ctx: FlowContext, id: string): Promise<OutboundMessage> {
  const { t, person } = ctx;
  const question = await ctx.services.db.routedQuestion.findUnique({
    where: { id },
    include: {
      cluster: { select: { code: true } },
      asker: { select: { displayName: true } },
      asks: { where: { personId: person.id }, select: { personId: true, passedAt: true } },
      answers: { orderBy: { createdAt: 'asc' }, include: { author: { select: { displayName: true } } } },
    },
  });
  if (!question) throw new BotError(ErrorCode.NotFound, 'questions:errors.notFound');
  const concerned = question.asks.length > 0 || question.askerId === person.id || question.answers.some((a) => a.authorId === person.id);
  if (!concerned) throw new BotError(ErrorCode.NotAllowed, 'questions:errors.notAskedToYou');

  const when = (d: Date) => formatShortTime(d, ctx.services.clock.now(), person.timeZone, person.locale);
  const asked = { cluster: question.cluster.code, when: when(question.askedAt) };
  const blocks: Block[] = [
    ui.heading(t('questions:view.title')),
    ui.context(question.askerId === person.id ? t('questions:view.askedByYou', asked) : t('questions:view.asked', { ...asked, who: question.asker?.displayName ?? t('questions:formerMember') })),
    ui.paragraph(escapeMarkup(clip(question.text, 500))),
  ];
  if (!question.answers.length) blocks.push(ui.context(t(question.status === 'CLOSED' ? 'questions:view.closed' : 'questions:view.notAnswered')));
  for (const answer of question.answers) {
    const by = answer.authorId === person.id ? t('questions:view.answeredByYou', { when: when(answer.createdAt) }) : t('questions:view.answeredBy', { who: answer.author?.displayName ?? t('questions:formerMember'), when: when(answer.createdAt) });
    blocks.push(ui.paragraph(`**${by}**\n${escapeMarkup(clip(answer.text, ANSWER_SHOWN))}`));
  }
  // Still put to me: I can answer (again); the list of my questions is one press away either way.
  const mine = question.asks.some((a) => !a.passedAt) && question.status !== 'CLOSED';
  const buttons = [ui.commandButton(t('questions:list.title'), 'questions')];
  if (mine) buttons.unshift(ui.openButton(t('questions:buttons.answerAgain'), QUESTION_ACTIONS.answer, question.id));
  blocks.push(ui.actions(...buttons));
  return ui.message(t('questions:view.title'), blocks, { ephemeral: true });
}

import { escapeMarkup } from '../../core/markup.js';
import type { Db } from '../../core/db.js';
import { formatDateTime } from '../../core/format.js';
import { formatStoredDay } from '../calendar.js';
import { translator, type Translate } from '../../core/i18n.js';
import { ui, type Block, type OutboundMessage } from '../../core/messages.js';

/** Why a question reaches someone; it changes the first line they read. */
export type AskReason = 'routed' | 'passed' | 'escalated' | 'coordinator' | 'follow-up';

/** Action ids of the buttons on question messages, handled by flows/questions/respond.ts. */
export const QUESTION_ACTIONS = {
  answer: 'questions:answer',
  pass: 'questions:pass',
  passTo: 'questions:passTo',
  coordinator: 'questions:coordinator',
  helpful: 'questions:helpful',
  reply: 'questions:reply',
  followUp: 'questions:followup',
  faqYes: 'questions:faqYes',
  faqNo: 'questions:faqNo',
} as const;

/** A recipient as messages need them: their language and zone. */
export interface Reader {
  id: string;
  displayName: string;
  locale: string;
  timeZone: string;
}

export async function loadReader(db: Db, personId: string): Promise<Reader> {
  return db.person.findUniqueOrThrow({ where: { id: personId }, select: { id: true, displayName: true, locale: true, timeZone: true } });
}

/**
 * The linked section of the asker's action plan, as a short text for the person who answers:
 * the goal, or one activity with its deadline, challenges and resources. Null when nothing is linked
 * or the link no longer points at anything (the member may have deleted the activity).
 */
export async function planContext(db: Db, question: { askerId: string | null; clusterId: string; planRef: string | null }, t: Translate, locale: string): Promise<string | null> {
  if (!question.planRef || !question.askerId) return null;
  const plan = await db.actionPlan.findUnique({
    where: { clusterId_authorId: { clusterId: question.clusterId, authorId: question.askerId } },
    include: { activities: { orderBy: { position: 'asc' } } },
  });
  if (!plan) return null;
  if (question.planRef === 'goal') {
    const parts = [plan.goal && `${t('questions:context.goal')}: ${escapeMarkup(plan.goal)}`, plan.change && `${t('questions:context.change')}: ${escapeMarkup(plan.change)}`, plan.targetGroup && `${t('questions:context.targetGroup')}: ${escapeMarkup(plan.targetGroup)}`];
    return parts.filter(Boolean).join('\n') || null;
  }
  const index = plan.activities.findIndex((a) => a.id === question.planRef);
  if (index < 0) return null;
  const a = plan.activities[index];
  const lines = [
    `**${t('questions:context.activity', { n: index + 1 })}**: ${escapeMarkup(a.activity)}`,
    a.deadline && `- ${t('questions:context.deadline')}: ${formatStoredDay(a.deadline, locale)}`,
    a.challenges && `- ${t('questions:context.challenges')}: ${escapeMarkup(a.challenges)}`,
    a.resources && `- ${t('questions:context.resources')}: ${escapeMarkup(a.resources)}`,
  ];
  return lines.filter(Boolean).join('\n');
}

/** The message a resource person or coordinator gets: the question, who asks, its context, the deadline, and what they can do. */
export async function questionForAssignee(
  db: Db,
  question: { id: string; text: string; urgent: boolean; dueAt: Date | null; askerId: string | null; clusterId: string; planRef: string | null },
  assignee: Reader,
  reason: AskReason,
  role: 'RESOURCE_PERSON' | 'COORDINATOR',
): Promise<OutboundMessage> {
  const t = translator(assignee.locale);
  const cluster = await db.cluster.findUniqueOrThrow({ where: { id: question.clusterId }, select: { code: true, name: true } });
  const asker = question.askerId
    ? await db.person.findUnique({ where: { id: question.askerId }, select: { displayName: true, organisation: { select: { name: true } } } })
    : null;
  const who = asker ? (asker.organisation ? `${asker.displayName} (${asker.organisation.name})` : asker.displayName) : t('questions:formerMember');
  const intro = t(`questions:toAssignee.${reason}`, { who, cluster: `${cluster.code}: ${cluster.name}` });
  const blocks: Block[] = [ui.paragraph(`${question.urgent ? `**${t('questions:urgentTag')}** ` : ''}${intro}`), ui.paragraph(escapeMarkup(question.text))];
  const context = await planContext(db, question, t, assignee.locale);
  if (context) blocks.push(ui.context(`${t('questions:context.title')}\n${context}`));
  if (question.dueAt) blocks.push(ui.context(t('questions:toAssignee.due', { when: formatDateTime(question.dueAt, assignee.timeZone, assignee.locale) })));
  const buttons = [ui.openButton(t('questions:buttons.answer'), QUESTION_ACTIONS.answer, question.id, 'primary')];
  if (role === 'RESOURCE_PERSON') {
    buttons.push(ui.openButton(t('questions:buttons.pass'), QUESTION_ACTIONS.pass, question.id));
    buttons.push(ui.button(t('questions:buttons.coordinator'), QUESTION_ACTIONS.coordinator, question.id));
  }
  blocks.push(ui.actions(...buttons));
  return ui.message(`${intro} ${escapeMarkup(question.text)}`, blocks);
}

/**
 * The answer as the asker gets it, in the thread they asked in, with what they can do next. `reader` is
 * the asker, or the cluster's language and zone when that thread is a channel (lifecycle's threadReader).
 */
export function answerForAsker(
  question: { id: string; text: string; threadKey?: string },
  answer: { authorName: string; text: string; first: boolean; offerFaq: boolean },
  reader: Reader,
): OutboundMessage {
  const t = translator(reader.locale);
  const intro = t(answer.first ? 'questions:toAsker.answered' : 'questions:toAsker.answeredAgain', { who: answer.authorName });
  const blocks: Block[] = [ui.paragraph(`**${intro}**`), ui.context(escapeMarkup(question.text)), ui.paragraph(escapeMarkup(answer.text))];
  blocks.push(
    ui.actions(
      ui.button(t('questions:buttons.helpful'), QUESTION_ACTIONS.helpful, question.id, 'primary'),
      ui.openButton(t('questions:buttons.reply'), QUESTION_ACTIONS.reply, question.id),
      ui.openButton(t('questions:buttons.followUp'), QUESTION_ACTIONS.followUp, question.id),
    ),
  );
  if (answer.offerFaq) {
    blocks.push(ui.paragraph(t('questions:toAsker.faqOffer')));
    blocks.push(ui.actions(ui.button(t('questions:buttons.faqYes'), QUESTION_ACTIONS.faqYes, question.id), ui.button(t('questions:buttons.faqNo'), QUESTION_ACTIONS.faqNo, question.id)));
  }
  return ui.message(`${intro} ${escapeMarkup(answer.text)}`, blocks, { locale: reader.locale, ...(question.threadKey ? { threadKey: question.threadKey } : {}) });
}

/** Tells the asker who has the question now, in their thread (for `reader`, see answerForAsker), so silence never leaves them guessing. */
export function movedForAsker(question: { text: string; threadKey?: string }, to: { name: string; role: 'RESOURCE_PERSON' | 'COORDINATOR'; dueAt: Date | null }, reader: Reader): OutboundMessage {
  const t = translator(reader.locale);
  const text = t('questions:toAsker.moved', { who: to.name, role: t(`roles.${to.role}`) });
  const blocks: Block[] = [ui.paragraph(text), ui.context(escapeMarkup(question.text))];
  if (to.dueAt) blocks.push(ui.context(t('questions:toAsker.expected', { when: formatDateTime(to.dueAt, reader.timeZone, reader.locale) })));
  return ui.message(text, blocks, { locale: reader.locale, ...(question.threadKey ? { threadKey: question.threadKey } : {}) });
}

/** The asker's reply, relayed to whoever answered, with a button to answer again. */
export function replyForAnswerer(question: { id: string; text: string }, reply: { askerName: string; text: string }, answerer: Reader): OutboundMessage {
  const t = translator(answerer.locale);
  const intro = t('questions:toAssignee.reply', { who: reply.askerName });
  return ui.message(`${intro} ${escapeMarkup(reply.text)}`, [
    ui.paragraph(`**${intro}**`),
    ui.context(escapeMarkup(question.text)),
    ui.paragraph(escapeMarkup(reply.text)),
    ui.actions(ui.openButton(t('questions:buttons.answerAgain'), QUESTION_ACTIONS.answer, question.id, 'primary')),
  ]);
}

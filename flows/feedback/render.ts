import { escapeMarkup } from '../../src/core/markup.js';
import type { Translate } from '../../src/core/i18n.js';
import { formatDate, formatDateTime } from '../../src/core/format.js';
import { ui, type Block, type Button, type OutboundMessage } from '../../src/core/messages.js';
import { readContent, SECTION_KEYS, type FeedbackSection } from '../../src/domain/feedback/content.js';
import { reviewerIndex, type ReaderFeedback } from '../../src/domain/feedback/reviews.js';

/**
 * What an author is shown as the writer of a piece of feedback, as message markup. In an anonymous round this is only
 * "Reviewer N" (N by assignment order): never a name, an id or anything else that could identify them.
 */
export function reviewerLabel(t: Translate, round: { anonymous: boolean }, assignments: { id: string }[], assignment: { id: string; kind: string; reviewer: { displayName: string } }): string {
  if (round.anonymous) return t('feedback:label.anonymous', { n: reviewerIndex(assignments, assignment.id) });
  return assignment.kind === 'resource' ? t('feedback:label.resourcePerson', { name: assignment.reviewer.displayName }) : escapeMarkup(assignment.reviewer.displayName);
}

/** Title of a plan part: "Goal" or "Activity 2: <first words>". */
export function targetTitle(t: Translate, target: string, activities: { id: string; activity: string }[]): string {
  if (target === 'goal') return t('feedback:part.goal');
  const index = activities.findIndex((a) => a.id === target);
  return index < 0 ? t('feedback:part.removedActivity') : t('feedback:part.activity', { n: index + 1, title: shorten(activities[index].activity, 60) });
}

/** Cuts long plan text for titles and buttons (Slack limits modal titles to 24 characters). */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function sectionLines(t: Translate, section: FeedbackSection | undefined): string[] {
  if (!section) return [];
  return SECTION_KEYS.filter((key) => section[key]?.trim()).map((key) => `_${t(`feedback:form.${key}`)}:_ ${escapeMarkup(section[key]!.trim())}`);
}

/**
 * One piece of feedback as its reader sees it: the comments per plan part, the rating, each
 * suggestion with "taken up / not taken up" buttons (for the author), and the reply thread.
 * `label` is computed by the caller with reviewerLabel, so anonymity is decided in one place.
 */
export function renderFeedback(t: Translate, feedback: ReaderFeedback, viewer: { isAuthor: boolean; timeZone: string; locale: string }, label: string): OutboundMessage {
  const { assignment } = feedback;
  const activities = assignment.plan.activities;
  const content = readContent(feedback.content);
  const title = viewer.isAuthor ? t('feedback:view.titleAuthor', { label, cluster: assignment.round.cluster.code }) : t('feedback:view.titleReviewer', { author: assignment.plan.author.displayName });
  const blocks: Block[] = [ui.heading(title)];
  const parts: [string, FeedbackSection | undefined][] = [['goal', content.goal], ...activities.map((a) => [a.id, content.activities[a.id]] as [string, FeedbackSection | undefined])];
  for (const [target, section] of parts) {
    const lines = sectionLines(t, section);
    if (lines.length) blocks.push(ui.paragraph(`**${targetTitle(t, target, activities)}**\n${lines.join('\n')}`));
  }
  if (feedback.rating) blocks.push(ui.fields([{ label: t('feedback:form.rating'), value: t('feedback:view.rating', { rating: feedback.rating }) }]));
  if (feedback.suggestions.length) {
    blocks.push(ui.divider(), ui.paragraph(`**${t('feedback:view.suggestions')}**`));
    for (const s of feedback.suggestions) {
      const state = s.takenUp === null ? t('feedback:view.unmarked') : s.takenUp ? t('feedback:view.takenUp') : t('feedback:view.notTakenUp');
      blocks.push(ui.paragraph(`- ${targetTitle(t, s.target, activities)}: ${escapeMarkup(s.text)} (${state})`));
      if (viewer.isAuthor) {
        blocks.push(ui.actions(ui.openButton(t('feedback:view.markTakenUp'), 'feedback:mark', `${s.id}:yes`, s.takenUp === true ? 'primary' : undefined), ui.openButton(t('feedback:view.markNotTakenUp'), 'feedback:mark', `${s.id}:no`)));
      }
    }
  }
  if (feedback.replies.length) {
    blocks.push(ui.divider(), ui.paragraph(`**${t('feedback:view.thread')}**`));
    for (const reply of feedback.replies) {
      const who = reply.fromAuthor ? (viewer.isAuthor ? t('feedback:view.you') : escapeMarkup(assignment.plan.author.displayName)) : viewer.isAuthor ? label : t('feedback:view.you');
      blocks.push(ui.context(`${who} (${formatDateTime(reply.createdAt, viewer.timeZone, viewer.locale)}): ${escapeMarkup(reply.text)}`));
    }
  }
  const buttons: Button[] = [ui.openButton(viewer.isAuthor ? t('feedback:view.reply') : t('feedback:view.answer'), 'feedback:reply', feedback.id)];
  if (viewer.isAuthor) buttons.push(ui.openButton(t('feedback:view.consolidate'), 'feedback:consolidate', assignment.roundId, 'primary'));
  buttons.push(ui.commandButton(t('feedback:view.overview'), 'feedback'));
  blocks.push(ui.actions(...buttons));
  return ui.message(title, blocks);
}

/** The invitation a reviewer receives when a round opens. */
export function assignmentNotice(t: Translate, input: { assignmentId: string; authorName: string; clusterCode: string; deadline: Date; anonymous: boolean; timeZone: string; locale: string }): OutboundMessage {
  const text = t('feedback:notice.assigned', { author: input.authorName, cluster: input.clusterCode, deadline: formatDate(input.deadline, input.timeZone, input.locale) });
  const blocks: Block[] = [ui.paragraph(text)];
  if (input.anonymous) blocks.push(ui.context(t('feedback:notice.anonymous')));
  blocks.push(ui.actions(ui.openButton(t('feedback:notice.write'), 'feedback:write', input.assignmentId, 'primary'), ui.commandButton(t('feedback:view.overview'), 'feedback')));
  return ui.message(text, blocks);
}

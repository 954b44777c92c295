import { foldWord } from '../../src/core/fold.js';
import { languageOf, translator } from '../../src/core/i18n.js';
import { escapeMarkup } from '../../src/core/markup.js';
import { z } from 'zod';
import type { FlowContext, FlowResult } from '../../src/core/flow.js';
import { checkForm, fieldSchemas } from '../../src/core/forms.js';
import { ui, type Block, type OutboundMessage } from '../../src/core/messages.js';
import {
  ACTIVITY_FIELD_LIMITS,
  ACTIVITY_FIELDS,
  addActivity,
  contentOf,
  deadlineOutsideTimeline,
  spanWords,
  loadPlan,
  missingParts,
  PLAN_FIELD_LIMITS,
  updateActivity,
  updatePlanFields,
  type ActivityField,
  type PlanContent,
  type PlanField,
} from '../../src/domain/plans/index.js';
import type { ClusterCalendar } from '../../src/domain/timeline.js';
import { formatDay } from '../../src/domain/calendar.js';
import { clip, textBlocks } from './render.js';
import type { PlanState } from './state.js';

/** The plan fields asked step by step; the approach is prefilled from the cluster and not asked. */
const GUIDED_PLAN_FIELDS: PlanField[] = ['goal', 'change', 'targetGroup', 'beneficiaries'];

type Cursor = { kind: 'plan'; field: PlanField } | { kind: 'act'; activityId: string; field: ActivityField } | { kind: 'new' } | { kind: 'more' };

export type GuidedWord = 'skip' | 'back' | 'stop' | 'yes' | 'no';

/**
 * A word button's value: the word and the question it was shown with ("skip@plan:goal"), so a
 * button pressed on an old question's message acts on that question or says it is past, never on
 * whichever question the person is at now.
 */
function wordValue(word: GuidedWord, cursor: string): string {
  return `${word}@${cursor}`;
}

/** The word and question of a word button's value; an old value without a question is bound to none. */
export function parseWordValue(value: string): { word: GuidedWord; boundTo?: string } | null {
  const [word, boundTo] = value.split(/@(.*)/s);
  if (!['skip', 'back', 'stop', 'yes', 'no'].includes(word)) return null;
  return { word: word as GuidedWord, ...(boundTo ? { boundTo } : {}) };
}

/** Cursors are stored as short strings in the flow state. */
export function encodeCursor(c: Cursor): string {
  if (c.kind === 'plan') return `plan:${c.field}`;
  if (c.kind === 'act') return `act:${c.activityId}:${c.field}`;
  return c.kind;
}

function decodeCursor(text: string): Cursor | null {
  const [kind, a, b] = text.split(':');
  if (kind === 'plan' && GUIDED_PLAN_FIELDS.includes(a as PlanField)) return { kind, field: a as PlanField };
  if (kind === 'act' && a && ACTIVITY_FIELDS.includes(b as ActivityField)) return { kind, activityId: a, field: b as ActivityField };
  if (kind === 'new' || kind === 'more') return { kind };
  return null;
}

/** Every question in order for this plan: the goal section, each activity's columns, then "another?". */
function sequence(content: PlanContent): string[] {
  return [
    ...GUIDED_PLAN_FIELDS.map((field) => encodeCursor({ kind: 'plan', field })),
    ...content.activities.flatMap((a) => ACTIVITY_FIELDS.map((field) => encodeCursor({ kind: 'act', activityId: a.id, field }))),
    // A plan without activities goes straight on to its first one.
    content.activities.length ? 'more' : 'new',
  ];
}

/** Where to continue: the saved question if it still exists, else the first missing part. */
export function resumeCursor(content: PlanContent, saved: string | undefined): string {
  if (saved && isValid(content, saved)) return saved;
  const missing = missingParts(content)[0];
  if (!missing) return 'more';
  if (missing.kind === 'plan') return GUIDED_PLAN_FIELDS.includes(missing.field) ? encodeCursor({ kind: 'plan', field: missing.field }) : sequence(content)[0];
  if (missing.kind === 'noActivities') return 'new';
  return encodeCursor({ kind: 'act', activityId: missing.activityId, field: missing.field });
}

function isValid(content: PlanContent, cursor: string): boolean {
  const c = decodeCursor(cursor);
  if (!c) return false;
  return c.kind !== 'act' || content.activities.some((a) => a.id === c.activityId);
}

/**
 * The word a free-text answer stands for, in the person's language or in English, diacritics aside
 * (`preskoci` is `preskoči`). Serbian readers of Cyrillic may type Latin too, as most keyboards do.
 */
export function wordOf(ctx: FlowContext, text: string): GuidedWord | undefined {
  const said = foldWord(text.trim());
  const latinToo = languageOf(ctx.person.locale) === 'sr-Cyrl' ? translator('sr-Latn') : undefined;
  for (const word of ['skip', 'back', 'stop', 'yes', 'no'] as const) {
    const key = `plan:guided.words.${word}`;
    const words = [word, ctx.t(key), ...(latinToo ? [latinToo(key)] : [])];
    if (words.some((w) => foldWord(w) === said)) return word;
  }
  return undefined;
}

/** One question as a short message that reads well on a phone. */
export function askMessage(ctx: FlowContext, content: PlanContent, cursor: string, notes: string[] = [], extra: Block[] = []): OutboundMessage {
  const { t } = ctx;
  const c = decodeCursor(cursor)!;
  const blocks: Block[] = notes.map((n) => ui.context(n));
  blocks.push(...extra);
  if (c.kind === 'more') {
    blocks.push(ui.paragraph(t('plan:guided.more')));
    blocks.push(ui.actions(ui.button(t('plan:buttons.addMore'), 'plan:word', wordValue('yes', cursor), 'primary'), ui.button(t('plan:buttons.finish'), 'plan:word', wordValue('no', cursor)), ui.button(t('plan:buttons.back'), 'plan:word', wordValue('back', cursor))));
    return ui.message(t('plan:guided.more'), blocks, { ephemeral: true });
  }
  const seq = sequence(content);
  // Counted in questions, the first activity's included, so a phone user knows how far there is to go.
  const index = c.kind === 'new' ? seq.length - 1 : seq.indexOf(cursor);
  const activityRows = content.activities.length + (c.kind === 'new' || content.activities.length === 0 ? 1 : 0);
  const total = GUIDED_PLAN_FIELDS.length + ACTIVITY_FIELDS.length * activityRows;
  let section = t('plan:sections.goal');
  let question: string;
  let max: number;
  let current: string | null = null;
  if (c.kind === 'plan') {
    question = `**${t(`plan:fields.${c.field}.label`)}**\n${t(`plan:fields.${c.field}.question`)}`;
    max = PLAN_FIELD_LIMITS[c.field];
    current = content[c.field];
  } else if (c.kind === 'new') {
    section = t('plan:guided.activitySection', { n: content.activities.length + 1 });
    question = `**${t('plan:guided.newActivity')}**\n${t('plan:legalReminder')}`;
    max = ACTIVITY_FIELD_LIMITS.activity;
  } else {
    const n = content.activities.findIndex((a) => a.id === c.activityId);
    const activity = content.activities[n];
    section = `${t('plan:guided.activitySection', { n: n + 1 })}: ${escapeMarkup(clip(activity.activity, 60))}`;
    question = `**${t(`plan:fields.${c.field}.label`)}**\n${t(`plan:fields.${c.field}.question`)}`;
    if (c.field === 'activity') question += `\n${t('plan:legalReminder')}`;
    max = ACTIVITY_FIELD_LIMITS[c.field];
    current = activity[c.field];
  }
  blocks.push(ui.context(t('plan:guided.counter', { n: index + 1, total, section })));
  blocks.push(ui.paragraph(question));
  if (current?.trim()) blocks.push(ui.context(`${t('plan:guided.current', { value: clip(current, 300) })} ${t('plan:guided.keepHint')}`));
  blocks.push(ui.context(t('plan:guided.instructions', { max })));
  // Where an activity is named, the good practice's steps and legal aspects help most: one press away.
  const practice = c.kind === 'new' || (c.kind !== 'plan' && c.field === 'activity') ? [ui.commandButton(t('practice:buttons.see'), 'practice')] : [];
  blocks.push(ui.actions(ui.button(t('plan:buttons.skip'), 'plan:word', wordValue('skip', cursor)), ui.button(t('plan:buttons.back'), 'plan:word', wordValue('back', cursor)), ui.button(t('plan:buttons.stop'), 'plan:word', wordValue('stop', cursor)), ...practice));
  return ui.message(question, blocks, { ephemeral: true });
}

/** What a guided turn needs besides the answer. */
export interface GuidedTurn {
  planId: string;
  cursor: string;
  state: PlanState;
  timeline: ClusterCalendar;
  /** Called after a deadline was saved or added, so nudges follow. */
  deadlinesChanged: () => Promise<void>;
  /** Renders the overview when the member stops or finishes. */
  overview: (notes: string[], resumable: boolean) => Promise<OutboundMessage>;
}

/**
 * One step of the guided conversation: a word (skip, back, stop, yes, no) or an answer. Answers
 * are saved to the plan at once, so stopping anywhere, or a restart, loses nothing; the flow
 * state only remembers which question comes next.
 */
export async function guidedStep(ctx: FlowContext, turn: GuidedTurn, input: { word: GuidedWord; boundTo?: string } | { text: string }): Promise<FlowResult<PlanState>> {
  const { t } = ctx;
  const db = ctx.services.db;
  let content = contentOf(await loadPlan(db, turn.planId));
  const cursor = resumeCursor(content, turn.cursor);
  const c = decodeCursor(cursor)!;
  const seq = sequence(content);
  const here = c.kind === 'new' ? seq.length - 1 : seq.indexOf(cursor);
  const stay = (notes: string[], extra: Block[] = []): FlowResult<PlanState> => ({ replies: [askMessage(ctx, content, cursor, notes, extra)], next: { step: 'guided', data: { ...turn.state, cursor } } });
  const goTo = (next: string, notes: string[]): FlowResult<PlanState> => ({ replies: [askMessage(ctx, content, next, notes)], next: { step: 'guided', data: { ...turn.state, cursor: next } } });

  // A button of a question already behind (or ahead of) the person: say so, change nothing, show where they are.
  if ('word' in input && input.boundTo && input.boundTo !== cursor) {
    const bound = decodeCursor(input.boundTo);
    const number = bound?.kind === 'new' ? seq.length : bound ? seq.indexOf(input.boundTo) + 1 : 0;
    const here = stay([number > 0 ? t('plan:guided.pastStep', { n: number }) : t('plan:guided.pastStepUnknown')]);
    // It takes the old question's place: that message now says where the person is, not a false "done".
    return { ...here, replies: here.replies.map((m) => ({ ...m, replaceOriginal: true })) };
  }
  const word = 'word' in input ? input.word : wordOf(ctx, input.text);
  if (word === 'stop') {
    return { replies: [await turn.overview([t('plan:guided.stopped')], true)], next: { step: 'overview', data: { ...turn.state, cursor } } };
  }
  if (word === 'back') {
    const previous = c.kind === 'new' ? seq[seq.length - 2] : seq[Math.max(0, here - 1)];
    return goTo(previous ?? seq[0], []);
  }
  if (c.kind === 'more') {
    // "skip" here skips adding another activity, which is finishing.
    if (word === 'no' || word === 'skip') return { replies: [await turn.overview([t('plan:guided.finished')], false)], next: { step: 'overview', data: { ...turn.state, cursor: undefined } } };
    if (word === 'yes') return goTo('new', []);
    // Any other text is taken as the next activity itself: one step less on a phone.
  }
  if (word === 'skip') {
    if (c.kind === 'new') return goTo('more', []);
    return goTo(seq[here + 1] ?? 'more', [t('plan:guided.skipped', { field: t(`plan:fields.${c.kind === 'plan' ? c.field : (c as { field: string }).field}.label`) })]);
  }

  const text = 'text' in input ? input.text : '';
  const field: PlanField | ActivityField = c.kind === 'plan' || c.kind === 'act' ? c.field : 'activity';
  const max = c.kind === 'plan' ? PLAN_FIELD_LIMITS[c.field] : ACTIVITY_FIELD_LIMITS[field as ActivityField];
  const schema = field === 'deadline' ? fieldSchemas.date() : fieldSchemas.text(max);
  const check = checkForm(z.object({ value: schema }), { value: text }, t);
  if (!check.ok) {
    if (text.trim().length > max) {
      // Refused, and the typed text handed back so nothing written is lost.
      return stay([], [ui.paragraph(t('plan:guided.tooLong', { length: text.trim().length, max })), ...textBlocks(text.trim())]);
    }
    return stay([check.errors.value]);
  }
  const value = check.data.value;
  const notes = [t('plan:guided.saved', { field: t(`plan:fields.${field}.label`) })];
  let next: string;
  if (c.kind === 'plan') {
    await updatePlanFields(db, turn.planId, { [c.field]: value });
    next = seq[here + 1];
  } else if (c.kind === 'act') {
    await updateActivity(db, c.activityId, { [c.field]: value });
    next = seq[here + 1] ?? 'more';
  } else {
    const created = await addActivity(db, turn.planId, { activity: value });
    next = encodeCursor({ kind: 'act', activityId: created.id, field: 'responsible' });
  }
  if (field === 'deadline') {
    const span = deadlineOutsideTimeline(value, turn.timeline);
    if (span) notes.push(t('plan:deadlineWarning', { date: formatDay(value, ctx.person.locale), ...spanWords(span, ctx.person.locale) }));
    await turn.deadlinesChanged();
  }
  content = contentOf(await loadPlan(db, turn.planId));
  return goTo(next, notes);
}

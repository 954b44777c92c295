import { z } from 'zod';
import { BotError, ErrorCode } from '../../src/core/errors.js';
import { refill } from '../../src/core/forms.js';
import { defineFlow, type FlowContext, type FlowResult } from '../../src/core/flow.js';
import { foldWord } from '../../src/core/fold.js';
import { md } from '../../src/core/markup.js';
import { ui, type Form, type OutboundMessage } from '../../src/core/messages.js';
import { resolveClusterArg, type ClusterChoice } from '../../src/domain/clusters/cluster-arg.js';
import {
  clusterEvents,
  copySources,
  DESIGN_EDITORS,
  eventOfCluster,
  findEvent,
  isDesignEditor,
  loadDesign,
  plannableDays,
  saveDesignEdit,
  StaleDesignError,
  type DesignedEvent,
  type DesignEdit,
} from '../../src/domain/events/design.js';
import { requireRole } from '../../src/domain/memberships.js';
import { itemTitle, labelText } from '../../src/domain/timeline.js';
import { ALL_ROLES, clusterPicker } from '../clusters/common.js';
import { exportDesign, exportKind } from './design-exports.js';
import { copyDayForm, copyForm, goalsForm, readCopy, readCopyDay, readGoals, readSession, sessionForm, type ClusterPerson } from './design-forms.js';
import { renderAgenda, renderDesign, type DesignCluster } from './design-view.js';

const stateSchema = z.object({
  clusterId: z.string(),
  itemId: z.string(),
  /** The design's version the open form was made from: a newer one refuses the save. */
  version: z.number().int(),
  sessionId: z.string().optional(),
});
type State = z.infer<typeof stateSchema>;

/**
 * `/lc event [cluster] [event]`: the agenda of an event (day, time, session, objective, responsible) for
 * everyone in the cluster. `/lc event design [cluster] [event]`: the detailed design (Annex 2) for its
 * coordinators and resource persons, edited one form at a time: goal and objectives, one session, a move
 * up or down, a copied day, or the whole design copied from the same event of another cluster of the
 * programme. Every edit checks the role and the version in the domain (src/domain/events/design.ts).
 */
export const eventFlow = defineFlow<State>({
  name: 'event',
  version: 1,
  schema: stateSchema,
  commands: [{ verb: 'event', summaryKey: 'events:summary', usageKey: 'events:usage', audience: ALL_ROLES }],
  async start(ctx, { args }) {
    const words = args.trim().split(/\s+/).filter(Boolean);
    const design = words[0] !== undefined && isDesignWord(ctx, words[0]);
    if (design) words.shift();
    const clusterWord = words[0] && (await namesCluster(ctx, words[0])) ? words.shift()! : '';
    const resolved = await resolveClusterArg(ctx.services.db, ctx.person.id, clusterWord, ALL_ROLES);
    if (resolved.kind === 'ask') return { replies: [picker(ctx, resolved.choices, design)], next: null };
    return show(ctx, resolved.cluster, words.join(' '), design);
  },
  accepts: {
    actions: {
      'event:cluster': '{cluster}',
      'event:designCluster': '{cluster}',
      'event:pick': '{cluster}|{item}',
      'event:design': '{cluster}|{item}',
      'event:goals': '{cluster}|{item}',
      'event:add': '{cluster}|{item}',
      'event:copyDay': '{cluster}|{item}',
      'event:copyFrom': '{cluster}|{item}',
      'event:edit': '{cluster}|{item}|{session}',
      'event:up': '{cluster}|{item}|{session}|{n}',
      'event:down': '{cluster}|{item}|{session}|{n}',
      'event:remove': '{cluster}|{item}|{session}|{n}',
      'event:removeConfirm': '{cluster}|{item}|{session}|{n}',
      'event:cancel': '',
      'event:export': '{cluster}|{item}|{format}',
    },
    forms: ['event:goals', 'event:session', 'event:copyDay', 'event:copy'],
  },
  async handle(ctx, event, position): Promise<FlowResult<State>> {
    const { db } = ctx.services;
    if (event.type === 'action') {
      if (event.actionId === 'event:cluster') return this.start(ctx, { verb: 'event', args: event.value });
      if (event.actionId === 'event:designCluster') return this.start(ctx, { verb: 'event', args: `design ${event.value}` });
      if (event.actionId === 'event:cancel') return { replies: [{ ...ui.text(ctx.t('events:design.cancelled'), { ephemeral: true }), replaceOriginal: true }], next: null };
      const [clusterId, itemId, sessionId, version] = event.value.split('|');
      if (!clusterId || !itemId) return badButton(ctx);
      if (event.actionId === 'event:export') {
        const kind = exportKind(sessionId);
        // The Annex 2 table is the organisers'; the agenda is everyone's in the cluster.
        await requireRole(db, ctx.person.id, clusterId, kind.startsWith('annex') ? DESIGN_EDITORS : ALL_ROLES);
        return { replies: [await exportDesign(ctx, clusterId, itemId, kind)], next: null };
      }
      if (event.actionId === 'event:pick') {
        // Reading: anyone of the cluster. The role is checked before anything of the event is loaded.
        await requireRole(db, ctx.person.id, clusterId, ALL_ROLES);
        const { cluster, item } = await target(ctx, clusterId, itemId);
        return { replies: [renderAgenda(ctx, cluster, item, await loadDesign(db, itemId), await isDesignEditor(db, ctx.person.id, clusterId))], next: null };
      }
      await requireRole(db, ctx.person.id, clusterId, DESIGN_EDITORS);
      const { cluster, item } = await target(ctx, clusterId, itemId);
      const design = await loadDesign(db, itemId);
      const base = { clusterId, itemId, version: design.version };
      switch (event.actionId) {
        case 'event:design':
          return { replies: [renderDesign(ctx, cluster, item, design)], next: null };
        case 'event:goals':
          return { replies: [formReply(goalsForm(ctx, item, design))], next: { step: 'goals', data: base } };
        case 'event:add': {
          const people = await clusterPeople(ctx, clusterId);
          return { replies: [formReply(sessionForm(ctx, item, plannableDays(item, design, cluster.timeZone), cluster.timeZone, people))], next: { step: 'session', data: base } };
        }
        case 'event:edit': {
          const session = design.sessions.find((s) => s.id === sessionId);
          if (!session) return stale(ctx, cluster, item);
          const people = await clusterPeople(ctx, clusterId);
          return { replies: [formReply(sessionForm(ctx, item, plannableDays(item, design, cluster.timeZone), cluster.timeZone, people, session))], next: { step: 'session', data: { ...base, sessionId: session.id } } };
        }
        case 'event:copyDay': {
          const used = [...new Set(design.sessions.map((s) => s.day))];
          return { replies: [formReply(copyDayForm(ctx, item, plannableDays(item, design, cluster.timeZone), used, cluster.timeZone))], next: { step: 'copyDay', data: base } };
        }
        case 'event:copyFrom': {
          const sources = await copySources(db, clusterId, item);
          if (!sources.length) return { replies: [ui.text(ctx.t('events:design.noSources', { event: itemTitle(ctx.t, item) }), { ephemeral: true })], next: null };
          return { replies: [formReply(copyForm(ctx, item, sources))], next: { step: 'copy', data: base } };
        }
        case 'event:up':
        case 'event:down':
        case 'event:removeConfirm': {
          if (!sessionId || version === undefined) return badButton(ctx);
          const edit: DesignEdit = event.actionId === 'event:removeConfirm' ? { action: 'session-removed', sessionId } : { action: 'session-moved', sessionId, direction: event.actionId === 'event:up' ? 'up' : 'down' };
          return save(ctx, cluster, item, Number(version), edit);
        }
        case 'event:remove': {
          const session = design.sessions.find((s) => s.id === sessionId);
          if (!session || Number(version) !== design.version) return stale(ctx, cluster, item);
          const question = ctx.t('events:design.removeConfirm', { session: `${session.startTime} ${session.name}` });
          const button = {
            ...ui.button(ctx.t('events:design.removeButton'), 'event:removeConfirm', event.value, 'danger'),
            confirm: { title: ctx.t('events:design.removeTitle'), text: ctx.t('events:design.removeText'), yes: ctx.t('events:design.removeButton'), no: ctx.t('events:design.cancel') },
          };
          return { replies: [ui.message(question, [ui.paragraph(question), ui.actions(button, ui.button(ctx.t('events:design.cancel'), 'event:cancel'))], { ephemeral: true })], next: null };
        }
      }
      return badButton(ctx);
    }
    if (event.type === 'form') {
      if (!position) throw new BotError(ErrorCode.StaleConversation, 'errors.stepPast', { flow: 'event' });
      const { clusterId, itemId, version, sessionId } = position.data;
      // Checked before validation too: a member never learns anything from a forged form.
      await requireRole(db, ctx.person.id, clusterId, DESIGN_EDITORS);
      const { cluster, item } = await target(ctx, clusterId, itemId);
      const design = await loadDesign(db, itemId);
      const again = (form: Form, errors: Record<string, string>) => ({ replies: [formReply(refill(form, event.values, errors))] });
      const days = plannableDays(item, design, cluster.timeZone);
      switch (event.formId) {
        case 'event:goals': {
          const read = readGoals(ctx, event.values);
          if (!read.ok) return again(goalsForm(ctx, item, design), read.errors);
          return save(ctx, cluster, item, version, { action: 'goals', draft: read.data });
        }
        case 'event:session': {
          const people = await clusterPeople(ctx, clusterId);
          const session = sessionId ? design.sessions.find((s) => s.id === sessionId) : undefined;
          if (sessionId && !session) return stale(ctx, cluster, item);
          const read = readSession(ctx, event.values, days, people);
          if (!read.ok) return again(sessionForm(ctx, item, days, cluster.timeZone, people, session), read.errors);
          return save(ctx, cluster, item, version, session ? { action: 'session-changed', sessionId: session.id, draft: read.data } : { action: 'session-added', draft: read.data });
        }
        case 'event:copyDay': {
          const used = [...new Set(design.sessions.map((s) => s.day))];
          const read = readCopyDay(ctx, event.values, days, used);
          if (!read.ok) return again(copyDayForm(ctx, item, days, used, cluster.timeZone), read.errors);
          return save(ctx, cluster, item, version, { action: 'day-copied', ...read.data });
        }
        case 'event:copy': {
          const sources = await copySources(db, clusterId, item);
          const read = readCopy(ctx, event.values, sources);
          if (!read.ok) return again(copyForm(ctx, item, sources), read.errors);
          return save(ctx, cluster, item, version, { action: 'design-copied', fromItemId: read.data.source });
        }
      }
    }
    return badButton(ctx);
  },
});

/** The agenda, or (design) the design editor, of the event `arg` names in this cluster; a picker when it names none. */
async function show(ctx: FlowContext, choice: ClusterChoice, arg: string, design: boolean): Promise<FlowResult<State>> {
  const { db } = ctx.services;
  const events = await clusterEvents(db, choice.id);
  const cluster = await db.cluster.findUniqueOrThrow({ where: { id: choice.id }, select: { id: true, code: true, timeZone: true } });
  if (!events.length) return { replies: [ui.text(ctx.t('events:noEvents', { code: cluster.code }), { ephemeral: true })], next: null };
  const editor = await isDesignEditor(db, ctx.person.id, cluster.id);
  let item = findEvent(events, arg, (label) => labelText(ctx.t, label));
  if (!item && arg.trim()) return { replies: [eventPicker(ctx, cluster, events, ctx.t('events:errors.noSuchEvent', { code: cluster.code, name: arg.trim().slice(0, 60) }), design && editor)], next: null };
  // With no event named: the next one still to come (or under way) for reading; the organisers choose.
  if (!item && !design) item = nextEvent(events, ctx.services.clock.now()) ?? (events.length === 1 ? events[0] : undefined);
  if (!item && events.length === 1) item = events[0];
  if (!item) return { replies: [eventPicker(ctx, cluster, events, ctx.t('events:pickEvent'), design && editor)], next: null };
  const current = await loadDesign(db, item.id);
  if (design && !editor) {
    const agenda = renderAgenda(ctx, cluster, item, current, false);
    return { replies: [{ ...agenda, blocks: [ui.paragraph(ctx.t('events:errors.notEditor')), ...agenda.blocks] }], next: null };
  }
  return { replies: [design ? renderDesign(ctx, cluster, item, current) : renderAgenda(ctx, cluster, item, current, editor)], next: null };
}

/** The first event that has not ended yet. */
export function nextEvent<T extends { startsAt: Date | null; endsAt: Date | null }>(events: T[], now: Date): T | undefined {
  return events.filter((e) => e.startsAt && e.endsAt && e.endsAt > now).sort((a, b) => a.startsAt!.getTime() - b.startsAt!.getTime())[0];
}

/** Saves an edit and shows the design as it is now; a stale version shows it too, saying nothing was saved. */
async function save(ctx: FlowContext, cluster: DesignCluster, item: DesignedEvent, version: number, edit: DesignEdit): Promise<FlowResult<State>> {
  const { db, clock } = ctx.services;
  try {
    await saveDesignEdit(db, ctx.person.id, cluster.id, item.id, version, edit, clock.now());
  } catch (error) {
    if (error instanceof StaleDesignError) return stale(ctx, cluster, item);
    throw error;
  }
  const view = renderDesign(ctx, cluster, item, await loadDesign(db, item.id), ctx.t('events:design.saved'));
  return { replies: [{ ...view, replaceOriginal: true }], next: null };
}

async function stale(ctx: FlowContext, cluster: DesignCluster, item: DesignedEvent): Promise<FlowResult<State>> {
  return { replies: [renderDesign(ctx, cluster, item, await loadDesign(ctx.services.db, item.id), ctx.t('events:design.stale'))], next: null };
}

/** The cluster and the event a button or form points at (the caller has checked the role first). */
async function target(ctx: FlowContext, clusterId: string, itemId: string): Promise<{ cluster: DesignCluster; item: DesignedEvent }> {
  const cluster = await ctx.services.db.cluster.findUniqueOrThrow({ where: { id: clusterId }, select: { id: true, code: true, timeZone: true } });
  return { cluster, item: await eventOfCluster(ctx.services.db, clusterId, itemId) };
}

/** The active people of the cluster, who may be named responsible for a session; organisers first. */
async function clusterPeople(ctx: FlowContext, clusterId: string): Promise<ClusterPerson[]> {
  const rows = await ctx.services.db.membership.findMany({ where: { clusterId, status: 'ACTIVE', person: { erasedAt: null } }, select: { role: true, person: { select: { id: true, displayName: true } } } });
  const rank = { COORDINATOR: 0, RESOURCE_PERSON: 1, MEMBER: 2, OBSERVER: 3 } as const;
  const sorted = rows.sort((a, b) => rank[a.role] - rank[b.role] || a.person.displayName.localeCompare(b.person.displayName));
  return [...new Map(sorted.map((r) => [r.person.id, { id: r.person.id, name: r.person.displayName }])).values()];
}

/** True when the word is "design" in English or the person's language. */
function isDesignWord(ctx: FlowContext, word: string): boolean {
  const folded = foldWord(word);
  return folded === 'design' || folded === foldWord(ctx.t('events:designWord'));
}

/** True when the word is a cluster's code or id (the command's optional first argument). */
async function namesCluster(ctx: FlowContext, word: string): Promise<boolean> {
  const hit = await ctx.services.db.cluster.findFirst({ where: { OR: [{ id: word }, { code: { equals: word, mode: 'insensitive' } }] }, select: { id: true } });
  return Boolean(hit);
}

function picker(ctx: FlowContext, choices: ClusterChoice[], design: boolean): OutboundMessage {
  const message = clusterPicker(ctx, 'event', choices);
  if (!design) return message;
  return { ...message, blocks: message.blocks.map((b) => (b.type === 'actions' ? { ...b, elements: b.elements.map((e) => (e.type === 'select' ? { ...e, actionId: 'event:designCluster' } : e)) } : b)) };
}

function eventPicker(ctx: FlowContext, cluster: DesignCluster, events: DesignedEvent[], text: string, design: boolean): OutboundMessage {
  const options = events.slice(0, 100).map((e) => ({ label: md`${itemTitle(ctx.t, e).slice(0, 75)}`, value: `${cluster.id}|${e.id}` }));
  return ui.message(text, [ui.paragraph(text), ui.actions({ type: 'select', actionId: design ? 'event:design' : 'event:pick', placeholder: ctx.t('events:pickEventPlaceholder'), options })], { ephemeral: true });
}

function formReply(form: Form): OutboundMessage {
  return ui.message(form.intro ?? form.title, [ui.form(form)], { ephemeral: true });
}

function badButton(ctx: FlowContext): FlowResult<State> {
  return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
}

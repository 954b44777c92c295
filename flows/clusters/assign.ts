import { escapeMarkup, md } from '../../src/core/markup.js';
import { notifyInTheirLanguage } from '../../src/core/in-their-language.js';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { checkForm, refill } from '../../src/core/forms.js';
import { BotError, ErrorCode } from '../../src/core/errors.js';
import { defineFlow, type FlowContext, type FlowResult } from '../../src/core/flow.js';
import { translator, type Translate } from '../../src/core/i18n.js';
import { ui, type Block, type Form, type OutboundMessage } from '../../src/core/messages.js';
import { confirmAssignment, coordinatedProgrammes, proposeAssignment, requireProgrammeCoordinator, type AssignmentProposal } from '../../src/domain/clusters/assignment.js';
import type { Placement, PlacementReason } from '../../src/domain/clusters/matching.js';
import { coordinatorsOf } from '../../src/domain/clusters/registrations.js';
import { single } from './common.js';

const stateSchema = z.object({
  programmeId: z.string(),
  seed: z.number().int(),
  /** Coordinator's adjustments: registration id → cluster id, or "" for not placed. */
  overrides: z.record(z.string(), z.string()),
  /** What the coordinator saw; confirming a result that changed meanwhile shows it again instead. */
  fingerprint: z.string().default(''),
});
type State = z.infer<typeof stateSchema>;

const moveSchema = z.object({ registrationId: single(z.string().min(1)), clusterId: single(z.string()) });

/**
 * `/lc assign`: proposes a stable matching of the programme's open registrations to its clusters
 * (see src/domain/clusters/matching.ts), lets the coordinator move people, then on confirmation stores
 * each placement with its explanation and tells everyone. The seed is drawn once per preview and kept
 * in the conversation (and derived from the programme), so the confirmed result is exactly the one previewed.
 */
export const assignFlow = defineFlow<State>({
  name: 'assign',
  version: 1,
  schema: stateSchema,
  commands: [{ verb: 'assign', summaryKey: 'clusters:summary.assign', audience: ['COORDINATOR'] }],
  async start(ctx) {
    const programmes = await coordinatedProgrammes(ctx.services.db, ctx.person.id);
    if (programmes.length > 1) {
      const text = ctx.t('clusters:assign.pickProgramme');
      return { replies: [ui.message(text, [ui.paragraph(text), ui.actions({ type: 'select', actionId: 'assign:programme', placeholder: text, options: programmes.map((p) => ({ label: escapeMarkup(p.name), value: p.id })) })], { ephemeral: true })], next: null };
    }
    if (programmes.length === 0) throw new BotError(ErrorCode.NotAllowed, 'clusters:errors.noClusterForRole');
    return preview(ctx, { programmeId: programmes[0].id, seed: seedFor(programmes[0].id), overrides: {}, fingerprint: '' });
  },
  accepts: { actions: { 'assign:programme': '{programme}', 'assign:move': '', 'assign:cancel': '', 'assign:confirm': '' }, forms: ['assign:move'] },
  async handle(ctx, event, position): Promise<FlowResult<State>> {
    if (event.type === 'action' && event.actionId === 'assign:programme') {
      await requireProgrammeCoordinator(ctx.services.db, ctx.person.id, event.value);
      return preview(ctx, { programmeId: event.value, seed: seedFor(event.value), overrides: {}, fingerprint: '' });
    }
    if (!position) throw new BotError(ErrorCode.StaleConversation, 'errors.stepPast', { flow: 'assign' });
    const state = position.data;
    if (event.type === 'action' && event.actionId === 'assign:move') {
      const proposal = await proposeAssignment(ctx.services.db, ctx.person.id, state.programmeId, state.seed);
      return { replies: [ui.message(ctx.t('clusters:assign.moveTitle'), [ui.form(moveForm(ctx, proposal))], { ephemeral: true })] };
    }
    if (event.type === 'form' && event.formId === 'assign:move') {
      const proposal = await proposeAssignment(ctx.services.db, ctx.person.id, state.programmeId, state.seed);
      const checked = checkForm(moveSchema, event.values, ctx.t);
      const known = checked.ok && proposal.applicants.some((a) => a.id === checked.data.registrationId) && (checked.data.clusterId === '' || proposal.clusters.some((c) => c.id === checked.data.clusterId));
      if (!checked.ok || !known) {
        const errors = checked.ok ? { registrationId: ctx.t('form.invalidChoice') } : checked.errors;
        return { replies: [ui.message(ctx.t('clusters:assign.moveTitle'), [ui.form(refill(moveForm(ctx, proposal), event.values, errors))], { ephemeral: true })] };
      }
      return preview(ctx, { ...state, overrides: { ...state.overrides, [checked.data.registrationId]: checked.data.clusterId } });
    }
    if (event.type === 'action' && event.actionId === 'assign:cancel') return { replies: [ui.text(ctx.t('clusters:assign.cancelled'), { ephemeral: true })], next: null };
    if (event.type === 'action' && event.actionId === 'assign:confirm') return confirm(ctx, state);
    return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
  },
});

/**
 * The lottery seed comes from the programme, not the clock: running /lc assign again on the same
 * registrations gives the same result, so nobody is reshuffled by a tie-break between two previews.
 */
function seedFor(programmeId: string): number {
  return createHash('sha256').update(programmeId).digest().readUInt32BE(0) & 0x7fffffff;
}

/** The proposal with the coordinator's moves applied (a moved person's reason becomes "manual"). */
function adjusted(proposal: AssignmentProposal, overrides: Record<string, string>): Placement[] {
  return proposal.placements.map((p) => {
    if (!(p.applicantId in overrides)) return p;
    const clusterId = overrides[p.applicantId] || null;
    return { applicantId: p.applicantId, clusterId, reason: { kind: 'manual', clusterId } };
  });
}

/**
 * Why someone was placed where they were, in words: addressed to the person ("your first choice") or,
 * in the coordinator's preview, about them ("their first choice").
 */
export function explain(t: Translate, reason: PlacementReason, codeOf: (id: string) => string, reader: 'applicant' | 'coordinator' = 'applicant'): string {
  const context = reader === 'coordinator' ? { context: 'coordinator' } : {};
  switch (reason.kind) {
    case 'first-choice':
      return t(reason.joinedColleagues ? 'clusters:assign.reason.firstChoiceColleagues' : 'clusters:assign.reason.firstChoice', { code: codeOf(reason.clusterId), ...context });
    case 'later-choice':
      return t('clusters:assign.reason.laterChoice', { code: codeOf(reason.clusterId), rank: reason.rank, full: reason.fullBefore.map(codeOf).join(', '), count: reason.fullBefore.length, ...context });
    case 'unplaced':
      return t('clusters:assign.reason.unplaced', { full: reason.fullListed.map(codeOf).join(', '), ...context });
    case 'manual':
      return reason.clusterId ? t('clusters:assign.reason.manual', { code: codeOf(reason.clusterId) }) : t('clusters:assign.reason.manualUnplaced');
  }
}

function fingerprintOf(placements: Placement[]): string {
  return placements.map((p) => `${p.applicantId}>${p.clusterId ?? ''}`).sort().join(',');
}

async function preview(ctx: FlowContext, state: State, note?: string): Promise<FlowResult<State>> {
  const { t } = ctx;
  const proposal = await proposeAssignment(ctx.services.db, ctx.person.id, state.programmeId, state.seed);
  const placements = adjusted(proposal, state.overrides);
  state = { ...state, fingerprint: fingerprintOf(placements) };
  const codeOf = (id: string) => proposal.clusters.find((c) => c.id === id)?.code ?? '?';
  const blocks: Block[] = [...(note ? [ui.paragraph(note)] : []), ui.heading(t('clusters:assign.title')), ui.paragraph(t('clusters:assign.intro', { count: proposal.applicants.length }))];
  if (proposal.applicants.length === 0) {
    blocks.push(ui.paragraph(t('clusters:assign.nobody')));
    return { replies: [ui.message(t('clusters:assign.title'), blocks, { ephemeral: true })], next: null };
  }
  for (const cluster of proposal.clusters) {
    const here = placements.filter((p) => p.clusterId === cluster.id);
    const municipalities = new Set([...cluster.seated, ...here.map((p) => proposal.applicants.find((a) => a.id === p.applicantId)!.municipality)]);
    const over = municipalities.size > cluster.capacity ? ` ${t('clusters:assign.overCapacity')}` : '';
    const lines = here.map((p) => line(t, proposal, p, codeOf));
    blocks.push(ui.paragraph(`**${cluster.code}: ${cluster.name}** (${t('clusters:assign.seats', { used: municipalities.size, capacity: cluster.capacity })})${over}\n${lines.join('\n') || `- ${t('clusters:assign.none')}`}`));
  }
  const unplaced = placements.filter((p) => !p.clusterId);
  if (unplaced.length) blocks.push(ui.paragraph(`**${t('clusters:assign.unplaced')}**\n${unplaced.map((p) => line(t, proposal, p, codeOf)).join('\n')}`));
  blocks.push(
    ui.actions(
      { ...ui.button(t('clusters:assign.confirm'), 'assign:confirm', '', 'primary'), confirm: { title: t('clusters:assign.confirmTitle'), text: t('clusters:assign.confirmText'), yes: t('clusters:assign.confirm'), no: t('clusters:cancel') } },
      ui.openButton(t('clusters:assign.move'), 'assign:move'),
      ui.button(t('clusters:cancel'), 'assign:cancel'),
    ),
  );
  blocks.push(ui.context(t('clusters:assign.rule')));
  return { replies: [ui.message(t('clusters:assign.title'), blocks, { ephemeral: true })], next: { step: 'preview', data: state } };
}

function line(t: Translate, proposal: AssignmentProposal, p: Placement, codeOf: (id: string) => string): string {
  const a = proposal.applicants.find((x) => x.id === p.applicantId)!;
  return `${md`- ${a.name} (${a.organisationName})`}: ${explain(t, p.reason, codeOf, 'coordinator')}`;
}

function moveForm(ctx: FlowContext, proposal: AssignmentProposal): Form {
  const t = ctx.t;
  return {
    formId: 'assign:move',
    title: t('clusters:assign.moveTitle'),
    submitLabel: t('clusters:assign.moveSubmit'),
    fields: [
      { name: 'registrationId', label: t('clusters:assign.person'), kind: 'select', required: true, options: proposal.applicants.map((a) => ({ label: `${a.name} (${a.organisationName})`, value: a.id })) },
      { name: 'clusterId', label: t('clusters:assign.to'), kind: 'select', required: true, options: [...proposal.clusters.map((c) => ({ label: `${c.code}: ${c.name}`, value: c.id })), { label: t('clusters:assign.notPlaced'), value: '' }] },
    ],
  };
}

async function confirm(ctx: FlowContext, state: State): Promise<FlowResult<State>> {
  const db = ctx.services.db;
  const proposal = await proposeAssignment(db, ctx.person.id, state.programmeId, state.seed);
  const placements = adjusted(proposal, state.overrides);
  // Registrations arrived or were decided since the preview: show the new result rather than confirm an unseen one.
  if (fingerprintOf(placements) !== state.fingerprint) return preview(ctx, state, ctx.t('clusters:assign.changedSincePreview'));
  const codeOf = (id: string) => proposal.clusters.find((c) => c.id === id)?.code ?? '?';
  const people = await db.registration.findMany({ where: { id: { in: placements.map((p) => p.applicantId) } }, select: { id: true, personId: true, person: { select: { locale: true } } } });
  const decisions = placements.map((p) => {
    const person = people.find((r) => r.id === p.applicantId)!;
    // Stored in the person's own language: it is the explanation they will read.
    return { registrationId: p.applicantId, clusterId: p.clusterId, reason: explain(translator(person.person.locale), p.reason, codeOf), personId: person.personId, locale: person.person.locale };
  });
  const written = await confirmAssignment(db, ctx.person.id, state.programmeId, decisions);
  const writtenIds = new Set(written.map((w) => w.registrationId));
  for (const d of decisions.filter((x) => writtenIds.has(x.registrationId))) {
    const t = translator(d.locale);
    const cluster = proposal.clusters.find((c) => c.id === d.clusterId);
    const text = cluster ? t('clusters:assign.told', { code: cluster.code, name: cluster.name, reason: d.reason }) : t('clusters:assign.toldUnplaced', { reason: d.reason });
    await ctx.services.notifier.notify(d.personId, ui.text(text));
  }
  for (const cluster of proposal.clusters) {
    const count = decisions.filter((d) => d.clusterId === cluster.id && writtenIds.has(d.registrationId)).length;
    await ctx.services.scheduler.clusterChanged(cluster.id, 'assignment');
    if (!count) continue;
    for (const coordinatorId of await coordinatorsOf(db, [cluster.id])) {
      if (coordinatorId === ctx.person.id) continue;
      await notifyInTheirLanguage(ctx.services, coordinatorId, (t) => {
        const text = t('clusters:assign.coordinatorTold', { count, code: cluster.code });
        return ui.message(text, [ui.paragraph(text), ui.actions(ui.commandButton(t('clusters:assign.review'), `members ${cluster.code}`, 'primary'))]);
      });
    }
  }
  const coordinated = new Set((await db.membership.findMany({ where: { personId: ctx.person.id, role: 'COORDINATOR', status: 'ACTIVE' }, select: { clusterId: true } })).map((m) => m.clusterId));
  const mine = proposal.clusters.filter((c) => coordinated.has(c.id) && decisions.some((d) => d.clusterId === c.id));
  const done = ctx.t('clusters:assign.done', { count: written.length });
  const message: OutboundMessage = ui.message(done, [ui.paragraph(done), ui.actions(...mine.slice(0, 5).map((c) => ui.commandButton(ctx.t('clusters:assign.reviewCluster', { code: c.code }), `members ${c.code}`)))], {
    ephemeral: true,
    // Confirmed, pressed again: the roster of the coordinator's cluster as it is now, not the first count.
    ...(mine.length ? { current: { actionId: 'members:cluster', value: mine[0].id } } : {}),
  });
  return { replies: [message], next: null };
}

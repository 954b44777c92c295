import type { NudgePayload } from '../src/scheduler/plan.js';
import { payloadEvent } from '../src/scheduler/render.js';
import { escapeMarkup } from '../src/core/markup.js';
import { z } from 'zod';
import { AT_TIME_WORDS, DATE_PATTERN, IN_WORDS, ON_WORDS, parseDateInput, parseDuration, parseTimeInput, TIME_PATTERN } from '../src/core/date-input.js';
import { defineFlow, type FlowContext, type FlowResult } from '../src/core/flow.js';
import { BotError, ErrorCode } from '../src/core/errors.js';
import { checkForm, fieldSchemas, refill, type FormValues } from '../src/core/forms.js';
import { formatDateTime, formatList } from '../src/core/format.js';
import { ui, type Block, type Form, type OutboundMessage } from '../src/core/messages.js';
import { formatMoment } from '../src/domain/calendar.js';
import { deliveryTimes, matchName, nudgeCandidates, saveManualNudge, senderInstant, type NudgeCandidate, type NudgeDelivery, type NudgeWhen } from '../src/domain/manual-nudges.js';
import { ROLE_ORDER } from '../src/domain/memberships.js';
import type { Role } from '../src/generated/prisma/enums.js';

/**
 * Coordinators and nudges: `/lc nudges [cluster]` shows what goes out next and what could not be
 * delivered; `/lc nudge` writes the coordinator's own reminder, in a form (recipients by name or role,
 * the message, when) or typed (`/lc nudge LC1 @Genta Morina Thank you… at 01.12.2026 10:00`). Either
 * way a preview names every recipient with the local time it reaches them, and nothing is sent until
 * Send. Reminders are PlannedNudge rows like any other, so the scheduler delivers each exactly once.
 */
const MAX_TEXT = 1_000;
const UPCOMING_LIMIT = 25;
const MAX_DAYS_AHEAD = 366;

const pendingSchema = z.object({
  clusterId: z.string(),
  text: z.string().min(1).max(MAX_TEXT),
  now: z.boolean(),
  deliveries: z.array(z.object({ personId: z.string(), dueAt: z.iso.datetime() })).min(1),
});
const composingSchema = z.object({ clusterId: z.string(), composing: z.literal(true) });
type Pending = z.infer<typeof pendingSchema>;
type Composing = z.infer<typeof composingSchema>;
type State = Pending | Composing | Record<string, never>;

export const nudgesFlow = defineFlow<State>({
  name: 'nudge',
  version: 2,
  schema: z.union([pendingSchema, composingSchema, z.object({}).strict()]) as z.ZodType<State>,
  commands: [
    { verb: 'nudges', summaryKey: 'scheduler:summary.nudges', usageKey: 'scheduler:usage.nudges', audience: ['COORDINATOR'], common: true },
    { verb: 'nudge', summaryKey: 'scheduler:summary.nudge', usageKey: 'scheduler:usage.nudge', audience: ['COORDINATOR'] },
  ],
  async start(ctx, { verb, args }) {
    if (verb === 'nudges') return { replies: [await listNudges(ctx, args)] };
    return startNudge(ctx, args);
  },
  accepts: { actions: { 'nudge:send': '', 'nudge:cancel': '' }, forms: ['nudge:compose'] },
  async handle(ctx, event, position): Promise<FlowResult<State>> {
    if (event.type === 'form' && event.formId === 'nudge:compose') {
      const composing = composingSchema.safeParse(position?.data);
      if (!composing.success) throw new BotError(ErrorCode.StaleConversation, 'errors.staleConversation');
      return submitForm(ctx, composing.data.clusterId, event.values);
    }
    if (event.type !== 'action') return { replies: [] };
    if (event.actionId === 'nudge:cancel') return { replies: [ui.text(ctx.t('scheduler:manual.cancelled'), { ephemeral: true, replaceOriginal: true })], next: null };
    if (event.actionId !== 'nudge:send') return { replies: [] };
    const pending = pendingSchema.safeParse(position?.data);
    if (!pending.success) throw new BotError(ErrorCode.StaleConversation, 'errors.stepPast', { flow: 'nudge' });
    return { replies: [await sendManualNudge(ctx, pending.data)], next: null };
  },
});

/** The coordinator's clusters, and the one named (or their only one). */
async function coordinatedCluster(ctx: FlowContext, code: string | undefined) {
  const clusters = await ctx.services.db.cluster.findMany({
    where: { archivedAt: null, memberships: { some: { personId: ctx.person.id, role: 'COORDINATOR', status: 'ACTIVE' } } },
    orderBy: { code: 'asc' },
  });
  if (code) {
    const found = clusters.find((c) => c.code.toLowerCase() === code.toLowerCase());
    if (!found) throw new BotError(ErrorCode.NotFound, 'scheduler:errors.noSuchCluster', { code, codes: clusters.map((c) => c.code).join(', ') });
    return { cluster: found, clusters };
  }
  return { cluster: clusters.length === 1 ? clusters[0] : undefined, clusters };
}

function clusterButtons(ctx: FlowContext, clusters: { code: string }[], verb: string, text: string): OutboundMessage {
  return ui.message(text, [ui.paragraph(text), ui.actions(...clusters.slice(0, 5).map((c) => ui.commandButton(c.code, `${verb} ${c.code}`)))], { ephemeral: true });
}

async function listNudges(ctx: FlowContext, args: string) {
  const { t, person } = ctx;
  const { db, clock } = ctx.services;
  const code = args.trim().split(/\s+/)[0] || undefined;
  const { cluster, clusters } = await coordinatedCluster(ctx, code);
  if (!cluster) return clusterButtons(ctx, clusters, 'nudges', t('scheduler:list.pickCluster'));
  const now = clock.now();
  const [upcoming, total, failed, sent] = await Promise.all([
    db.plannedNudge.findMany({ where: { clusterId: cluster.id, status: 'PLANNED', dueAt: { gte: new Date(now.getTime() - 3_600_000) } }, include: { person: { select: { displayName: true } } }, orderBy: [{ dueAt: 'asc' }, { id: 'asc' }], take: UPCOMING_LIMIT }),
    db.plannedNudge.count({ where: { clusterId: cluster.id, status: 'PLANNED' } }),
    db.plannedNudge.findMany({ where: { clusterId: cluster.id, status: 'FAILED' }, include: { person: { select: { displayName: true } }, delivery: true }, orderBy: { dueAt: 'desc' }, take: 10 }),
    db.plannedNudge.count({ where: { clusterId: cluster.id, status: 'SENT' } }),
  ]);
  const title = t('scheduler:list.title', { cluster: cluster.code });
  // What a nudge is about, short: its rule, and the timeline item it concerns by name.
  const kindLabel = (n: { kind: string; payload: unknown }) => t(`scheduler:kind.${n.kind}`, { defaultValue: n.kind, event: payloadEvent(t, n.payload as NudgePayload) });
  const blocks: Block[] = [ui.heading(title), ui.context(t('scheduler:list.counts', { planned: total, sent, failed: failed.length }))];
  if (upcoming.length === 0) blocks.push(ui.paragraph(t('scheduler:list.none')));
  else {
    const lines = upcoming.map((n) => `- ${formatDateTime(n.dueAt, person.timeZone, person.locale)}: **${escapeMarkup(n.person.displayName)}**, ${kindLabel(n)}`);
    blocks.push(ui.paragraph(lines.join('\n')));
    if (total > upcoming.length) blocks.push(ui.context(t('scheduler:list.more', { count: total - upcoming.length })));
  }
  if (failed.length) {
    const lines = failed.map((n) => `- **${escapeMarkup(n.person.displayName)}**: ${kindLabel(n)} (${escapeMarkup(n.delivery?.error ?? n.delivery?.outcome ?? '?')})`);
    blocks.push(ui.paragraph(`**${t('scheduler:list.failedTitle')}**\n${lines.join('\n')}`));
  }
  blocks.push(ui.actions(ui.commandButton(t('scheduler:button.write'), `nudge ${cluster.code}`, 'primary'), ui.commandButton(t('scheduler:button.refresh'), `nudges ${cluster.code}`)));
  return ui.message(title, blocks, { ephemeral: true });
}

/** `/lc nudge` with nothing, or only a cluster, opens the form; with more it is read as the typed grammar. */
async function startNudge(ctx: FlowContext, args: string): Promise<FlowResult<State>> {
  const tokens = tokenize(args);
  const { clusters } = await coordinatedCluster(ctx, undefined);
  const named = tokens.length ? clusters.find((c) => c.code.toLowerCase() === tokens[0].toLowerCase()) : undefined;
  const rest = named ? tokens.slice(1) : tokens;
  const cluster = named ?? (clusters.length === 1 ? clusters[0] : undefined);
  if (rest.length === 0) {
    if (!cluster) return { replies: [clusterButtons(ctx, clusters, 'nudge', ctx.t('scheduler:compose.pickCluster'))], next: null };
    return { replies: [formMessage(await composeForm(ctx, cluster.id))], next: { step: 'compose', data: { clusterId: cluster.id, composing: true } } };
  }
  if (!cluster) throw invalid(ctx, ctx.t('scheduler:manual.whichCluster', { codes: clusters.map((c) => c.code).join(', ') }));
  return typedNudge(ctx, cluster.id, rest);
}

function invalid(ctx: FlowContext, problem: string): BotError {
  return new BotError(ErrorCode.InvalidInput, 'errors.invalidInput', { problem });
}

/** Words and what must stay whole: Teams mentions (`<at>Genta Morina</at>`), Slack mentions, quoted names. */
function tokenize(text: string): string[] {
  return text.trim().match(/<at>.*?<\/at>,?|<@[^>]+>,?|@?"[^"]*",?|@?“[^”]*”,?|\S+/gi) ?? [];
}

const ROLE_WORDS: Record<string, Role[] | 'everyone'> = {
  members: ['MEMBER'],
  member: ['MEMBER'],
  rps: ['RESOURCE_PERSON'],
  rp: ['RESOURCE_PERSON'],
  'resource-persons': ['RESOURCE_PERSON'],
  coordinators: ['COORDINATOR'],
  observers: ['OBSERVER'],
  everyone: 'everyone',
  all: 'everyone',
};

/** Is this token the start of a person: a mention, a quoted name or @Name. */
function isPersonToken(token: string): boolean {
  return /^(<at>|<@|@|"|“)/i.test(token);
}

/**
 * Reads the recipients at the start of the typed words: one or more role words, or people as
 * mentions, quoted names or @Name, where a name may have spaces (`@Genta Morina`): the longest run
 * of words that is someone's full name wins, then a unique first name.
 */
async function readRecipients(ctx: FlowContext, clusterId: string, tokens: string[], candidates: NudgeCandidate[]): Promise<{ recipients: NudgeCandidate[]; rest: string[]; byRole: boolean }> {
  const roleTokens: (Role[] | 'everyone')[] = [];
  let i = 0;
  for (; i < tokens.length; i++) {
    const words = tokens[i].toLowerCase().split(',').filter(Boolean);
    if (!words.length || !words.every((w) => ROLE_WORDS[w])) break;
    roleTokens.push(...words.map((w) => ROLE_WORDS[w]));
  }
  if (roleTokens.length) {
    const recipients = candidates.filter((c) => roleTokens.some((r) => r === 'everyone' || c.roles.some((role) => r.includes(role))));
    return { recipients, rest: tokens.slice(i), byRole: true };
  }
  const recipients: NudgeCandidate[] = [];
  const unknown = (name: string) => invalid(ctx, ctx.t('scheduler:manual.unknownPerson', { name }));
  const one = (matches: NudgeCandidate[], name: string) => {
    if (matches.length === 0) throw unknown(name);
    if (matches.length > 1) throw invalid(ctx, ctx.t('scheduler:manual.ambiguous', { name, names: formatList(matches.map((m) => m.displayName), ctx.person.locale) }));
    recipients.push(matches[0]);
  };
  while (i < tokens.length && isPersonToken(tokens[i])) {
    const token = tokens[i].replace(/,$/, '');
    const teams = /^<at>(.*)<\/at>$/i.exec(token);
    const slack = /^<@([A-Z0-9]+)(?:\|[^>]*)?>$/i.exec(token);
    const quoted = /^@?["“](.*)["”]$/.exec(token);
    if (teams || quoted) {
      const name = (teams ?? quoted)![1];
      one(matchName(candidates, name), name);
      i++;
      continue;
    }
    if (slack) {
      const identity = await ctx.services.db.platformIdentity.findFirst({ where: { platform: 'SLACK', externalId: { endsWith: `:${slack[1]}` }, person: { memberships: { some: { clusterId, status: 'ACTIVE' } } } } });
      const match = candidates.filter((c) => c.personId === identity?.personId);
      one(match, token);
      i++;
      continue;
    }
    // @Name with spaces: try the longest run of words first (a comma ends a name).
    let taken = 0;
    for (let length = Math.min(4, tokens.length - i); length >= 2 && !taken; length--) {
      const words = tokens.slice(i, i + length);
      if (words.slice(0, -1).some((w) => w.endsWith(','))) continue;
      const name = words.join(' ').replace(/^@/, '').replace(/,$/, '');
      const full = matchName(candidates, name).filter((c) => c.displayName.trim().split(/\s+/).length >= length);
      if (full.length === 1) {
        recipients.push(full[0]);
        taken = length;
      }
    }
    if (!taken) {
      one(matchName(candidates, token.replace(/^@/, '')), token);
      taken = 1;
    }
    i += taken;
  }
  return { recipients, rest: tokens.slice(i), byRole: false };
}

/**
 * The "when" at the end of a typed message, in any of the bot's languages (src/core/date-input.ts):
 * `in 2d`, `za 2 dana`, `за 1 недела`, `at 01.12.2026 10:00`, `on 2026-12-01`, `dana 1. 12. 2026. u 10h`.
 */
function readWhen(ctx: FlowContext, text: string): { message: string; when: NudgeWhen } {
  const inMatch = new RegExp(String.raw`\s+(${IN_WORDS})\s+(\d{1,3}\s*\p{L}+\.?(?:\s+(?:dana|дана|дена))?)$`, 'iu').exec(text);
  const duration = inMatch ? parseDuration(inMatch[2]) : null;
  if (inMatch && duration) return { message: text.slice(0, inMatch.index), when: { kind: 'in', duration } };
  // "in 2 fortnights" is a slip in the when; "per 2 people" is part of the message.
  if (inMatch && inMatch[1].toLowerCase() === 'in') throw invalid(ctx, ctx.t('scheduler:manual.badWhen'));
  const atMatch = new RegExp(String.raw`\s+(?:${ON_WORDS})\s+(${DATE_PATTERN})(?:\s+(?:(?:${AT_TIME_WORDS})\s+)?(${TIME_PATTERN}))?$`, 'iu').exec(text);
  if (atMatch) {
    const date = parseDateInput(atMatch[1]);
    const time = atMatch[2] ? parseTimeInput(atMatch[2]) : '09:00';
    if (!date || !time) throw invalid(ctx, ctx.t('scheduler:manual.badWhen'));
    return { message: text.slice(0, atMatch.index), when: { kind: 'at', date, time } };
  }
  return { message: text, when: { kind: 'now' } };
}

/** The typed grammar: `[cluster] <who> <message> [in 2d | at 01.12.2026 10:00]`. */
async function typedNudge(ctx: FlowContext, clusterId: string, tokens: string[]): Promise<FlowResult<State>> {
  const { t, person } = ctx;
  const candidates = await nudgeCandidates(ctx.services.db, clusterId);
  const { recipients, rest, byRole } = await readRecipients(ctx, clusterId, tokens, candidates);
  const chosen = byRole ? recipients.filter((r) => r.personId !== person.id) : recipients;
  if (!tokens.length || !rest.length) throw invalid(ctx, t('scheduler:manual.usage'));
  if (chosen.length === 0) throw invalid(ctx, t('scheduler:manual.nobody'));
  const { message: raw, when } = readWhen(ctx, rest.join(' '));
  const message = raw.trim();
  if (!message) throw invalid(ctx, t('scheduler:manual.usage'));
  if (message.length > MAX_TEXT) throw invalid(ctx, t('scheduler:manual.tooLong', { max: MAX_TEXT }));
  const problem = whenProblem(ctx, when);
  if (problem) throw invalid(ctx, problem);
  return preview(ctx, clusterId, uniquePeople(chosen), message, when);
}

function uniquePeople(people: NudgeCandidate[]): NudgeCandidate[] {
  return [...new Map(people.map((p) => [p.personId, p])).values()];
}

/** Why a chosen time cannot be used (past, or more than a year ahead), or null. */
function whenProblem(ctx: FlowContext, when: NudgeWhen): string | null {
  const now = ctx.services.clock.now();
  const at = senderInstant(when, now, ctx.person.timeZone);
  if (at.getTime() < now.getTime() - 60_000) return ctx.t('scheduler:compose.past', { when: formatDateTime(at, ctx.person.timeZone, ctx.person.locale) });
  if (at.getTime() > now.getTime() + MAX_DAYS_AHEAD * 86_400_000) return ctx.t('scheduler:compose.tooFar');
  return null;
}

/** The preview: who gets it, and when each of them does by their own clock; Send or Cancel. */
async function preview(ctx: FlowContext, clusterId: string, recipients: NudgeCandidate[], message: string, when: NudgeWhen): Promise<FlowResult<State>> {
  const { t, person } = ctx;
  const { db, clock } = ctx.services;
  const cluster = await db.cluster.findUniqueOrThrow({ where: { id: clusterId } });
  const deliveries = deliveryTimes(recipients, when, { now: clock.now(), senderZone: person.timeZone, clusterHours: cluster.workingHours });
  const title = t('scheduler:manual.preview', { count: deliveries.length, cluster: cluster.code });
  const blocks: Block[] = [ui.paragraph(`**${title}**`), ui.paragraph(`> ${escapeMarkup(message)}`)];
  blocks.push(ui.paragraph(`${t(when.kind === 'now' ? 'scheduler:manual.whenNow' : 'scheduler:manual.whenLocal')}\n${deliveryLines(ctx, deliveries, when.kind === 'now').join('\n')}`));
  blocks.push(ui.actions(ui.button(t('scheduler:button.send'), 'nudge:send', '', 'primary'), ui.button(t('scheduler:button.cancel'), 'nudge:cancel')));
  const pending: Pending = { clusterId, text: message, now: when.kind === 'now', deliveries: deliveries.map((d) => ({ personId: d.personId, dueAt: d.dueAt.toISOString() })) };
  return { replies: [ui.message(title, blocks, { ephemeral: true })], next: { step: 'confirm', data: pending } };
}

/**
 * One line per moment: the people who get it then, and the moment by their own clock (their zone
 * named when it differs from the coordinator's), so the coordinator sees each recipient's local time.
 */
function deliveryLines(ctx: FlowContext, deliveries: NudgeDelivery[], now: boolean): string[] {
  const groups = new Map<string, string[]>();
  for (const d of deliveries) {
    const when = now ? ctx.t('scheduler:manual.now') : formatMoment(d.dueAt, { timeZone: d.timeZone, locale: ctx.person.locale }, ctx.person.timeZone);
    groups.set(when, [...(groups.get(when) ?? []), d.displayName]);
  }
  return [...groups.entries()].map(([when, names]) => `- ${escapeMarkup(formatList(names, ctx.person.locale))}: ${when}`);
}

function formMessage(form: Form): OutboundMessage {
  return ui.message(form.title, [ui.form(form)], { ephemeral: true });
}

/** The form: recipients (roles or people), the message, and when (now, a date and time, or in some days). */
async function composeForm(ctx: FlowContext, clusterId: string): Promise<Form> {
  const { t } = ctx;
  const cluster = await ctx.services.db.cluster.findUniqueOrThrow({ where: { id: clusterId } });
  const candidates = (await nudgeCandidates(ctx.services.db, clusterId)).filter((c) => c.personId !== ctx.person.id);
  const roles = ROLE_ORDER.filter((r) => candidates.some((c) => c.roles.includes(r)));
  const roleName = (r: Role) => t(`roles.${r}`);
  return {
    formId: 'nudge:compose',
    title: t('scheduler:compose.title', { cluster: cluster.code }),
    submitLabel: t('scheduler:compose.submit'),
    intro: t('scheduler:compose.intro'),
    fields: [
      {
        name: 'recipients',
        label: t('scheduler:compose.recipients'),
        kind: 'multiselect',
        required: true,
        options: [
          { label: t('scheduler:compose.everyone', { cluster: cluster.code, count: candidates.length }), value: 'everyone' },
          ...roles.map((r) => ({ label: t(`scheduler:compose.allOf.${r}`, { count: candidates.filter((c) => c.roles.includes(r)).length }), value: `role:${r}` })),
          ...candidates.map((c) => ({ label: `${escapeMarkup(c.displayName)} (${formatList(c.roles.map(roleName), ctx.person.locale)})`, value: `person:${c.personId}` })),
        ],
      },
      { name: 'message', label: t('scheduler:compose.message'), kind: 'textarea', required: true, maxLength: MAX_TEXT },
      {
        name: 'when',
        label: t('scheduler:compose.when'),
        kind: 'select',
        required: true,
        initial: 'now',
        options: (['now', 'at', 'in'] as const).map((w) => ({ label: t(`scheduler:compose.whenChoice.${w}`), value: w })),
      },
      { name: 'date', label: t('scheduler:compose.date'), kind: 'date', hint: t('scheduler:compose.dateHint') },
      { name: 'time', label: t('scheduler:compose.time'), kind: 'text', placeholder: '10:00', hint: t('scheduler:compose.timeHint', { zone: ctx.person.timeZone }) },
      { name: 'days', label: t('scheduler:compose.days'), kind: 'number', placeholder: '2', hint: t('scheduler:compose.daysHint') },
    ],
  };
}

const single = (v: unknown) => (Array.isArray(v) ? v[0] : v);
const composeSchema = z
  .object({
    recipients: z.preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(z.string()).min(1, 'form.required')),
    message: z.preprocess(single, fieldSchemas.text(MAX_TEXT)),
    when: z.preprocess(single, z.enum(['now', 'at', 'in'], { message: 'form.invalidChoice' })),
    date: z.preprocess(single, fieldSchemas.optionalDate()),
    time: z.preprocess(single, z.string().trim().optional()),
    days: z.preprocess(single, z.string().trim().optional()),
  })
  .superRefine((v, issue) => {
    if (v.when === 'at') {
      if (!v.date) issue.addIssue({ code: 'custom', path: ['date'], message: 'scheduler:compose.dateNeeded' });
      if (v.time && !parseTimeInput(v.time)) issue.addIssue({ code: 'custom', path: ['time'], message: 'form.invalidTime' });
    }
    if (v.when === 'in' && !/^\d{1,3}$/.test(v.days ?? '')) issue.addIssue({ code: 'custom', path: ['days'], message: 'scheduler:compose.daysNeeded' });
    if (v.when === 'in' && /^\d{1,3}$/.test(v.days ?? '') && (Number(v.days) < 1 || Number(v.days) > MAX_DAYS_AHEAD)) issue.addIssue({ code: 'custom', path: ['days'], message: 'scheduler:compose.daysNeeded' });
  });

/** Checks every field at once; a good form becomes the same preview as the typed grammar. */
async function submitForm(ctx: FlowContext, clusterId: string, values: FormValues): Promise<FlowResult<State>> {
  const { t } = ctx;
  const { cluster } = await coordinatedCluster(ctx, (await ctx.services.db.cluster.findUniqueOrThrow({ where: { id: clusterId } })).code);
  const form = await composeForm(ctx, cluster!.id);
  const checked = checkForm(composeSchema, values, t);
  const errors: Record<string, string> = checked.ok ? {} : { ...checked.errors };
  let when: NudgeWhen | undefined;
  if (checked.ok) {
    const v = checked.data;
    when = v.when === 'now' ? { kind: 'now' } : v.when === 'at' ? { kind: 'at', date: v.date, time: v.time ? parseTimeInput(v.time)! : '09:00' } : { kind: 'in', duration: { days: Number(v.days) } };
    const problem = whenProblem(ctx, when);
    if (problem) errors[v.when === 'in' ? 'days' : 'date'] = problem;
  }
  const candidates = (await nudgeCandidates(ctx.services.db, clusterId)).filter((c) => c.personId !== ctx.person.id);
  const picked = checked.ok ? pickRecipients(checked.data.recipients, candidates) : [];
  if (checked.ok && picked.length === 0) errors.recipients = t('scheduler:manual.nobody');
  if (Object.keys(errors).length || !checked.ok || !when) return { replies: [formMessage(refill(form, values, errors))] };
  return preview(ctx, clusterId, picked, checked.data.message, when);
}

/** The form's choices (everyone, role:X, person:id) as people, each once. */
function pickRecipients(values: string[], candidates: NudgeCandidate[]): NudgeCandidate[] {
  return uniquePeople(
    candidates.filter((c) =>
      values.some((v) => v === 'everyone' || (v.startsWith('role:') && c.roles.includes(v.slice(5) as Role)) || v === `person:${c.personId}`),
    ),
  );
}

async function sendManualNudge(ctx: FlowContext, pending: Pending) {
  const { db, clock } = ctx.services;
  const cluster = await db.cluster.findUniqueOrThrow({ where: { id: pending.clusterId } });
  const now = clock.now();
  // "Now" is the moment of confirming, not of typing; a time that passed while the preview waited goes now.
  const deliveries = pending.deliveries.map((d) => ({ personId: d.personId, dueAt: new Date(pending.now ? now.getTime() : Math.max(new Date(d.dueAt).getTime(), now.getTime())) }));
  await saveManualNudge(db, { clusterId: cluster.id, clusterCode: cluster.code, clusterName: cluster.name, clusterTimeZone: cluster.timeZone, from: ctx.person.displayName, text: pending.text, deliveries });
  await ctx.services.scheduler.clusterChanged(cluster.id, 'manual nudge');
  const first = new Date(Math.min(...deliveries.map((d) => d.dueAt.getTime())));
  const when = pending.now ? ctx.t('scheduler:manual.now') : formatDateTime(first, ctx.person.timeZone, ctx.person.locale);
  const text = ctx.t(pending.now ? 'scheduler:manual.sentNow' : 'scheduler:manual.scheduled', { count: deliveries.length, when });
  return ui.text(text, { ephemeral: true, replaceOriginal: true });
}

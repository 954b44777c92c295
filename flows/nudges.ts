import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { defineFlow, type FlowContext } from '../src/core/flow.js';
import { BotError, ErrorCode } from '../src/core/errors.js';
import { formatDateTime } from '../src/core/format.js';
import { ui, type Block } from '../src/core/messages.js';
import type { Role } from '../src/generated/prisma/enums.js';

/**
 * Coordinators and nudges: `/lc nudges [cluster]` shows what goes out next and what could not be
 * delivered; `/lc nudge …` sends the coordinator's own reminder now or later, after a preview.
 * Manual nudges are PlannedNudge rows like any other, so the scheduler delivers them exactly once.
 */
const MANUAL_KIND = 'manual';
const MAX_TEXT = 1_000;
const UPCOMING_LIMIT = 25;

const confirmSchema = z.object({
  clusterId: z.string(),
  recipients: z.array(z.string()).min(1),
  text: z.string().min(1).max(MAX_TEXT),
  dueAt: z.iso.datetime(),
});
type Pending = z.infer<typeof confirmSchema>;

export const nudgesFlow = defineFlow<Pending | Record<string, never>>({
  name: 'nudge',
  version: 1,
  schema: z.union([confirmSchema, z.object({}).strict()]) as z.ZodType<Pending | Record<string, never>>,
  commands: [
    { verb: 'nudges', summaryKey: 'scheduler:summary.nudges', usageKey: 'scheduler:usage.nudges', audience: ['COORDINATOR'], common: true },
    { verb: 'nudge', summaryKey: 'scheduler:summary.nudge', usageKey: 'scheduler:usage.nudge', audience: ['COORDINATOR'] },
  ],
  async start(ctx, { verb, args }) {
    if (verb === 'nudges') return { replies: [await listNudges(ctx, args)] };
    return prepareManualNudge(ctx, args);
  },
  async handle(ctx, event, position) {
    if (event.type !== 'action') return { replies: [] };
    if (event.actionId === 'nudge:cancel') return { replies: [ui.text(ctx.t('scheduler:manual.cancelled'), { ephemeral: true, replaceOriginal: true })], next: null };
    if (event.actionId !== 'nudge:send') return { replies: [] };
    const pending = confirmSchema.safeParse(position?.data);
    if (!pending.success) throw new BotError(ErrorCode.StaleConversation, 'errors.stepPast', { flow: 'nudge' });
    return { replies: [await sendManualNudge(ctx, pending.data)], next: null };
  },
});

/** The coordinator's cluster: the one named, or their only one. */
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

async function listNudges(ctx: FlowContext, args: string) {
  const { t, person } = ctx;
  const { db, clock } = ctx.services;
  const code = args.trim().split(/\s+/)[0] || undefined;
  const { cluster, clusters } = await coordinatedCluster(ctx, code);
  if (!cluster) {
    const text = t('scheduler:list.pickCluster');
    return ui.message(text, [ui.paragraph(text), ui.actions(...clusters.slice(0, 5).map((c) => ui.commandButton(c.code, `nudges ${c.code}`)))], { ephemeral: true });
  }
  const now = clock.now();
  const [upcoming, total, failed, sent] = await Promise.all([
    db.plannedNudge.findMany({ where: { clusterId: cluster.id, status: 'PLANNED', dueAt: { gte: new Date(now.getTime() - 3_600_000) } }, include: { person: { select: { displayName: true } } }, orderBy: [{ dueAt: 'asc' }, { id: 'asc' }], take: UPCOMING_LIMIT }),
    db.plannedNudge.count({ where: { clusterId: cluster.id, status: 'PLANNED' } }),
    db.plannedNudge.findMany({ where: { clusterId: cluster.id, status: 'FAILED' }, include: { person: { select: { displayName: true } }, delivery: true }, orderBy: { dueAt: 'desc' }, take: 10 }),
    db.plannedNudge.count({ where: { clusterId: cluster.id, status: 'SENT' } }),
  ]);
  const title = t('scheduler:list.title', { cluster: cluster.code });
  const blocks: Block[] = [ui.heading(title), ui.context(t('scheduler:list.counts', { planned: total, sent, failed: failed.length }))];
  if (upcoming.length === 0) blocks.push(ui.paragraph(t('scheduler:list.none')));
  else {
    const lines = upcoming.map((n) => `- ${formatDateTime(n.dueAt, person.timeZone, person.locale)}: **${n.person.displayName}**, ${t(`scheduler:kind.${n.kind}`, { defaultValue: n.kind })}`);
    blocks.push(ui.paragraph(lines.join('\n')));
    if (total > upcoming.length) blocks.push(ui.context(t('scheduler:list.more', { count: total - upcoming.length })));
  }
  if (failed.length) {
    const lines = failed.map((n) => `- **${n.person.displayName}**: ${t(`scheduler:kind.${n.kind}`, { defaultValue: n.kind })} (${n.delivery?.error ?? n.delivery?.outcome ?? '?'})`);
    blocks.push(ui.paragraph(`**${t('scheduler:list.failedTitle')}**\n${lines.join('\n')}`));
  }
  blocks.push(ui.actions(ui.commandButton(t('scheduler:button.refresh'), `nudges ${cluster.code}`)));
  return ui.message(title, blocks, { ephemeral: true });
}

const ROLE_WORDS: Record<string, Role[] | 'everyone'> = {
  members: ['MEMBER'],
  member: ['MEMBER'],
  rps: ['RESOURCE_PERSON'],
  'resource-persons': ['RESOURCE_PERSON'],
  coordinators: ['COORDINATOR'],
  observers: ['OBSERVER'],
  everyone: 'everyone',
  all: 'everyone',
};

/** Splits "[LC1] <who> <message> [in 2d | at 2026-12-01 10:00]" and validates each part. */
async function prepareManualNudge(ctx: FlowContext, args: string) {
  const { t, person } = ctx;
  const usage = () => new BotError(ErrorCode.InvalidInput, 'errors.invalidInput', { problem: t('scheduler:manual.usage') });
  let tokens = args.trim().split(/\s+/).filter(Boolean);
  if (tokens.length < 2) throw usage();
  const { clusters } = await coordinatedCluster(ctx, undefined);
  let cluster = clusters.length === 1 ? clusters[0] : undefined;
  const named = clusters.find((c) => c.code.toLowerCase() === tokens[0].toLowerCase());
  if (named) [cluster, tokens] = [named, tokens.slice(1)];
  if (!cluster) throw new BotError(ErrorCode.InvalidInput, 'errors.invalidInput', { problem: t('scheduler:manual.whichCluster', { codes: clusters.map((c) => c.code).join(', ') }) });

  const memberships = await ctx.services.db.membership.findMany({ where: { clusterId: cluster.id, status: 'ACTIVE' }, include: { person: { select: { id: true, displayName: true } } } });
  let recipients: string[] = [];
  const role = ROLE_WORDS[tokens[0].toLowerCase()];
  if (role) {
    recipients = memberships.filter((m) => role === 'everyone' || role.includes(m.role)).map((m) => m.personId);
    tokens = tokens.slice(1);
  } else {
    while (tokens[0]?.startsWith('@')) {
      for (const handle of tokens[0].split(',').map((h) => h.replace(/^@/, '').toLowerCase()).filter(Boolean)) {
        const matches = memberships.filter((m) => {
          const name = m.person.displayName.toLowerCase();
          return name.replace(/\s+/g, '') === handle || name.split(/\s+/)[0] === handle;
        });
        const ids = [...new Set(matches.map((m) => m.personId))];
        if (ids.length !== 1) throw new BotError(ErrorCode.InvalidInput, 'errors.invalidInput', { problem: t(ids.length ? 'scheduler:manual.ambiguous' : 'scheduler:manual.unknownPerson', { handle }) });
        recipients.push(ids[0]);
      }
      tokens = tokens.slice(1);
    }
  }
  recipients = [...new Set(recipients)].filter((id) => id !== person.id || role === undefined);
  if (recipients.length === 0) throw new BotError(ErrorCode.InvalidInput, 'errors.invalidInput', { problem: t('scheduler:manual.nobody') });

  const now = ctx.services.clock.now();
  let dueAt = now;
  const text = tokens.join(' ');
  let message = text;
  const inMatch = /\s+in\s+(\d{1,3})\s*(h|d|w)$/i.exec(text);
  const atMatch = /\s+at\s+(\d{4}-\d{2}-\d{2})(?:\s+(\d{1,2}:\d{2}))?$/i.exec(text);
  if (inMatch) {
    const n = Number(inMatch[1]);
    dueAt = DateTime.fromJSDate(now).plus(inMatch[2].toLowerCase() === 'h' ? { hours: n } : inMatch[2].toLowerCase() === 'd' ? { days: n } : { weeks: n }).toJSDate();
    message = text.slice(0, inMatch.index);
  } else if (atMatch) {
    const local = DateTime.fromISO(`${atMatch[1]}T${(atMatch[2] ?? '09:00').padStart(5, '0')}`, { zone: person.timeZone });
    if (!local.isValid) throw new BotError(ErrorCode.InvalidInput, 'errors.invalidInput', { problem: t('scheduler:manual.badWhen') });
    dueAt = local.toJSDate();
    message = text.slice(0, atMatch.index);
  }
  message = message.trim();
  if (!message) throw usage();
  if (message.length > MAX_TEXT) throw new BotError(ErrorCode.InvalidInput, 'errors.invalidInput', { problem: t('scheduler:manual.tooLong', { max: MAX_TEXT }) });
  if (dueAt.getTime() < now.getTime() - 60_000 || dueAt.getTime() > now.getTime() + 366 * 86_400_000) {
    throw new BotError(ErrorCode.InvalidInput, 'errors.invalidInput', { problem: t('scheduler:manual.badWhen') });
  }
  const pending: Pending = { clusterId: cluster.id, recipients, text: message, dueAt: dueAt.toISOString() };
  const when = dueAt.getTime() <= now.getTime() + 60_000 ? t('scheduler:manual.now') : formatDateTime(dueAt, person.timeZone, person.locale);
  const preview = t('scheduler:manual.preview', { count: recipients.length, cluster: cluster.code, when });
  return {
    replies: [
      ui.message(preview, [
        ui.paragraph(preview),
        ui.paragraph(`> ${message}`),
        ui.actions(ui.button(t('scheduler:button.send'), 'nudge:send', '', 'primary'), ui.button(t('scheduler:button.cancel'), 'nudge:cancel')),
      ], { ephemeral: true }),
    ],
    next: { step: 'confirm', data: pending },
  };
}

async function sendManualNudge(ctx: FlowContext, pending: Pending) {
  const { db, clock } = ctx.services;
  const cluster = await db.cluster.findUniqueOrThrow({ where: { id: pending.clusterId } });
  const now = clock.now();
  // "Now" is the moment of confirming, not of typing.
  const dueAt = new Date(Math.max(new Date(pending.dueAt).getTime(), now.getTime()));
  const batch = randomBytes(6).toString('hex');
  await db.plannedNudge.createMany({
    data: pending.recipients.map((personId) => ({
      id: `${MANUAL_KIND}.${batch}.${personId}`,
      clusterId: cluster.id,
      personId,
      kind: MANUAL_KIND,
      dueAt,
      payload: {
        kind: MANUAL_KIND,
        clusterCode: cluster.code,
        clusterName: cluster.name,
        anchorAt: dueAt.toISOString(),
        usefulUntil: new Date(dueAt.getTime() + 86_400_000).toISOString(),
        event: false,
        text: pending.text,
        from: ctx.person.displayName,
      },
    })),
  });
  await ctx.services.scheduler.clusterChanged(cluster.id, 'manual nudge');
  const text = ctx.t('scheduler:manual.scheduled', { count: pending.recipients.length, when: formatDateTime(dueAt, ctx.person.timeZone, ctx.person.locale) });
  return ui.text(text, { ephemeral: true, replaceOriginal: true });
}

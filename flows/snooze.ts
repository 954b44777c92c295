import { Duration } from 'luxon';
import { z } from 'zod';
import { parseDuration } from '../src/core/date-input.js';
import { defineFlow, type FlowContext } from '../src/core/flow.js';
import { formatDateTime } from '../src/core/format.js';
import { ui } from '../src/core/messages.js';

/**
 * `/lc snooze <duration>`, `/lc pause`, `/lc resume`: a member's own control over reminders.
 * Snooze silences reminders (not event dates) for a while and offers an undo; pause silences all
 * until resume. Either way the person's clusters are re-planned at once, so the change is real.
 */
const MAX_SNOOZE_DAYS = 56;
/** "3d", "1 week", "12h" (src/core/date-input.ts) as milliseconds, within the longest snooze. */
const durationSchema = z
  .string()
  .transform((v, ctx) => {
    const duration = parseDuration(v);
    return duration ? Duration.fromObject(duration).toMillis() : (ctx.addIssue({ code: 'custom', message: 'unreadable' }), z.NEVER);
  })
  .refine((ms) => ms > 0 && ms <= MAX_SNOOZE_DAYS * 86_400_000);

export const snoozeFlow = defineFlow({
  name: 'snooze',
  version: 1,
  schema: z.object({}),
  commands: [
    { verb: 'snooze', summaryKey: 'scheduler:summary.snooze', usageKey: 'scheduler:usage.snooze', audience: ['MEMBER', 'RESOURCE_PERSON'] },
    { verb: 'pause', summaryKey: 'scheduler:summary.pause', audience: ['MEMBER', 'RESOURCE_PERSON'] },
    { verb: 'resume', summaryKey: 'scheduler:summary.resume', audience: ['MEMBER', 'RESOURCE_PERSON'] },
  ],
  async start(ctx, { verb, args }) {
    const { db, clock } = ctx.services;
    const { t, person } = ctx;
    if (verb === 'pause') {
      await db.person.update({ where: { id: person.id }, data: { paused: true } });
      await replanPersonClusters(ctx, 'paused');
      return { replies: [ui.message(t('scheduler:paused'), [ui.paragraph(t('scheduler:paused')), ui.actions(ui.commandButton(t('scheduler:button.resume'), 'resume', 'primary'))], { ephemeral: true })] };
    }
    if (verb === 'resume') {
      await db.person.update({ where: { id: person.id }, data: { paused: false, snoozedUntil: null } });
      await replanPersonClusters(ctx, 'resumed');
      return { replies: [ui.text(t('scheduler:resumed'), { ephemeral: true })] };
    }
    const parsed = durationSchema.safeParse(args);
    if (!parsed.success) {
      const text = args ? t('scheduler:snoozeInvalid', { given: args, max: MAX_SNOOZE_DAYS }) : t('scheduler:snoozeHow');
      const choices = ['1d', '3d', '1w', '2w'].map((d) => ui.commandButton(t(`scheduler:button.snooze_${d}`), `snooze ${d}`));
      return { replies: [ui.message(text, [ui.paragraph(text), ui.actions(...choices)], { ephemeral: true })] };
    }
    const before = await db.person.findUniqueOrThrow({ where: { id: person.id }, select: { snoozedUntil: true } });
    const until = new Date(clock.now().getTime() + parsed.data);
    await db.person.update({ where: { id: person.id }, data: { snoozedUntil: until } });
    await replanPersonClusters(ctx, 'snoozed');
    const text = t('scheduler:snoozed', { until: formatDateTime(until, person.timeZone, person.locale) });
    const undo = ui.button(t('scheduler:button.undo'), 'snooze:undo', before.snoozedUntil?.toISOString() ?? '');
    return { replies: [ui.message(text, [ui.paragraph(text), ui.actions(undo)], { ephemeral: true })] };
  },
  accepts: { actions: { 'snooze:undo': '{date}' }, forms: [] },
  async handle(ctx, event) {
    if (event.type !== 'action' || event.actionId !== 'snooze:undo') return { replies: [] };
    const previous = z.iso.datetime().safeParse(event.value);
    await ctx.services.db.person.update({ where: { id: ctx.person.id }, data: { snoozedUntil: previous.success ? new Date(previous.data) : null } });
    await replanPersonClusters(ctx, 'snooze undone');
    return { replies: [ui.text(ctx.t('scheduler:snoozeUndone'), { ephemeral: true, replaceOriginal: true })] };
  },
});

/** Snooze and pause change every cluster's plan for this person. */
async function replanPersonClusters(ctx: FlowContext, reason: string): Promise<void> {
  const memberships = await ctx.services.db.membership.findMany({ where: { personId: ctx.person.id, status: 'ACTIVE' }, select: { clusterId: true }, distinct: ['clusterId'] });
  for (const m of memberships) await ctx.services.scheduler.clusterChanged(m.clusterId, reason);
}

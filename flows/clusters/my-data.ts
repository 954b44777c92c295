import { BotError, ErrorCode } from '../../src/core/errors.js';
import { escapeMarkup } from '../../src/core/markup.js';
import { z } from 'zod';
import { createDownload } from '../../src/core/downloads.js';
import { defineFlow, type FlowResult } from '../../src/core/flow.js';
import { ui } from '../../src/core/messages.js';
import { exportPersonalData, forgetPerson, summariseExport } from '../../src/domain/personal-data.js';

type State = Record<string, never>;

/** `/lc my-data`: everything stored about me, as a short summary and a JSON file behind an expiring link. */
export const myDataFlow = defineFlow<State>({
  name: 'my-data',
  version: 1,
  schema: z.object({}) as z.ZodType<State>,
  commands: [{ verb: 'my-data', summaryKey: 'clusters:summary.myData', audience: 'anyone' }],
  async start(ctx) {
    const { t } = ctx;
    const now = ctx.services.clock.now();
    const data = await exportPersonalData(ctx.services.db, ctx.person.id, now);
    const file = await createDownload(ctx.services.db, ctx.services.config.PUBLIC_URL, { filename: 'my-data.json', contentType: 'application/json', body: JSON.stringify(data, null, 2), createdById: ctx.person.id, ttlMs: 24 * 3600 * 1000 }, now);
    const counts = summariseExport(data);
    const text = t('clusters:myData.intro');
    return {
      replies: [
        ui.message(text, [
          ui.heading(t('clusters:myData.title')),
          ui.paragraph(text),
          ui.fields([
            { label: t('clusters:myData.name'), value: escapeMarkup(data.profile.displayName) },
            { label: t('clusters:myData.email'), value: escapeMarkup(data.profile.email ?? '–') },
            ...Object.entries(counts).map(([key, value]) => ({ label: t(`clusters:myData.counts.${key}`), value: String(value) })),
          ]),
          ui.paragraph(t('clusters:myData.download', { url: file.url })),
          ui.actions(ui.commandButton(t('clusters:myData.edit'), 'profile'), ui.commandButton(t('clusters:myData.forget'), 'forget-me', 'danger')),
        ], { ephemeral: true }),
      ],
      next: null,
    };
  },
});

/**
 * `/lc forget-me`: erases or anonymises the person's data in every table (see forgetPerson), keeping
 * anonymous aggregates. It asks first, with a confirmation on the button.
 */
export const forgetMeFlow = defineFlow<State>({
  name: 'forget-me',
  version: 1,
  schema: z.object({}) as z.ZodType<State>,
  commands: [{ verb: 'forget-me', summaryKey: 'clusters:summary.forgetMe', audience: 'anyone' }],
  async start(ctx) {
    const { t } = ctx;
    const text = t('clusters:forget.warning');
    return {
      replies: [
        ui.message(text, [
          ui.paragraph(text),
          ui.actions(
            { ...ui.button(t('clusters:forget.yes'), 'forget-me:confirm', 'yes', 'danger'), confirm: { title: t('clusters:forget.confirmTitle'), text: t('clusters:forget.confirmText'), yes: t('clusters:forget.yes'), no: t('clusters:cancel') } },
            ui.commandButton(t('clusters:forget.export'), 'my-data'),
          ),
        ], { ephemeral: true }),
      ],
      next: null,
    };
  },
  accepts: { actions: { 'forget-me:confirm': 'yes' }, forms: [] },
  async handle(ctx, event): Promise<FlowResult<State>> {
    if (event.type !== 'action' || event.actionId !== 'forget-me:confirm' || event.value !== 'yes') return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
    const { db, personalCache } = ctx.services;
    const clusters = await db.membership.findMany({ where: { personId: ctx.person.id }, select: { clusterId: true } });
    // Redis first (cached DM channels, stashed forms): if it is away, nothing is erased yet and the
    // person gets "try again in a moment". Found before forgetPerson deletes the accounts.
    const accounts = await db.platformIdentity.findMany({ where: { personId: ctx.person.id }, select: { platform: true, externalId: true, conversationRef: true } });
    await personalCache?.forget(accounts).catch(() => {
      throw new BotError(ErrorCode.Unavailable, 'errors.unavailable');
    });
    await forgetPerson(db, ctx.person.id, ctx.services.clock.now());
    // Once more for a key written meanwhile (a reminder sent in between); Redis just answered, and
    // whatever a failure leaves expires with its TTL (a week at most).
    await personalCache?.forget(accounts).catch(() => undefined);
    for (const clusterId of new Set(clusters.map((c) => c.clusterId))) await ctx.services.scheduler.clusterChanged(clusterId, 'membership');
    return { replies: [ui.text(ctx.t('clusters:forget.done'), { replaceOriginal: true })], next: null };
  },
});

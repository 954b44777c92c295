import { z } from 'zod';
import { isBotError } from '../src/core/errors.js';
import { defineFlow, type FlowContext, type FlowResult } from '../src/core/flow.js';
import { checkForm, refill } from '../src/core/forms.js';
import { ui, type Form, type OutboundMessage } from '../src/core/messages.js';
import { formatDateTime } from '../src/core/format.js';
import { createLinkCode, displayLinkCode, normaliseLinkCode, redeemLinkCode } from '../src/domain/identity-link.js';

const CODE_FORM = 'link:code';
const codeSchema = z.object({
  code: z
    .string()
    .trim()
    .min(1)
    .max(20)
    .refine((v) => normaliseLinkCode(v) !== null, 'link:badFormat'),
});

/**
 * `/lc link`: makes the same person out of accounts on different platforms (Slack, Teams, web chat).
 * `/lc link` shows a one-time code; `/lc link <code>` (or the form) typed on the other platform
 * merges the two accounts. Platform-neutral: it only knows the platform names the core gives it.
 */
export const linkFlow = defineFlow({
  name: 'link',
  version: 1,
  schema: z.object({}),
  commands: [{ verb: 'link', summaryKey: 'link:summary', usageKey: 'link:usage', audience: 'anyone' }],
  async start(ctx, { args }) {
    if (args.trim()) return redeem(ctx, args.trim());
    const { code, expiresAt } = await createLinkCode(ctx.services.db, ctx.person.id, ctx.person.platform, ctx.services.clock.now());
    const { t } = ctx;
    const shown = displayLinkCode(code);
    const until = formatDateTime(expiresAt, ctx.person.timeZone, ctx.person.locale);
    const text = t('link:codeShown', { code: shown, until });
    return {
      replies: [
        ui.message(text, [
          ui.heading(t('link:title')),
          ui.paragraph(text),
          ui.paragraph(t('link:howTo', { code: shown })),
          // The same code signs a browser in to the web chat (adapters/web-chat, src/domain/web-sessions.ts).
          ...(ctx.services.config.webChatEnabled && ctx.person.platform !== 'WEB' ? [ui.paragraph(t('link:webSignIn', { url: ctx.services.config.PUBLIC_URL }))] : []),
          ui.actions(ui.openButton(t('link:haveCode'), 'link:enter')),
        ], { ephemeral: true }),
      ],
      next: { step: 'shown', data: {} },
    };
  },
  accepts: { actions: { 'link:enter': '' }, forms: ['link:code'] },
  async handle(ctx, event): Promise<FlowResult<Record<string, never>>> {
    if (event.type === 'action' && event.actionId === 'link:enter') {
      return { replies: [ui.message(ctx.t('link:formTitle'), [ui.form(codeForm(ctx))], { ephemeral: true })], next: { step: 'enter', data: {} } };
    }
    if (event.type === 'form' && event.formId === CODE_FORM) {
      const checked = checkForm(codeSchema, event.values, ctx.t);
      if (!checked.ok) return { replies: [formReply(ctx, event.values, translateErrors(ctx, checked.errors))] };
      try {
        return await redeem(ctx, checked.data.code);
      } catch (error) {
        // Wrong or expired code: say so next to the field, keeping what was typed.
        if (isBotError(error) && error.messageKey.startsWith('link:')) {
          return { replies: [formReply(ctx, event.values, { code: ctx.t(error.messageKey, error.vars) })] };
        }
        throw error;
      }
    }
    if (event.type === 'text' && normaliseLinkCode(event.text)) return redeem(ctx, event.text);
    return { replies: [ui.text(ctx.t('link:howToShort'), { ephemeral: true })], next: null };
  },
});

async function redeem(ctx: FlowContext, code: string): Promise<FlowResult<Record<string, never>>> {
  const outcome = await redeemLinkCode(ctx.services.db, { personId: ctx.person.id, platform: ctx.person.platform, code, now: ctx.services.clock.now() });
  for (const clusterId of outcome.clusterIds) await ctx.services.scheduler.clusterChanged(clusterId, 'identity-linked');
  const survivor = await ctx.services.db.person.findUniqueOrThrow({ where: { id: outcome.survivorId }, include: { identities: true } });
  const platforms = [...new Set(survivor.identities.map((i) => ctx.t(`link:platforms.${i.platform}`)))].join(', ');
  const text = ctx.t('link:linked', { name: survivor.displayName, platforms });
  return { replies: [ui.message(text, [ui.paragraph(text), ui.actions(ui.commandButton(ctx.t('link:showMe'), 'me', 'primary'))])], next: null };
}

function codeForm(ctx: FlowContext): Form {
  return {
    formId: CODE_FORM,
    title: ctx.t('link:formTitle'),
    submitLabel: ctx.t('link:formSubmit'),
    intro: ctx.t('link:formIntro'),
    fields: [{ name: 'code', label: ctx.t('link:codeLabel'), kind: 'text', required: true, maxLength: 20, placeholder: 'ABCD-2345' }],
  };
}

function formReply(ctx: FlowContext, values: Record<string, string | string[]>, errors: Record<string, string>): OutboundMessage {
  return ui.message(ctx.t('link:formTitle'), [ui.form(refill(codeForm(ctx), values, errors))], { ephemeral: true });
}

function translateErrors(ctx: FlowContext, errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([field, message]) => [field, message.startsWith('link:') ? ctx.t(message) : message]));
}

import { escapeMarkup } from '../../src/core/markup.js';
import { z } from 'zod';
import { checkForm, fieldSchemas, refill, type FormValues } from '../../src/core/forms.js';
import { defineFlow, type FlowContext } from '../../src/core/flow.js';
import { BotError, ErrorCode } from '../../src/core/errors.js';
import { ui, type Form } from '../../src/core/messages.js';
import { createCluster, creatablePlaces, nextClusterCode } from '../../src/domain/clusters/creation.js';
import { countrySchema, listSchema, single, timeZoneSchema } from './common.js';
import { countryLanguage, languageFromInput, languageName, LANGUAGE_NAMES, LANGUAGES, normaliseLanguage } from '../../src/core/languages.js';

const formSchema = z.object({
  programmeId: single(z.string().trim().optional()),
  code: single(z.string().trim().toUpperCase().regex(/^[A-Z][A-Z0-9-]{0,11}$/, 'form.invalidCode').optional().or(z.literal('').transform(() => undefined))),
  name: fieldSchemas.text(120),
  approach: fieldSchemas.text(200),
  hosts: listSchema(5, 120).refine((l) => l.length > 0, 'form.required'),
  hostCountry: countrySchema,
  timeZone: timeZoneSchema,
  // One of the bot's languages; left empty, the host country's main language (or the deployment's default).
  language: single(z.string().trim().optional()).superRefine((v, ctx) => {
    if (v && !languageFromInput(v)) ctx.addIssue({ code: 'custom', message: 'form.unknownLanguage', params: { codes: v } });
  }).transform((v) => (v ? languageFromInput(v) : undefined)),
  capacity: z.coerce.number({ message: 'form.invalidNumber' }).int('form.invalidNumber').min(1, 'form.capacityRange').max(100, 'form.capacityRange'),
});

/** `/lc create`: a coordinator sets up a new cluster in their programme and becomes its coordinator. */
export const createFlow = defineFlow({
  name: 'create',
  version: 1,
  schema: z.object({}),
  commands: [{ verb: 'create', summaryKey: 'clusters:summary.create', audience: ['COORDINATOR'] }],
  async start(ctx) {
    const form = await createForm(ctx);
    return { replies: [ui.message(form.title, [ui.form(form)], { ephemeral: true })], next: { step: 'form', data: {} } };
  },
  accepts: { actions: {}, forms: ['create:cluster'] },
  async handle(ctx, event) {
    if (event.type !== 'form' || event.formId !== 'create:cluster') return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
    const form = await createForm(ctx);
    const checked = checkForm(formSchema, event.values, ctx.t);
    // A code already taken is reported with every other mistake (the check below still guards a race).
    const taken = await codeTaken(ctx, event.values);
    if (!checked.ok || taken) {
      const errors = { ...(checked.ok ? {} : checked.errors), ...(taken ? { code: ctx.t('clusters:create.codeTaken', { code: taken }) } : {}) };
      return { replies: [ui.message(form.title, [ui.form(refill(form, event.values, errors))], { ephemeral: true })] };
    }
    try {
      const language = checked.data.language ?? countryLanguage(checked.data.hostCountry) ?? normaliseLanguage(ctx.services.config.DEFAULT_LOCALE) ?? 'en';
      const cluster = await createCluster(ctx.services.db, ctx.person.id, { ...checked.data, language, programmeId: checked.data.programmeId || undefined }, { platform: ctx.person.platform, slackMode: ctx.services.config.slackMode });
      await ctx.services.scheduler.clusterChanged(cluster.id, 'created');
      const done = ctx.t('clusters:create.done', { code: cluster.code, name: cluster.name });
      // A new programme attached to this workspace (safe by default): say so, and how to add another.
      const attached = cluster.attachedTo;
      const text = attached
        ? `${done}\n${ctx.t('clusters:create.attachedHere', { programme: escapeMarkup(attached.programmeName), workspace: ctx.t(`clusters:workspaces.platform.${attached.platform}`, { id: escapeMarkup(attached.externalId) }) })}`
        : done;
      return {
        replies: [
          ui.message(text, [
            ui.paragraph(text),
            ui.fields([
              { label: ctx.t('clusters:create.fields.approach'), value: escapeMarkup(cluster.approach) },
              { label: ctx.t('clusters:create.fields.capacity'), value: String(cluster.capacity) },
              { label: ctx.t('clusters:create.fields.timeZone'), value: escapeMarkup(cluster.timeZone) },
              { label: ctx.t('clusters:create.fields.language'), value: escapeMarkup(languageName(cluster.language)) },
            ]),
            ui.actions(ui.commandButton(ctx.t('clusters:create.setTimeline'), `timeline ${cluster.code}`, 'primary'), ui.commandButton(ctx.t('clusters:create.invite'), `invite ${cluster.code}`)),
          ]),
        ],
        next: null,
      };
    } catch (error) {
      if (error instanceof BotError && error.code === ErrorCode.Conflict) {
        return { replies: [ui.message(form.title, [ui.form(refill(form, event.values, { code: ctx.t(error.messageKey, error.vars) }))], { ephemeral: true })] };
      }
      throw error;
    }
  },
});

/** The typed code when it is well-formed and already used in the chosen programme, else undefined. */
async function codeTaken(ctx: FlowContext, values: FormValues): Promise<string | undefined> {
  const first = (v: unknown) => String(Array.isArray(v) ? v[0] : (v ?? '')).trim();
  const code = first(values.code).toUpperCase();
  if (!/^[A-Z][A-Z0-9-]{0,11}$/.test(code)) return undefined;
  const { programmes } = await creatablePlaces(ctx.services.db, ctx.person.id);
  const programmeId = first(values.programmeId) || (programmes.length === 1 ? programmes[0].id : '');
  if (!programmes.some((p) => p.id === programmeId)) return undefined;
  const existing = await ctx.services.db.cluster.findUnique({ where: { programmeId_code: { programmeId, code } } });
  return existing ? code : undefined;
}

async function createForm(ctx: FlowContext): Promise<Form> {
  const { programmes } = await creatablePlaces(ctx.services.db, ctx.person.id);
  if (programmes.length === 0) throw new BotError(ErrorCode.NotAllowed, 'clusters:create.notCoordinator');
  const t = ctx.t;
  return {
    formId: 'create:cluster',
    title: t('clusters:create.title'),
    submitLabel: t('clusters:create.submit'),
    fields: [
      ...(programmes.length > 1
        ? [{ name: 'programmeId', label: t('clusters:create.fields.programme'), kind: 'select' as const, required: true, options: programmes.map((p) => ({ label: p.name, value: p.id })) }]
        : []),
      { name: 'code', label: t('clusters:create.fields.code'), kind: 'text', maxLength: 12, placeholder: await nextClusterCode(ctx.services.db, programmes[0].id), hint: t('clusters:create.hints.code') },
      { name: 'name', label: t('clusters:create.fields.name'), kind: 'text', required: true, maxLength: 120 },
      { name: 'approach', label: t('clusters:create.fields.approach'), kind: 'text', required: true, maxLength: 200, hint: t('clusters:create.hints.approach') },
      { name: 'hosts', label: t('clusters:create.fields.hosts'), kind: 'text', required: true, hint: t('clusters:create.hints.hosts') },
      { name: 'hostCountry', label: t('clusters:create.fields.hostCountry'), kind: 'text', required: true, maxLength: 2, placeholder: 'XK' },
      { name: 'timeZone', label: t('clusters:create.fields.timeZone'), kind: 'text', required: true, initial: ctx.person.timeZone },
      { name: 'language', label: t('clusters:create.fields.language'), kind: 'select', options: LANGUAGES.map((l) => ({ label: LANGUAGE_NAMES[l], value: l })) },
      { name: 'capacity', label: t('clusters:create.fields.capacity'), kind: 'number', required: true, initial: '10', hint: t('clusters:create.hints.capacity') },
    ],
  };
}

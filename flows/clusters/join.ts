import { escapeMarkup, md } from '../../src/core/markup.js';
import { notifyInTheirLanguage } from '../../src/core/in-their-language.js';
import { languageName } from '../../src/core/languages.js';
import { languagePicker } from '../language.js';
import { z } from 'zod';
import { checkForm, fieldSchemas, refill, type FormValues } from '../../src/core/forms.js';
import { defineFlow, type FlowContext, type FlowResult } from '../../src/core/flow.js';
import { ui, type Block, type Form, type OutboundMessage } from '../../src/core/messages.js';
import { pendingInvitations } from '../../src/domain/clusters/invitations.js';
import { coordinatorsOf, findRegistration, saveRegistration } from '../../src/domain/clusters/registrations.js';
import { checkboxSchema, countrySchema, languagesSchema, listSchema, single, timeZoneSchema } from './common.js';
import { programmesReachableBy } from '../../src/domain/programme-workspaces.js';

const optionalChoice = single(z.string().trim().optional()).transform((v) => v || undefined);
const formSchema = z
  .object({
    choice1: single(z.string().trim().min(1, 'form.required')),
    choice2: optionalChoice,
    choice3: optionalChoice,
    organisationName: fieldSchemas.text(120),
    position: fieldSchemas.optionalText(120),
    country: countrySchema,
    languages: languagesSchema(8),
    timeZone: timeZoneSchema,
    caseDescription: fieldSchemas.optionalText(2000),
    topics: listSchema(12, 60),
    consent: checkboxSchema.refine((v) => v, 'form.consentRequired'),
  });

/**
 * `/lc join` and `/lc profile`: a practitioner registers for a programme (clusters in order of
 * preference, municipality, position, country, languages, time zone, a case, consent), sees what was
 * saved, and edits it later. Registering again shows the registration with an Edit button. Resource
 * persons also keep their expertise topics here. Coordinators of the listed clusters are told.
 */
export const joinFlow = defineFlow({
  name: 'join',
  version: 1,
  schema: z.object({}),
  commands: [
    { verb: 'join', summaryKey: 'clusters:summary.join', audience: 'anyone', common: true },
    { verb: 'profile', summaryKey: 'clusters:summary.profile', audience: 'anyone' },
  ],
  async start(ctx, { verb }) {
    const registration = await findRegistration(ctx.services.db, ctx.person.id);
    const invitations = await pendingInvitations(ctx.services.db, ctx.person.id);
    const invitationBlocks: Block[] = invitations.flatMap((m) => [
      ui.paragraph(ctx.t('clusters:join.pendingInvitation', { role: ctx.t(`roles.${m.role}`), code: m.cluster.code, name: m.cluster.name })),
      ui.actions(ui.button(ctx.t('clusters:invite.accept'), 'invite:accept', m.id, 'primary'), ui.button(ctx.t('clusters:invite.decline'), 'invite:decline', m.id)),
    ]);
    if (verb === 'join' && registration) {
      const summary = await registrationSummary(ctx, ctx.t('clusters:join.alreadyRegistered'));
      return { replies: [{ ...summary, blocks: [...invitationBlocks, ...summary.blocks] }], next: null };
    }
    const isRp = await isResourcePerson(ctx);
    // Your language is part of your profile: a picker on top, whatever else the profile holds.
    if (verb === 'profile') invitationBlocks.unshift(ui.paragraph(ctx.t('me:languageNow', { language: languageName(ctx.person.locale) })), languagePicker(ctx, 'language:pick', ctx.person.locale));
    if (verb === 'profile' && !registration && !isRp) {
      // People added or invited to a cluster never filled a registration: tell them where they are instead.
      const memberships = await ctx.services.db.membership.findMany({ where: { personId: ctx.person.id, status: 'ACTIVE' }, select: { cluster: { select: { code: true } } } });
      if (memberships.length) {
        const text = ctx.t('clusters:join.noRegistrationMember', { codes: [...new Set(memberships.map((m) => m.cluster.code))].join(', ') });
        return { replies: [ui.message(text, [...invitationBlocks, ui.paragraph(text), ui.actions(ui.commandButton(ctx.t('home:buttons.me'), 'me'))], { ephemeral: true })], next: null };
      }
      const text = ctx.t('clusters:join.noRegistration');
      return { replies: [ui.message(text, [...invitationBlocks, ui.paragraph(text), ui.actions(ui.commandButton(ctx.t('clusters:join.register'), 'join', 'primary'))], { ephemeral: true })], next: null };
    }
    // A resource person who is not registering as a practitioner only keeps their expertise here.
    const form = verb === 'profile' && !registration ? await topicsForm(ctx) : await registrationForm(ctx);
    return { replies: [ui.message(form.title, [...invitationBlocks, ui.form(form)], { ephemeral: true })], next: { step: 'form', data: {} } };
  },
  accepts: { actions: { 'join:edit': '' }, forms: ['join:topics', 'join:registration'] },
  async handle(ctx, event): Promise<FlowResult<Record<string, never>>> {
    if (event.type === 'action' && event.actionId === 'join:edit') {
      const form = await registrationForm(ctx);
      return { replies: [ui.message(form.title, [ui.form(form)], { ephemeral: true })], next: { step: 'form', data: {} } };
    }
    if (event.type === 'form' && event.formId === 'join:topics') {
      const checked = checkForm(topicsSchema, event.values, ctx.t);
      if (!checked.ok) return { replies: [ui.message(ctx.t('clusters:join.topicsTitle'), [ui.form(refill(await topicsForm(ctx), event.values, checked.errors))], { ephemeral: true })] };
      await ctx.services.db.membership.updateMany({ where: { personId: ctx.person.id, role: 'RESOURCE_PERSON' }, data: { topics: checked.data.topics } });
      await ctx.services.db.person.update({ where: { id: ctx.person.id }, data: { position: checked.data.position ?? null } });
      const text = ctx.t('clusters:join.topicsSaved', { topics: checked.data.topics.join(', ') || '–' });
      return { replies: [ui.text(text, { ephemeral: true })], next: null };
    }
    if (event.type !== 'form' || event.formId !== 'join:registration') return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
    const form = await registrationForm(ctx);
    const checked = checkForm(formSchema, event.values, ctx.t);
    const again = (errors: Record<string, string>) => ({ replies: [ui.message(form.title, [ui.form(refill(form, event.values, errors))], { ephemeral: true })] });
    // Choices that are not open clusters, or from two programmes, are reported with every other mistake.
    const choiceErrors = await checkChoices(ctx, event.values);
    if (!checked.ok || Object.keys(choiceErrors).length) return again({ ...(checked.ok ? {} : checked.errors), ...choiceErrors });
    const v = checked.data;
    const preferences = [v.choice1, v.choice2, v.choice3].filter((c): c is string => Boolean(c));

    const db = ctx.services.db;
    const { created } = await saveRegistration(db, ctx.person.id, { ...v, preferences }, ctx.services.clock.now());
    if (await isResourcePerson(ctx)) await db.membership.updateMany({ where: { personId: ctx.person.id, role: 'RESOURCE_PERSON' }, data: { topics: v.topics } });
    const registration = (await findRegistration(db, ctx.person.id))!;
    const codes = registration.preferences.map((p) => p.cluster.code).join(' > ');
    for (const coordinatorId of await coordinatorsOf(db, preferences)) {
      if (coordinatorId === ctx.person.id) continue;
      await notifyInTheirLanguage(ctx.services, coordinatorId, (t) => ui.text(t(created ? 'clusters:join.coordinatorNew' : 'clusters:join.coordinatorUpdated', { name: ctx.person.displayName, organisation: v.organisationName, codes })));
    }
    return { replies: [await registrationSummary(ctx, ctx.t(created ? 'clusters:join.saved' : 'clusters:join.updated'))], next: null };
  },
});

const topicsSchema = z.object({ topics: listSchema(12, 60).refine((l) => l.length > 0, 'form.required'), position: fieldSchemas.optionalText(120) });

async function topicsForm(ctx: FlowContext): Promise<Form> {
  const { t } = ctx;
  const [rp, person] = await Promise.all([
    ctx.services.db.membership.findFirst({ where: { personId: ctx.person.id, role: 'RESOURCE_PERSON', status: 'ACTIVE' } }),
    ctx.services.db.person.findUniqueOrThrow({ where: { id: ctx.person.id } }),
  ]);
  return {
    formId: 'join:topics',
    title: t('clusters:join.topicsTitle'),
    submitLabel: t('clusters:join.submit'),
    fields: [
      { name: 'topics', label: t('clusters:join.fields.topics'), kind: 'text', required: true, hint: t('clusters:join.hints.topics'), initial: rp?.topics.join(', ') },
      { name: 'position', label: t('clusters:join.fields.position'), kind: 'text', maxLength: 120, initial: person.position ?? undefined },
    ],
  };
}

async function isResourcePerson(ctx: FlowContext) {
  return (await ctx.services.db.membership.count({ where: { personId: ctx.person.id, role: 'RESOURCE_PERSON', status: 'ACTIVE' } })) > 0;
}

/** Errors of the cluster choices: the same cluster twice, a gap, one that is not open, or two programmes. */
async function checkChoices(ctx: FlowContext, values: FormValues): Promise<Record<string, string>> {
  const first = (v: unknown) => String(Array.isArray(v) ? v[0] : (v ?? '')).trim();
  const chosen = (['choice1', 'choice2', 'choice3'] as const).map((field) => ({ field, id: first(values[field]) })).filter((c) => c.id);
  const errors: Record<string, string> = {};
  const [c1, c2, c3] = (['choice1', 'choice2', 'choice3'] as const).map((field) => first(values[field]));
  if (c2 && c2 === c1) errors.choice2 = ctx.t('form.duplicateChoice');
  if (c3 && (c3 === c1 || c3 === c2)) errors.choice3 = ctx.t('form.duplicateChoice');
  if (!c2 && c3) errors.choice2 = ctx.t('form.fillInOrder');
  if (!chosen.length) return errors;
  // Only clusters of programmes open to the person's workspaces count as open (workspaces are boundaries).
  const reachable = await programmesReachableBy(ctx.services.db, ctx.person.id);
  const open = await ctx.services.db.cluster.findMany({ where: { archivedAt: null, id: { in: chosen.map((c) => c.id) }, programme: reachable }, select: { id: true, programmeId: true } });
  for (const c of chosen) if (!open.some((o) => o.id === c.id)) errors[c.field] = ctx.t('form.invalidChoice');
  if (new Set(open.map((o) => o.programmeId)).size > 1) errors.choice2 ??= ctx.t('clusters:join.oneProgramme');
  return errors;
}

/** What was saved, shown after saving and when someone registers twice. */
async function registrationSummary(ctx: FlowContext, intro: string): Promise<OutboundMessage> {
  const { t } = ctx;
  const db = ctx.services.db;
  const registration = await findRegistration(db, ctx.person.id);
  const blocks: Block[] = [ui.paragraph(intro)];
  if (registration) {
    blocks.push(
      ui.fields([
        { label: t('clusters:join.fields.choices'), value: registration.preferences.map((p) => md`${p.rank}. ${p.cluster.code}: ${p.cluster.name}`).join('\n') },
        { label: t('clusters:join.fields.organisationName'), value: escapeMarkup(registration.organisationName) },
        { label: t('clusters:join.fields.position'), value: escapeMarkup(registration.position ?? '–') },
        { label: t('clusters:join.fields.country'), value: escapeMarkup(registration.country ?? '–') },
        { label: t('clusters:join.fields.languages'), value: escapeMarkup(registration.languages.join(', ')) },
        { label: t('clusters:join.fields.timeZone'), value: escapeMarkup(registration.timeZone) },
        { label: t('clusters:join.fields.caseDescription'), value: escapeMarkup(registration.caseDescription ?? '–') },
        { label: t('clusters:join.status'), value: t(`clusters:join.statuses.${registration.status}`, { code: registration.assignedCluster?.code ?? '' }) },
      ]),
    );
    if (registration.assignedReason) blocks.push(ui.context(registration.assignedReason));
  }
  const rp = await db.membership.findFirst({ where: { personId: ctx.person.id, role: 'RESOURCE_PERSON', status: 'ACTIVE' } });
  if (rp) blocks.push(ui.fields([{ label: t('clusters:join.fields.topics'), value: rp.topics.join(', ') || '–' }]));
  blocks.push(ui.actions(ui.openButton(t('clusters:join.edit'), 'join:edit', undefined, 'primary'), ui.commandButton(t('clusters:join.myData'), 'my-data')));
  return ui.message(intro, blocks, { ephemeral: true });
}

async function registrationForm(ctx: FlowContext): Promise<Form> {
  const { t } = ctx;
  const db = ctx.services.db;
  const reachable = await programmesReachableBy(db, ctx.person.id);
  const [registration, clusters, person, rp] = await Promise.all([
    findRegistration(db, ctx.person.id),
    // Menus hold at most 100 options on Slack: the newest programmes' clusters come first; only
    // programmes open to the person's workspaces are offered (src/domain/programme-workspaces.ts).
    db.cluster.findMany({ where: { archivedAt: null, programme: reachable }, include: { programme: true }, orderBy: [{ programme: { createdAt: 'desc' } }, { code: 'asc' }], take: 100 }),
    db.person.findUniqueOrThrow({ where: { id: ctx.person.id }, include: { organisation: true } }),
    db.membership.findFirst({ where: { personId: ctx.person.id, role: 'RESOURCE_PERSON', status: 'ACTIVE' } }),
  ]);
  const multiProgramme = new Set(clusters.map((c) => c.programmeId)).size > 1;
  const options = clusters.map((c) => ({ label: md`${c.code}: ${c.name}${multiProgramme ? ` (${c.programme.name})` : ''}`, value: c.id }));
  const pref = (rank: number) => registration?.preferences.find((p) => p.rank === rank)?.clusterId;
  const privacyUrl = `${ctx.services.config.PUBLIC_URL}/privacy`;
  return {
    formId: 'join:registration',
    title: t(registration ? 'clusters:join.editTitle' : 'clusters:join.title'),
    submitLabel: t('clusters:join.submit'),
    // The privacy text is linked in the intro: field labels and hints are plain text on Slack, so a link there is not clickable.
    intro: `${t('clusters:join.intro')}\n\n${t('clusters:join.privacy', { url: privacyUrl })}`,
    fields: [
      { name: 'choice1', label: t('clusters:join.fields.choice1'), kind: 'select', required: true, options, initial: pref(1) },
      { name: 'choice2', label: t('clusters:join.fields.choice2'), kind: 'select', options, initial: pref(2) },
      { name: 'choice3', label: t('clusters:join.fields.choice3'), kind: 'select', options, initial: pref(3) },
      { name: 'organisationName', label: t('clusters:join.fields.organisationName'), kind: 'text', required: true, maxLength: 120, initial: registration?.organisationName ?? person.organisation?.name },
      { name: 'position', label: t('clusters:join.fields.position'), kind: 'text', maxLength: 120, initial: registration?.position ?? person.position ?? undefined },
      { name: 'country', label: t('clusters:join.fields.country'), kind: 'text', required: true, maxLength: 2, placeholder: 'XK', hint: t('clusters:join.hints.country'), initial: registration?.country ?? person.country ?? undefined },
      { name: 'languages', label: t('clusters:join.fields.languages'), kind: 'text', required: true, hint: t('clusters:join.hints.languages'), initial: registration?.languages.join(', ') ?? person.locale },
      { name: 'timeZone', label: t('clusters:join.fields.timeZone'), kind: 'text', required: true, initial: registration?.timeZone ?? ctx.person.timeZone, hint: t('clusters:join.hints.timeZone') },
      { name: 'caseDescription', label: t('clusters:join.fields.caseDescription'), kind: 'textarea', maxLength: 2000, hint: t('clusters:join.hints.caseDescription'), initial: registration?.caseDescription ?? undefined },
      ...(rp ? [{ name: 'topics', label: t('clusters:join.fields.topics'), kind: 'text' as const, hint: t('clusters:join.hints.topics'), initial: rp.topics.join(', ') }] : []),
      { name: 'consent', label: t('clusters:join.fields.consent'), kind: 'checkbox', required: true, hint: t('clusters:join.hints.consent'), initial: registration ? 'true' : undefined },
    ],
  };
}

import { z } from 'zod';
import type { FlowContext, FlowResult } from '../../src/core/flow.js';
import { ui, type OutboundMessage } from '../../src/core/messages.js';
import { canonicalLanguage, isCountryCode, isLanguageTag } from '../../src/domain/codes.js';
import { resolveClusterArg, type ClusterChoice } from '../../src/domain/clusters/cluster-arg.js';
import type { Role } from '../../src/generated/prisma/enums.js';

/** Every role, for commands any cluster role may use. */
export const ALL_ROLES: Role[] = ['COORDINATOR', 'MEMBER', 'RESOURCE_PERSON', 'OBSERVER'];

/** The picker shown when a command could mean several of the caller's clusters. */
export function clusterPicker(ctx: FlowContext, flow: string, choices: ClusterChoice[]): OutboundMessage {
  const text = ctx.t('clusters:pickCluster');
  return ui.message(text, [
    ui.paragraph(text),
    ui.actions({ type: 'select', actionId: `${flow}:cluster`, placeholder: ctx.t('clusters:pickClusterPlaceholder'), options: choices.map((c) => ({ label: `${c.code}: ${c.name}`, value: c.id })) }),
  ], { ephemeral: true });
}

/**
 * Runs `body` for the cluster named in `arg` (or the caller's only one), or answers with a picker whose
 * choice comes back as the `<flow>:cluster` action and is resolved the same way (so it is re-checked).
 */
export async function withCluster<S>(
  ctx: FlowContext,
  flow: string,
  arg: string,
  roles: Role[],
  body: (cluster: ClusterChoice, rest: string) => Promise<FlowResult<S>>,
  options: { firstWordIsCluster?: boolean } = { firstWordIsCluster: true },
): Promise<FlowResult<S>> {
  const trimmed = arg.trim();
  const first = trimmed.split(/\s+/)[0] ?? '';
  // Commands that take more than a cluster (invite) read the first word as a cluster only when it looks like one.
  const useFirst = first !== '' && (options.firstWordIsCluster || /^lc\d+$/i.test(first));
  const resolved = await resolveClusterArg(ctx.services.db, ctx.person.id, useFirst ? first : '', roles);
  if (resolved.kind === 'ask') return { replies: [clusterPicker(ctx, flow, resolved.choices)], next: null };
  return body(resolved.cluster, useFirst ? trimmed.slice(first.length).trim() : trimmed);
}

/** True when the first word of the arguments looks like a cluster code (LC1, lc12). */
export function startsWithClusterCode(args: string): boolean {
  return /^lc\d+\b/i.test(args.trim());
}

/** Checkbox values as the adapters send them. */
export const checkboxSchema = z.union([z.string(), z.array(z.string())]).optional().transform((v) => {
  const value = Array.isArray(v) ? v[0] : v;
  return value === 'true' || value === 'on' || value === 'yes' || value === '1';
});

/** An IANA time zone. */
export const timeZoneSchema = z.string().trim().min(1).refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'form.invalidTimeZone');

/** A two-letter country code from the real list (ISO 3166-1, with XK), upper-cased. */
export const countrySchema = z
  .string()
  .trim()
  .toUpperCase()
  .superRefine((code, ctx) => {
    if (!/^[A-Z]{2}$/.test(code)) ctx.addIssue({ code: 'custom', message: 'form.invalidCountry' });
    else if (!isCountryCode(code)) ctx.addIssue({ code: 'custom', message: 'form.unknownCountry', params: { code } });
  });

/** One language tag people use (sq, sr-Latn), in its canonical spelling. */
export const languageSchema = z
  .string()
  .trim()
  .min(1)
  .superRefine((tag, ctx) => {
    if (!isLanguageTag(tag)) ctx.addIssue({ code: 'custom', message: 'form.unknownLanguage', params: { codes: tag } });
  })
  .transform(canonicalLanguage);

/** Several language tags ("sq, en"), each checked; the unknown ones are named. */
export const languagesSchema = (maxItems: number) =>
  listSchema(maxItems, 20)
    .superRefine((list, ctx) => {
      if (list.length === 0) ctx.addIssue({ code: 'custom', message: 'form.required' });
      const unknown = list.filter((tag) => !isLanguageTag(tag));
      if (unknown.length) ctx.addIssue({ code: 'custom', message: 'form.unknownLanguage', params: { codes: unknown.join(', ') } });
    })
    .transform((list) => [...new Set(list.map(canonicalLanguage))]);

/** Comma-separated words ("sq, en") as a clean list. */
export const listSchema = (maxItems: number, maxLength: number) =>
  z.string().trim().max(maxItems * (maxLength + 2)).optional().transform((v) => [...new Set((v ?? '').split(/[,;\n]+/).map((s) => s.trim()).filter(Boolean))].slice(0, maxItems));

/** First value of a field that may come as a list. */
export const single = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (Array.isArray(v) ? v[0] : v), schema);

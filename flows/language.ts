import { z } from 'zod';
import { defineFlow, type FlowContext, type FlowResult } from '../src/core/flow.js';
import { translator } from '../src/core/i18n.js';
import { LANGUAGE_NAMES, LANGUAGES, languageFromInput, languageName, type Language } from '../src/core/languages.js';
import { ui, type Block, type OutboundMessage } from '../src/core/messages.js';
import { chooseLanguage, setClusterLanguage } from '../src/domain/language-choice.js';
import { startsWithClusterCode, withCluster } from './clusters/common.js';

/**
 * `/lc language [code or name]`: the language the bot writes to you in, everywhere and in every later
 * message. Alone it shows the current one and a picker with each language named in itself. Your
 * choice always wins over what Slack or Teams say. Coordinators: `/lc language LC1 sq` sets the
 * cluster's language (what goes to the whole cluster).
 */
export const languageFlow = defineFlow({
  name: 'language',
  version: 1,
  schema: z.object({}),
  commands: [{ verb: 'language', summaryKey: 'help:summary.language', audience: 'anyone' }],
  async start(ctx, { args }) {
    if (startsWithClusterCode(args)) return clusterLanguage(ctx, args);
    const given = args.trim();
    if (!given) return { replies: [languageMessage(ctx, ctx.t('me:languageNow', { language: languageName(ctx.person.locale) }))], next: null };
    const language = languageFromInput(given);
    if (!language) return { replies: [languageMessage(ctx, ctx.t('me:languageUnknown', { given: given.slice(0, 40) }))], next: null };
    return choose(ctx, language);
  },
  accepts: { actions: { 'language:pick': 'en', 'language:cluster': '{cluster}|sq' }, forms: [] },
  async handle(ctx, event): Promise<FlowResult<Record<string, never>>> {
    if (event.type === 'action' && event.actionId === 'language:pick') {
      const language = languageFromInput(event.value ?? '');
      if (language) return choose(ctx, language);
    }
    if (event.type === 'action' && event.actionId === 'language:cluster') {
      const [clusterId, code] = (event.value ?? '').split('|');
      const language = languageFromInput(code ?? '');
      if (clusterId && language) return clusterLanguage(ctx, `${clusterId} ${language}`);
    }
    return { replies: [ui.text(ctx.t('clusters:errors.badButton'), { ephemeral: true })] };
  },
});

/** The person's choice, stored; the answer already speaks the new language. */
async function choose(ctx: FlowContext, language: Language): Promise<FlowResult<Record<string, never>>> {
  await chooseLanguage(ctx.services.db, ctx.person.id, language, ctx.services.clock.now());
  const t = translator(language);
  const text = t('me:languageSet', { language: LANGUAGE_NAMES[language] });
  return { replies: [ui.message(text, [ui.paragraph(text), ui.actions(ui.commandButton(t('help.button'), 'help'))], { ephemeral: true, replaceOriginal: true, locale: language })], next: null };
}

/** `/lc language LC1 [language]`: a coordinator sees or sets the cluster's language. */
async function clusterLanguage(ctx: FlowContext, args: string): Promise<FlowResult<Record<string, never>>> {
  return withCluster<Record<string, never>>(ctx, 'language', args, ['COORDINATOR'], async (cluster, rest) => {
    const language = rest ? languageFromInput(rest) : undefined;
    if (!language) {
      const current = await ctx.services.db.cluster.findUniqueOrThrow({ where: { id: cluster.id }, select: { language: true } });
      const text = rest ? ctx.t('me:languageUnknown', { given: rest.slice(0, 40) }) : ctx.t('me:clusterLanguageNow', { cluster: cluster.code, language: languageName(current.language) });
      const picker = languagePicker(ctx, 'language:cluster', current.language, (l) => `${cluster.id}|${l}`);
      return { replies: [ui.message(text, [ui.paragraph(text), picker], { ephemeral: true })], next: null };
    }
    await setClusterLanguage(ctx.services.db, ctx.person.id, cluster.id, language);
    return { replies: [ui.text(ctx.t('me:clusterLanguageSet', { cluster: cluster.code, language: LANGUAGE_NAMES[language] }), { ephemeral: true, replaceOriginal: true })], next: null };
  });
}

function languageMessage(ctx: FlowContext, text: string): OutboundMessage {
  return ui.message(text, [ui.paragraph(text), ui.paragraph(ctx.t('me:languageChoose')), languagePicker(ctx, 'language:pick', ctx.person.locale)], { ephemeral: true });
}

/** A select of every language, each named in itself; choosing one sends `actionId` with the language (or `value(language)`). */
export function languagePicker(ctx: Pick<FlowContext, 't'>, actionId: string, current: string, value: (language: Language) => string = (l) => l): Block {
  const initial = LANGUAGES.find((l) => l === current);
  return ui.actions({
    type: 'select',
    actionId,
    placeholder: ctx.t('me:languagePlaceholder'),
    options: LANGUAGES.map((l) => ({ label: LANGUAGE_NAMES[l], value: value(l) })),
    ...(initial ? { initial: value(initial) } : {}),
  });
}

import { z } from 'zod';
import { createDownload } from '../../src/core/downloads.js';
import { BotError, ErrorCode } from '../../src/core/errors.js';
import { defineFlow, type FlowContext, type FlowResult } from '../../src/core/flow.js';
import { foldWord } from '../../src/core/fold.js';
import { checkForm, refill } from '../../src/core/forms.js';
import { formatDate } from '../../src/core/format.js';
import { documentTranslator } from '../../src/core/i18n.js';
import { md } from '../../src/core/markup.js';
import { ui, type OutboundMessage } from '../../src/core/messages.js';
import {
  isPracticeSection,
  listVersions,
  PRACTICE_EDITORS,
  PRACTICE_READERS,
  practiceToHtml,
  practiceToMarkdown,
  readPractice,
  readVersion,
  saveSection,
  type PracticeContent,
  type PracticeSection,
} from '../../src/domain/practice/index.js';
import { requireRole } from '../../src/domain/memberships.js';
import { clustersWithRole, pickCluster } from '../plan/clusters.js';
import { sectionForm, sectionSchema } from './forms.js';
import { renderOverview, renderSection, renderVersion, renderVersions, VERSIONS_SHOWN } from './render.js';

/** Nothing is kept between messages: every button and form carries what it acts on. */
const stateSchema = z.object({});
type Result = FlowResult<z.infer<typeof stateSchema>>;

/**
 * `/lc practice`: the documented good practice of the cluster's approach. Everyone in the cluster reads
 * it (a phone-sized overview, a button per section, the versions, Markdown and a printable page); its
 * resource persons and coordinators write it section by section, each save a new version.
 */
export const practiceFlow = defineFlow({
  name: 'practice',
  version: 1,
  schema: stateSchema,
  commands: [{ verb: 'practice', summaryKey: 'practice:summary', usageKey: 'practice:usage', audience: PRACTICE_READERS, common: false }],
  accepts: {
    actions: {
      'practice:open': '{cluster}',
      'practice:section': '{cluster}:summary',
      'practice:edit': '{cluster}:summary',
      'practice:versions': '{cluster}',
      'practice:version': '{cluster}:{practiceversion}',
      'practice:export': '{cluster}:md',
    },
    forms: ['practice:edit:{cluster}:{section}'],
  },
  async start(ctx, command) {
    const { code, versions } = parseArgs(ctx, command.args);
    const clusters = await clustersWithRole(ctx, PRACTICE_READERS);
    const cluster = pickCluster(ctx, clusters, code);
    if (!cluster) {
      const text = ctx.t('practice:chooseCluster');
      const buttons = clusters.slice(0, 20).map((c) => ui.openButton(md`${c.code}: ${c.name.slice(0, 60)}`, versions ? 'practice:versions' : 'practice:open', c.id));
      return { replies: [ui.message(text, [ui.paragraph(text), ui.actions(...buttons)], { ephemeral: true })] };
    }
    return { replies: [versions ? await versionsMessage(ctx, cluster.id) : renderOverview(ctx, await readPractice(ctx.services.db, ctx.person.id, cluster.id))] };
  },
  async handle(ctx, event): Promise<Result> {
    if (event.type === 'form') return handleForm(ctx, event.formId, event.values);
    if (event.type !== 'action') return { replies: [] };
    const db = ctx.services.db;
    const [clusterId = '', rest = ''] = splitOnce(event.value);
    switch (event.actionId) {
      case 'practice:open':
        return { replies: [renderOverview(ctx, await readPractice(db, ctx.person.id, clusterId))] };
      case 'practice:section': {
        const view = await readPractice(db, ctx.person.id, clusterId);
        return { replies: [renderSection(ctx, view, sectionOf(rest))] };
      }
      case 'practice:edit': {
        // Editors only: the form carries the current text, which is the cluster's to see and theirs to change.
        await requireRole(db, ctx.person.id, clusterId, PRACTICE_EDITORS);
        const section = sectionOf(rest);
        const view = await readPractice(db, ctx.person.id, clusterId);
        return { replies: [formMessage(sectionForm(ctx, clusterId, section, view.content))] };
      }
      case 'practice:versions':
        return { replies: [await versionsMessage(ctx, clusterId)] };
      case 'practice:version': {
        const { view, version } = await readVersion(db, ctx.person.id, clusterId, rest);
        return { replies: [renderVersion(ctx, view, version)] };
      }
      case 'practice:export':
        return { replies: [await exportPractice(ctx, clusterId, rest === 'html' ? 'html' : 'md')] };
      default:
        throw new BotError(ErrorCode.StaleConversation, 'errors.stepPast', { flow: 'practice' });
    }
  },
});

/** "LC1 versions", "versions", "verzije LC2": the cluster code and whether the versions are asked for. */
function parseArgs(ctx: FlowContext, args: string): { code: string; versions: boolean } {
  const words = new Set([...ctx.t('practice:versionsWords').split(/\s+/), 'versions'].map(foldWord));
  const tokens = args.trim().split(/\s+/).filter(Boolean);
  const versions = tokens.some((token) => words.has(foldWord(token)));
  return { code: tokens.find((token) => !words.has(foldWord(token))) ?? '', versions };
}

function splitOnce(value: string): [string, string] {
  const at = value.indexOf(':');
  return at < 0 ? [value, ''] : [value.slice(0, at), value.slice(at + 1)];
}

function sectionOf(value: string): PracticeSection {
  if (!isPracticeSection(value)) throw new BotError(ErrorCode.NotFound, 'errors.notFound', { what: { key: 'practice:things.section' } });
  return value;
}

async function versionsMessage(ctx: FlowContext, clusterId: string): Promise<OutboundMessage> {
  const view = await readPractice(ctx.services.db, ctx.person.id, clusterId);
  const versions = view.practiceId ? await listVersions(ctx.services.db, view.practiceId, VERSIONS_SHOWN) : [];
  return renderVersions(ctx, view, versions);
}

async function handleForm(ctx: FlowContext, formId: string, values: Record<string, string | string[]>): Promise<Result> {
  const db = ctx.services.db;
  const [, kind, clusterId = '', section = ''] = formId.split(':');
  if (kind !== 'edit') throw new BotError(ErrorCode.StaleConversation, 'errors.stepPast', { flow: 'practice' });
  // Access first: a form coming back with its mistakes carries the practice's current text.
  await requireRole(db, ctx.person.id, clusterId, PRACTICE_EDITORS);
  const target = sectionOf(section);
  const check = checkForm(sectionSchema(target), values, ctx.t);
  if (!check.ok) {
    const view = await readPractice(db, ctx.person.id, clusterId);
    return { replies: [formMessage(refill(sectionForm(ctx, clusterId, target, view.content), values, check.errors))] };
  }
  const outcome = await saveSection(db, { personId: ctx.person.id, clusterId, section: target, value: check.data.value as PracticeContent[typeof target], note: check.data.note });
  const view = await readPractice(db, ctx.person.id, clusterId);
  const note = outcome.saved ? ctx.t('practice:saved', { number: outcome.version.number }) : ctx.t('practice:unchanged');
  return { replies: [renderSection(ctx, view, target, [note])] };
}

/** The current version as Markdown or a printable page, behind an expiring link (served with the documents' CSP). */
async function exportPractice(ctx: FlowContext, clusterId: string, format: 'md' | 'html'): Promise<OutboundMessage> {
  const view = await readPractice(ctx.services.db, ctx.person.id, clusterId);
  const docT = documentTranslator(ctx.person.locale);
  const doc = {
    approach: view.approach,
    clusterCode: view.clusterCode,
    version: view.latest,
    dateText: view.latest ? formatDate(view.latest.createdAt, ctx.person.timeZone, ctx.person.locale) : '',
    content: view.content,
  };
  const body = format === 'md' ? practiceToMarkdown(doc, docT) : practiceToHtml(doc, docT);
  const filename = `good-practice-${view.clusterCode}${view.latest ? `-v${view.latest.number}` : ''}.${format}`;
  const contentType = format === 'md' ? 'text/markdown; charset=utf-8' : 'text/html; charset=utf-8';
  const { url } = await createDownload(ctx.services.db, ctx.services.config.PUBLIC_URL!, { filename, contentType, body, createdById: ctx.person.id }, ctx.services.clock.now());
  const text = ctx.t('plan:export.ready', { filename, url });
  return ui.message(text, [ui.paragraph(text)], { ephemeral: true });
}

function formMessage(form: ReturnType<typeof sectionForm>): OutboundMessage {
  return ui.message(form.title, [ui.form(form)], { ephemeral: true });
}

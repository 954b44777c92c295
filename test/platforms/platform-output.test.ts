import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderMessage as renderSlack, renderModal } from '../../adapters/slack/block-kit.js';
import { formCard, type Card } from '../../adapters/teams/cards.js';
import { buildManifest } from '../../adapters/teams/manifest.js';
import { activitiesFor } from '../../adapters/teams/outbound.js';
import { allFlows } from '../../flows/index.js';
import { translator } from '../../src/core/i18n.js';
import { COMMAND_ACTION, type Block, type Button, type Form, type OutboundMessage } from '../../src/core/messages.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { syncQuestionnaires } from '../../src/domain/questionnaires/catalogue.js';
import type { Runtime } from '../../src/server/runtime.js';
import { blockProblems, viewProblems } from '../support/block-kit-limits.js';
import { testRuntime } from '../support/harness.js';
import { buttonsOf, talkAs } from '../support/transcript.js';

/**
 * Issue 17 item 7: what the bot sends in the main journeys, held against the platforms themselves.
 * Slack's top-level text (notifications, screen readers) is in Slack's own markup, never Markdown;
 * Teams' summary is plain text in Teams' grammar; every Adaptive Card is valid Adaptive Cards 1.5 and
 * within what Teams shows; both app manifests are valid against their official schemas. The schemas are
 * the offline copies in test/support/specs (copied from the workspace's shared/specs, whose README has the
 * rules no schema carries), inside the repository so the test does not depend on where the checkout sits.
 */
const SPECS = new URL('../support/specs/', import.meta.url);
const spec = (name: string) => JSON.parse(readFileSync(new URL(name, SPECS), 'utf8'));
const require = createRequire(import.meta.url);
// CommonJS packages whose default export TypeScript's ESM interop would wrap: loaded as Node loads them.
const AjvDraft04 = require('ajv-draft-04') as typeof import('ajv-draft-04').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;
/** Teams shows at most this many actions in one set (hostconfig-microsoft-teams-light.json). */
const TEAMS_MAX_ACTIONS = spec('hostconfig-microsoft-teams-light.json').actions.maxActions as number;

const t = translator('en');
let runtime: Runtime;
let validateCard: ValidateFunction;
const messages: { who: string; input: string; message: OutboundMessage }[] = [];

/** Every form in the collected messages, with where it came from. */
function forms(): { who: string; input: string; form: Form }[] {
  return messages.flatMap(({ who, input, message }) => message.blocks.flatMap((b: Block) => (b.type === 'form' ? [{ who, input, form: b.form }] : [])));
}

/** A card as the official schema knows it: `msteams` (full width) is a documented Teams extension the generic schema has no entry for. */
function genericCard(card: Card): object {
  const { msteams: _teamsExtension, ...generic } = card;
  return generic;
}

/** Every ActionSet and card `actions` list inside a card, ShowCard cards included. */
function actionLists(node: unknown): unknown[][] {
  if (Array.isArray(node)) return node.flatMap(actionLists);
  if (!node || typeof node !== 'object') return [];
  const object = node as Record<string, unknown>;
  const own = Array.isArray(object.actions) ? [object.actions as unknown[]] : [];
  return [...own, ...Object.values(object).flatMap(actionLists)];
}

beforeAll(async () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
  addFormats(ajv);
  // The file names itself with draft-04's `id`; ajv reads only `$id`, and nothing refers to it by that name.
  const { id: _schemaId, ...cardSchema } = spec('adaptive-card-1.5.0.json');
  validateCard = ajv.compile(cardSchema);

  runtime = await testRuntime();
  await seedDemo(runtime.db, new Date());
  await syncQuestionnaires(runtime.db, runtime.questionnaires);
  const journeys: Record<string, string[]> = {
    'web:lc1-coordinator': ['/lc help', '/lc me', '/lc home', '/lc timeline LC1', '/lc members LC1', '/lc status LC1', '/lc plans LC1', '/lc nudges LC1', '/lc survey', '/lc survey send', '/lc results', '/lc report LC1', '/lc invite LC1', '/lc create', '/lc feedback-round LC1', '/lc feedback', '/lc assign', '/lc nudge LC1 members Please bring your case', '/lc my-data', '/lc hepl'],
    'web:lc1-m1': ['/lc help', '/lc me', '/lc home', '/lc plan', '/lc plans', '/lc join', '/lc profile', '/lc ask', '/lc faq day care', '/lc survey', '/lc feedback', '/lc my-data', '/lc forget-me', '/lc leave', '/lc snooze 1w', '/lc pause', '/lc resume', '/lc link', 'hello'],
    'web:lc1-rp1': ['/lc help', '/lc me', '/lc plans LC1', '/lc feedback', '/lc results'],
    'web:guest-sweep': ['/lc help', '/lc me', '/lc join', '/lc plan'],
  };
  for (const [who, inputs] of Object.entries(journeys)) {
    const person = talkAs(runtime.bot, who);
    for (const input of inputs) {
      const replies = await person.say(input);
      for (const message of replies) messages.push({ who, input, message });
      // One step further into each journey: the first non-command button of the reply (Edit, Add activity…).
      const next = buttonsOf(replies).find((b) => b.actionId !== COMMAND_ACTION && !b.confirm && b.style !== 'danger');
      if (next) for (const message of await person.press(next)) messages.push({ who, input: `${input} → ${next.label}`, message });
    }
  }
});

describe('when the main journeys are rendered for each platform', () => {
  it('covers plenty of messages and forms (the checks below are not vacuous)', () => {
    expect(messages.length).toBeGreaterThan(50);
    expect(forms().length).toBeGreaterThan(8);
  });

  it('gives Slack a top-level text in Slack markup: no Markdown bold, no Markdown links', () => {
    for (const { who, input, message } of messages) {
      for (const part of renderSlack(message)) {
        expect(part.text, `${who}: ${input}`).not.toMatch(/\*\*|\]\(https?:|\]\(\//);
        expect(blockProblems(part.blocks, 50), `${who}: ${input}`).toEqual([]);
      }
    }
  });

  it('gives every form a modal Slack accepts', () => {
    for (const { who, input, form } of forms()) expect(viewProblems(renderModal(form, '{}', { close: '', part: (p, n) => `Part ${p} of ${n}` })), `${who}: ${input}`).toEqual([]);
  });

  it('gives Teams a plain summary in its own grammar: no Markdown, no backticks, no /lc', () => {
    for (const { who, input, message } of messages) {
      for (const activity of activitiesFor(message, t).activities) {
        expect(activity.summary, `${who}: ${input}`).not.toMatch(/\*\*|`|\]\(|\/lc\b/);
        expect(String(activity.summary).trim().length, `${who}: ${input}`).toBeGreaterThan(0);
      }
    }
  });

  it('sends Teams only cards valid against Adaptive Cards 1.5, version 1.5, with at most six actions per set', () => {
    const cards: { where: string; card: Card }[] = [];
    for (const { who, input, message } of messages) {
      for (const activity of activitiesFor(message, t).activities) cards.push({ where: `${who}: ${input}`, card: (activity.attachments![0] as { content: Card }).content });
    }
    // Long forms open in a Teams dialog: its card is rendered separately.
    for (const { who, input, form } of forms()) cards.push({ where: `${who}: ${input} (dialog)`, card: formCard(form, t) });
    expect(cards.length).toBeGreaterThan(messages.length);
    for (const { where, card } of cards) {
      const valid = validateCard(genericCard(card));
      expect(valid ? [] : validateCard.errors!.map((e) => `${e.instancePath} ${e.message}`).slice(0, 5), where).toEqual([]);
      expect(card.version, where).toBe('1.5');
      for (const list of actionLists(card.body)) expect(list.length, where).toBeLessThanOrEqual(TEAMS_MAX_ACTIONS);
    }
  });

  it('never relies on colour for a destructive action: each asks first, with a button that names what it does', () => {
    const danger = messages.flatMap(({ who, input, message }) => buttonsOf([message]).filter((b: Button) => b.style === 'danger').map((b) => ({ where: `${who}: ${input}`, b })));
    expect(danger.length).toBeGreaterThan(0);
    for (const { where, b } of danger) {
      // A command button ("Erase my data") leads to the command's own confirmation step.
      if (b.actionId === COMMAND_ACTION) continue;
      expect(b.confirm, where).toBeDefined();
      expect(b.confirm!.yes, where).not.toMatch(/^(yes|ok)$/i);
    }
  });
});

describe('when the app manifests are checked against the official schemas', () => {
  it('builds a Teams manifest valid against the Teams 1.17 schema, with the terms page it links', () => {
    const ajv = new AjvDraft04({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(spec('teams-manifest-1.17.schema.json'));
    const manifest = buildManifest(runtime.config, allFlows.flatMap((flow) => flow.commands), t);
    const valid = validate(manifest);
    expect(valid ? [] : validate.errors!.map((e: { instancePath: string; message?: string }) => `${e.instancePath} ${e.message}`)).toEqual([]);
    expect(manifest.developer.termsOfUseUrl).toMatch(/\/terms$/);
  });

  it('ships Slack manifests (HTTP and Socket Mode) valid against the Slack manifest schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(spec('slack-manifest.schema.1.0.0.json'), 'https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/manifest.schema.1.0.0.json');
    ajv.addSchema(spec('slack-manifest.schema.2.0.0.json'), 'https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/manifest.schema.2.0.0.json');
    const validate = ajv.compile(spec('slack-manifest.schema.json'));
    for (const file of ['manifest.yml', 'manifest.socket-mode.yml']) {
      const manifest = parseYaml(readFileSync(new URL(`../../adapters/slack/${file}`, import.meta.url), 'utf8'));
      const valid = validate(manifest);
      expect(valid ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`), file).toEqual([]);
    }
  });
});

import type { Db } from '../../src/core/db.js';
import { loadCatalogues } from '../../src/core/i18n.js';
import type { Language } from '../../src/core/languages.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import type { QuestionnaireDefinition } from '../../src/domain/questionnaires/definition.js';
import { localisedTexts } from '../../src/domain/questionnaires/translations.js';

/**
 * Finding English where a person reads another language (test/i18n/journeys.test.ts and the platform
 * journeys): a sentence of the English catalogue or questionnaires that the language's own texts do not
 * share, or a line with two or more English function words once what people typed is set aside.
 */

type Flat = Map<string, string>;
function flatten(value: unknown, prefix = '', into: Flat = new Map()): Flat {
  for (const [key, v] of Object.entries((value ?? {}) as Record<string, unknown>)) {
    if (v && typeof v === 'object') flatten(v, `${prefix}${key}.`, into);
    else into.set(`${prefix}${key}`, String(v));
  }
  return into;
}

/** The static pieces of a text (between placeholders, code and link targets), as plain words. */
function pieces(text: string): string[] {
  return text
    .replace(/\]\([^)]*\)/g, ']')
    .split(/\{\{[^}]*\}\}|\$t\([^)]*\)|`[^`]*`|\n/)
    .map((p) => p.replace(/[*_[\]„“”"«»]/g, '').replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '').trim())
    .filter(Boolean);
}

/** English sentences (three words or more) the language's own texts do not contain. */
export function englishSentences(language: Language, questionnaires: QuestionnaireDefinition[]): string[] {
  const catalogues = loadCatalogues();
  const own = [...flatten(catalogues[language]).values()].join('\n');
  const english = [...flatten(catalogues.en).values()];
  for (const definition of questionnaires) for (const { text } of localisedTexts(definition)) english.push(text.en);
  const ownQuestionnaires = questionnaires.flatMap((d) => localisedTexts(d).map(({ text }) => text[language] ?? '')).join('\n');
  return [...new Set(english.flatMap(pieces))].filter((p) => /\p{L}{3,}\s+\p{L}+\s+\p{L}+/u.test(p) && p.length >= 14 && !own.includes(p) && !ownQuestionnaires.includes(p));
}

const FUNCTION_WORDS = /\b(the|your|you|please|with|this|that|are|have|will|what|when|from|for|not|and|was|were|has|been|can|there|here|who|which)\b/gi;

/** Every text a person reads in a message: headings, paragraphs, fields, buttons, menus, forms, confirmations. */
export function readable(message: OutboundMessage): string[] {
  const out: string[] = [message.summary];
  const walk = (value: unknown, key = ''): void => {
    if (typeof value === 'string') {
      if (['text', 'label', 'title', 'hint', 'placeholder', 'submitLabel', 'yes', 'no', 'value', 'summary', 'alt', 'caption'].includes(key)) out.push(value);
      else if (key === '' || /^\d+$/.test(key)) return;
      return;
    }
    if (Array.isArray(value)) value.forEach((v) => walk(v, key === 'errors' ? 'text' : ''));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, key === 'errors' ? 'text' : k);
  };
  // Option and button values are ids, not words; their labels are read.
  for (const block of message.blocks) walk(block);
  return out.map((t) => t.replace(/\b(value)\b/g, ''));
}

/** Keeps every text read on the way, then finds English in it once what people typed is known. */
export class EnglishFinder {
  private readonly seen: { step: string; text: string }[] = [];

  check(step: string, messages: OutboundMessage[]): OutboundMessage[] {
    for (const message of messages) this.read(step, readable(message));
    return messages;
  }

  /** Texts read some other way (a platform's cards or blocks). */
  read(step: string, texts: string[]): void {
    for (const raw of texts) this.seen.push({ step, text: raw.replace(/[*_]/g, '') });
  }

  problems(language: Language, sentences: string[], data: string[]): string[] {
    console.info(`${language}: ${this.seen.length} texts read in ${new Set(this.seen.map((s) => s.step)).size} steps`);
    const found: string[] = [];
    for (const { step, text } of this.seen) {
      for (const sentence of sentences) if (text.includes(sentence)) found.push(`${language} ${step}: “${sentence}” in “${text.slice(0, 160)}”`);
      // What people typed or the demo holds (names, places, plans) is theirs, in whatever language they wrote it.
      let bare = text.replace(/`[^`]*`|\bhttps?:\/\/\S+|\/lc [\w-]+/g, ' ');
      for (const d of data) bare = bare.split(d).join(' ');
      for (const line of bare.split('\n')) {
        const words = new Set((line.match(FUNCTION_WORDS) ?? []).map((w) => w.toLowerCase()));
        if (words.size >= 2) found.push(`${language} ${step}: English words (${[...words].join(', ')}) in “${line.trim().slice(0, 160)}”`);
      }
    }
    return [...new Set(found)];
  }
}

/** What the demo and the test typed: names, organisations, places, clusters' approaches, plans, topics. */
export async function typedData(db: Db, extra: string[]): Promise<string[]> {
  const [people, organisations, clusters, items, memberships, plans, activities] = await Promise.all([
    db.person.findMany({ select: { displayName: true, position: true } }),
    db.organisation.findMany({ select: { name: true } }),
    db.cluster.findMany({ select: { name: true, approach: true } }),
    db.timelineItem.findMany({ select: { location: true } }),
    db.membership.findMany({ select: { topics: true } }),
    db.actionPlan.findMany({ select: { goal: true, change: true, targetGroup: true, beneficiaries: true, approach: true } }),
    db.activity.findMany({ select: { activity: true, responsible: true, challenges: true, mitigation: true, resources: true, results: true } }),
  ]);
  const all = [
    ...people.flatMap((p) => [p.displayName, p.position ?? '']),
    ...organisations.map((o) => o.name),
    ...clusters.flatMap((c) => [c.name, c.approach]),
    ...items.map((i) => i.location ?? ''),
    ...memberships.flatMap((m) => m.topics),
    ...plans.flatMap((p) => Object.values(p).map((v) => v ?? '')),
    ...activities.flatMap((a) => Object.values(a).map((v) => v ?? '')),
    ...extra,
  ];
  // Longest first, so a name is removed whole before a part of it.
  return [...new Set(all.filter((d) => d.trim().length > 1))].sort((a, b) => b.length - a.length);
}


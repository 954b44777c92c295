import { z } from 'zod';
import { foldWord } from '../../core/fold.js';

/**
 * What a documented good practice holds (the method's "well-documented good practice", written by the
 * resource persons before the cluster starts): what it is, the steps in order, the legal aspects, the
 * resources it needs, the results achieved, whom to contact, and links to its documents.
 */
export const PRACTICE_SECTIONS = ['summary', 'steps', 'legal', 'resources', 'results', 'contacts', 'links'] as const;
export type PracticeSection = (typeof PRACTICE_SECTIONS)[number];

export function isPracticeSection(value: string): value is PracticeSection {
  return (PRACTICE_SECTIONS as readonly string[]).includes(value);
}

/** Limits: a section fits a few chat messages and a printed page; the whole stays a readable document. */
export const PRACTICE_LIMITS = {
  summary: 3000,
  legal: 3000,
  resources: 3000,
  results: 3000,
  contacts: 1500,
  step: 500,
  steps: 30,
  linkLabel: 150,
  linkUrl: 500,
  links: 20,
  note: 200,
} as const;

/** A link to a document: only https addresses, with nothing in them that markup or HTML would read. */
export const practiceLinkSchema = z.object({
  label: z.string().max(PRACTICE_LIMITS.linkLabel),
  url: z.string().max(PRACTICE_LIMITS.linkUrl).refine(isSafeHttpsUrl),
});
export type PracticeLink = z.infer<typeof practiceLinkSchema>;

/** The document as stored in every version (snapshots from the past are checked when read). */
export const practiceContentSchema = z.object({
  summary: z.string().max(PRACTICE_LIMITS.summary).default(''),
  steps: z.array(z.string().max(PRACTICE_LIMITS.step)).max(PRACTICE_LIMITS.steps).default([]),
  legal: z.string().max(PRACTICE_LIMITS.legal).default(''),
  resources: z.string().max(PRACTICE_LIMITS.resources).default(''),
  results: z.string().max(PRACTICE_LIMITS.results).default(''),
  contacts: z.string().max(PRACTICE_LIMITS.contacts).default(''),
  links: z.array(practiceLinkSchema).max(PRACTICE_LIMITS.links).default([]),
});
export type PracticeContent = z.infer<typeof practiceContentSchema>;

/** A good practice nobody has written yet. */
export function emptyPractice(): PracticeContent {
  return { summary: '', steps: [], legal: '', resources: '', results: '', contacts: '', links: [] };
}

/** Whether a section has anything in it. */
export function sectionFilled(content: PracticeContent, section: PracticeSection): boolean {
  const value = content[section];
  return Array.isArray(value) ? value.length > 0 : value.trim() !== '';
}

/** Whether two saves of one section hold the same thing (then a save adds no version). */
export function sameSection(a: PracticeContent, b: PracticeContent, section: PracticeSection): boolean {
  return JSON.stringify(a[section]) === JSON.stringify(b[section]);
}

/**
 * The key clusters of one programme share a good practice by: the approach folded (case, diacritics,
 * spaces and punctuation do not matter), so "Day-care Centers" and "day care centers" are one approach.
 */
export function approachKey(approach: string): string {
  return foldWord(approach).replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/**
 * An address a document may link to: https only, a host, and none of the characters that would end a
 * markup link or an HTML attribute early (spaces, brackets, quotes, backslashes, angle brackets).
 */
export function isSafeHttpsUrl(value: string): boolean {
  if (!/^https:\/\/[^\s()<>[\]"'`\\]+$/i.test(value)) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname.includes('.') && !url.username && !url.password;
  } catch {
    return false;
  }
}

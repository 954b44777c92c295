import type { Db } from '../core/db.js';

/** One line of a status section: a label key (i18n) with its values, or a ready value. */
export interface StatusField {
  /** i18n key of the label, e.g. "clusters:status.registrations". */
  labelKey: string;
  /** The value shown; numbers and short strings, already aggregated (never names of people). */
  value: string | number;
  /** Interpolation values for the label. */
  vars?: Record<string, unknown>;
  /** Label values that exist in several languages (a questionnaire's title): the reader's language is picked. */
  localisedVars?: Record<string, Record<string, string>>;
  /** When the value itself is words ("2 h", "no answer yet"): its i18n key, with `valueVars`; `value` is then the fallback. */
  valueKey?: string;
  valueVars?: Record<string, unknown>;
}

/** A part of /lc status that one area owns. */
export interface StatusSection {
  /** Stable id, also the order key. */
  id: string;
  /** i18n key of the section's heading. */
  titleKey: string;
  /** Lower runs first. */
  order: number;
  collect(db: Db, clusterId: string, now: Date): Promise<StatusField[]>;
  /** A first, simple version an owning area may replace; never replaces a non-fallback section, whatever the import order. */
  fallback?: boolean;
}

const sections = new Map<string, StatusSection>();

/**
 * `/lc status` is built from sections each area registers here (registrations now; action plans,
 * feedback, questionnaires and questions from their own modules later), so the view grows without
 * one file knowing every table. Registering the same id again replaces the section, except that a
 * fallback section never replaces a real one (so import order does not matter).
 */
export function registerStatusSection(section: StatusSection): void {
  const existing = sections.get(section.id);
  if (existing && !existing.fallback && section.fallback) return;
  sections.set(section.id, section);
}

/** Every registered section, in display order. */
export function statusSections(): StatusSection[] {
  return [...sections.values()].sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
}

/** Runs every section for one cluster; a failing section does not hide the others. */
export async function collectStatus(db: Db, clusterId: string, now: Date) {
  const list = statusSections();
  const results = await Promise.allSettled(list.map((s) => s.collect(db, clusterId, now)));
  return list.map((section, i) => {
    const r = results[i];
    return r.status === 'fulfilled' ? { section, fields: r.value, failed: false } : { section, fields: [] as StatusField[], failed: true, error: r.reason as unknown };
  });
}

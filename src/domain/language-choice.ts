import type { Db } from '../core/db.js';
import type { Language } from '../core/languages.js';
import { requireRole } from './memberships.js';

/**
 * A person's own choice of language: stored with the moment it was made, so no platform locale
 * changes it afterwards (src/domain/people.ts). Choosing the same language again changes nothing.
 */
export async function chooseLanguage(db: Db, personId: string, language: Language, now: Date): Promise<void> {
  await db.person.update({ where: { id: personId }, data: { locale: language, languageChosenAt: now } });
}

/** A cluster's language (what goes to the whole cluster); coordinators of that cluster only. */
export async function setClusterLanguage(db: Db, personId: string, clusterId: string, language: Language): Promise<void> {
  await requireRole(db, personId, clusterId, ['COORDINATOR']);
  await db.cluster.update({ where: { id: clusterId }, data: { language } });
}

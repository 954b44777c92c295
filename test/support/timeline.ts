import type { Db } from '../../src/core/db.js';
import { GENERIC_DESIGN, type GenericKey } from '../../src/domain/timeline.js';

/**
 * The item of a cluster that started from the generic design (the demo, test fixtures), by the method's
 * name for it: those items keep the design's positions 1 to 7, whatever is added later.
 */
export async function genericItem(db: Db, clusterId: string, key: GenericKey) {
  const position = GENERIC_DESIGN.findIndex((g) => g.key === key) + 1;
  return db.timelineItem.findFirstOrThrow({ where: { clusterId, position } });
}

/** The same, dates required (the demo's items all have them). */
export async function datedGenericItem(db: Db, clusterId: string, key: GenericKey) {
  const item = await genericItem(db, clusterId, key);
  if (!item.startsAt || !item.endsAt) throw new Error(`${key} has no dates`);
  return { ...item, startsAt: item.startsAt, endsAt: item.endsAt };
}

import type { Db } from '../core/db.js';
import { translator } from '../core/i18n.js';
import { ui } from '../core/messages.js';
import type { Notifier } from '../core/notifier.js';

/**
 * Tells the coordinators of every cluster a person is active in that the person can no longer be
 * reached on a platform (they blocked or removed the app), so someone follows up by other means.
 * Each coordinator reads it in their own language.
 */
export async function reportUnreachable(db: Db, notifier: Notifier, personId: string, platform: string): Promise<number> {
  const person = await db.person.findUnique({ where: { id: personId }, select: { displayName: true } });
  if (!person) return 0;
  const clusters = await db.membership.findMany({ where: { personId, status: 'ACTIVE' }, select: { clusterId: true } });
  const coordinators = await db.membership.findMany({
    where: { clusterId: { in: clusters.map((c) => c.clusterId) }, role: 'COORDINATOR', status: 'ACTIVE', personId: { not: personId } },
    select: { person: { select: { id: true, locale: true } } },
  });
  const unique = [...new Map(coordinators.map((c) => [c.person.id, c.person])).values()];
  let told = 0;
  for (const coordinator of unique) {
    const t = translator(coordinator.locale);
    const vars = { name: person.displayName, platform: t(`reach:platforms.${platform}`, { defaultValue: platform }) };
    const result = await notifier.notify(coordinator.id, ui.message(t('reach:unreachableSummary', vars), [ui.paragraph(t('reach:unreachable', vars))]));
    if (result.delivered) told++;
  }
  return told;
}

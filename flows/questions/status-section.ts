import type { Translate } from '../../src/core/i18n.js';
import type { Db } from '../../src/core/db.js';
import { ui, type Block } from '../../src/core/messages.js';
import { questionStats } from '../../src/domain/questions/stats.js';

/**
 * The questions section of a coordinator's `/lc status`: open (and overdue) questions, the median time
 * to answer and the share answered in time. Kept here so the status view only has to include it.
 */
export async function questionStatusSection(db: Db, clusterId: string, now: Date, t: Translate): Promise<Block[]> {
  const stats = await questionStats(db, clusterId, now);
  const median = stats.medianMinutesToAnswer;
  const medianText = median === null ? t('questions:status.none') : median >= 120 ? t('questions:status.hours', { hours: Math.round(median / 60) }) : t('questions:status.minutes', { minutes: median });
  const inTime = stats.answeredInTimeShare === null ? t('questions:status.none') : `${Math.round(stats.answeredInTimeShare * 100)} %`;
  return [
    ui.heading(t('questions:status.title')),
    ui.fields([
      { label: t('questions:status.open'), value: stats.overdue ? `${stats.open} (${stats.overdue} ${t('questions:status.overdue')})` : String(stats.open) },
      { label: t('questions:status.median'), value: medianText },
      { label: t('questions:status.inTime'), value: inTime },
    ]),
  ];
}

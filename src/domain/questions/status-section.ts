import { registerStatusSection, type StatusField } from '../status.js';
import { questionStats } from './stats.js';

/**
 * The questions part of a coordinator's `/lc status`: open (and overdue) questions, the median time to
 * answer and the share answered in time. Replaces the clusters area's simple count (a fallback).
 */
export function registerQuestionStatusSection(): void {
  registerStatusSection({
    id: 'questions',
    titleKey: 'questions:status.title',
    order: 60,
    async collect(db, clusterId, now): Promise<StatusField[]> {
      const stats = await questionStats(db, clusterId, now);
      const median = stats.medianMinutesToAnswer;
      return [
        { labelKey: 'questions:status.open', value: stats.overdue ? `${stats.open} (${stats.overdue} overdue)` : stats.open, valueKey: stats.overdue ? 'questions:status.openWithOverdue' : undefined, valueVars: { open: stats.open, overdue: stats.overdue } },
        median === null
          ? { labelKey: 'questions:status.median', value: '–', valueKey: 'questions:status.none' }
          : median >= 120
            ? { labelKey: 'questions:status.median', value: `${Math.round(median / 60)} h`, valueKey: 'questions:status.hours', valueVars: { hours: Math.round(median / 60) } }
            : { labelKey: 'questions:status.median', value: `${median} min`, valueKey: 'questions:status.minutes', valueVars: { minutes: median } },
        { labelKey: 'questions:status.inTime', value: stats.answeredInTimeShare === null ? '–' : `${Math.round(stats.answeredInTimeShare * 100)} %`, valueKey: stats.answeredInTimeShare === null ? 'questions:status.none' : undefined },
      ];
    },
  });
}

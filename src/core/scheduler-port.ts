import type { Logger } from './logger.js';

/**
 * What the rest of the bot tells the scheduler. Flows call it after they change something a nudge
 * depends on (a timeline date, a membership, a plan's stage, a feedback round, a questionnaire run);
 * the scheduler re-plans that cluster's nudges. It does not say *which* nudges change: planning is
 * a pure function of the stored state, so "this cluster changed" is all it needs.
 */
export interface SchedulerPort {
  clusterChanged(clusterId: string, reason: string): Promise<void>;
  /**
   * The same for many clusters changed by one act (a programme's joint event moved): one statement marks
   * them all and one call queues their re-plans, so the cost grows with the clusters, not with round trips.
   */
  clustersChanged(clusterIds: string[], reason: string): Promise<void>;
}

/** Used where no scheduler runs (unit tests of flows): it only logs the announcement. */
export class LoggingSchedulerPort implements SchedulerPort {
  readonly announcements: { clusterId: string; reason: string }[] = [];
  constructor(private readonly logger: Logger) {}
  async clusterChanged(clusterId: string, reason: string): Promise<void> {
    this.announcements.push({ clusterId, reason });
    this.logger.debug({ clusterId, reason }, 'cluster changed (no scheduler attached)');
  }
  async clustersChanged(clusterIds: string[], reason: string): Promise<void> {
    for (const clusterId of clusterIds) await this.clusterChanged(clusterId, reason);
  }
}

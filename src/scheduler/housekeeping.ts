import { pruneActionUses } from '../core/action-ledger.js';
import { purgeExpiredDownloads } from '../core/downloads.js';
import type { Services } from '../core/flow.js';
import type { Logger } from '../core/logger.js';
import { openRunAndInvite } from '../domain/questionnaires/invitations.js';
import { closeDueRuns } from '../domain/questionnaires/runs.js';
import { deleteEndedWebSessions, webSessionPolicy } from '../domain/web-sessions.js';
import { deliverHeldFeedback, openRoundAutomatically } from '../../flows/feedback/delivery.js';

/** How far back an EE2 start still opens its automatic feedback round (a bot that was down for a while catches up). */
const AUTO_ROUND_LOOKBACK_MS = 14 * 24 * 3600 * 1000;

export interface HousekeepingResult {
  runsOpened: number;
  runsClosed: number;
  feedbackDelivered: number;
  roundsOpened: number;
  downloadsPurged: number;
  actionUsesPruned: number;
  webSessionsEnded: number;
}

/**
 * Timeline-driven changes of state that are not messages to one person: questionnaire runs sent "at a
 * phase" open, runs past their closing date close, feedback held for a round's deadline goes out,
 * rounds set to open when EE2 begins open, expired download files and ended web chat sessions are deleted, and old uses of one-time buttons are forgotten. Each step is
 * idempotent and safe on several instances at once (each function guards itself with a unique key or
 * a conditional update), so every instance runs this on its reconciliation tick.
 */
export async function runHousekeeping(services: Services, logger: Logger): Promise<HousekeepingResult> {
  const now = services.clock.now();
  const result: HousekeepingResult = { runsOpened: 0, runsClosed: 0, feedbackDelivered: 0, roundsOpened: 0, downloadsPurged: 0, webSessionsEnded: 0, actionUsesPruned: 0 };

  const dueRuns = await services.db.questionnaireRun.findMany({ where: { status: 'SCHEDULED', opensAt: { lte: now } }, select: { id: true } });
  for (const run of dueRuns) {
    const opened = await openRunAndInvite(services, run.id).catch((error) => logger.error({ err: error, runId: run.id }, 'opening a scheduled questionnaire run failed'));
    if (opened && opened.invited > 0) result.runsOpened++;
  }
  result.runsClosed = (await closeDueRuns(services.db, now)).length;
  result.feedbackDelivered = await deliverHeldFeedback(services);

  const ee2Started = await services.db.timelineItem.findMany({
    where: { kind: 'EE2', startsAt: { lte: now, gte: new Date(now.getTime() - AUTO_ROUND_LOOKBACK_MS) }, cluster: { archivedAt: null } },
    select: { clusterId: true },
  });
  for (const { clusterId } of ee2Started) {
    const outcome = await openRoundAutomatically(services, clusterId).catch((error) => {
      logger.error({ err: error, clusterId }, 'opening the automatic feedback round failed');
      return null;
    });
    if (outcome?.status === 'opened') result.roundsOpened++;
  }
  result.downloadsPurged = await purgeExpiredDownloads(services.db, now);
  result.webSessionsEnded = await deleteEndedWebSessions(services.db, now, webSessionPolicy(services.config));
  // Uses of one-time buttons are remembered for 90 days; an older button acts again (its flow's own checks still hold).
  result.actionUsesPruned = await pruneActionUses(services.db, now);
  return result;
}

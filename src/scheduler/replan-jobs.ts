import type { JobsOptions } from 'bullmq';
import { z } from 'zod';

/**
 * The background re-plan job: one per "needs re-plan" request of a cluster (replan-requests.ts), on its
 * own queue so a long delivery backlog never delays a re-plan. The id is deterministic (cluster and the
 * request's generation), so a request is queued once however often it is retried; a job whose request
 * was overtaken by a newer one finds that out in one query and does nothing. Ten quick edits of one
 * cluster therefore re-plan it once or twice (the run in progress, then the latest), never ten times.
 */
export const REPLAN_QUEUE = 'replans';

/** A job's data: generation as a string (JSON has no bigint). */
export const replanJobSchema = z.object({ clusterId: z.string().min(1), generation: z.string().regex(/^\d+$/), reason: z.string() });
export type ReplanJob = z.infer<typeof replanJobSchema>;

/** Deterministic job id (BullMQ ids may not contain ':'). */
export function replanJobId(clusterId: string, generation: bigint | string): string {
  return `replan.${clusterId}.${generation}`;
}

/** A failed re-plan is retried soon (the mark stays, and the reconciler is the last resort). */
export const replanJobOptions: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 3_600, count: 1_000 },
  removeOnFail: { age: 7 * 86_400 },
};

/** Re-plans at once per worker process: each holds one database connection for its transaction. */
export const REPLAN_CONCURRENCY = 2;

/** A request never waits longer than this for Redis to take its re-plan job; the mark in PostgreSQL stays either way. */
export const QUEUE_ADD_TIMEOUT_MS = 2_000;

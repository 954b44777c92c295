import { DelayedError, Worker, type Job } from 'bullmq';
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import type { Config } from '../core/config.js';
import type { Db } from '../core/db.js';
import type { Logger } from '../core/logger.js';
import { SendLater, type Notifier } from '../core/notifier.js';
import { createRedis, type Redis } from '../core/redis.js';
import type { SchedulerPort } from '../core/scheduler-port.js';
import { deliverSlot, type SlotOutcome } from './deliver.js';
import { bullPrefix, NUDGE_QUEUE, NudgeQueue } from './queue.js';
import { reconcile, type ReconcileResult } from './reconciler.js';
import { replanCluster, type ReplanResult } from './store.js';

export interface SchedulerDeps {
  db: Db;
  clock: Clock;
  config: Pick<Config, 'REDIS_URL' | 'REDIS_PREFIX' | 'WORKER_CONCURRENCY' | 'RECONCILE_EVERY_SECONDS'>;
  logger: Logger;
  notifier: Notifier;
}

/**
 * BullMQ's lock on a running job, renewed by a live worker every half of it. When a worker dies, its
 * job's lock runs out and another worker's stalled-job check (every STALLED_CHECK_MS) puts the job
 * back, so a delivery cut off by a crash resumes within LOCK + CHECK (30 s), well inside a minute.
 * Longer than the claim lease (deliver.ts), so the claim is always free when the job comes back.
 */
export const WORKER_LOCK_MS = 20_000;
export const STALLED_CHECK_MS = 10_000;

const slotSchema = z.object({ personId: z.string().min(1), dueAt: z.number().int() });

/**
 * The real SchedulerPort: PostgreSQL holds the plan, BullMQ holds one delayed job per delivery
 * slot. `clusterChanged` re-plans at once (under a per-cluster lock); workers deliver; a
 * reconciler on every instance repairs Redis from PostgreSQL. Several instances may run all of it.
 */
export class BullScheduler implements SchedulerPort {
  private connection?: Redis;
  private nudgeQueue?: NudgeQueue;
  private readonly workers: { worker: Worker; connection: Redis }[] = [];
  private timer?: NodeJS.Timeout;
  /** The start-up pass, awaited by stop() so it never runs on closed connections. */
  firstPass?: Promise<void>;
  private readonly pendingKey: string;
  /** State changes driven by the timeline (runs opening, held feedback, automatic rounds), run on every tick. */
  housekeeping?: () => Promise<unknown>;
  /** The last announcements this instance received, newest last (for operators' logs and tests). */
  readonly announcements: { clusterId: string; reason: string }[] = [];

  constructor(private readonly deps: SchedulerDeps) {
    this.pendingKey = `${deps.config.REDIS_PREFIX}:scheduler:replan-pending`;
  }

  /** The queue, connected on first use (a runtime that never schedules opens no queue connection). */
  get queue(): NudgeQueue {
    if (!this.nudgeQueue) {
      this.connection = createRedis(this.deps.config.REDIS_URL, { forQueues: true });
      this.connection.on('error', (error) => this.deps.logger.warn({ err: error.message }, 'queue redis connection problem'));
      this.nudgeQueue = new NudgeQueue(this.connection, this.deps.config.REDIS_PREFIX, this.deps.clock);
      // Without a listener BullMQ prints every reconnection failure to stderr while Redis is away.
      this.nudgeQueue.queue.on('error', (error) => this.deps.logger.warn({ err: error.message }, 'nudge queue problem'));
    }
    return this.nudgeQueue;
  }

  /**
   * Re-plans the cluster now. A failure is logged and the cluster remembered in Redis for the next
   * reconciliation rather than thrown: the caller's change is already saved, and the plan follows.
   */
  async clusterChanged(clusterId: string, reason: string): Promise<void> {
    this.announcements.push({ clusterId, reason });
    if (this.announcements.length > 200) this.announcements.shift();
    try {
      const result = await this.replan(clusterId);
      this.deps.logger.debug({ clusterId, reason, created: result.created, moved: result.moved, cancelled: result.cancelled }, 're-planned nudges');
    } catch (error) {
      this.deps.logger.error({ clusterId, reason, err: error }, 're-planning failed; the reconciler will retry');
      await this.connection?.sadd(this.pendingKey, clusterId).catch(() => undefined);
    }
  }

  /** Re-plans one cluster and returns what changed (tests and the simulation read it). */
  replan(clusterId: string): Promise<ReplanResult> {
    return replanCluster({ db: this.deps.db, clock: this.deps.clock, queue: this.queue }, clusterId);
  }

  /** Re-plans every cluster that is not archived (on start: clusters created by seeding or imports). */
  async replanAll(): Promise<number> {
    const clusters = await this.deps.db.cluster.findMany({ where: { archivedAt: null }, select: { id: true } });
    for (const { id } of clusters) await this.clusterChanged(id, 'start-up');
    return clusters.length;
  }

  /** One reconciliation pass; clusters whose re-plan failed earlier are retried first. */
  async reconcile(): Promise<ReconcileResult> {
    const queue = this.queue;
    const pending = await this.connection!.spop(this.pendingKey, 1000).catch(() => [] as string[]);
    // Two intervals back, so an edit between passes is always seen by at least one of them.
    const recentMs = 2 * this.deps.config.RECONCILE_EVERY_SECONDS * 1000;
    return reconcile({ db: this.deps.db, clock: this.deps.clock, queue, logger: this.deps.logger }, { clusters: pending, recentMs });
  }

  /** Starts a worker on its own connection; several (in this and other processes) share the queue. */
  startWorker(options: { concurrency?: number; onDelivered?: (outcome: SlotOutcome) => void } = {}): Worker {
    const connection = createRedis(this.deps.config.REDIS_URL, { forQueues: true });
    connection.on('error', (error) => this.deps.logger.warn({ err: error.message }, 'worker redis connection problem'));
    const worker = new Worker(NUDGE_QUEUE, (job: Job, token?: string) => this.process(job, token).then((outcome) => (options.onDelivered?.(outcome), outcome)), {
      connection,
      prefix: bullPrefix(this.deps.config.REDIS_PREFIX),
      concurrency: options.concurrency ?? this.deps.config.WORKER_CONCURRENCY,
      lockDuration: WORKER_LOCK_MS,
      stalledInterval: STALLED_CHECK_MS,
      // A job whose worker died twice is probably killing workers: fail it, the reconciler decides.
      maxStalledCount: 2,
    });
    worker.on('failed', (job, error) => this.deps.logger.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: error.message }, 'nudge delivery will be retried'));
    worker.on('error', (error) => this.deps.logger.warn({ err: error.message }, 'nudge worker problem'));
    this.workers.push({ worker, connection });
    return worker;
  }

  private async process(job: Job, token?: string): Promise<SlotOutcome> {
    const slot = slotSchema.parse(job.data);
    const meantAt = job.timestamp + (job.opts.delay ?? 0);
    try {
      return await deliverSlot(
        { db: this.deps.db, clock: this.deps.clock, notifier: this.deps.notifier, logger: this.deps.logger },
        slot,
        { lateByMs: Date.now() - meantAt, finalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) },
      );
    } catch (error) {
      // The platform's pace allows this message later (its moment is kept): the job waits delayed
      // instead of holding a worker slot, and BullMQ does not count it as an attempt.
      if (error instanceof SendLater && token) {
        await job.moveToDelayed(error.notBefore, token);
        throw new DelayedError();
      }
      throw error;
    }
  }

  /**
   * Starts the reconciler loop (every instance runs one; it is idempotent) and, if asked, a worker.
   * The first pass (re-plan every cluster, then reconcile) runs in the background, so a deployment
   * with hundreds of clusters starts serving at once.
   */
  async start(options: { workers: boolean }): Promise<void> {
    if (options.workers) this.startWorker();
    this.firstPass = (async () => {
      await this.replanAll().catch((error) => this.deps.logger.error({ err: error }, 'start-up re-planning failed'));
      await this.reconcile().catch((error) => this.deps.logger.error({ err: error }, 'start-up reconciliation failed'));
      await this.housekeeping?.().catch((error) => this.deps.logger.error({ err: error }, 'housekeeping failed'));
    })();
    this.timer = setInterval(() => {
      this.reconcile()
        .catch((error) => this.deps.logger.error({ err: error }, 'reconciliation failed'))
        .then(() => this.housekeeping?.())
        .catch((error) => this.deps.logger.error({ err: error }, 'housekeeping failed'));
    }, this.deps.config.RECONCILE_EVERY_SECONDS * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const workers = this.workers.splice(0);
    const queue = this.nudgeQueue;
    // Graceful first (running deliveries finish); with Redis or PostgreSQL away that could wait forever,
    // so after a few seconds the connections are cut (an unfinished delivery's lease lets another worker take it).
    const graceful = (async () => {
      await this.firstPass;
      await Promise.allSettled(workers.map(({ worker }) => worker.close()));
      await queue?.close();
    })();
    await Promise.race([graceful, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    for (const { connection } of workers) connection.disconnect();
    this.connection?.disconnect();
    this.nudgeQueue = undefined;
  }
}

import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import type { Config } from '../core/config.js';
import type { Db } from '../core/db.js';
import type { Logger } from '../core/logger.js';
import { SendLater, type Notifier } from '../core/notifier.js';
import { createRedis, type Redis } from '../core/redis.js';
import type { SchedulerPort } from '../core/scheduler-port.js';
import { deliverSlot, WaitForReplan, type SlotOutcome } from './deliver.js';
import { bullPrefix, NUDGE_QUEUE, NudgeQueue } from './queue.js';
import { reconcile, REPLAN_OVERDUE_MS, type ReconcileResult } from './reconciler.js';
import { QUEUE_ADD_TIMEOUT_MS, REPLAN_CONCURRENCY, REPLAN_QUEUE, replanJobId, replanJobOptions, replanJobSchema } from './replan-jobs.js';
import { pendingReplans, replanGeneration, requestReplan } from './replan-requests.js';
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

/** What a background re-plan job did: re-planned, or found its request overtaken (newer job) or done. */
export type ReplanOutcome = 'replanned' | 'superseded';

/**
 * The real SchedulerPort: PostgreSQL holds the plan, BullMQ holds one delayed job per delivery
 * slot. `clusterChanged` marks the cluster in PostgreSQL and queues a background re-plan (under a
 * per-cluster lock where it runs); workers deliver and re-plan; a reconciler on every instance
 * repairs Redis from PostgreSQL. Several instances may run all of it.
 */
export class BullScheduler implements SchedulerPort {
  private connection?: Redis;
  private nudgeQueue?: NudgeQueue;
  private replanConnection?: Redis;
  private replanQueue?: Queue;
  private readonly workers: { worker: Worker; connection: Redis }[] = [];
  private timer?: NodeJS.Timeout;
  /** The start-up pass, awaited by stop() so it never runs on closed connections. */
  firstPass?: Promise<void>;
  /** State changes driven by the timeline (runs opening, held feedback, automatic rounds), run on every tick. */
  housekeeping?: () => Promise<unknown>;
  /** The last announcements this instance received, newest last (for operators' logs and tests). */
  readonly announcements: { clusterId: string; reason: string }[] = [];

  constructor(private readonly deps: SchedulerDeps) {}

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
   * The re-plan queue, connected on first use. Requests add to it, so its connection gives up quickly
   * when Redis is away (the queue connection of the workers waits for Redis instead).
   */
  get replans(): Queue {
    if (!this.replanQueue) {
      this.replanConnection = createRedis(this.deps.config.REDIS_URL);
      this.replanConnection.on('error', (error) => this.deps.logger.warn({ err: error.message }, 're-plan queue redis connection problem'));
      this.replanQueue = new Queue(REPLAN_QUEUE, { connection: this.replanConnection, prefix: bullPrefix(this.deps.config.REDIS_PREFIX) });
      this.replanQueue.on('error', (error) => this.deps.logger.warn({ err: error.message }, 're-plan queue problem'));
    }
    return this.replanQueue;
  }

  /**
   * Marks the cluster "needs re-plan" in PostgreSQL (one statement) and queues a background re-plan,
   * then returns: the person who changed something gets their answer without waiting for the plan.
   * Any instance's worker takes the job. If Redis cannot take it, the mark stays and the reconciler
   * re-plans from it (REPLAN_OVERDUE_MS); meanwhile the marked cluster's nudges wait (deliver.ts), so
   * nothing planned from the old state goes out. Never throws: the caller's change is already saved.
   */
  async clusterChanged(clusterId: string, reason: string): Promise<void> {
    this.announcements.push({ clusterId, reason });
    if (this.announcements.length > 200) this.announcements.shift();
    let generation: bigint;
    try {
      generation = await requestReplan(this.deps.db, clusterId, reason);
    } catch (error) {
      // PostgreSQL failed right after saving the change: the reconciler's check of recent edits is the net.
      this.deps.logger.error({ clusterId, reason, err: error }, 'could not mark a cluster for re-planning');
      return;
    }
    const job = { clusterId, generation: String(generation), reason };
    const added = this.replans.add('replan', job, { ...replanJobOptions, jobId: replanJobId(clusterId, generation) });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('Redis did not take the job in time')), QUEUE_ADD_TIMEOUT_MS)));
    try {
      await Promise.race([added, timeout]);
    } catch (error) {
      added.catch(() => undefined);
      this.deps.logger.warn({ clusterId, reason, err: error instanceof Error ? error.message : String(error) }, 'could not queue a re-plan; the reconciler re-plans the cluster from its mark');
    } finally {
      clearTimeout(timer);
    }
  }

  /** Re-plans one cluster now, in this process, and returns what changed (tests and the simulation read it). */
  async replan(clusterId: string): Promise<ReplanResult> {
    return (await replanCluster(this.replanDeps(), clusterId))!;
  }

  /**
   * What a background re-plan job does: re-plans the cluster if the job's request is still its latest
   * mark. An older job finds a newer mark (whose own job re-plans) or none (already done) at the cost of
   * one query, without waiting for the cluster's lock.
   */
  async replanRequested(clusterId: string, generation: bigint): Promise<ReplanOutcome> {
    const mark = await replanGeneration(this.deps.db, clusterId);
    if (mark === undefined || mark > generation) return 'superseded';
    const result = await replanCluster(this.replanDeps(), clusterId, { generation });
    if (result) this.deps.logger.debug({ clusterId, created: result.created, moved: result.moved, cancelled: result.cancelled }, 're-planned nudges');
    return result ? 'replanned' : 'superseded';
  }

  /**
   * Re-plans now, in this process, every cluster with a pending request, whatever its age: what the
   * background jobs would do. For tests and scripts that need the plan settled before they go on.
   */
  async replanPending(): Promise<number> {
    const pending = await pendingReplans(this.deps.db);
    for (const { clusterId, generation } of pending) await this.replanRequested(clusterId, generation);
    return pending.length;
  }

  private replanDeps() {
    return { db: this.deps.db, clock: this.deps.clock, queue: this.queue };
  }

  /**
   * Re-plans every cluster that is not archived (on start: clusters created by seeding or imports).
   * A cluster that fails is marked, so the reconciler tries it again.
   */
  async replanAll(): Promise<number> {
    const clusters = await this.deps.db.cluster.findMany({ where: { archivedAt: null }, select: { id: true } });
    for (const { id } of clusters) {
      await this.replan(id).catch(async (error) => {
        this.deps.logger.error({ clusterId: id, err: error }, 'start-up re-planning failed; the reconciler will retry');
        await requestReplan(this.deps.db, id, 'start-up').catch(() => undefined);
      });
    }
    return clusters.length;
  }

  /** One reconciliation pass (clusters whose re-plan job was lost are re-planned from their mark). */
  async reconcile(): Promise<ReconcileResult> {
    // Two intervals back, so an edit between passes is always seen by at least one of them.
    const recentMs = 2 * this.deps.config.RECONCILE_EVERY_SECONDS * 1000;
    // A lost re-plan is found by the first pass after REPLAN_OVERDUE_MS (sooner where passes are frequent).
    const replanOverdueMs = Math.min(REPLAN_OVERDUE_MS, this.deps.config.RECONCILE_EVERY_SECONDS * 1000);
    return reconcile({ db: this.deps.db, clock: this.deps.clock, queue: this.queue, logger: this.deps.logger }, { recentMs, replanOverdueMs });
  }

  /**
   * Starts a re-plan worker on its own connection: it takes the background re-plans queued by any
   * instance (one on RUN_WORKERS=false queues and never re-plans itself).
   */
  startReplanWorker(options: { concurrency?: number; onReplanned?: (clusterId: string, outcome: ReplanOutcome) => void } = {}): Worker {
    const connection = createRedis(this.deps.config.REDIS_URL, { forQueues: true });
    connection.on('error', (error) => this.deps.logger.warn({ err: error.message }, 're-plan worker redis connection problem'));
    const worker = new Worker(
      REPLAN_QUEUE,
      async (job: Job) => {
        const data = replanJobSchema.parse(job.data);
        const outcome = await this.replanRequested(data.clusterId, BigInt(data.generation));
        options.onReplanned?.(data.clusterId, outcome);
        return outcome;
      },
      { connection, prefix: bullPrefix(this.deps.config.REDIS_PREFIX), concurrency: options.concurrency ?? REPLAN_CONCURRENCY, lockDuration: WORKER_LOCK_MS, stalledInterval: STALLED_CHECK_MS },
    );
    worker.on('failed', (job, error) => this.deps.logger.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: error.message }, 're-plan failed; it will be retried'));
    worker.on('error', (error) => this.deps.logger.warn({ err: error.message }, 're-plan worker problem'));
    this.workers.push({ worker, connection });
    return worker;
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
      // So does a slot whose cluster waits for its re-plan.
      if ((error instanceof SendLater || error instanceof WaitForReplan) && token) {
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
    if (options.workers) {
      this.startWorker();
      this.startReplanWorker();
    }
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
      await this.replanQueue?.close();
    })();
    await Promise.race([graceful, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    for (const { connection } of workers) connection.disconnect();
    this.connection?.disconnect();
    this.replanConnection?.disconnect();
    this.nudgeQueue = undefined;
    this.replanQueue = undefined;
  }
}

import { Queue, type JobsOptions } from 'bullmq';
import type { Clock } from '../core/clock.js';
import type { Redis } from '../core/redis.js';

/**
 * The nudge queue's names and job ids. One delayed job per *delivery slot* (a person and a due
 * time): every nudge planned for that person at that instant goes out in one message. The due
 * time is part of the id, so a moved nudge gets a new job and the old one finds nothing to send.
 */
export const NUDGE_QUEUE = 'nudges';

/** BullMQ key prefix under the deployment's REDIS_PREFIX, so tests and deployments never share keys. */
export function bullPrefix(redisPrefix: string): string {
  return `${redisPrefix}:bull`;
}

/** A delivery slot: the data of a job. */
export interface Slot {
  personId: string;
  dueAt: number;
}

/** Deterministic job id of a slot (BullMQ ids may not contain ':'). */
export function slotJobId(slot: Slot): string {
  return `slot.${slot.personId}.${slot.dueAt}`;
}

/** Retries with exponential backoff for transient send failures: 30 s, 1 min, 2 min … about 2 hours in all. */
export const DELIVERY_ATTEMPTS = 8;
const jobOptions: JobsOptions = {
  attempts: DELIVERY_ATTEMPTS,
  backoff: { type: 'exponential', delay: 30_000 },
  removeOnComplete: { age: 7 * 86_400, count: 5_000 },
  removeOnFail: { age: 30 * 86_400 },
};

/** A clock that runs faster than real time (the simulation) says how long a virtual delay really is. */
export interface ScaledTime {
  realDelayMs(due: Date): number;
}

/** Real milliseconds until `due` by the scheduler's clock (0 when it is already due). */
export function realDelay(clock: Clock, due: Date): number {
  const scaled = (clock as Partial<ScaledTime>).realDelayMs;
  const ms = scaled ? scaled.call(clock, due) : due.getTime() - clock.now().getTime();
  return Math.max(0, Math.round(ms));
}

/** The nudge queue plus the few operations the planner and reconciler need. */
export class NudgeQueue {
  readonly queue: Queue;

  constructor(private readonly connection: Redis, redisPrefix: string, private readonly clock: Clock) {
    this.queue = new Queue(NUDGE_QUEUE, { connection, prefix: bullPrefix(redisPrefix) });
  }

  /**
   * Makes sure the slot has a job that will still run. Safe to repeat: a waiting or delayed job is
   * left alone. A finished one (kept a while for the dashboard) is replaced, because a nudge planned
   * into a slot that already went out (same person, same instant) must still be delivered.
   */
  async ensure(slot: Slot): Promise<void> {
    const id = slotJobId(slot);
    const existing = await this.queue.getJob(id);
    if (existing) {
      const state = await existing.getState();
      if (state !== 'completed' && state !== 'failed') return;
      await existing.remove().catch(() => undefined);
    }
    await this.queue.add('deliver', slot, { ...jobOptions, jobId: id, delay: realDelay(this.clock, new Date(slot.dueAt)) });
  }

  /**
   * `ensure` for many slots at once, in batches: one pipelined round trip reads which jobs exist
   * (and whether they finished), one `addBulk` adds the missing ones. Restoring 100,000 slots after
   * Redis lost them would otherwise cost four round trips each. Returns how many jobs were added.
   */
  async ensureMany(slots: Slot[], batchSize = 1000): Promise<number> {
    let added = 0;
    for (let i = 0; i < slots.length; i += batchSize) {
      const batch = slots.slice(i, i + batchSize);
      const pipeline = this.connection.pipeline();
      // A job's hash has "finishedOn" once it completed or failed; without the hash there is no job.
      for (const slot of batch) pipeline.hmget(this.queue.toKey(slotJobId(slot)), 'timestamp', 'finishedOn');
      const answers = (await pipeline.exec()) ?? [];
      const missing: Slot[] = [];
      for (const [index, slot] of batch.entries()) {
        const [error, fields] = answers[index] ?? [];
        if (error) throw error;
        const [timestamp, finishedOn] = fields as [string | null, string | null];
        if (timestamp !== null && finishedOn === null) continue;
        // Kept for the dashboard after it finished: replaced, as in ensure().
        if (timestamp !== null) await this.queue.remove(slotJobId(slot)).catch(() => 0);
        missing.push(slot);
      }
      if (missing.length === 0) continue;
      await this.queue.addBulk(missing.map((slot) => ({ name: 'deliver', data: slot, opts: { ...jobOptions, jobId: slotJobId(slot), delay: realDelay(this.clock, new Date(slot.dueAt)) } })));
      added += missing.length;
    }
    return added;
  }

  /** Removes a slot's job if it is still waiting; a running or finished one is left (it finds nothing to send). */
  async discard(slot: Slot): Promise<void> {
    await this.queue.remove(slotJobId(slot)).catch(() => 0);
  }

  /** True when the slot has a job that will still run (waiting, delayed, active or retrying). */
  async exists(slot: Slot): Promise<boolean> {
    const job = await this.queue.getJob(slotJobId(slot));
    if (!job) return false;
    const state = await job.getState();
    return state !== 'completed' && state !== 'failed' && state !== 'unknown';
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

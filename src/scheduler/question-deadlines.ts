import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db.js';
import type { Logger } from '../core/logger.js';
import type { Notifier } from '../core/notifier.js';
import { createRedis, type Redis } from '../core/redis.js';
import type { QuestionDeadlinePort } from '../domain/questions/deadline-port.js';
import { checkDeadline, replanQuestionDeadlines, retellAssignees } from '../domain/questions/lifecycle.js';
import type { EscalationPolicy } from '../domain/questions/policy.js';

/** The BullMQ queue of question deadlines (keys under `<REDIS_PREFIX>:questions:`). */
export const QUESTIONS_QUEUE = 'questions';

/** A deadline job is data: which question, at which step. Checked where the worker receives it. */
export const deadlineJobSchema = z.object({ questionId: z.string().min(1).max(64), step: z.number().int().min(1) });
export type DeadlineJob = z.infer<typeof deadlineJobSchema>;

/**
 * One id per (question, step): instances that plan the same deadline collide on the id instead of
 * queueing it twice. (BullMQ refuses ":" in custom ids, hence the dashes.)
 */
export function deadlineJobId(questionId: string, step: number): string {
  return `question-${questionId}-step-${step}`;
}

/** Plans and cancels deadline checks as delayed jobs; the delay follows the injected clock. */
export class BullQuestionDeadlines implements QuestionDeadlinePort {
  constructor(
    readonly queue: Queue,
    private readonly clock: Clock,
  ) {}

  /**
   * Queues the check. Redis away: BullMQ would hold the command until Redis is back, and the request with
   * it; after two seconds this gives up instead (the command may still run later: same job id, one job),
   * and the reconciler plans the check from the question row (replanQuestionDeadlines).
   */
  async plan(questionId: string, step: number, dueAt: Date): Promise<void> {
    const delay = Math.max(0, dueAt.getTime() - this.clock.now().getTime());
    await withinTwoSeconds(this.queue.add('deadline', { questionId, step } satisfies DeadlineJob, {
      jobId: deadlineJobId(questionId, step),
      delay,
      attempts: 5,
      backoff: { type: 'exponential', delay: 30_000 },
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: { age: 30 * 24 * 3600 },
    }));
  }

  async cancel(questionId: string, step: number): Promise<void> {
    // Returns 0 when the job is running right now; that run re-reads the question and does nothing.
    // A check not cancelled (Redis away) finds the question moved on and does nothing either.
    await withinTwoSeconds(this.queue.remove(deadlineJobId(questionId, step)));
  }
}

/** The command's outcome, or an error after two seconds (the command itself goes on). */
async function withinTwoSeconds<T>(command: Promise<T>): Promise<T> {
  command.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the question deadline queue (Redis) did not answer within 2 s')), 2_000)));
  try {
    return await Promise.race([command, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Makes Redis agree with PostgreSQL for questions, like reconcile() does for nudges: after Redis lost its
 * jobs (a restart, a flush) or could not take them, every waiting question's deadline check is planned
 * again, and people a question was put to while they could not be told are told now. Run by every
 * instance after each reconciliation pass (runtime.ts); safe to run anywhere at once (deterministic job
 * ids, asks claimed before they are told).
 */
export async function reconcileQuestions(deps: QuestionWorkerDeps, deadlines: QuestionDeadlinePort, options: { graceMs?: number } = {}): Promise<{ planned: number; told: number }> {
  const questionDeps = { ...deps, deadlines };
  const planned = await replanQuestionDeadlines(questionDeps);
  const { told } = await retellAssignees(questionDeps, options);
  if (told) deps.logger.info({ told, planned }, 'reconciled questions: told people what waited for them');
  return { planned, told };
}

/** What the deadline worker needs: the same things a flow has, minus the chat request. */
export interface QuestionWorkerDeps {
  db: Db;
  clock: Clock;
  notifier: Notifier;
  logger: Logger;
  policy?: EscalationPolicy;
}

/**
 * Handles one deadline job. Separate from the Worker so tests and other hosts can drive it. A job that
 * fires early (clock skew, a manual promote) goes back to waiting until the question's deadline.
 */
export async function processDeadlineJob(job: Job, token: string | undefined, deps: QuestionWorkerDeps, deadlines: QuestionDeadlinePort): Promise<string> {
  const parsed = deadlineJobSchema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`bad question deadline payload: ${parsed.error.issues[0]?.message}`);
  const { questionId, step } = parsed.data;
  const result = await checkDeadline({ ...deps, deadlines }, questionId, step);
  if (result.outcome === 'early') {
    await job.moveToDelayed(Date.now() + (result.dueAt.getTime() - deps.clock.now().getTime()), token);
    throw new DelayedError();
  }
  if (result.outcome === 'escalated') deps.logger.info({ questionId, step, to: result.assignment.personId, role: result.assignment.role }, 'question escalated');
  return result.outcome;
}

/** The queue, its planner and (optionally) its worker, with their own Redis connections. */
export interface QuestionDeadlineRuntime {
  deadlines: BullQuestionDeadlines;
  worker?: Worker;
  close(): Promise<void>;
}

/**
 * Builds the question deadline queue and, with `runWorker`, a worker for it. Self-contained so the bot
 * process hosts it today and a separate worker process can host it later. Several instances may run
 * workers: BullMQ hands each job to one of them, and a job re-reads the database before acting.
 */
export function createQuestionDeadlines(options: { redisUrl: string; prefix: string; deps: QuestionWorkerDeps; runWorker: boolean; concurrency?: number }): QuestionDeadlineRuntime {
  const connections: Redis[] = [];
  const connection = () => {
    const redis = createRedis(options.redisUrl, { forQueues: true });
    redis.on('error', (error) => options.deps.logger.warn({ err: error.message }, 'redis connection problem (question deadlines)'));
    connections.push(redis);
    return redis;
  };
  const queue = new Queue(QUESTIONS_QUEUE, { connection: connection(), prefix: options.prefix });
  // Without a listener BullMQ prints every reconnection failure to stderr while Redis is away.
  queue.on('error', (error) => options.deps.logger.warn({ err: error.message }, 'question deadline queue problem'));
  const deadlines = new BullQuestionDeadlines(queue, options.deps.clock);
  let worker: Worker | undefined;
  if (options.runWorker) {
    worker = new Worker(QUESTIONS_QUEUE, (job, token) => processDeadlineJob(job, token, options.deps, deadlines), {
      connection: connection(),
      prefix: options.prefix,
      concurrency: options.concurrency ?? 4,
    });
    worker.on('failed', (job, error) => options.deps.logger.error({ err: error, jobId: job?.id }, 'question deadline job failed'));
    worker.on('error', (error) => options.deps.logger.warn({ err: error.message }, 'question deadline worker problem'));
  }
  return {
    deadlines,
    worker,
    async close() {
      // With Redis away a graceful close would wait for it forever: give it two seconds, then cut.
      const graceful = Promise.allSettled([worker?.close(), queue.close()]);
      await Promise.race([graceful, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
      for (const redis of connections) redis.disconnect();
    },
  };
}

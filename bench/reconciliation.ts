/**
 * 4. Reconciliation: future nudges in PostgreSQL (100,000), the bench prefix's Redis keys deleted
 * (our FLUSHALL: the Redis is shared), then the time `reconcile()` takes to restore every slot's
 * job, against BullMQ addBulk of the same number of jobs (batches of 1,000, as the reconciler uses).
 */
import { Queue } from 'bullmq';
import { systemClock } from '../src/core/clock.js';
import { createLogger } from '../src/core/logger.js';
import { createRedis } from '../src/core/redis.js';
import { bullPrefix, NudgeQueue } from '../src/scheduler/queue.js';
import { reconcile } from '../src/scheduler/reconciler.js';
import type { Benchmark } from './context.js';
import { benchPrefix, deletePrefix, REDIS_URL } from './env.js';
import { createMembers, insertNudges, manualNudge } from './population.js';
import { figure } from './report.js';

export const reconciliation: Benchmark = async (ctx) => {
  const total = ctx.quick ? 20_000 : 100_000;
  const perPerson = 10;
  const prefix = benchPrefix();
  const connection = createRedis(REDIS_URL, { forQueues: true });
  try {
    const members = await createMembers(ctx.db, 50, total / perPerson / 50);
    const start = Date.now() + 86_400_000;
    const rows = members.flatMap((m, i) => Array.from({ length: perPerson }, (_, j) => manualNudge(m, new Date(start + (i * perPerson + j) * 60_000), `Future nudge ${j}`)));
    await insertNudges(ctx.db, rows);

    // Reference: the same number of delayed jobs with addBulk.
    const referenceQueue = new Queue('bench-ref', { connection, prefix: bullPrefix(prefix) });
    const referenceBegan = performance.now();
    for (let i = 0; i < total; i += 1000) {
      await referenceQueue.addBulk(rows.slice(i, i + 1000).map((r) => ({ name: 'deliver', data: { personId: r.personId, dueAt: r.dueAt.getTime() }, opts: { jobId: `ref.${r.id}`, delay: r.dueAt.getTime() - Date.now(), attempts: 8, backoff: { type: 'exponential', delay: 30_000 } } })));
    }
    const referenceMs = performance.now() - referenceBegan;
    await referenceQueue.close();

    // Redis loses everything of ours; PostgreSQL still has the plan.
    await deletePrefix(prefix);
    const queue = new NudgeQueue(connection, prefix, systemClock);
    const began = performance.now();
    const result = await reconcile({ db: ctx.db, clock: systemClock, queue, logger: createLogger('silent') });
    const botMs = performance.now() - began;
    const jobs = await queue.queue.getJobCountByTypes('delayed');
    await queue.close();
    ctx.log(`  reconcile: restored ${result.restored} of ${result.checked} slots in ${(botMs / 1000).toFixed(1)} s (${jobs} delayed jobs now); addBulk: ${(referenceMs / 1000).toFixed(1)} s`);
    if (jobs < total) ctx.note(`reconcile: only ${jobs} of ${total} jobs present afterwards`);
    return [
      figure({ benchmark: '4 reconciliation', metric: `restore ${total} future nudges after losing Redis`, unit: 's', bot: botMs / 1000, reference: referenceMs / 1000, referenceName: 'BullMQ addBulk', target: '≤ 2× addBulk', met: botMs <= 2 * referenceMs && jobs >= total }),
    ];
  } finally {
    connection.disconnect();
    await deletePrefix(prefix);
  }
};

/**
 * 3. Scheduler lateness: nudges due at instants spread over a window (10,000 over two minutes),
 * delivered by the real worker (own process) to the fake Slack; delivered − due per nudge, measured
 * where Slack receives it. Working hours are 24/7 for these people, so no shift is included.
 * Reference: a bare BullMQ worker running no-op delayed jobs on the same schedule (run − due).
 */
import { Queue } from 'bullmq';
import { systemClock } from '../src/core/clock.js';
import { createRedis } from '../src/core/redis.js';
import { bullPrefix, NudgeQueue, type Slot } from '../src/scheduler/queue.js';
import { FakeSlack } from '../test/support/fake-slack.js';
import type { Benchmark } from './context.js';
import { benchPrefix, deletePrefix, REDIS_URL } from './env.js';
import { CONCURRENCY, runWorker } from './fan-out.js';
import { createMembers, insertNudges, manualNudge } from './population.js';
import { figure, percentile } from './report.js';

export const lateness: Benchmark = async (ctx) => {
  const total = ctx.quick ? 2_000 : 10_000;
  const windowMs = ctx.quick ? 30_000 : 120_000;
  /** Time to start the worker process before the first nudge is due. */
  const leadMs = 15_000;
  const prefix = benchPrefix();
  const fake = await new FakeSlack().start();
  const connection = createRedis(REDIS_URL, { forQueues: true });
  const dueAt = (start: number, i: number) => start + leadMs + Math.floor((i * windowMs) / total);
  try {
    const members = await createMembers(ctx.db, 50, total / 50);

    // Reference: no-op delayed jobs on the same schedule.
    const referenceQueue = new Queue('bench-noop', { connection, prefix: bullPrefix(prefix) });
    const referenceStart = Date.now();
    for (let i = 0; i < total; i += 1000) {
      await referenceQueue.addBulk(Array.from({ length: Math.min(1000, total - i) }, (_, j) => ({ name: 'noop', data: {}, opts: { jobId: `noop.${i + j}`, delay: dueAt(referenceStart, i + j) - Date.now(), removeOnComplete: { count: 5000 } } })));
    }
    await referenceQueue.close();
    const reference = await runWorker('noop', prefix, fake, total);
    ctx.log(`  BullMQ no-op delayed jobs: p50 ${percentile(reference.lateness, 50)} ms, p99 ${percentile(reference.lateness, 99)} ms late`);

    // The bot: the same schedule as PlannedNudge rows and the scheduler's slot jobs.
    const start = Date.now();
    const rows = members.map((m, i) => manualNudge(m, new Date(dueAt(start, i)), `Lateness nudge due ${dueAt(start, i)}`));
    await insertNudges(ctx.db, rows);
    const queue = new NudgeQueue(connection, prefix, systemClock);
    await queue.ensureMany(rows.map((r): Slot => ({ personId: r.personId, dueAt: r.dueAt.getTime() })));
    await queue.close();
    const setupMs = Date.now() - start;
    if (setupMs > leadMs) ctx.note(`lateness: setting up took ${setupMs} ms, longer than the ${leadMs} ms lead; the first nudges started late`);
    await runWorker('real', prefix, fake, total);
    const late = fake.callsOf('chat.postMessage').map((call) => call.at! - Number(/Lateness nudge due (\d+)/.exec(String(call.params.text))?.[1]));
    ctx.log(`  bot: ${late.length} delivered, p50 ${percentile(late, 50)} ms, p99 ${percentile(late, 99)} ms, max ${Math.max(...late)} ms late`);

    const common = { benchmark: '3 scheduler lateness', unit: 'ms', referenceName: 'BullMQ no-op delayed job', target: 'p99 < 1000 ms' };
    const p99 = percentile(late, 99);
    const label = `${total} due over ${windowMs / 1000} s, concurrency ${CONCURRENCY}`;
    return [
      figure({ ...common, metric: `p50 delivered − due (${label})`, bot: percentile(late, 50), reference: percentile(reference.lateness, 50), met: p99 < 1000 }),
      figure({ ...common, metric: 'p99 delivered − due', bot: p99, reference: percentile(reference.lateness, 99), met: p99 < 1000 }),
    ];
  } finally {
    connection.disconnect();
    await fake.stop();
    await deletePrefix(prefix);
  }
};

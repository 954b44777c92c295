/**
 * 2. Nudge fan-out: members in 50 clusters each due one nudge now, delivered by the real scheduler
 * worker (own process) to the fake Slack Web API, against two references on the same Redis: a bare
 * BullMQ worker processing the same number of no-op jobs, and the minimal correct delivery (claim
 * one row, post one message to the fake Slack, record it; bench/processes/worker.ts, `minimal`) of
 * the same number of nudges. Then Slack's per-channel limit switched on in the fake: several nudges
 * per channel, total time against what the limit allows.
 */
import { Queue } from 'bullmq';
import { systemClock } from '../src/core/clock.js';
import { createRedis } from '../src/core/redis.js';
import { bullPrefix, NudgeQueue, type Slot } from '../src/scheduler/queue.js';
import { FakeSlack } from '../test/support/fake-slack.js';
import type { Benchmark, BenchContext } from './context.js';
import { benchPrefix, botEnv, cpuMs, deletePrefix, REDIS_URL, startChild } from './env.js';
import { createMembers, insertNudges, manualNudge, type Member } from './population.js';
import { figure } from './report.js';

/** Worker concurrency of both the bot's worker and the reference: the production default (WORKER_CONCURRENCY); BENCH_CONCURRENCY to compare others. */
export const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);

export const fanOut: Benchmark = async (ctx) => {
  const perCluster = ctx.quick ? 40 : 200;
  const total = 50 * perCluster;
  const prefix = benchPrefix();
  const fake = await new FakeSlack().start();
  const connection = createRedis(REDIS_URL, { forQueues: true });
  try {
    const members = await createMembers(ctx.db, 50, perCluster);

    // Reference: the same number of no-op jobs through a bare BullMQ worker.
    const referenceQueue = new Queue('bench-noop', { connection, prefix: bullPrefix(prefix) });
    for (let i = 0; i < total; i += 1000) {
      await referenceQueue.addBulk(Array.from({ length: Math.min(1000, total - i) }, (_, j) => ({ name: 'noop', data: { personId: `p${i + j}`, dueAt: Date.now() }, opts: { jobId: `noop.${i + j}`, attempts: 8, removeOnComplete: { count: 5000 } } })));
    }
    await referenceQueue.close();
    const reference = await runWorker('noop', prefix, fake, total);
    ctx.log(`  BullMQ no-op: ${total} jobs in ${(reference.elapsedMs / 1000).toFixed(1)} s`);

    // The minimal correct delivery: one nudge due a minute ago per member (its own slots), and a job each.
    const minimalDue = Date.now() - 60_000;
    await insertNudges(ctx.db, members.map((m) => manualNudge(m, new Date(minimalDue), `Minimal nudge for ${m.userId}`)));
    const minimalQueue = new Queue('bench-minimal', { connection, prefix: bullPrefix(prefix) });
    for (let i = 0; i < total; i += 1000) {
      await minimalQueue.addBulk(members.slice(i, i + 1000).map((m) => ({ name: 'deliver', data: { personId: m.personId, dueAt: minimalDue }, opts: { jobId: `minimal.${m.personId}`, attempts: 8, removeOnComplete: { count: 5000 } } })));
    }
    await minimalQueue.close();
    const minimal = await runWorker('minimal', prefix, fake, total, 'bench-minimal');
    const minimalPosts = fake.callsOf('chat.postMessage').length;
    ctx.log(`  minimal delivery: ${total} nudges in ${(minimal.elapsedMs / 1000).toFixed(1)} s (${JSON.stringify(minimal.outcomes)}; fake Slack got ${minimalPosts} posts), ${(minimal.cpuMs / total).toFixed(2)} ms of CPU each`);
    fake.calls.length = 0;

    // The bot: one nudge due now per member, jobs as the scheduler makes them.
    const now = Date.now();
    await insertNudges(ctx.db, members.map((m) => manualNudge(m, new Date(now), `Fan-out nudge for ${m.userId}`)));
    const queue = new NudgeQueue(connection, prefix, systemClock);
    await queue.ensureMany(members.map((m): Slot => ({ personId: m.personId, dueAt: now })));
    const bot = await runWorker('real', prefix, fake, total);
    const posted = fake.callsOf('chat.postMessage').length;
    ctx.log(`  bot: ${total} nudges in ${(bot.elapsedMs / 1000).toFixed(1)} s (${JSON.stringify(bot.outcomes)}; fake Slack got ${posted} posts), ${(bot.cpuMs / total).toFixed(2)} ms of CPU each`);
    if (posted !== total) ctx.note(`fan-out: fake Slack received ${posted} posts for ${total} nudges`);

    const botRate = total / (bot.elapsedMs / 1000);
    const referenceRate = total / (reference.elapsedMs / 1000);
    const minimalRate = total / (minimal.elapsedMs / 1000);
    const common = { benchmark: '2 nudge fan-out', unit: '/s' };
    const figures = [
      figure({ ...common, metric: `deliveries/s (${total} members, 50 clusters, concurrency ${CONCURRENCY})`, bot: botRate, reference: referenceRate, referenceName: 'BullMQ no-op jobs', target: '≥ 0.5× BullMQ', met: botRate >= 0.5 * referenceRate }),
      figure({ ...common, metric: 'deliveries/s against the minimal correct delivery', bot: botRate, reference: minimalRate, referenceName: 'minimal correct delivery', target: '≥ 0.7× minimal', met: botRate >= 0.7 * minimalRate && posted === total }),
      figure({ ...common, metric: 'CPU per delivery of the worker process', unit: 'ms', bot: bot.cpuMs / total, reference: minimal.cpuMs / total, referenceName: 'minimal correct delivery', target: 'informational', met: true, informational: true }),
    ];

    figures.push(await limitedRun(ctx, members.slice(0, 10), connection, prefix, fake));
    await queue.close();
    return figures;
  } finally {
    connection.disconnect();
    await fake.stop();
    await deletePrefix(prefix);
  }
};

/** With the per-channel limit on: `slots` messages to each of 10 DM channels, all due now. */
async function limitedRun(ctx: BenchContext, members: Member[], connection: ReturnType<typeof createRedis>, prefix: string, fake: FakeSlack) {
  const slots = ctx.quick ? 10 : 30;
  fake.limitPerChannel(1_000);
  fake.calls.length = 0;
  const now = Date.now();
  // Distinct due instants (one job and one message each), oldest first, all already due.
  // In due order (channels interleaved), as delayed jobs fall due. (Queued channel by channel, a send waiting for
  // its channel's pace used to hold a worker slot; it now goes back to delayed: see docs/performance.md.)
  const rows = Array.from({ length: slots }, (_, j) => members.map((m) => manualNudge(m, new Date(now - (slots - j) * 1000), `Paced nudge ${j} for ${m.userId}`))).flat();
  await insertNudges(ctx.db, rows);
  const queue = new NudgeQueue(connection, prefix, systemClock);
  await queue.ensureMany(rows.map((r): Slot => ({ personId: r.personId, dueAt: r.dueAt.getTime() })));
  await queue.close();
  const result = await runWorker('real', prefix, fake, rows.length);
  // The first message of each channel goes at once, each later one a second after the previous.
  const allowedMs = (slots - 1) * 1000;
  const throttled = fake.callsOf('chat.postMessage:429').length;
  if (process.env.BENCH_DEBUG) {
    const t0 = Math.min(...fake.calls.map((c) => c.at!));
    for (const m of members.slice(0, 10)) {
      const seq = fake.calls.filter((c) => c.params.channel === `D${m.userId.slice(1)}`).map((c) => `${c.method.endsWith('429') ? '!' : ''}${c.at! - t0}`);
      ctx.log(`    ${m.userId}: ${seq.join(' ')}`);
    }
  }
  ctx.log(`  paced: ${rows.length} nudges to ${members.length} channels in ${(result.elapsedMs / 1000).toFixed(1)} s (limit allows ${allowedMs / 1000} s; fake Slack answered 429 ${throttled} times)`);
  return figure({
    benchmark: '2 nudge fan-out',
    metric: `per-channel limit on: total time (${members.length} channels × ${slots} nudges)`,
    unit: 's',
    bot: result.elapsedMs / 1000,
    reference: allowedMs / 1000,
    referenceName: 'what 1 msg/s/channel allows',
    target: '≤ 1.1× allowed',
    met: result.elapsedMs <= 1.1 * allowedMs,
  });
}

/**
 * Starts a worker process, waits for it to be ready, lets it go and waits until `expected` jobs are done;
 * also returns the CPU the process used from "go" to done.
 */
export async function runWorker(mode: 'real' | 'noop' | 'minimal', prefix: string, fake: FakeSlack, expected: number, queueName = 'bench-noop') {
  const child = startChild('worker', botEnv(prefix, fake.apiUrl), [mode, queueName, String(expected), String(CONCURRENCY)]);
  try {
    await child.next('ready');
    const cpuBefore = await cpuMs(child.process.pid!);
    child.send({ type: 'go' });
    const done = await child.next<{ elapsedMs: number; lateness: number[]; outcomes: Record<string, number> }>('done');
    return { ...done, cpuMs: (await cpuMs(child.process.pid!)) - cpuBefore };
  } finally {
    await child.stop();
  }
}

/**
 * 5. Memory: resident memory of one bot process with 10,000 members in its database and 500 open
 * conversations (FlowState rows, and 500 requests in flight at once from those people), sampled
 * from /proc while the load runs; the reference is a bare Bolt process under the same load.
 *
 * The same closed loop (each person sends the next command once the last one is answered) gives the
 * throughput figure: answers per second of the bot against the minimal correct command
 * (bench/processes/minimal-command.ts) under the same 500 people, and the CPU each answer cost.
 */
import { FakeSlack } from '../test/support/fake-slack.js';
import type { Benchmark } from './context.js';
import { benchPrefix, botEnv, cpuMs, deletePrefix, residentMiB, SIGNING_SECRET, startChild } from './env.js';
import { createMembers } from './population.js';
import { figure, percentile } from './report.js';

export const memory: Benchmark = async (ctx) => {
  const conversations = 500;
  const durationSeconds = ctx.quick ? 6 : 20;
  const prefix = benchPrefix();
  const fake = await new FakeSlack().start();
  try {
    const members = await createMembers(ctx.db, 50, 200);
    const open = members.slice(0, conversations);
    // An open conversation: the person is mid-way through a flow (its saved position).
    await ctx.db.flowState.createMany({ data: open.map((m) => ({ personId: m.personId, flow: 'me', flowVersion: 1, step: 'start', data: {}, expiresAt: new Date(Date.now() + 86_400_000) })) });
    const users = open.map((m) => m.userId);
    for (const id of users) fake.addUser({ id });

    const measure = async (name: 'bare-bolt' | 'bot' | 'minimal-command') => {
      const server = startChild(name, botEnv(prefix, fake.apiUrl));
      const { pid, port } = await server.next<{ pid: number; port: number }>('ready');
      const idle = await residentMiB(pid);
      const samples: number[] = [];
      const sampler = setInterval(() => void residentMiB(pid).then((mib) => samples.push(mib), () => undefined), 100);
      const cpuBefore = await cpuMs(pid);
      // One person per open conversation, each sending the next command once the last one is answered.
      const load = startChild('conversations', process.env, [JSON.stringify({ url: `http://127.0.0.1:${port}/slack/events`, secret: SIGNING_SECRET, users, durationSeconds, emptyAckAnswers: name === 'bare-bolt' })]);
      const result = await load.next<{ requests: number; inline: number; later: number; busy: number; errors: number }>('result');
      const cpuUsed = (await cpuMs(pid)) - cpuBefore;
      clearInterval(sampler);
      await load.stop();
      await server.stop();
      const peak = Math.max(...samples);
      const answered = result.inline + result.later;
      ctx.log(`  ${name}: idle ${idle.toFixed(0)} MiB, under load p50 ${percentile(samples, 50).toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB (${result.requests} commands: ${result.inline} answered in the ack, ${result.later} by response_url, ${result.busy} asked to try again, ${result.errors} errors; ${(answered / durationSeconds).toFixed(0)} answers/s, ${(cpuUsed / Math.max(1, answered)).toFixed(2)} ms of CPU per answer)`);
      return { idle, peak, errors: result.errors, requests: result.requests, busy: result.busy, answersPerSecond: answered / durationSeconds, cpuPerAnswer: cpuUsed / Math.max(1, answered) };
    };
    const bare = await measure('bare-bolt');
    const minimal = await measure('minimal-command');
    const bot = await measure('bot');
    if (bot.busy) ctx.note(`memory: ${bot.busy} of ${bot.requests} requests were answered "try again in a moment" (the instance's work limit, MAX_ACTIVE_REQUESTS + MAX_QUEUED_REQUESTS)`);
    if (bot.errors) ctx.note(`memory: the bot answered ${bot.errors} of ${bot.requests} requests with an error or not within 30 s, with ${conversations} people in conversation at once`);
    const common = { benchmark: '5 memory', unit: 'MiB', referenceName: 'bare Bolt process', target: 'peak < 250 MB' };
    const loop = { benchmark: '5 closed loop', referenceName: 'minimal correct command' };
    return [
      figure({ ...common, metric: 'resident, idle after start', bot: bot.idle, reference: bare.idle, met: bot.peak * 1.048576 < 250 }),
      figure({ ...common, metric: `resident, peak (10,000 members, ${conversations} open conversations in flight)`, bot: bot.peak, reference: bare.peak, met: bot.peak * 1.048576 < 250 }),
      figure({ ...loop, metric: `answers/s (${conversations} people, each waiting for the answer, ${durationSeconds} s)`, unit: '/s', bot: bot.answersPerSecond, reference: minimal.answersPerSecond, target: '≥ 0.7× minimal', met: bot.answersPerSecond >= 0.7 * minimal.answersPerSecond && bot.errors === 0 }),
      figure({ ...loop, metric: 'CPU per answer of the server process', unit: 'ms', bot: bot.cpuPerAnswer, reference: minimal.cpuPerAnswer, target: 'informational', met: true, informational: true }),
    ];
  } finally {
    await fake.stop();
    await deletePrefix(prefix);
  }
};

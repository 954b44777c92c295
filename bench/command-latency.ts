/**
 * 1. Command latency: signed `/lc help` and `/lc me` slash commands over HTTP at a fixed rate,
 * against the bot (own process, fake Slack Web API), a bare Bolt app that only acks (same
 * receiver type, own process) and the minimal correct command (bench/processes/minimal-command.ts:
 * ack, one indexed query, a short Block Kit reply posted to the response_url). The load generator
 * is a fourth process.
 *
 * The bot acks first and answers through the response_url, so its ack says nothing about when
 * the person sees the answer: that is measured too (request sent → reply arrives at the fake
 * Slack), beside the minimal command's reply. What decides the target is the CPU each command
 * costs the server process, against the minimal command's: latency on a shared machine is noise.
 */
import { FakeSlack } from '../test/support/fake-slack.js';
import { benchPrefix, botEnv, cpuMs, deletePrefix, SIGNING_SECRET, startChild } from './env.js';
import type { Benchmark } from './context.js';
import { figure, percentile } from './report.js';
import { knownPeople } from './population.js';

interface LoadResult {
  requests: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  rate: number;
  /** When each request was sent (ms since the epoch), by request number. */
  sentAt: number[];
}

/** How long after each request its reply reached the response_url, for the requests of one run. */
interface Replies {
  sent: number;
  received: number;
  p50: number;
  p99: number;
  max: number;
}

/** How long the bench waits at most after the load for replies still on their way. */
const REPLY_GRACE_MS = 30_000;

export const commandLatency: Benchmark = async (ctx) => {
  const rate = 200;
  const durationSeconds = ctx.quick ? 8 : 30;
  const fake = await new FakeSlack().start();
  const users = Array.from({ length: 100 }, (_, i) => `ULAT${i}`);
  for (const id of users) fake.addUser({ id });
  // Known people (as after their first contact), so every server finds the person it looks up.
  await knownPeople(ctx.db, users);
  const prefix = benchPrefix();
  const env = botEnv(prefix, fake.apiUrl);

  let runs = 0;
  const load = async (port: number, options: { rate?: number; connections: number; durationSeconds: number }) => {
    const runId = `run${++runs}`;
    const child = startChild('load', { ...process.env, RESPONSE_URL_BASE: fake.baseUrl }, [JSON.stringify({ url: `http://127.0.0.1:${port}/slack/events`, secret: SIGNING_SECRET, users, runId, ...options })]);
    const result = await child.next<LoadResult & { type: string }>('result');
    await child.stop();
    return { ...result, runId };
  };
  /** Waits (up to REPLY_GRACE_MS) for the run's replies still on their way, then measures them all. */
  const replies = async (run: LoadResult & { runId: string }): Promise<Replies> => {
    const prefix = `${fake.baseUrl}/response/${run.runId}-`;
    const ofRun = () => fake.callsOf('response_url').filter((c) => String(c.params.url).startsWith(prefix));
    // Done when every request has its reply, when none came for 3 s (the rest never reached the bot), or at the deadline.
    const deadline = Date.now() + REPLY_GRACE_MS;
    let count = -1;
    let lastNew = Date.now();
    while (ofRun().length < run.sentAt.length && Date.now() < deadline && Date.now() - lastNew < 3_000) {
      if (ofRun().length !== count) [count, lastNew] = [ofRun().length, Date.now()];
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const latencies = ofRun().map((c) => c.at! - run.sentAt[Number(String(c.params.url).slice(prefix.length))]);
    return { sent: run.sentAt.length, received: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies) };
  };
  const measure = async (name: 'bare-bolt' | 'bot' | 'minimal-command') => {
    const server = startChild(name, env);
    const { port } = await server.next<{ port: number }>('ready');
    // Warm-up, not measured: first contact creates each user's person and identity; JIT and pools warm up.
    await load(port, { rate: 50, connections: 10, durationSeconds: 4 });
    ctx.log(`  ${name}: ${rate}/s for ${durationSeconds} s`);
    // Enough connections that a slow answer does not lower the offered rate (autocannon waits per connection).
    const cpuBefore = await cpuMs(server.process.pid!);
    const result = await load(port, { rate, connections: 100, durationSeconds });
    const reply = name === 'bare-bolt' ? undefined : await replies(result);
    // Includes the replies still being sent after the load: all the work the measured commands caused.
    const cpuUsed = (await cpuMs(server.process.pid!)) - cpuBefore;
    await server.stop();
    ctx.log(`  ${name}: ${result.requests} requests, p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms, errors ${result.errors}, ${result.rate.toFixed(0)}/s`);
    ctx.log(`  ${name}: ${(cpuUsed / result.sentAt.length).toFixed(2)} ms of CPU per request (${cpuUsed} ms for ${result.sentAt.length} requests)`);
    if (reply) ctx.log(`  ${name}: replies via response_url ${reply.received} of ${reply.sent} sent, p50 ${reply.p50} ms, p99 ${reply.p99} ms, max ${reply.max} ms after the request`);
    return { ...result, reply, cpuPerRequest: cpuUsed / result.sentAt.length };
  };
  try {
    const bare = await measure('bare-bolt');
    const minimal = await measure('minimal-command');
    const bot = await measure('bot');
    const met = bot.p99 <= 1.2 * bare.p99 && bot.errors === 0;
    const common = { benchmark: '1 command latency', unit: 'ms', referenceName: 'bare Bolt ack', target: 'p99 ≤ 1.2× bare, 0 errors', met };
    const reply = bot.reply!;
    const fair = { benchmark: '1 command latency', unit: 'ms', referenceName: 'minimal correct command' };
    const informational = { ...fair, target: 'informational: when the person sees the answer', met: true, informational: true };
    ctx.note(`command latency: ${reply.received} of ${reply.sent} commands sent to the bot got their reply through the response_url within ${REPLY_GRACE_MS / 1000} s after the load (requests still in flight when the load stopped may never have reached the bot); the minimal command: ${minimal.reply!.received} of ${minimal.reply!.sent}`);
    return [
      figure({ ...common, metric: `ack p50 (/lc help + /lc me, ${rate}/s × ${durationSeconds} s)`, bot: bot.p50, reference: bare.p50 }),
      figure({ ...common, metric: 'ack p99', bot: bot.p99, reference: bare.p99 }),
      figure({ ...common, metric: `errors (of ${bot.requests} / ${bare.requests})`, unit: '', bot: bot.errors, reference: bare.errors }),
      figure({ ...common, metric: `achieved rate (offered ${rate}/s)`, unit: 'req/s', bot: bot.rate, reference: bare.rate }),
      figure({ ...common, target: 'informational', met: true, informational: true, metric: 'CPU per request of the server process (bot: ack, flow and reply; bare: ack)', bot: bot.cpuPerRequest, reference: bare.cpuPerRequest }),
      figure({ ...fair, target: '≤ 1.5× minimal', metric: 'CPU per command of the server process (ack, work, reply)', bot: bot.cpuPerRequest, reference: minimal.cpuPerRequest, met: bot.cpuPerRequest <= 1.5 * minimal.cpuPerRequest }),
      figure({ ...informational, metric: 'reply p50: request sent → answer at the response_url', bot: reply.p50, reference: minimal.reply!.p50 }),
      figure({ ...informational, metric: 'reply p99', bot: reply.p99, reference: minimal.reply!.p99 }),
    ];
  } finally {
    await fake.stop();
    await deletePrefix(prefix);
  }
};

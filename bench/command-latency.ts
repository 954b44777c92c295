/**
 * 1. Command latency: signed `/lc help` and `/lc me` slash commands over HTTP at a fixed rate,
 * against the bot (own process, fake Slack Web API) and a bare Bolt app that only acks (same
 * receiver type, own process). The load generator is a third process.
 *
 * The bot acks first and answers through the response_url, so its ack says nothing about when
 * the person sees the answer: that is measured too (request sent → reply arrives at the fake
 * Slack), as an informational figure beside the bare app's ack.
 */
import { FakeSlack } from '../test/support/fake-slack.js';
import { benchPrefix, botEnv, cpuMs, deletePrefix, SIGNING_SECRET, startChild } from './env.js';
import type { Benchmark } from './context.js';
import { figure, percentile } from './report.js';

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
  const measure = async (name: 'bare-bolt' | 'bot') => {
    const server = startChild(name, env);
    const { port } = await server.next<{ port: number }>('ready');
    // Warm-up, not measured: first contact creates each user's person and identity; JIT and pools warm up.
    await load(port, { rate: 50, connections: 10, durationSeconds: 4 });
    ctx.log(`  ${name}: ${rate}/s for ${durationSeconds} s`);
    // Enough connections that a slow answer does not lower the offered rate (autocannon waits per connection).
    const cpuBefore = await cpuMs(server.process.pid!);
    const result = await load(port, { rate, connections: 100, durationSeconds });
    const reply = name === 'bot' ? await replies(result) : undefined;
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
    const bot = await measure('bot');
    const met = bot.p99 <= 1.2 * bare.p99 && bot.errors === 0;
    const common = { benchmark: '1 command latency', unit: 'ms', referenceName: 'bare Bolt ack', target: 'p99 ≤ 1.2× bare, 0 errors', met };
    const reply = bot.reply!;
    const informational = { ...common, target: 'informational: when the person sees the answer', informational: true };
    ctx.note(`command latency: ${reply.received} of ${reply.sent} commands sent to the bot got their reply through the response_url within ${REPLY_GRACE_MS / 1000} s after the load (requests still in flight when the load stopped may never have reached the bot)`);
    return [
      figure({ ...common, metric: `p50 (/lc help + /lc me, ${rate}/s × ${durationSeconds} s)`, bot: bot.p50, reference: bare.p50 }),
      figure({ ...common, metric: 'p99', bot: bot.p99, reference: bare.p99 }),
      figure({ ...common, metric: `errors (of ${bot.requests} / ${bare.requests})`, unit: '', bot: bot.errors, reference: bare.errors }),
      figure({ ...common, metric: `achieved rate (offered ${rate}/s)`, unit: 'req/s', bot: bot.rate, reference: bare.rate }),
      figure({ ...informational, metric: 'reply p50: request sent → reply at the response_url (bot) vs ack (bare)', bot: reply.p50, reference: bare.p50 }),
      figure({ ...informational, metric: 'reply p99: request sent → reply at the response_url (bot) vs ack (bare)', bot: reply.p99, reference: bare.p99 }),
      figure({ ...informational, target: 'informational', unit: 'ms', metric: 'CPU per request of the server process (bot: ack, flow and reply; bare: ack)', bot: bot.cpuPerRequest, reference: bare.cpuPerRequest }),
    ];
  } finally {
    await fake.stop();
    await deletePrefix(prefix);
  }
};

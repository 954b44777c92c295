/**
 * 1. Command latency: signed `/lc help` and `/lc me` slash commands over HTTP at a fixed rate,
 * against the bot (own process, fake Slack Web API) and a bare Bolt app that only acks (same
 * receiver type, own process). The load generator is a third process.
 */
import { FakeSlack } from '../test/support/fake-slack.js';
import { benchPrefix, botEnv, deletePrefix, SIGNING_SECRET, startChild } from './env.js';
import type { Benchmark } from './context.js';
import { figure } from './report.js';

interface LoadResult {
  requests: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  rate: number;
}

export const commandLatency: Benchmark = async (ctx) => {
  const rate = 200;
  const durationSeconds = ctx.quick ? 8 : 30;
  const fake = await new FakeSlack().start();
  const users = Array.from({ length: 100 }, (_, i) => `ULAT${i}`);
  for (const id of users) fake.addUser({ id });
  const prefix = benchPrefix();
  const env = botEnv(prefix, fake.apiUrl);

  const load = async (port: number, options: { rate?: number; connections: number; durationSeconds: number }) => {
    const child = startChild('load', { ...process.env, RESPONSE_URL_BASE: fake.baseUrl }, [JSON.stringify({ url: `http://127.0.0.1:${port}/slack/events`, secret: SIGNING_SECRET, users, ...options })]);
    const result = await child.next<LoadResult & { type: string }>('result');
    await child.stop();
    return result;
  };
  const measure = async (name: 'bare-bolt' | 'bot') => {
    const server = startChild(name, env);
    const { port } = await server.next<{ port: number }>('ready');
    // Warm-up, not measured: first contact creates each user's person and identity; JIT and pools warm up.
    await load(port, { rate: 50, connections: 10, durationSeconds: 4 });
    ctx.log(`  ${name}: ${rate}/s for ${durationSeconds} s`);
    // Enough connections that a slow answer does not lower the offered rate (autocannon waits per connection).
    const result = await load(port, { rate, connections: 100, durationSeconds });
    await server.stop();
    ctx.log(`  ${name}: ${result.requests} requests, p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms, errors ${result.errors}, ${result.rate.toFixed(0)}/s`);
    return result;
  };
  try {
    const bare = await measure('bare-bolt');
    const bot = await measure('bot');
    const met = bot.p99 <= 1.2 * bare.p99 && bot.errors === 0;
    const common = { benchmark: '1 command latency', unit: 'ms', referenceName: 'bare Bolt ack', target: 'p99 ≤ 1.2× bare, 0 errors', met };
    return [
      figure({ ...common, metric: `p50 (/lc help + /lc me, ${rate}/s × ${durationSeconds} s)`, bot: bot.p50, reference: bare.p50 }),
      figure({ ...common, metric: 'p99', bot: bot.p99, reference: bare.p99 }),
      figure({ ...common, metric: `errors (of ${bot.requests} / ${bare.requests})`, unit: '', bot: bot.errors, reference: bare.errors }),
      figure({ ...common, metric: `achieved rate (offered ${rate}/s)`, unit: 'req/s', bot: bot.rate, reference: bare.rate }),
    ];
  } finally {
    await fake.stop();
    await deletePrefix(prefix);
  }
};

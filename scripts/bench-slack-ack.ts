/**
 * Benchmark (not a test): how fast the bot acknowledges signed Slack requests under load.
 * Starts the real runtime against a scratch database and the fake Slack Web API, sends
 * `/lc help` slash commands from many new users at once, and prints ack latencies.
 *
 *   npx tsx scripts/bench-slack-ack.ts [requests=200] [concurrency=20] [command budget ms, default the adapter's]
 *
 * Slack wants every request acknowledged within 3 s; the bot aims for well under that.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/core/config.js';
import { createLogger } from '../src/core/logger.js';
import { ensureDatabase, runMigrations } from '../src/server/database-setup.js';
import { createRuntime } from '../src/server/runtime.js';
import { FakeSlack } from '../test/support/fake-slack.js';
import { slackClient } from '../test/support/slack-requests.js';

const total = Number(process.argv[2] ?? 200);
const concurrency = Number(process.argv[3] ?? 20);
const secret = 'bench-signing-secret';

const fake = await new FakeSlack().start();
const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/clusterbot_bench';
await ensureDatabase(databaseUrl);
await runMigrations(databaseUrl);
const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: databaseUrl, REDIS_PREFIX: `bench-${randomBytes(3).toString('hex')}`, SLACK_SIGNING_SECRET: secret, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: fake.apiUrl, LOG_LEVEL: 'silent' });
const budget = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
const runtime = createRuntime(config, createLogger('silent'), { slackBudgets: budget === undefined ? undefined : { commandMs: budget } });
const slack = slackClient(`http://127.0.0.1:${await runtime.listen(0)}/slack/events`, secret);

const latencies: number[] = [];
/** The first wave meets a cold process (database pool, query compiler, i18n): reported apart. */
const coldStart: number[] = [];
let next = 0;
const run = randomBytes(3).toString('hex').toUpperCase();
async function worker() {
  while (next < total) {
    const i = next++;
    const user = `UB${run}${i}`;
    fake.addUser({ id: user });
    const started = performance.now();
    const response = await slack.command({ team_id: 'T1', channel_id: 'C1', user_id: user, command: '/lc', text: 'help', response_url: fake.responseUrl(), trigger_id: `t${i}`, api_app_id: 'A1' });
    (i < concurrency ? coldStart : latencies).push(performance.now() - started);
    if (response.status !== 200) console.error(`request ${i}: HTTP ${response.status}`);
  }
}
const began = performance.now();
await Promise.all(Array.from({ length: concurrency }, worker));
const elapsed = performance.now() - began;
await runtime.slack?.settled();

latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(0);
console.log(`${total} signed /lc help from new users, ${concurrency} at a time, in ${(elapsed / 1000).toFixed(1)} s`);
console.log(`first ${coldStart.length} (cold start) ack ms: max ${Math.max(...coldStart).toFixed(0)}`);
console.log(`the other ${latencies.length}, ack latency ms: p50 ${at(0.5)}, p95 ${at(0.95)}, p99 ${at(0.99)}, max ${at(1)}; over 3 s: ${latencies.filter((l) => l >= 3000).length}`);
await runtime.stop();
await fake.stop();

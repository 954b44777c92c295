/**
 * A nudge worker as its own process. `real`: the production runtime's scheduler worker (claim in
 * PostgreSQL, render, send through the Slack sender to SLACK_API_URL). `noop`: a bare BullMQ worker
 * on the same Redis whose jobs do nothing, the reference of old. `minimal`: the fair reference, the
 * least a correct delivery does, hand-written on BullMQ and pg: claim the slot's row with one
 * `UPDATE … RETURNING`, post one message over HTTP to SLACK_API_URL, record it with one `UPDATE`.
 * All wait for {type:'go'}, then start their worker and report when `expected` jobs are done.
 *
 * argv: <real|noop|minimal> <queue name (noop, minimal)> <expected> <concurrency>
 */
import http from 'node:http';
import { Worker } from 'bullmq';
import pg from 'pg';
import { loadConfig } from '../../src/core/config.js';
import { createLogger } from '../../src/core/logger.js';
import { createRedis } from '../../src/core/redis.js';
import { bullPrefix } from '../../src/scheduler/queue.js';
import { createRuntime } from '../../src/server/runtime.js';

const [mode, queueName, expectedArg, concurrencyArg] = process.argv.slice(2);
const expected = Number(expectedArg);
const concurrency = Number(concurrencyArg);
const config = loadConfig();

let done = 0;
let startedAt = 0;
/** For the no-op reference: how late each job ran (processedOn − (timestamp + delay)). */
const lateness: number[] = [];
const outcomes: Record<string, number> = {};
function finished(outcome: string) {
  outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  if (++done === expected) process.send?.({ type: 'done', elapsedMs: performance.now() - startedAt, lateness, outcomes });
}

let stop: () => Promise<void>;
if (mode === 'real') {
  const runtime = createRuntime(config, createLogger(config.LOG_LEVEL), { questionWorker: false });
  stop = () => runtime.stop();
  process.on('message', (message: { type: string }) => {
    if (message.type !== 'go') return;
    startedAt = performance.now();
    runtime.scheduler.startWorker({ concurrency, onDelivered: (outcome) => finished(outcome) });
  });
} else if (mode === 'minimal') {
  const connection = createRedis(config.REDIS_URL, { forQueues: true });
  // The bot's pool size (src/core/db.ts), and a kept-alive connection to Slack.
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 10 });
  const agent = new http.Agent({ keepAlive: true });
  let worker: Worker | undefined;
  stop = async () => {
    await worker?.close();
    await pool.end();
    connection.disconnect();
  };
  process.on('message', (message: { type: string }) => {
    if (message.type !== 'go') return;
    startedAt = performance.now();
    worker = new Worker(
      queueName,
      async (job) => {
        const { personId, dueAt } = job.data as { personId: string; dueAt: number };
        const claimed = await pool.query<{ id: string; text: string; externalId: string }>(
          `UPDATE "PlannedNudge" n SET status = 'SENT', "updatedAt" = now()
             FROM "PlatformIdentity" i
            WHERE n."personId" = $1 AND n."dueAt" = ($2::timestamptz AT TIME ZONE 'UTC') AND n.status = 'PLANNED'
              AND i."personId" = n."personId" AND i.platform = 'SLACK'
          RETURNING n.id, n.payload->>'text' AS text, i."externalId"`,
          [personId, new Date(dueAt).toISOString()],
        );
        const row = claimed.rows[0];
        if (!row) return 'nothing';
        const ts = await postMessage(agent, row.externalId.split(':')[1], row.text);
        await pool.query(`UPDATE "PlannedNudge" SET payload = payload || jsonb_build_object('ts', $2::text), "updatedAt" = now() WHERE id = $1`, [row.id, ts]);
        return 'sent';
      },
      { connection, prefix: bullPrefix(config.REDIS_PREFIX), concurrency },
    );
    worker.on('completed', (_job, outcome: string) => finished(outcome));
  });
} else {
  const connection = createRedis(config.REDIS_URL, { forQueues: true });
  let worker: Worker | undefined;
  stop = async () => {
    await worker?.close();
    connection.disconnect();
  };
  process.on('message', (message: { type: string }) => {
    if (message.type !== 'go') return;
    startedAt = performance.now();
    worker = new Worker(
      queueName,
      async (job) => {
        lateness.push(Date.now() - (job.timestamp + (job.opts.delay ?? 0)));
      },
      { connection, prefix: bullPrefix(config.REDIS_PREFIX), concurrency },
    );
    worker.on('completed', () => finished('done'));
  });
}
process.send?.({ type: 'ready', pid: process.pid });
process.once('SIGTERM', () => {
  void stop().finally(() => process.exit(0));
});

/** chat.postMessage to the person's DM (Slack takes a user id as the channel); returns the message's ts. */
function postMessage(agent: http.Agent, channel: string, text: string): Promise<string> {
  const json = JSON.stringify({ channel, text });
  return new Promise((resolve, reject) => {
    const request = http.request(
      new URL('chat.postMessage', config.SLACK_API_URL.endsWith('/') ? config.SLACK_API_URL : `${config.SLACK_API_URL}/`),
      { method: 'POST', agent, headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${process.env.SLACK_BOT_TOKEN}`, 'content-length': Buffer.byteLength(json) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { ok: boolean; ts?: string; error?: string };
          if (answer.ok && answer.ts) resolve(answer.ts);
          else reject(new Error(`chat.postMessage: ${answer.error ?? 'no ts'}`));
        });
      },
    );
    request.on('error', reject);
    request.end(json);
  });
}

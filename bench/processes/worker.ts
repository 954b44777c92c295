/**
 * A nudge worker as its own process. `real`: the production runtime's scheduler worker (claim in
 * PostgreSQL, render, send through the Slack sender to SLACK_API_URL). `noop`: a bare BullMQ worker
 * on the same Redis whose jobs do nothing, the reference. Both wait for {type:'go'}, then start
 * their worker and report when `expected` jobs are done.
 *
 * argv: <real|noop> <queue name (noop)> <expected> <concurrency>
 */
import { Worker } from 'bullmq';
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

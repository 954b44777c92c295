import 'dotenv/config';
import { loadConfigOrExit } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { createRuntime } from '../server/runtime.js';

/**
 * `npm run worker`: nudge and question-deadline workers without the HTTP server, for a machine of their own. It builds
 * the same runtime as the bot (so the same platform senders deliver) and shares the queue with
 * every other worker; run as many as you like.
 */
async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL);
  // A worker machine hosts the question-deadline worker too, whatever RUN_WORKERS says for bot instances.
  const runtime = createRuntime(config, logger, { questionWorker: true });
  await runtime.startScheduler({ workers: true });
  logger.info({ concurrency: config.WORKER_CONCURRENCY }, 'nudge worker running');
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'worker shutting down');
    await runtime.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => {
  console.error(`The nudge worker could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

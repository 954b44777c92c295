/**
 * The bot as its own process for the benchmarks: the production runtime (Slack over HTTP, the
 * bench database and Redis prefix from the environment), listening on a free port. The nudge
 * scheduler is not started here: its start-up re-planning would compete with what is measured.
 */
import { loadConfig } from '../../src/core/config.js';
import { createLogger } from '../../src/core/logger.js';
import { createRuntime } from '../../src/server/runtime.js';

const config = loadConfig();
const runtime = createRuntime(config, createLogger(config.LOG_LEVEL), { questionWorker: false });
const port = await runtime.listen(0);
process.send?.({ type: 'ready', port, pid: process.pid });
process.once('SIGTERM', () => {
  void runtime.stop().finally(() => process.exit(0));
});

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
// BENCH_MEMORY_TRACE=1: the heap's make-up every second on stderr, to tell live data from garbage not yet collected.
if (process.env.BENCH_MEMORY_TRACE) {
  setInterval(() => {
    const mib = (bytes: number) => Math.round(bytes / 1048576);
    const m = process.memoryUsage();
    console.error(`memory: rss ${mib(m.rss)} MiB, heap ${mib(m.heapUsed)} of ${mib(m.heapTotal)} MiB, external ${mib(m.external)} MiB`);
  }, 1000).unref();
}
process.once('SIGTERM', () => {
  void runtime.stop().finally(() => process.exit(0));
});

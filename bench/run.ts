/**
 * `npm run bench [-- --quick] [-- --only <name>]`: every benchmark with its reference measured in
 * the same run, written to bench/results.json and printed as a table. Never part of `npm test`.
 * Uses its own database (clusterbot_bench, dropped at the end) and Redis prefixes (keys deleted).
 */
import type { Benchmark, BenchContext } from './context.js';
import { commandLatency } from './command-latency.js';
import { buildProcesses, dropBenchDatabase, freshBenchDatabase } from './env.js';
import { fanOut } from './fan-out.js';
import { lateness } from './lateness.js';
import { memory } from './memory.js';
import { reconciliation } from './reconciliation.js';
import { scaling } from './scaling.js';
import { loadAverage, machine, publish, type Figure } from './report.js';

const benchmarks: Record<string, Benchmark> = { latency: commandLatency, fanout: fanOut, lateness, reconcile: reconciliation, memory, scaling };

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1]?.split(',') : undefined;
const unknown = only?.filter((name) => !(name in benchmarks)) ?? [];
if (unknown.length) {
  console.error(`Unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(benchmarks).join(', ')}.`);
  process.exit(2);
}

console.log(`machine: ${JSON.stringify(machine())}; mode: ${quick ? 'quick (scaled down)' : 'full'}`);
buildProcesses();
const db = await freshBenchDatabase();
const notes: string[] = [`mode: ${quick ? 'quick (scaled down: see the metric names)' : 'full'}`];
const ctx: BenchContext = { db, quick, note: (text) => notes.push(text), log: (text) => console.log(text) };
const figures: Figure[] = [];
let failed = false;
try {
  for (const [name, run] of Object.entries(benchmarks)) {
    if (only && !only.includes(name)) continue;
    const began = performance.now();
    const loadBefore = loadAverage();
    console.log(`${name}… (load average ${loadBefore})`);
    try {
      figures.push(...(await run(ctx)));
    } catch (error) {
      failed = true;
      console.error(`${name} failed:`, error);
      notes.push(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const loadAfter = loadAverage();
    console.log(`${name} took ${((performance.now() - began) / 1000).toFixed(0)} s (load average ${loadAfter})`);
    notes.push(`${name}: load average (1 min) ${loadBefore} at the start, ${loadAfter} at the end`);
  }
} finally {
  await db.$disconnect();
  await dropBenchDatabase();
}
console.log('');
publish(figures, notes);
process.exit(failed ? 1 : 0);

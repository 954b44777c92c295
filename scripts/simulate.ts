import 'dotenv/config';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../src/core/config.js';
import { createDb } from '../src/core/db.js';
import { timelineSpans } from '../src/domain/timeline.js';
import { loadSnapshot } from '../src/scheduler/snapshot.js';
import { formatSimulation, simulateCluster } from '../src/scheduler/simulate.js';

/**
 * `npm run simulate -- --cluster <id or code> [--from 2026-09-01]`: previews every message each
 * person of a cluster would get over its whole timeline, with the real planner, in seconds.
 * It reads the database and writes nothing.
 */
const argsSchema = z.object({
  cluster: z.string().trim().min(1, 'give --cluster <id or code>, e.g. --cluster LC1'),
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'give --from as YYYY-MM-DD')
    .optional(),
});

async function main() {
  const { values } = parseArgs({ options: { cluster: { type: 'string' }, from: { type: 'string' } }, strict: true });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    console.error(`simulate: ${parsed.error.issues[0].message}`);
    process.exit(2);
  }
  const config = loadConfig();
  const db = createDb(config.DATABASE_URL);
  try {
    const key = parsed.data.cluster;
    const matches = await db.cluster.findMany({ where: { OR: [{ id: key }, { code: { equals: key, mode: 'insensitive' } }] }, orderBy: { createdAt: 'desc' } });
    if (matches.length === 0) {
      const codes = (await db.cluster.findMany({ select: { code: true }, orderBy: { code: 'asc' } })).map((c) => c.code);
      console.error(`simulate: no cluster "${key}". Known clusters: ${codes.join(', ') || 'none (run npm run seed:demo)'}`);
      process.exit(2);
    }
    if (matches.length > 1) console.error(`simulate: several clusters have code ${key}; using the newest (${matches[0].id}). Pass the id to choose.`);
    const snapshot = (await loadSnapshot(db, matches[0].id))!;
    // A preview of the design: as if nothing had been sent yet.
    snapshot.sent = [];
    const first = timelineSpans(snapshot.timeline)[0]?.startsAt ?? new Date();
    const from = parsed.data.from ? new Date(`${parsed.data.from}T00:00:00Z`) : new Date(first.getTime() - 14 * 86_400_000);
    const started = Date.now();
    const result = simulateCluster(snapshot, { from });
    console.log(formatSimulation(snapshot, result));
    console.log(`\nSimulated ${result.messages.length} messages in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  } finally {
    await db.$disconnect();
  }
}

main().catch((error) => {
  console.error(`simulate failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

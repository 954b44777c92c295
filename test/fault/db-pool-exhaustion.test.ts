import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/core/db.js';
import { createLogger } from '../../src/core/logger.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { createRuntime } from '../../src/server/runtime.js';
import { testConfig } from '../support/harness.js';

describe('when the database pool is exhausted', () => {
  it('answers 50 concurrent requests with a clear "try again" instead of hanging', async () => {
    const config = await testConfig();
    const db = createDb(config.DATABASE_URL, { poolSize: 2, connectTimeoutMs: 500 });
    await seedDemo(db);
    const runtime = createRuntime(config, createLogger('silent'), { db });
    const port = await runtime.listen(0);
    try {
      // Two queries hold both connections of the pool until this test lets them go: they wait for an
      // advisory lock held by a connection of the test's own (a fixed sleep raced the replies on a busy machine).
      const gate = new pg.Client({ connectionString: config.DATABASE_URL });
      await gate.connect();
      await gate.query('SELECT pg_advisory_lock(4242)');
      // Prisma queries start when .then is called; each takes the lock for its own statement only.
      const hold = () => db.$queryRaw`SELECT pg_advisory_xact_lock(4242)::text`.then(() => undefined);
      const blockers = [hold(), hold()];
      await waitUntil(async () => Number((await gate.query(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)).rows[0].count) === 2);
      const replies = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const res = await fetch(`http://127.0.0.1:${port}/web/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ identity: `lc1-m${(i % 8) + 1}`, input: { type: 'typed', text: '/lc me' } }),
          });
          return { status: res.status, body: (await res.json()) as { messages: { summary: string }[] } };
        }),
      );
      // Every request came back while the blockers still held the pool (they cannot finish before the
      // gate opens): nothing waited for them.
      for (const reply of replies) {
        expect(reply.status).toBe(200);
        expect(reply.body.messages[0].summary).toContain('try again in a moment');
      }
      await gate.query('SELECT pg_advisory_unlock(4242)');
      await gate.end();
      await Promise.all(blockers);
      // And the bot recovers on its own once connections are free.
      const after = await fetch(`http://127.0.0.1:${port}/web/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ identity: 'lc1-m1', input: { type: 'typed', text: '/lc me' } }),
      });
      expect(((await after.json()) as { messages: { summary: string }[] }).messages[0].summary).toContain('You are');
    } finally {
      await runtime.stop();
      await db.$disconnect();
    }
  });
});

/** Polls a condition every 50 ms until it holds (the test's own timeout bounds it). */
async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 50));
}

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
      // Two long queries hold both connections of the pool (Prisma queries start when .then is called).
      const hold = () => db.$queryRaw`SELECT pg_sleep(4)::text`.then(() => undefined);
      const blockers = [hold(), hold()];
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = Date.now();
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
      const elapsed = Date.now() - started;
      for (const reply of replies) {
        expect(reply.status).toBe(200);
        expect(reply.body.messages[0].summary).toContain('try again in a moment');
      }
      // Every request came back while the blockers still held the pool: nothing waited for them.
      expect(elapsed).toBeLessThan(3_800);
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

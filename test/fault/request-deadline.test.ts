import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { createDb, poolOf, type Db } from '../../src/core/db.js';
import { createLogger } from '../../src/core/logger.js';
import { DeadlinePassedError, withDeadline } from '../../src/core/request-deadline.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { createRuntime, type Runtime } from '../../src/server/runtime.js';
import { tableDigests } from '../support/db-snapshot.js';
import { freshDatabase, freshRedisPrefix } from '../support/harness.js';
import { TcpProxy } from '../support/outages.js';

/**
 * Issue 15 item 12: every request has a deadline. PostgreSQL is reached through a TCP proxy that holds
 * every packet back (TcpProxy.slow), the way a congested link does: no statement is slow on the server
 * and none times out by itself (each takes a few seconds, far below the 15 s query timeout), yet a
 * request of many statements took over 40 s. Now the person hears "try again in a moment" at the
 * deadline, the request's work stops at its next statement, and nothing is half-saved.
 * The deadline is 3 s here (REQUEST_DEADLINE_MS; 10 s in production) so the test takes seconds.
 */
const DEADLINE_MS = 3_000;
/** The answer comes at the deadline; this much more is allowed for a loaded machine to deliver it. */
const DELIVERY_MARGIN_MS = 4_000;
const TOO_SLOW = 'That took me too long, so I stopped working on it. Please try again in a moment.';

let runtime: Runtime;
let proxy: TcpProxy;
/** Straight to PostgreSQL, not through the proxy: what is really stored. */
let direct: Db;
let baseUrl: string;

beforeAll(async () => {
  const url = await freshDatabase();
  direct = createDb(url);
  const database = new URL(url);
  proxy = await new TcpProxy({ host: database.hostname, port: Number(database.port || 5432) }).start();
  database.port = String(proxy.port);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.toString(),
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: freshRedisPrefix(),
    LOG_LEVEL: 'silent',
    WEB_CHAT: 'on',
    REQUEST_DEADLINE_MS: String(DEADLINE_MS),
  });
  // Production's own timeouts: the query timeout (15 s) never fires in this test; the deadline does.
  runtime = createRuntime(config, createLogger(config.LOG_LEVEL), { questionWorker: false, db: createDb(config.DATABASE_URL) });
  await seedDemo(direct, new Date());
  baseUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
}, 120_000);

afterAll(async () => {
  proxy?.slow(0);
  await runtime?.stop();
  await runtime?.db.$disconnect();
  await direct?.$disconnect();
  await proxy?.cut();
});

async function webSays(identity: string, text: string): Promise<{ status: number; text: string; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${baseUrl}/web/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identity, input: { type: 'typed', text } }),
    signal: AbortSignal.timeout(60_000),
  });
  return { status: res.status, text: await res.text(), ms: Date.now() - started };
}

/** Waits (with a deadline, not a guess) until the instance has no request in flight. */
async function settled(): Promise<void> {
  const until = Date.now() + 60_000;
  while (runtime.bot.admissionLoad().active > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(runtime.bot.admissionLoad()).toEqual({ active: 0, queued: 0 });
}

describe('when the database link holds every packet back for a second', () => {
  it('answers /lc plan with "try again in a moment" at the deadline, and stores nothing of it', async () => {
    // At full speed first: the member is known and seen, the pool has its connections.
    expect((await webSays('lc1-m2', '/lc me')).text).toContain('LC1');
    const before = await tableDigests(direct);

    proxy.slow(1_000);
    const slow = await webSays('lc1-m2', '/lc plan');
    expect(slow.status).toBe(200);
    expect(JSON.parse(slow.text).messages.map((m: { summary: string }) => m.summary)).toEqual([TOO_SLOW]);
    expect(slow.ms).toBeLessThan(DEADLINE_MS + DELIVERY_MARGIN_MS);

    // The request's own work stops at its next statement; once it has, nothing of it is stored.
    await settled();
    proxy.slow(0);
    expect(await tableDigests(direct)).toEqual(before);

    // And at full speed the same command works again, with nothing to repair.
    const again = await webSays('lc1-m2', '/lc plan');
    expect(again.text).not.toContain(TOO_SLOW);
    expect(await direct.actionPlan.count({ where: { author: { identities: { some: { externalId: 'web:lc1-m2' } } } } })).toBe(1);
  }, 120_000);
});

describe('when a transaction outlives its request', () => {
  const marker = (name: string) => ({ displayName: `deadline-${name}`, locale: 'en', timeZone: 'UTC' });
  const stored = (names: string[]) => direct.person.count({ where: { displayName: { in: names.map((n) => `deadline-${n}`) } } });

  it('is rolled back when the deadline passes during one of its statements (slow link)', async () => {
    proxy.slow(700);
    const { result } = withDeadline(2_000, () =>
      runtime.db.$transaction(async (tx) => {
        await tx.person.create({ data: marker('slow-a') });
        await tx.person.create({ data: marker('slow-b') });
        await tx.person.create({ data: marker('slow-c') });
      }, { timeout: 60_000 }),
    );
    await expect(result).rejects.toThrow();
    proxy.slow(0);
    expect(await stored(['slow-a', 'slow-b', 'slow-c'])).toBe(0);
  }, 60_000);

  it('is rolled back, not committed, when its COMMIT comes after the deadline', async () => {
    const { deadline, result } = withDeadline(1_000, () =>
      runtime.db.$transaction(async (tx) => {
        await tx.person.create({ data: marker('late-a') });
        await tx.person.create({ data: marker('late-b') });
        // The work itself was quick; the request took too long elsewhere (waiting for a service, say).
        while (Date.now() <= deadline.at) await new Promise((resolve) => setTimeout(resolve, 50));
      }, { timeout: 60_000 }),
    );
    await expect(result).rejects.toBeInstanceOf(DeadlinePassedError);
    expect(await stored(['late-a', 'late-b'])).toBe(0);

    // The same transaction within its deadline is committed: the check above can see rows.
    await withDeadline(30_000, () => runtime.db.$transaction(async (tx) => void (await tx.person.create({ data: marker('in-time') })))).result;
    expect(await stored(['in-time'])).toBe(1);
    // No connection was lost to the pool or handed out again mid-transaction.
    const pool = poolOf(runtime.db);
    expect(pool.totalCount - pool.idleCount).toBe(0);
    expect(await runtime.db.$queryRaw<{ now: boolean }[]>`SELECT pg_current_xact_id_if_assigned() IS NULL AS now`).toEqual([{ now: true }]);
  }, 60_000);

  it('refuses a statement that would start after the deadline, without sending it', async () => {
    const until = Date.now() + 200;
    const { result } = withDeadline(200, async () => {
      while (Date.now() <= until) await new Promise((resolve) => setTimeout(resolve, 20));
      return runtime.db.person.create({ data: marker('after') });
    });
    await expect(result).rejects.toBeInstanceOf(DeadlinePassedError);
    expect(await stored(['after'])).toBe(0);
  });
});

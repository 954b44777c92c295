import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import type { Clock } from '../../src/core/clock.js';
import type { Flow } from '../../src/core/flow.js';
import { loadConfig, type Config } from '../../src/core/config.js';
import { createLogger } from '../../src/core/logger.js';
import { createRedis } from '../../src/core/redis.js';
import { createRuntime, type Runtime } from '../../src/server/runtime.js';
import { FakeSlack } from './fake-slack.js';
import { slackClient } from './slack-requests.js';

type RuntimeOptions = NonNullable<Parameters<typeof createRuntime>[2]>;
import { adminUrl, databaseUrl, templateDbName, testDbPrefix, testRedisUrl } from './test-env.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups.length = 0;
});

/** A fresh database for the calling test file, copied from the migrated template; dropped after the file. */
export async function freshDatabase(): Promise<string> {
  const name = `${testDbPrefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${templateDbName}"`);
  await admin.end();
  cleanups.push(async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.end();
  });
  return databaseUrl(name);
}

/** A Redis key prefix of the calling test file; its keys are deleted after the file. */
export function freshRedisPrefix(): string {
  const prefix = `cbtest-${randomBytes(4).toString('hex')}`;
  cleanups.push(async () => {
    // forQueues: wait for the connection (a fresh fail-fast connection refuses the first command).
    const redis = createRedis(testRedisUrl, { forQueues: true });
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
  });
  return prefix;
}

/** The configuration tests run with: their own database and prefix, nothing from the developer's .env. */
export async function testConfig(overrides: Record<string, string> = {}): Promise<Config> {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: await freshDatabase(),
    REDIS_URL: testRedisUrl,
    REDIS_PREFIX: freshRedisPrefix(),
    LOG_LEVEL: 'silent',
    // Production's 10 s would turn a slow moment of a loaded test machine into "try again"; deadline tests set their own.
    REQUEST_DEADLINE_MS: '60000',
    ...overrides,
  });
}

/** The production runtime, built against a fresh database; stopped after the file. */
/**
 * `extraFlows`: flows only a test needs (e.g. a form to drive an adapter's modal handling);
 * `slackBudgets`: shorter ack budgets, so tests of the slow path do not wait seconds;
 * `teams`: the Teams sender's retry policy and clock.
 */
export async function testRuntime(
  options: { env?: Record<string, string>; clock?: Clock; teams?: RuntimeOptions['teams']; extraFlows?: Flow<any>[]; slackBudgets?: { submissionMs?: number } } = {},
): Promise<Runtime> {
  const config = await testConfig(options.env);
  const runtime = createRuntime(config, createLogger(config.LOG_LEVEL), {
    clock: options.clock,
    teams: options.teams,
    extraFlows: options.extraFlows,
    slackBudgets: options.slackBudgets,
  });
  cleanups.push(() => runtime.stop());
  return runtime;
}

/**
 * `testRuntime` with Slack on, against a fake Slack over real HTTP: the runtime, the fake Slack its Web API
 * calls go to, and a client that signs requests with `secret` as Slack does. After the file the Slack
 * work still in flight is settled and the fake stopped (before the runtime stops).
 */
export async function testSlackRuntime(
  secret: string,
  options: Parameters<typeof testRuntime>[0] = {},
): Promise<{ runtime: Runtime; fake: FakeSlack; slack: ReturnType<typeof slackClient>; url: string }> {
  const fake = await new FakeSlack().start();
  const runtime = await testRuntime({ ...options, env: { SLACK_SIGNING_SECRET: secret, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: fake.apiUrl, ...options.env } });
  cleanups.push(async () => {
    await runtime.slack?.settled();
    await fake.stop();
  });
  const url = `http://127.0.0.1:${await runtime.listen(0)}`;
  const slack = slackClient(`${url}/slack/events`, secret);
  return { runtime, fake, slack, url };
}

/**
 * The bot as `npm start` starts it (src/server/start.ts: migrations, demo seeding, server, scheduler)
 * with NODE_ENV=production, on a fresh database and Redis prefix (or given ones, to start a second
 * instance or restart on the same data). Stopped after the file, or earlier with `runtime.stop()`.
 */
export async function startProductionBot(
  env: Record<string, string>,
  shared: { DATABASE_URL?: string; REDIS_PREFIX?: string } = {},
): Promise<{ runtime: Runtime; url: string; config: Config }> {
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: shared.DATABASE_URL ?? (await freshDatabase()),
    REDIS_URL: testRedisUrl,
    REDIS_PREFIX: shared.REDIS_PREFIX ?? freshRedisPrefix(),
    LOG_LEVEL: 'silent',
    ...env,
  });
  const { startBot } = await import('../../src/server/start.js');
  const { runtime, port } = await startBot(config, createLogger(config.LOG_LEVEL), { port: 0 });
  let stopped = false;
  const stop = runtime.stop.bind(runtime);
  runtime.stop = async () => {
    if (stopped) return;
    stopped = true;
    await stop();
  };
  cleanups.push(() => runtime.stop());
  return { runtime, url: `http://127.0.0.1:${port}`, config };
}

import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { createLogger } from '../../src/core/logger.js';
import { createRuntime } from '../../src/server/runtime.js';
import { testRuntime, freshRedisPrefix } from '../support/harness.js';
import { adminUrl } from '../support/test-env.js';

async function getHealth(port: number) {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: res.status, body: await res.json() };
}

describe('GET /healthz', () => {
  it('answers 200 with db and redis ok when both answer', async () => {
    const runtime = await testRuntime();
    const port = await runtime.listen(0);
    expect(await getHealth(port)).toEqual({ status: 200, body: { db: 'ok', redis: 'ok' } });
  });

  it('answers 503 naming Redis when Redis does not answer', async () => {
    const dbUrl = new URL(adminUrl);
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: dbUrl.toString(), REDIS_URL: 'redis://127.0.0.1:1', REDIS_PREFIX: freshRedisPrefix(), LOG_LEVEL: 'silent' });
    const runtime = createRuntime(config, createLogger('silent'));
    try {
      const port = await runtime.listen(0);
      const { status, body } = await getHealth(port);
      expect(status).toBe(503);
      expect(body.db).toBe('ok');
      expect(body.redis).not.toBe('ok');
    } finally {
      await runtime.stop();
    }
  });

  it('answers 503 naming the database when PostgreSQL does not answer', async () => {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none', REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: freshRedisPrefix(), LOG_LEVEL: 'silent' });
    const runtime = createRuntime(config, createLogger('silent'));
    try {
      const port = await runtime.listen(0);
      const { status, body } = await getHealth(port);
      expect(status).toBe(503);
      expect(body.redis).toBe('ok');
      expect(body.db).toMatch(/^error|timeout/);
    } finally {
      await runtime.stop();
    }
  });
});

describe('when a platform is not configured', () => {
  it('says what to set instead of a bare 404', async () => {
    const runtime = await testRuntime();
    const port = await runtime.listen(0);
    const res = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect((await res.json()).error).toContain('SLACK_SIGNING_SECRET');
  });
});

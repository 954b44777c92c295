import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../src/core/redis.js';
import { ConversationRateLimiter } from '../../adapters/teams/outbound-limits.js';
import { ActivityDelivery } from '../../adapters/teams/delivery.js';
import { freshRedisPrefix } from '../support/harness.js';
import { testRedisUrl } from '../support/test-env.js';

const redis = createRedis(testRedisUrl);
afterAll(() => redis.disconnect());
beforeAll(() => ready(redis));

/** The app's Redis connections fail fast instead of queueing, so tests wait until one is up. */
async function ready(connection: ReturnType<typeof createRedis>) {
  if (connection.status !== 'ready') await new Promise((resolve) => connection.once('ready', resolve));
  return connection;
}

/** A clock the limiter reads; tests move it by hand. */
function manualNow(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('when a conversation gets many messages', () => {
  it('admits 7 per second and then says how long to wait, without recording the refused send', async () => {
    const clock = manualNow();
    const limiter = new ConversationRateLimiter(redis, freshRedisPrefix(), clock.now);
    for (let i = 0; i < 7; i++) expect(await limiter.tryAcquire('a:one')).toBe(0);
    expect(await limiter.tryAcquire('a:one')).toBe(1_000);
    clock.advance(1_000);
    expect(await limiter.tryAcquire('a:one')).toBe(0);
    // 8 in 2 seconds: the 9th within the same 2 s must wait until the first one is 2 s old.
    expect(await limiter.tryAcquire('a:one')).toBe(1_000);
  });

  it('keeps 60 per 30 seconds and 1,800 per hour', async () => {
    const clock = manualNow();
    const limiter = new ConversationRateLimiter(redis, freshRedisPrefix(), clock.now);
    for (let i = 0; i < 60; i++) {
      expect(await limiter.tryAcquire('a:busy')).toBe(0);
      clock.advance(400); // 2.5 per second: under the short windows
    }
    expect(await limiter.tryAcquire('a:busy')).toBe(30_000 - 60 * 400);
    const hourly = new ConversationRateLimiter(redis, freshRedisPrefix(), clock.now, [{ windowMs: 3_600_000, max: 1_800 }]);
    for (let i = 0; i < 1_800; i++) await hourly.tryAcquire('a:hour');
    expect(await hourly.tryAcquire('a:hour')).toBe(3_600_000);
  });

  it('counts per conversation and is shared by every instance using the same Redis', async () => {
    const clock = manualNow();
    const prefix = freshRedisPrefix();
    const instanceA = new ConversationRateLimiter(redis, prefix, clock.now);
    const instanceB = new ConversationRateLimiter(await ready(createRedisForInstance()), prefix, clock.now);
    for (let i = 0; i < 4; i++) expect(await instanceA.tryAcquire('a:shared')).toBe(0);
    for (let i = 0; i < 3; i++) expect(await instanceB.tryAcquire('a:shared')).toBe(0);
    expect(await instanceA.tryAcquire('a:shared')).toBeGreaterThan(0);
    expect(await instanceB.tryAcquire('a:other')).toBe(0);
  });
});

describe('when one tenant sends a lot', () => {
  it('holds that tenant at 50 sends per second across its conversations, while another tenant sends on', async () => {
    const clock = manualNow();
    const limiter = new ConversationRateLimiter(redis, freshRedisPrefix(), clock.now);
    // 50 different conversations of tenant A: each has room, the tenant's global budget runs out.
    for (let i = 0; i < 50; i++) expect(await limiter.tryAcquire({ tenantId: 'tenant-a', conversationId: `a:${i}` })).toBe(0);
    expect(await limiter.tryAcquire({ tenantId: 'tenant-a', conversationId: 'a:fresh' })).toBe(1_000);
    // Tenant B is not slowed by A, even in a conversation with the same id.
    for (let i = 0; i < 7; i++) expect(await limiter.tryAcquire({ tenantId: 'tenant-b', conversationId: 'a:0' })).toBe(0);
    clock.advance(1_000);
    expect(await limiter.tryAcquire({ tenantId: 'tenant-a', conversationId: 'a:fresh' })).toBe(0);
  });
});

const extra: ReturnType<typeof createRedis>[] = [];
function createRedisForInstance() {
  const connection = createRedis(testRedisUrl);
  extra.push(connection);
  return connection;
}
afterAll(() => extra.forEach((c) => c.disconnect()));

describe('when sending faster than the limits allow', () => {
  it('waits for room (through the sleep it is given) and sends everything once, in order', async () => {
    const clock = manualNow();
    const slept: number[] = [];
    const limiter = new ConversationRateLimiter(redis, freshRedisPrefix(), clock.now);
    const delivery = new ActivityDelivery(limiter, undefined, async (ms) => {
      slept.push(ms);
      clock.advance(ms);
    });
    const sent: number[] = [];
    for (let i = 0; i < 20; i++) await delivery.send('a:burst', async () => sent.push(i));
    expect(sent).toEqual([...Array(20).keys()]);
    expect(slept.length).toBeGreaterThan(0);
  });

  it('gives up instead of waiting longer than allowed, so a job can retry later', async () => {
    const clock = manualNow();
    const limiter = new ConversationRateLimiter(redis, freshRedisPrefix(), clock.now, [{ windowMs: 3_600_000, max: 1 }]);
    const delivery = new ActivityDelivery(limiter, { attempts: 3, baseDelayMs: 1, maxDelayMs: 1, maxRateWaitMs: 60_000 }, async () => undefined);
    await delivery.send('a:cap', async () => 'first');
    await expect(delivery.send('a:cap', async () => 'second')).rejects.toThrow(/rate limit/);
  });
});

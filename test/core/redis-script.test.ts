import { afterAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../src/core/redis.js';
import { redisScript } from '../../src/core/redis-script.js';
import { testRedisUrl } from '../support/test-env.js';

const redis = createRedis(testRedisUrl);
afterAll(() => redis.quit());

describe('a Lua script run by its SHA1', () => {
  const increment = redisScript(`return redis.call('INCRBY', KEYS[1], ARGV[1])`);
  const key = `redis-script-test:${process.pid}:${Date.now()}`;

  it('runs on a server that has never seen it, and again by SHA once the server forgot every script', async () => {
    // A private script text (a comment with the key) so no other test has loaded it already.
    const fresh = redisScript(`-- ${key}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`);
    expect(await fresh(redis, [key], [2])).toBe(2);
    expect(await increment(redis, [key], [3])).toBe(5);
    // What a Redis restart does to the script cache.
    await redis.script('FLUSH');
    expect(await fresh(redis, [key], [4])).toBe(9);
    await redis.del(key);
  });

  it('passes other errors through', async () => {
    const failing = redisScript(`return redis.error_reply('no such thing')`);
    await expect(failing(redis, [key], [])).rejects.toThrow('no such thing');
  });
});

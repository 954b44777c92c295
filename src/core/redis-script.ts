import { createHash } from 'node:crypto';
import type { Redis } from './redis.js';

/**
 * A Lua script run by its SHA1 (EVALSHA), sent in full only when the server does not know it yet
 * (NOSCRIPT: first use, or after a Redis restart). EVAL would send and hash the whole script on every
 * call; on the nudge path that was the largest write of each delivery.
 */
export function redisScript(source: string) {
  const sha = createHash('sha1').update(source).digest('hex');
  return async function run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(source, keys.length, ...keys, ...args);
    }
  };
}

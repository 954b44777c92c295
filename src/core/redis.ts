import { Redis } from 'ioredis';

/**
 * Redis connection for caches and dedupe keys. BullMQ needs maxRetriesPerRequest: null on its
 * own connections; this one gives up on a command after one reconnection attempt or two seconds,
 * so a request never waits long on a Redis that is away.
 */
export function createRedis(url: string, options: { forQueues?: boolean } = {}): Redis {
  if (options.forQueues) return new Redis(url, { maxRetriesPerRequest: null, connectTimeout: 3_000 });
  return new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 2_000, connectTimeout: 3_000 });
}

export type { Redis };

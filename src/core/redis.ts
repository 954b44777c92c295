import { Redis } from 'ioredis';

/**
 * Redis connection for caches and dedupe keys. BullMQ needs maxRetriesPerRequest: null on its
 * own connections; this one fails a command quickly instead, so a request never waits on Redis.
 */
export function createRedis(url: string, options: { forQueues?: boolean } = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: options.forQueues ? null : 1,
    enableOfflineQueue: options.forQueues ? true : false,
    connectTimeout: 3_000,
    lazyConnect: false,
  });
}

export type { Redis };

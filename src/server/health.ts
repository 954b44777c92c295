import type { Db } from '../core/db.js';
import type { Redis } from '../core/redis.js';

export interface HealthReport {
  healthy: boolean;
  body: Record<string, string>;
}

/** Checks both backing services within a short time, so a load balancer gets an answer fast. */
export async function checkHealth(db: Db, redis: Redis, timeoutMs = 2_000): Promise<HealthReport> {
  const [dbState, redisState] = await Promise.all([
    probe(() => db.$queryRaw`SELECT 1`, timeoutMs),
    probe(() => redis.ping(), timeoutMs),
  ]);
  return { healthy: dbState === 'ok' && redisState === 'ok', body: { db: dbState, redis: redisState } };
}

async function probe(check: () => Promise<unknown>, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    return await Promise.race([check().then(() => 'ok'), timeout]);
  } catch (error) {
    return `error: ${(error as Error).message.split('\n')[0].slice(0, 120)}`;
  } finally {
    clearTimeout(timer);
  }
}

import { createHash } from 'node:crypto';

/** Admin connection and naming shared by the global setup and the per-file databases. */
export const adminUrl = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const testRedisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Different checkouts on one machine (worktrees, CI clones) get different database names. */
export const testDbPrefix = process.env.TEST_DB_PREFIX ?? `cbt_${createHash('sha1').update(process.cwd()).digest('hex').slice(0, 8)}`;
export const templateDbName = `${testDbPrefix}_tpl`;

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

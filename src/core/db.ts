import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';

export type Db = PrismaClient;

/**
 * No single query of this app takes this long; one that does is waiting on a network gone silent
 * (PostgreSQL's host unreachable without a reset): it fails, the user is asked to try again, and the
 * pool destroys that connection instead of handing it out again.
 */
export const QUERY_TIMEOUT_MS = 15_000;

/**
 * A Prisma client over the pg driver adapter (no native query engine). The pool is bounded, a
 * connection that cannot be had in time fails fast, and a query with no answer times out, so a
 * slow or unreachable database never hangs a request.
 */
export function createDb(databaseUrl: string, options: { poolSize?: number; connectTimeoutMs?: number; queryTimeoutMs?: number } = {}): Db {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    query_timeout: options.queryTimeoutMs ?? QUERY_TIMEOUT_MS,
    // Lets the OS notice a peer that vanished while a pooled connection sat idle.
    keepAlive: true,
  });
  return new PrismaClient({ adapter });
}

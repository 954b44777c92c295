import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';

export type Db = PrismaClient;

/**
 * A Prisma client over the pg driver adapter (no native query engine). The pool is bounded and
 * a connection that cannot be had in time fails fast, so a slow database never hangs a request.
 */
export function createDb(databaseUrl: string, options: { poolSize?: number; connectTimeoutMs?: number } = {}): Db {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
  });
  return new PrismaClient({ adapter });
}

import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { keepDeadlines } from './request-deadline.js';

export type Db = PrismaClient;

/**
 * No single query of this app takes this long; one that does is waiting on a network gone silent
 * (PostgreSQL's host unreachable without a reset): it fails, the user is asked to try again, and the
 * pool destroys that connection instead of handing it out again.
 */
export const QUERY_TIMEOUT_MS = 15_000;

/** The pg pool under each client createDb made: hand-written SQL on hot paths shares it (sql.ts). */
const pools = new WeakMap<Db, pg.Pool>();

/**
 * A Prisma client over the pg driver adapter (no native query engine). The pool is bounded, a
 * connection that cannot be had in time fails fast, and a query with no answer times out, so a
 * slow or unreachable database never hangs a request. The pool is ours, handed to Prisma, so the
 * hot paths' prepared statements (sql.ts) run on the same connections and limits.
 */
export function createDb(databaseUrl: string, options: { poolSize?: number; connectTimeoutMs?: number; queryTimeoutMs?: number } = {}): Db {
  const queryTimeoutMs = options.queryTimeoutMs ?? QUERY_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    query_timeout: queryTimeoutMs,
    // Lets the OS notice a peer that vanished while a pooled connection sat idle.
    keepAlive: true,
  });
  // An idle connection that breaks (server restart) is dropped by the pool; without a listener it would end the process.
  pool.on('error', () => undefined);
  // A request's statements stop at its deadline (request-deadline.ts); work outside a request is unaffected.
  pool.on('connect', (client) => keepDeadlines(client as never, queryTimeoutMs));
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(db, pool);
  return db;
}

/** The pg pool under a client made by createDb. */
export function poolOf(db: Db): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error('this database client was not made by createDb: it has no pool of its own');
  return pool;
}

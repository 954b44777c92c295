import type { Db } from '../core/db.js';

/**
 * The "needs re-plan" mark of a cluster in PostgreSQL (table ReplanRequest): what makes re-planning in
 * the background safe. The request that changed a cluster writes the mark (one statement) before it
 * answers, so the need survives whatever happens to the queued job (Redis down, worker killed); a re-plan
 * removes the generation it read; deliveries of a marked cluster's slots wait (delivery-store.ts).
 */

/** A PrismaClient or a transaction on it. */
type Sql = Pick<Db, '$queryRaw' | '$executeRaw'>;

/**
 * Marks the cluster as needing a re-plan and returns the mark's new generation. Every call gets a
 * larger generation (one sequence for all clusters), so a re-plan that started before this call
 * cannot remove the mark it leaves.
 */
export async function requestReplan(db: Sql, clusterId: string, reason: string): Promise<bigint> {
  const rows = await db.$queryRaw<{ generation: bigint }[]>`
    INSERT INTO "ReplanRequest" ("clusterId", reason, "requestedAt") VALUES (${clusterId}, ${reason}, ${new Date()})
    ON CONFLICT ("clusterId") DO UPDATE
      SET generation = nextval(pg_get_serial_sequence('"ReplanRequest"', 'generation')), "requestedAt" = EXCLUDED."requestedAt", reason = EXCLUDED.reason
    RETURNING generation`;
  return rows[0].generation;
}

/** The cluster's mark, if it has one. */
export async function replanGeneration(db: Sql, clusterId: string): Promise<bigint | undefined> {
  const rows = await db.$queryRaw<{ generation: bigint }[]>`SELECT generation FROM "ReplanRequest" WHERE "clusterId" = ${clusterId}`;
  return rows[0]?.generation;
}

/** Removes the mark if it is still the generation a re-plan read (a newer request keeps it). */
export async function clearReplan(db: Sql, clusterId: string, generation: bigint): Promise<void> {
  await db.$executeRaw`DELETE FROM "ReplanRequest" WHERE "clusterId" = ${clusterId} AND generation = ${generation}`;
}

/**
 * Pending marks, oldest first; with `olderThanMs` (real time, like every lease) only those whose job
 * should long have run (so it was lost).
 */
export async function pendingReplans(db: Sql, olderThanMs?: number): Promise<{ clusterId: string; generation: bigint }[]> {
  if (olderThanMs === undefined) return db.$queryRaw`SELECT "clusterId", generation FROM "ReplanRequest" ORDER BY "requestedAt"`;
  return db.$queryRaw`SELECT "clusterId", generation FROM "ReplanRequest" WHERE "requestedAt" < ${new Date(Date.now() - olderThanMs)} ORDER BY "requestedAt"`;
}

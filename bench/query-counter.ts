/**
 * Counts the SQL statements this process sends (every pg client: Prisma's adapter and the prepared
 * statements of src/core/sql.ts both go through pg.Client#query), so the scaling benchmark can print
 * queries per member beside the time. BEGIN and COMMIT count too: each is a round trip.
 */
import pg from 'pg';

let count = 0;
let installed = false;

/** Starts counting (once per process). */
export function countQueries(): void {
  if (installed) return;
  installed = true;
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (this: pg.Client, ...args: unknown[]) {
    count++;
    return query.apply(this, args);
  };
}

/** Statements sent so far. */
export function queriesSoFar(): number {
  return count;
}

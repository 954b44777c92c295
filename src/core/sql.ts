import type { QueryResultRow } from 'pg';
import { poolOf, type Db } from './db.js';

/**
 * Hand-written SQL for the hot paths (who is talking, a delivery's claim and record): statements run
 * straight on the pg pool under Prisma (db.ts) as named prepared statements. Through Prisma every
 * query, raw ones included, passes its query compiler and client (about a quarter of a command's CPU
 * in the profile, docs/performance.md); a prepared statement is parsed and planned by PostgreSQL
 * once per connection. Everywhere else Prisma's model API is clearer and is used.
 *
 * A statement is declared once, at module level, with a name unique in the app and positional
 * parameters; `run` executes it with values and returns the rows. Column names come back as written
 * in the SQL (quote camelCase ones). Timestamps are stored without zone, in UTC, as Prisma stores
 * them, and pg alone would read and write them in the process's zone: write a Date parameter as
 * `$1::timestamptz AT TIME ZONE 'UTC'` and read a column as `col AT TIME ZONE 'UTC'` (a Date).
 */
export interface Statement<Row extends QueryResultRow> {
  readonly name: string;
  readonly text: string;
  run(db: Db, values: unknown[]): Promise<Row[]>;
}

const names = new Set<string>();

/** Declares a prepared statement; its name must be unique (pg keys prepared statements by name per connection). */
export function statement<Row extends QueryResultRow = QueryResultRow>(name: string, text: string): Statement<Row> {
  if (names.has(name)) throw new Error(`prepared statement "${name}" is declared twice`);
  names.add(name);
  return {
    name,
    text,
    async run(db, values) {
      const result = await poolOf(db).query<Row>({ name, text, values });
      return result.rows;
    },
  };
}

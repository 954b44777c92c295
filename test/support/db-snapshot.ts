import type { Db } from '../../src/core/db.js';

/** Row counts of every application table, to prove that refused input changed nothing. */
export async function tableCounts(db: Db, except: string[] = []): Promise<Record<string, number>> {
  const tables = await db.$queryRaw<{ table_name: string }[]>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`;
  const counts: Record<string, number> = {};
  for (const { table_name } of tables.sort((a, b) => a.table_name.localeCompare(b.table_name))) {
    if (except.includes(table_name)) continue;
    const [{ n }] = await db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "${table_name}"`);
    counts[table_name] = Number(n);
  }
  return counts;
}

/**
 * A digest of the content of every application table (not only how many rows), to prove that a
 * refused command changed nothing at all. `except`: tables allowed to change (e.g. FlowState);
 * `ignoreColumns`: columns allowed to change, as "Table.column" (e.g. "PlatformIdentity.lastSeenAt",
 * which any contact moves on once a minute, refused or not).
 */
export async function tableDigests(db: Db, except: string[] = [], ignoreColumns: string[] = []): Promise<Record<string, string>> {
  const tables = await db.$queryRaw<{ table_name: string }[]>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`;
  const digests: Record<string, string> = {};
  for (const { table_name } of tables.sort((a, b) => a.table_name.localeCompare(b.table_name))) {
    if (except.includes(table_name)) continue;
    const ignored = ignoreColumns.filter((c) => c.startsWith(`${table_name}.`)).map((c) => c.slice(table_name.length + 1));
    const row = ignored.length ? `(to_jsonb(t) ${ignored.map((c) => `- '${c.replace(/'/g, "''")}'`).join(' ')})::text` : 't::text';
    const [{ d }] = await db.$queryRawUnsafe<{ d: string | null }[]>(`SELECT md5(string_agg(${row}, ',' ORDER BY ${row})) AS d FROM "${table_name}" t`);
    digests[table_name] = d ?? 'empty';
  }
  return digests;
}

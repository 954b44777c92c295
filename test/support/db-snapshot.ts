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
 * Columns that record that someone was seen, not anything they did: `PlatformIdentity.lastSeenAt` is
 * stamped by the real clock at most once a minute on any request, so a slow run (a busy machine) that
 * crosses a minute would otherwise count a refused command as a change.
 */
const BOOKKEEPING_COLUMNS: Record<string, string[]> = { PlatformIdentity: ['lastSeenAt'] };

/**
 * A digest of the content of every application table (not only how many rows), to prove that a
 * refused command changed nothing at all. `except`: tables allowed to change (e.g. FlowState).
 */
export async function tableDigests(db: Db, except: string[] = []): Promise<Record<string, string>> {
  const tables = await db.$queryRaw<{ table_name: string }[]>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`;
  const digests: Record<string, string> = {};
  for (const { table_name } of tables.sort((a, b) => a.table_name.localeCompare(b.table_name))) {
    if (except.includes(table_name)) continue;
    const row = (BOOKKEEPING_COLUMNS[table_name] ?? []).reduce((expr, column) => `${expr} - '${column}'`, 'to_jsonb(t)');
    const [{ d }] = await db.$queryRawUnsafe<{ d: string | null }[]>(`SELECT md5(string_agg((${row})::text, ',' ORDER BY (${row})::text)) AS d FROM "${table_name}" t`);
    digests[table_name] = d ?? 'empty';
  }
  return digests;
}

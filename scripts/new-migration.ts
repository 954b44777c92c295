import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `npm run db:migration -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL
 * that takes the database from the schema of all earlier migrations to prisma/schema.prisma. It works
 * offline and without a database: Prisma diffs the migrations folder's SQL against the schema file.
 */
const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('Usage: npm run db:migration -- <name>   (lower-case letters, digits and _; e.g. add_plan_progress)');
  process.exit(1);
}
const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');
const migrationsDir = 'prisma/migrations';
const previous = readdirSync(migrationsDir).filter((d) => existsSync(join(migrationsDir, d, 'migration.sql'))).sort();
// Prisma's diff needs a query-engine library path to exist, not to work (it does not use it for SQL diffs).
const fakeEngine = join(mkdtempSync(join(tmpdir(), 'prisma-')), 'libquery_engine.so.node');
writeFileSync(fakeEngine, '');
const from = previous.length ? ['--from-migrations', migrationsDir, '--shadow-database-url', 'unused'] : ['--from-empty'];
let sql: string;
try {
  sql = execFileSync(process.execPath, [prismaCli, 'migrate', 'diff', ...fromSchemaOfMigrations(from), '--to-schema-datamodel', 'prisma/schema.prisma', '--script'], {
    env: { ...process.env, PRISMA_QUERY_ENGINE_LIBRARY: fakeEngine },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Prisma prints "Loaded Prisma config …" on stdout before the SQL.
  sql = sql.replace(/^Loaded Prisma config.*\n+/m, '');
} catch (error) {
  console.error((error as { stderr?: string }).stderr ?? String(error));
  process.exit(1);
}
if (!sql.trim() || /This is an empty migration/.test(sql)) {
  console.log('The schema matches the migrations: nothing to write.');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
const dir = join(migrationsDir, `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'migration.sql'), sql);
console.log(`Wrote ${dir}/migration.sql`);

/**
 * Diffing from the migrations folder would need a shadow database; instead rebuild the previous
 * schema from git (the last committed prisma/schema.prisma), which is what the migrations produce.
 */
function fromSchemaOfMigrations(fallback: string[]): string[] {
  if (!previous.length) return fallback;
  const dirTmp = mkdtempSync(join(tmpdir(), 'schema-'));
  const file = join(dirTmp, 'schema.prisma');
  writeFileSync(file, execFileSync('git', ['show', 'HEAD:prisma/schema.prisma'], { encoding: 'utf8' }));
  return ['--from-schema-datamodel', file];
}

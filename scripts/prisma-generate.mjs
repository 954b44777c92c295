// `prisma generate` for the "prisma-client" generator with engineType "client" needs no native query
// engine, but Prisma 6's CLI still tries to download one first and fails offline. Pointing it at any
// existing file skips the download; the generated client runs on the pg driver adapter.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = { ...process.env };
if (!env.PRISMA_QUERY_ENGINE_LIBRARY) {
  const placeholder = join(mkdtempSync(join(tmpdir(), 'prisma-')), 'libquery_engine.so.node');
  writeFileSync(placeholder, '');
  env.PRISMA_QUERY_ENGINE_LIBRARY = placeholder;
}
const cli = createRequire(import.meta.url).resolve('prisma/build/index.js');
execFileSync(process.execPath, [cli, 'generate'], { env, stdio: 'inherit' });

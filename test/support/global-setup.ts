import pg from 'pg';
import { runMigrations } from '../../src/server/database-setup.js';
import { adminUrl, databaseUrl, templateDbName, testDbPrefix } from './test-env.js';

/**
 * Once per test run: drop databases left by an earlier run, then build a template database with
 * every migration applied. Each test file then copies the template (fast) into its own database.
 */
export default async function setup() {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${testDbPrefix}_%`]);
  for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${templateDbName}"`);
  await admin.end();
  await runMigrations(databaseUrl(templateDbName));
}

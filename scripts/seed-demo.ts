import 'dotenv/config';
import { loadConfig } from '../src/core/config.js';
import { createDb } from '../src/core/db.js';
import { seedDemo } from '../src/domain/demo-seed.js';
import { ensureDatabase, runMigrations } from '../src/server/database-setup.js';

/** `npm run seed:demo`: loads the five demo clusters (once; a second run changes nothing). */
const config = loadConfig();
await ensureDatabase(config.DATABASE_URL);
await runMigrations(config.DATABASE_URL);
const db = createDb(config.DATABASE_URL);
const result = await seedDemo(db, new Date(), { languages: 'region' });
console.log(result.created ? `Loaded the demo programme: 5 clusters, ${result.people} people.` : 'The demo programme is already loaded; nothing changed.');
await db.$disconnect();

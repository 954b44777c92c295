import 'dotenv/config';
import { loadConfigOrExit } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { seedDemo } from '../domain/demo-seed.js';
import { ensureDatabase, runMigrations } from './database-setup.js';
import { createRuntime } from './runtime.js';
import { syncQuestionnaires } from '../domain/questionnaires/catalogue.js';

/** `npm start`: prepare the database, load demo data on an empty one, and serve. */
async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL);
  if (await ensureDatabase(config.DATABASE_URL)) logger.info('created the database');
  await runMigrations(config.DATABASE_URL);
  logger.info('database schema is up to date');

  const runtime = createRuntime(config, logger);
  await syncQuestionnaires(runtime.db, runtime.questionnaires);
  logger.info({ questionnaires: runtime.questionnaires.length }, 'questionnaire definitions are checked and stored');
  if (config.SEED_DEMO_ON_EMPTY && (await runtime.db.programme.count()) === 0) {
    const seeded = await seedDemo(runtime.db);
    logger.info({ people: seeded.people }, 'loaded the demo programme (five clusters)');
  }
  const port = await runtime.listen();
  await runtime.startScheduler();
  logger.info({ workers: config.RUN_WORKERS }, 'nudge scheduler started');
  logger.info(
    { port, slack: config.slackEnabled, teams: config.teamsEnabled, webChat: config.webChatEnabled },
    config.webChatEnabled ? `Cluster Bot is up: open http://localhost:${port} for the web chat` : `Cluster Bot is up on port ${port}`,
  );

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await runtime.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => {
  console.error(`Cluster Bot could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

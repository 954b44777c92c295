import type { Config } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import { seedDemo } from '../domain/demo-seed.js';
import { syncQuestionnaires } from '../domain/questionnaires/catalogue.js';
import { ensureDatabase, runMigrations } from './database-setup.js';
import { createRuntime, type Runtime } from './runtime.js';

/**
 * What `npm start` does once the configuration is valid: prepare the database, store the
 * questionnaires, load the demo on an empty database when SEED_DEMO_ON_EMPTY (never in production),
 * serve, and start the scheduler. Tests start the bot through here, so they run what production runs.
 */
export async function startBot(config: Config, logger: Logger, options: { port?: number } = {}): Promise<{ runtime: Runtime; port: number }> {
  if (await ensureDatabase(config.DATABASE_URL)) logger.info('created the database');
  await runMigrations(config.DATABASE_URL);
  logger.info('database schema is up to date');

  const runtime = createRuntime(config, logger);
  await syncQuestionnaires(runtime.db, runtime.questionnaires);
  logger.info({ questionnaires: runtime.questionnaires.length }, 'questionnaire definitions are checked and stored');
  if (config.SEED_DEMO_ON_EMPTY && (await runtime.db.programme.count()) === 0) {
    const seeded = await seedDemo(runtime.db, new Date(), { languages: 'region' });
    logger.info({ people: seeded.people }, 'loaded the demo programme (five clusters)');
  }
  const port = await runtime.listen(options.port);
  await runtime.startScheduler();
  logger.info({ workers: config.RUN_WORKERS }, 'nudge scheduler started');
  const platforms = { slack: config.slackEnabled, teams: config.teamsMode, webChat: config.webChatEnabled ? config.webChatAccess : 'off' };
  if (config.webChatEnabled && config.webChatAccess === 'demo') {
    logger.warn({ port, ...platforms }, `Cluster Bot is up in DEMO MODE (anyone can pick who they are; for a local try-out only): open http://localhost:${port} for the web chat`);
  } else {
    logger.info({ port, ...platforms }, config.webChatEnabled ? `Cluster Bot is up: the web chat (with sign-in) is at ${config.PUBLIC_URL}` : `Cluster Bot is up on port ${port}`);
  }
  if (config.teamsMode === 'authenticated' && config.TEAMS_TRUSTED_TENANTS.length === 0) {
    logger.info('Teams e-mail addresses link no accounts (no trusted tenant): people link with /lc link; set TEAMS_TRUSTED_TENANTS to trust your tenant');
  }
  return { runtime, port };
}

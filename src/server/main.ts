import 'dotenv/config';
import { loadConfigOrExit } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { startBot } from './start.js';

/** `npm start`: check the configuration (one line and exit 1 if it is wrong or unsafe), then start. */
async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL);
  const { runtime } = await startBot(config, logger);

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

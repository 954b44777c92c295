import type { Server } from 'node:http';
import { Bot } from '../core/bot.js';
import { ChatNotifier } from '../core/chat-notifier.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Config } from '../core/config.js';
import { createDb, type Db } from '../core/db.js';
import type { Logger } from '../core/logger.js';
import { createRedis, type Redis } from '../core/redis.js';
import type { Services } from '../core/flow.js';
import { BullScheduler } from '../scheduler/scheduler.js';
import { dashboardMount } from '../scheduler/dashboard.js';
import { allFlows } from '../../flows/index.js';
import { WebSender } from '../../adapters/web-chat/web-sender.js';
import { createApp, type AdapterMount } from './app.js';

export interface Runtime {
  config: Config;
  db: Db;
  redis: Redis;
  bot: Bot;
  notifier: ChatNotifier;
  services: Services;
  webSender: WebSender;
  /** The nudge scheduler (services.scheduler); `startScheduler` runs its reconciler and, per RUN_WORKERS, a worker. */
  scheduler: BullScheduler;
  startScheduler(options?: { workers?: boolean }): Promise<void>;
  /** Starts listening; resolves with the port (useful with PORT=0 in tests). */
  listen(port?: number): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The composition root: builds every long-lived object once from the configuration. Tests build
 * the same runtime against their own database and Redis prefix, so they run what production runs.
 */
export function createRuntime(config: Config, logger: Logger, options: { clock?: Clock; db?: Db; redis?: Redis } = {}): Runtime {
  const db = options.db ?? createDb(config.DATABASE_URL);
  const redis = options.redis ?? createRedis(config.REDIS_URL);
  redis.on('error', (error) => logger.warn({ err: error.message }, 'redis connection problem'));
  const notifier = new ChatNotifier(db, logger);
  const clock = options.clock ?? systemClock;
  const scheduler = new BullScheduler({ db, clock, config, logger, notifier });
  const services: Services = { db, clock, config, notifier, scheduler };
  const bot = new Bot(services, allFlows, logger);
  const webSender = new WebSender(redis, config.REDIS_PREFIX);
  notifier.register(webSender);

  const adapters: AdapterMount[] = [dashboardMount(config.ADMIN_TOKEN, () => scheduler.queue.queue)];
  const app = createApp({ config, db, redis, logger, bot, webSender, adapters });
  let server: Server | undefined;

  return {
    config,
    db,
    redis,
    bot,
    notifier,
    services,
    webSender,
    scheduler,
    startScheduler(startOptions = {}) {
      return scheduler.start({ workers: startOptions.workers ?? config.RUN_WORKERS });
    },
    listen(port = config.PORT) {
      return new Promise((resolve, reject) => {
        server = app.listen(port, (error?: Error) => {
          if (error) return reject(error);
          const address = server!.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      });
    },
    async stop() {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server?.closeAllConnections?.();
      await scheduler.stop();
      if (!options.redis) redis.disconnect();
      if (!options.db) await db.$disconnect();
    },
  };
}

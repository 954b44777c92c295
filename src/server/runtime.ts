import type { Server } from 'node:http';
import { Bot } from '../core/bot.js';
import { ChatNotifier } from '../core/chat-notifier.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Config } from '../core/config.js';
import { createDb, type Db } from '../core/db.js';
import type { Logger } from '../core/logger.js';
import { createRedis, type Redis } from '../core/redis.js';
import type { Flow, Services } from '../core/flow.js';
import { createQuestionDeadlines, reconcileQuestions, type QuestionDeadlineRuntime } from '../scheduler/question-deadlines.js';
import { BullScheduler } from '../scheduler/scheduler.js';
import { dashboardMount } from '../scheduler/dashboard.js';
import { adminMount } from './admin/mount.js';
import { runHousekeeping } from '../scheduler/housekeeping.js';
import { PersonalCache } from './personal-cache.js';
import { allFlows } from '../../flows/index.js';
import { WebChatHistory } from '../../adapters/web-chat/history.js';
import { WebSender } from '../../adapters/web-chat/web-sender.js';
import { createTeamsAdapter, type TeamsAdapter, type TeamsAdapterDeps } from '../../adapters/teams/teams-mount.js';
import { reportUnreachable } from '../domain/reachability.js';
import { SlackAdapter, type SlackAdapterDeps } from '../../adapters/slack/slack-adapter.js';
import { createApp, type AdapterMount } from './app.js';
import { loadQuestionnaires } from '../domain/questionnaires/catalogue.js';
import type { QuestionnaireDefinition } from '../domain/questionnaires/definition.js';

export interface Runtime {
  config: Config;
  db: Db;
  redis: Redis;
  bot: Bot;
  notifier: ChatNotifier;
  services: Services;
  webSender: WebSender;
  /** The question-deadline queue and worker (BullMQ queue "questions"). */
  questions: QuestionDeadlineRuntime;
  /** The Teams adapter; absent in production without Teams credentials (then /api/messages answers 404). */
  teams?: TeamsAdapter;
  /** The questionnaire files, checked at creation: a bad file stops start-up (QuestionnaireFileError). */
  questionnaires: QuestionnaireDefinition[];
  /** The Slack adapter, when SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN are set. */
  slack?: SlackAdapter;
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
export function createRuntime(
  config: Config,
  logger: Logger,
  options: {
    clock?: Clock;
    db?: Db;
    redis?: Redis;
    /** Run the question-deadline worker here (default true). */
    questionWorker?: boolean;
    teams?: Pick<TeamsAdapterDeps, 'retryPolicy' | 'sleep' | 'now' | 'credentialsFactory'>;
    questionnairesDir?: string;
    /** Flows only a test needs (e.g. a form to drive an adapter's modal handling). */
    extraFlows?: Flow<any>[];
    slackBudgets?: SlackAdapterDeps['budgets'];
  } = {},
): Runtime {
  // Checked before anything connects, so a broken questionnaire file stops start-up with file, question and problem named.
  const questionnaires = loadQuestionnaires(options.questionnairesDir);
  const db = options.db ?? createDb(config.DATABASE_URL);
  const redis = options.redis ?? createRedis(config.REDIS_URL);
  redis.on('error', (error) => logger.warn({ err: error.message }, 'redis connection problem'));
  const notifier = new ChatNotifier(db, logger);
  const clock = options.clock ?? systemClock;
  const scheduler = new BullScheduler({ db, clock, config, logger, notifier });
  const questions = createQuestionDeadlines({
    redisUrl: config.REDIS_URL,
    prefix: config.REDIS_PREFIX,
    deps: { db, clock, notifier, logger },
    runWorker: options.questionWorker ?? config.RUN_WORKERS,
  });
  const services: Services = { db, clock, config, notifier, scheduler, questionDeadlines: questions.deadlines, personalCache: new PersonalCache(redis, config.REDIS_PREFIX, logger) };
  scheduler.housekeeping = async () => {
    // Questions' share of the reconciliation (deadline checks and untold assignees rebuilt from PostgreSQL).
    // An ask younger than a request's deadline may still be being told by that request.
    await reconcileQuestions({ db, clock, notifier, logger }, questions.deadlines, { graceMs: config.REQUEST_DEADLINE_MS + 5_000 }).catch((error) => logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'question reconciliation failed; next pass tries again'));
    await runHousekeeping(services, logger);
  };
  const bot = new Bot(services, [...allFlows, ...(options.extraFlows ?? [])], logger);
  const webHistory = new WebChatHistory(db);
  const webSender = new WebSender(webHistory);
  notifier.register(webSender);

  notifier.onUnreachable(async (personId, platform) => {
    await reportUnreachable(db, notifier, personId, platform);
  });

  // With MICROSOFT_APP_ID Teams authenticates every request. Without it, outside production, it runs
  // in emulator mode for local use (Bot Framework Emulator, tests; replies only to this machine) and
  // says so here; in production it is not mounted at all and /api/messages answers 404.
  const teams = config.teamsMode === 'off' ? undefined : createTeamsAdapter({ config, logger, bot, db, redis, ...options.teams });
  const adapters: AdapterMount[] = [dashboardMount(config.ADMIN_TOKEN, () => scheduler.queue.queue)];
  if (teams) {
    notifier.register(teams.sender);
    adapters.push(teams.mount);
  }
  if (config.teamsMode === 'emulator') {
    logger.warn('Teams adapter on /api/messages runs WITHOUT authentication (no MICROSOFT_APP_ID set): emulator mode, for local use only, answering only service URLs on this machine');
  } else if (config.teamsMode === 'authenticated') {
    logger.info({ appId: config.MICROSOFT_APP_ID, tenant: config.MICROSOFT_APP_TENANT_ID ?? 'multi-tenant' }, 'Teams adapter on /api/messages authenticates requests with the Bot Framework');
  } else {
    logger.info('Teams is off (no MICROSOFT_APP_ID in production): /api/messages answers 404');
  }
  const slack = config.slackEnabled ? new SlackAdapter({ config, bot, db, redis, logger, budgets: options.slackBudgets }) : undefined;
  if (slack) {
    notifier.register(slack.sender);
    adapters.push(slack.mount);
  }
  adapters.push(adminMount({ adminToken: config.ADMIN_TOKEN, db, logger, publicUrl: config.PUBLIC_URL, defaultLocale: config.DEFAULT_LOCALE, slackMode: config.slackMode, oauthWorkspaces: slack?.oauthWorkspaces }));
  const app = createApp({ config, db, redis, logger, bot, clock, webSender, webHistory, adapters });
  let server: Server | undefined;

  return {
    config,
    db,
    redis,
    bot,
    notifier,
    services,
    webSender,
    questions,
    teams,
    questionnaires,
    slack,
    scheduler,
    startScheduler(startOptions = {}) {
      return scheduler.start({ workers: startOptions.workers ?? config.RUN_WORKERS });
    },
    async listen(port = config.PORT) {
      await slack?.start();
      return new Promise((resolve, reject) => {
        server = app.listen(port, (error?: Error) => {
          if (error) return reject(error);
          const address = server!.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      });
    },
    async stop() {
      // Stop accepting, let requests in flight finish for a few seconds, then cut what is left: a
      // client holding a connection open (or a request stuck on an unreachable service) must not
      // hold shutdown forever.
      if (server) {
        const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
        server.closeIdleConnections();
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
        server.closeAllConnections();
      }
      await slack?.stop();
      await questions.close();
      await scheduler.stop();
      if (!options.redis) redis.disconnect();
      if (!options.db) await db.$disconnect();
    },
  };
}

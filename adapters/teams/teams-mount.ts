import type { Bot } from '../../src/core/bot.js';
import { isLoopbackUrl, type Config } from '../../src/core/config.js';
import type { Db } from '../../src/core/db.js';
import type { Logger } from '../../src/core/logger.js';
import type { Redis } from '../../src/core/redis.js';
import type { AdapterMount } from '../../src/server/app.js';
import type { NextFunction, Request, Response } from 'express';
import { translator } from '../../src/core/i18n.js';
import { refuseMalformedActivities } from './activity-guard.js';
import type { RetryPolicy } from './delivery.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import type { PlatformSender } from '../../src/core/notifier.js';
import type { TeamsParts } from './teams-parts.js';

/**
 * Whether requests are authenticated: with MICROSOFT_APP_ID every one; without it (outside production
 * only) none, for the Emulator and local tests, and then only service URLs on this machine are answered.
 */
export type TeamsAuthMode = 'authenticated' | 'emulator';

/** What the Teams adapter is built from; the last three let tests replace time and waiting. */
export interface TeamsAdapterDeps {
  config: Config;
  logger: Logger;
  bot: Bot;
  db: Db;
  redis: Redis;
  /** Tests shorten waits here; production uses the defaults. */
  retryPolicy?: RetryPolicy;
  /**
   * Where outgoing calls get their token; default the app's password against Microsoft's login.
   * Tests that cannot reach Microsoft give local credentials (the SDK's ServiceClientCredentialsFactory).
   */
  credentialsFactory?: unknown;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** The Teams adapter as the runtime sees it: a mount point, a proactive sender, and how it authenticates. */
export interface TeamsAdapter {
  mount: AdapterMount;
  sender: PlatformSender;
  mode: TeamsAuthMode;
}

/**
 * Builds the Teams adapter: botbuilder's CloudAdapter at POST /api/messages, turning activities into
 * core events and core messages into Adaptive Cards; plus the sender for proactive messages.
 * Every botbuilder import of the bot lives in this folder (adapters/teams), so moving to the
 * Microsoft 365 Agents SDK touches nothing else.
 */
export function createTeamsAdapter(deps: TeamsAdapterDeps): TeamsAdapter {
  if (deps.config.teamsMode === 'off') throw new Error('Teams is off in production without MICROSOFT_APP_ID: the adapter must not be built');
  const mode: TeamsAuthMode = deps.config.teamsMode;
  // botbuilder costs about 40 MiB per process: loaded on the first Teams request or message, so a
  // deployment (or a worker) that never talks to Teams never pays for it.
  let parts: Promise<TeamsParts> | undefined;
  const load = () => (parts ??= import('./teams-parts.js').then(({ buildTeamsParts }) => buildTeamsParts(deps)));
  const sender: PlatformSender = {
    platform: 'TEAMS',
    async send(target: { externalId: string; conversationRef: unknown }, message: OutboundMessage) {
      return (await load()).sender.send(target, message);
    },
  };
  const refusal = translator(deps.config.DEFAULT_LOCALE);
  const mount: AdapterMount = {
    name: 'teams',
    path: '/api/messages',
    mount(app) {
      app.post('/api/messages', refuseMalformedActivities(deps.logger, (key) => refusal(`teams:refused.${key}`)), (req: Request, res: Response, next: NextFunction) => {
        // Unauthenticated, anyone could name a serviceUrl and have the bot call it (member lookups,
        // replies): without a token the bot talks only to a connector on this machine (the Emulator, tests).
        if (mode === 'emulator' && !isLoopbackUrl((req.body as { serviceUrl: string }).serviceUrl)) {
          deps.logger.warn({ serviceUrl: String((req.body as { serviceUrl: string }).serviceUrl).slice(0, 200) }, 'teams request refused: emulator mode answers only service URLs on this machine');
          res.status(403).json({ error: refusal('teams:refused.emulatorServiceUrl') });
          return;
        }
        next();
      }, async (req: Request, res: Response, next: NextFunction) => {
        // A request whose token cannot be verified (e.g. the signing keys cannot be fetched) fails
        // inside the SDK before our logic runs, and the SDK answers 500, inviting a retry. It is
        // refused instead: 401, nothing was done.
        let started = false;
        const guarded = {
          status(code: number) {
            res.status(code === 500 && !started ? 401 : code);
            return guarded;
          },
          send(body?: unknown) {
            res.send(body);
            return guarded;
          },
          end() {
            res.end();
            return guarded;
          },
          header(name: string, value: string) {
            res.header(name, value);
            return guarded;
          },
        };
        try {
          const { adapter, handler } = await load();
          await adapter.process(req, guarded as unknown as typeof res, async (context) => {
            started = true;
            await handler.onTurn(context);
          });
        } catch (error) {
          next(error);
        }
      });
    },
  };
  return { mount, sender, mode };
}

import { isLoopbackUrl } from '../../src/core/config.js';
import { createCloudAdapter } from './bot-framework.js';
import { ActivityDelivery, DEFAULT_RETRY_POLICY } from './delivery.js';
import { ConversationRateLimiter } from './outbound-limits.js';
import { TeamsSender } from './teams-sender.js';
import type { TeamsAdapterDeps } from './teams-mount.js';
import { TeamsTurnHandler } from './turn-handler.js';

/** The botbuilder-backed pieces of the Teams adapter, built on first use (see teams-mount.ts). */
export interface TeamsParts {
  adapter: ReturnType<typeof createCloudAdapter>['adapter'];
  handler: TeamsTurnHandler;
  sender: TeamsSender;
}

export function buildTeamsParts(deps: TeamsAdapterDeps): TeamsParts {
  const { adapter, appId } = createCloudAdapter(deps.config, deps.logger, deps.credentialsFactory);
  const limiter = new ConversationRateLimiter(deps.redis, deps.config.REDIS_PREFIX, deps.now);
  const delivery = new ActivityDelivery(limiter, deps.retryPolicy ?? DEFAULT_RETRY_POLICY, deps.sleep);
  const handler = new TeamsTurnHandler({ bot: deps.bot, db: deps.db, config: deps.config, logger: deps.logger, delivery });
  // Without credentials (emulator mode) proactive messages, like replies, go only to this machine.
  const reachable = deps.config.teamsMode === 'authenticated' ? () => true : isLoopbackUrl;
  const sender = new TeamsSender({ adapter, appId, delivery, redis: deps.redis, prefix: deps.config.REDIS_PREFIX, defaultLocale: deps.config.DEFAULT_LOCALE, logger: deps.logger, reachable });
  return { adapter, handler, sender };
}

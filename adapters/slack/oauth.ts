import type { ExpressReceiverOptions } from '@slack/bolt';
import type { Config } from '../../src/core/config.js';
import type { Db } from '../../src/core/db.js';
import type { Logger } from '../../src/core/logger.js';
import type { Redis } from '../../src/core/redis.js';
import { developmentKey, SecretBox } from '../../src/core/secret-box.js';
import { markWorkspaceReachable } from './detach.js';
import { failurePage, installPage, languageOfRequest, pageLanguage, successPage, type InstallFailure } from './install-pages.js';
import { installationStore, OAuthWorkspaces, SlackInstallations } from './installations.js';
import { RedisStateStore, STATE_TTL_SECONDS } from './oauth-state.js';

/** The bot scopes an install asks for: the same as adapters/slack/manifest.yml (checked by its test). */
export const BOT_SCOPES = ['commands', 'chat:write', 'im:write', 'im:history', 'app_mentions:read', 'users:read', 'users:read.email'];

export const INSTALL_PATH = '/slack/install';
export const REDIRECT_PATH = '/slack/oauth_redirect';

/** The key that seals bot tokens: the configured one, or (outside production only) one derived from the state secret. */
export function tokenBox(config: Config): SecretBox {
  return new SecretBox(config.SLACK_TOKEN_ENCRYPTION_KEY ?? developmentKey(config.SLACK_STATE_SECRET!), config.SLACK_TOKEN_ENCRYPTION_OLD_KEYS);
}

/**
 * OAuth mode: the workspaces (each with its installation's token) and what Bolt's ExpressReceiver
 * needs to run the installer at /slack/install and /slack/oauth_redirect, with the state kept in
 * Redis (one use, ten minutes, any instance) and the pages in the installer's language.
 */
export function oauthSetup(deps: { config: Config; db: Db; redis: Redis; logger: Logger; apiUrl: string }) {
  const { config, db, redis, logger, apiUrl } = deps;
  const workspaces = new OAuthWorkspaces(new SlackInstallations(db, tokenBox(config)), apiUrl, logger);
  const store = installationStore(workspaces, async (installationKey) => {
    const back = await markWorkspaceReachable(db, installationKey);
    logger.info({ installationKey, peopleReachableAgain: back }, 'slack installation stored');
  });
  const language = (req: Parameters<typeof languageOfRequest>[0]) => languageOfRequest(req, config.DEFAULT_LOCALE);
  const receiverOptions: Partial<ExpressReceiverOptions> = {
    clientId: config.SLACK_CLIENT_ID,
    clientSecret: config.SLACK_CLIENT_SECRET,
    scopes: BOT_SCOPES,
    installationStore: store,
    redirectUri: `${config.PUBLIC_URL}${REDIRECT_PATH}`,
    installerOptions: {
      installPath: INSTALL_PATH,
      redirectUriPath: REDIRECT_PATH,
      stateStore: new RedisStateStore(redis, config.REDIS_PREFIX, config.SLACK_STATE_SECRET!),
      stateCookieExpirationSeconds: STATE_TTL_SECONDS,
      renderHtmlForInstallPath: (url) => installPage(pageLanguage.getStore() ?? config.DEFAULT_LOCALE, url),
      // oauth.v2.access and auth.test go where every other Web API call goes (SLACK_API_URL).
      clientOptions: { slackApiUrl: apiUrl },
      callbackOptions: {
        success: (installation, _options, req, res) => {
          const name = installation.isEnterpriseInstall ? installation.enterprise?.name : installation.team?.name;
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(successPage(language(req), { name, teamId: installation.team?.id }));
        },
        failure: (error, _options, req, res) => {
          const code = (error as { code?: string }).code ?? '';
          const why: InstallFailure = code === 'slack_oauth_installer_authorization_error' ? 'cancelled' : /state|missing_code/.test(code) ? 'state' : 'other';
          logger.warn({ code, err: error.message }, 'slack installation did not finish');
          res.writeHead(why === 'other' ? 502 : 400, { 'content-type': 'text/html; charset=utf-8' });
          res.end(failurePage(language(req), why));
        },
      },
    },
  };
  return { workspaces, receiverOptions, language };
}

import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type TurnContext } from 'botbuilder';
import type { Config } from '../../src/core/config.js';
import type { Logger } from '../../src/core/logger.js';

/** The claim in a Bot Framework channel token that names the service URL the token was issued for. */
const SERVICE_URL_CLAIM = 'serviceurl';

/**
 * The SDK's authentication, plus one rule: the activity's serviceUrl must be the one the token
 * vouches for. The SDK checks that claim for channel tokens (ChannelValidation: "ServiceUrl claim
 * do not match"), but accepts tokens without it (emulator and skill tokens, which only prove that
 * the sender holds an app's credentials). Replies and member lookups go to that serviceUrl, so a
 * URL no token vouches for would let the sender point the bot (and its token) at any server.
 */
export class ServiceUrlBoundAuthentication extends ConfigurationBotFrameworkAuthentication {
  override async authenticateRequest(activity: Activity, authHeader: string) {
    const result = await super.authenticateRequest(activity, authHeader);
    if (result.claimsIdentity.getClaimValue(SERVICE_URL_CLAIM) !== activity.serviceUrl) {
      // Thrown before the turn starts: the mount answers 401 and nothing is done (teams-mount.ts).
      throw new Error('Unauthorized: the token does not vouch for this activity\'s serviceUrl.');
    }
    return result;
  }
}

/**
 * The Bot Framework adapter, configured from MICROSOFT_APP_* (single- or multi-tenant). Without an
 * app id it runs in emulator mode: incoming requests are not authenticated and outgoing calls
 * carry no token, which is what the Bot Framework Emulator and local tests need (never in
 * production; the mount answers only service URLs on this machine, teams-mount.ts).
 */
export function createCloudAdapter(config: Config, logger: Logger, credentialsFactory?: unknown): { adapter: CloudAdapter; appId: string } {
  const appType = config.MICROSOFT_APP_TYPE ?? (config.MICROSOFT_APP_TENANT_ID ? 'SingleTenant' : 'MultiTenant');
  const Authentication = config.MICROSOFT_APP_ID ? ServiceUrlBoundAuthentication : ConfigurationBotFrameworkAuthentication;
  const auth = new Authentication({
    MicrosoftAppId: config.MICROSOFT_APP_ID ?? '',
    MicrosoftAppPassword: config.MICROSOFT_APP_PASSWORD ?? '',
    MicrosoftAppType: config.MICROSOFT_APP_ID ? appType : undefined,
    MicrosoftAppTenantId: config.MICROSOFT_APP_TENANT_ID,
    ...tokenSourceOverride(config),
  } as ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[0], credentialsFactory as ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[1]);
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (_context, error) => {
    // Never swallowed: logged here with the activity type; the request answers 500 only if we rethrow.
    logger.error({ err: error }, 'Teams turn failed');
    throw error;
  };
  return { adapter, appId: config.MICROSOFT_APP_ID ?? '' };
}

/**
 * The connector client retries 429 and 5xx on its own, invisibly and on top of ours, so one send
 * could reach Teams several times. We take its retry policy out: every send is then exactly one
 * HTTP call, and ActivityDelivery decides about retries.
 */
export function disableHiddenRetries(context: TurnContext): void {
  const client = context.turnState.get(context.adapter.ConnectorClientKey) as
    | { client?: { pipeline?: { removePolicy(options: { name: string }): unknown } } }
    | undefined;
  client?.client?.pipeline?.removePolicy({ name: 'defaultRetryPolicy' });
}

/**
 * The public cloud's endpoints, spelt out: once any endpoint is configured the SDK takes every one
 * from configuration, so overriding where tokens are checked must not lose where tokens are fetched.
 */
const PUBLIC_CLOUD = {
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  OAuthUrl: 'https://api.botframework.com',
  ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
  ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/botframework.com/v2.0/.well-known/openid-configuration',
  CallerId: 'urn:botframework:azure',
};

/** TEAMS_OPENID_METADATA_URL / TEAMS_TOKEN_ISSUER: where incoming tokens' keys and issuer come from (tests, sovereign clouds). */
function tokenSourceOverride(config: Config): Partial<typeof PUBLIC_CLOUD> {
  if (!config.TEAMS_OPENID_METADATA_URL && !config.TEAMS_TOKEN_ISSUER) return {};
  return {
    ...PUBLIC_CLOUD,
    ToBotFromChannelOpenIdMetadataUrl: config.TEAMS_OPENID_METADATA_URL ?? PUBLIC_CLOUD.ToBotFromChannelOpenIdMetadataUrl,
    ToBotFromChannelTokenIssuer: config.TEAMS_TOKEN_ISSUER ?? PUBLIC_CLOUD.ToBotFromChannelTokenIssuer,
  };
}

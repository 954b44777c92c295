import { createServer, type Server } from 'node:http';
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';

/** The app id tests configure as MICROSOFT_APP_ID. */
export const TEST_APP_ID = '11111111-1111-1111-1111-111111111111';
/** The issuer of the local token service (TEAMS_TOKEN_ISSUER). */
export const TEST_TOKEN_ISSUER = 'https://api.botframework.test';

/**
 * A local stand-in for the Bot Framework's token service: an OpenID metadata document and a JWKS
 * with one RSA key endorsed for `msteams`, so the SDK's whole validation runs (signature, issuer,
 * audience, expiry, key endorsement, the serviceurl claim) as it does against login.botframework.com.
 * `sign` makes real RS256 tokens with that key (or another one, for forgeries).
 */
export class LocalTokenService {
  readonly trusted = generateKeyPairSync('rsa', { modulusLength: 2048 });
  readonly stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private server?: Server;
  metadataUrl = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const base = `http://127.0.0.1:${(this.server!.address() as { port: number }).port}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url === '/keys') {
        const jwk = this.trusted.publicKey.export({ format: 'jwk' });
        res.end(JSON.stringify({ keys: [{ ...jwk, kid: 'trusted', kty: 'RSA', use: 'sig', alg: 'RS256', endorsements: ['msteams'] }] }));
      } else {
        res.end(JSON.stringify({ issuer: TEST_TOKEN_ISSUER, jwks_uri: `${base}/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.metadataUrl = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/.well-known/openidconfiguration`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }

  /** The environment that makes the bot check tokens against this service. */
  env(): Record<string, string> {
    return { MICROSOFT_APP_ID: TEST_APP_ID, MICROSOFT_APP_PASSWORD: 'secret-value', TEAMS_OPENID_METADATA_URL: this.metadataUrl, TEAMS_TOKEN_ISSUER: TEST_TOKEN_ISSUER };
  }

  /** A signed JWT with these claims. */
  sign(claims: Record<string, unknown>, key: KeyObject = this.trusted.privateKey, kid = 'trusted'): string {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${part({ alg: 'RS256', typ: 'JWT', kid })}.${part(claims)}`;
    return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(key).toString('base64url')}`;
  }

  /** The claims of a valid channel token for requests whose activities carry this serviceUrl. */
  claims(serviceUrl: string): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    return { iss: TEST_TOKEN_ISSUER, aud: TEST_APP_ID, serviceurl: serviceUrl, nbf: now - 60, iat: now - 60, exp: now + 3_600 };
  }

  /** An Authorization header as the Bot Framework sends it for an activity with this serviceUrl. */
  authorization(serviceUrl: string): string {
    return `Bearer ${this.sign(this.claims(serviceUrl))}`;
  }
}

/**
 * Outbound credentials for tests: the bot's calls to the (fake) connector carry a fixed bearer token
 * instead of one fetched from login.microsoftonline.com, which tests cannot reach. Shaped like the
 * SDK's ServiceClientCredentialsFactory; given to the runtime as `teams.credentialsFactory`.
 */
export const localOutboundCredentials = {
  isValidAppId: async (appId: string) => appId === TEST_APP_ID,
  isAuthenticationDisabled: async () => false,
  createCredentials: async () => ({
    signRequest: async <T extends { headers: { set(name: string, value: string): void } }>(request: T) => {
      request.headers.set('authorization', 'Bearer local-outbound-token');
      return request;
    },
  }),
};

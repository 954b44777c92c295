import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ServiceUrlBoundAuthentication } from '../../adapters/teams/bot-framework.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { FakeBotConnector, teamsActivity } from '../support/fake-bot-connector.js';
import { LocalTokenService } from '../support/teams-auth.js';

/**
 * Real RS256 tokens, signed with a local key the bot learns from a local OpenID metadata document
 * and JWKS (as it learns Microsoft's from login.botframework.com), so the SDK's whole validation
 * runs: signature, issuer, audience, expiry, key endorsement and the serviceurl claim.
 */
const tokens = new LocalTokenService();
let connector: FakeBotConnector;
let runtime: Runtime;
let botUrl: string;

beforeAll(async () => {
  await tokens.start();
  connector = await new FakeBotConnector().start();
  runtime = await testRuntime({ env: tokens.env() });
  botUrl = `http://127.0.0.1:${await runtime.listen(0)}/api/messages`;
});
afterAll(async () => {
  await connector?.stop();
  await tokens.stop();
});

const jwt = (claims: Record<string, unknown>, key?: Parameters<LocalTokenService['sign']>[1]) => tokens.sign(claims, key);
const now = () => Math.floor(Date.now() / 1000);
const goodClaims = () => tokens.claims(connector.url);
const stranger = tokens.stranger;

async function send(userId: string, authorization?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization) headers.authorization = authorization;
  const activity = teamsActivity(connector.url, { text: 'help', from: { id: `29:${userId}`, aadObjectId: `aad-${userId}` }, conversation: { id: `a:${userId}` } });
  const res = await fetch(botUrl, { method: 'POST', headers, body: JSON.stringify(activity) });
  return res.status;
}

const personFor = (userId: string) => runtime.db.platformIdentity.count({ where: { externalId: { endsWith: `aad-${userId}` } } });

describe('when Teams credentials are configured and a request carries a correctly signed token', () => {
  it('lets the activity through to the bot (the person is registered), so the refusals below are about the token', async () => {
    const status = await send('valid', `Bearer ${jwt(goodClaims())}`);
    expect([401, 403]).not.toContain(status);
    expect(await personFor('valid')).toBe(1);
  });
});

describe('when Teams credentials are configured and the token is missing, expired, for another app or otherwise wrong', () => {
  const cases: [string, () => string | undefined][] = [
    ['no Authorization header', () => undefined],
    ['an expired token (past the 5-minute clock tolerance)', () => `Bearer ${jwt({ ...goodClaims(), iat: now() - 7_200, nbf: now() - 7_200, exp: now() - 3_600 })}`],
    ['a token for another app (wrong audience)', () => `Bearer ${jwt({ ...goodClaims(), aud: '99999999-9999-9999-9999-999999999999' })}`],
    ['a token from another issuer', () => `Bearer ${jwt({ ...goodClaims(), iss: 'https://evil.example' })}`],
    ['a token signed by a key the metadata does not publish', () => `Bearer ${jwt(goodClaims(), stranger.privateKey)}`],
    ['a token for another service URL', () => `Bearer ${jwt({ ...goodClaims(), serviceurl: 'https://smba.example/' })}`],
    ['a token not yet valid', () => `Bearer ${jwt({ ...goodClaims(), nbf: now() + 3_600, iat: now() + 3_600, exp: now() + 7_200 })}`],
  ];
  for (const [what, header] of cases) {
    it(`refuses ${what} with 401 or 403; nobody is registered and nothing is sent`, async () => {
      connector.clear();
      const user = what.replace(/\W+/g, '-');
      const status = await send(user, header());
      expect([401, 403]).toContain(status);
      expect(await personFor(user)).toBe(0);
      expect(connector.attempts).toHaveLength(0);
    });
  }
});

describe('when Teams credentials are configured and a token passes the SDK but vouches for no serviceUrl', () => {
  it('refuses the activity with 401: nobody is registered and the bot calls nothing', async () => {
    // Emulator and skill tokens carry no serviceurl claim; they are signed by Microsoft's AAD keys,
    // which no local service can stand in for. So a valid channel token goes through the SDK's real
    // check, and only the identity it returns loses the claim, as an emulator token's would lack it.
    const sdk = Object.getPrototypeOf(ServiceUrlBoundAuthentication.prototype) as ServiceUrlBoundAuthentication;
    const original = sdk.authenticateRequest;
    const spy = vi.spyOn(sdk, 'authenticateRequest').mockImplementation(async function (this: ServiceUrlBoundAuthentication, activity, header) {
      const result = await original.call(this, activity, header);
      const claims = result.claimsIdentity.claims.filter((c) => c.type !== 'serviceurl');
      expect(claims.length).toBeLessThan(result.claimsIdentity.claims.length);
      return { ...result, claimsIdentity: { claims, isAuthenticated: true, getClaimValue: (type: string) => claims.find((c) => c.type === type)?.value ?? null } as never };
    });
    try {
      connector.clear();
      const status = await send('no-serviceurl-claim', `Bearer ${jwt(goodClaims())}`);
      expect(status).toBe(401);
      expect(spy).toHaveBeenCalled();
      expect(await personFor('no-serviceurl-claim')).toBe(0);
      expect(connector.requests).toHaveLength(0);
    } finally {
      spy.mockRestore();
    }
  });
});

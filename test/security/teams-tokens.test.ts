import { createServer, type Server } from 'node:http';
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { FakeBotConnector, teamsActivity } from '../support/fake-bot-connector.js';

/**
 * Real RS256 tokens, signed with a local key the bot learns from a local OpenID metadata document
 * and JWKS (as it learns Microsoft's from login.botframework.com), so the SDK's whole validation
 * runs: signature, issuer, audience, expiry, key endorsement and the serviceurl claim.
 */
const APP_ID = '11111111-1111-1111-1111-111111111111';
const ISSUER = 'https://api.botframework.test';
const trusted = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });

let metadata: Server;
let metadataUrl: string;
let connector: FakeBotConnector;
let runtime: Runtime;
let botUrl: string;

beforeAll(async () => {
  metadata = createServer((req, res) => {
    const base = `http://127.0.0.1:${(metadata.address() as { port: number }).port}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url === '/keys') {
      const jwk = trusted.publicKey.export({ format: 'jwk' });
      res.end(JSON.stringify({ keys: [{ ...jwk, kid: 'trusted', kty: 'RSA', use: 'sig', alg: 'RS256', endorsements: ['msteams'] }] }));
    } else {
      res.end(JSON.stringify({ issuer: ISSUER, jwks_uri: `${base}/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
    }
  });
  await new Promise<void>((resolve) => metadata.listen(0, '127.0.0.1', resolve));
  metadataUrl = `http://127.0.0.1:${(metadata.address() as { port: number }).port}/.well-known/openidconfiguration`;
  connector = await new FakeBotConnector().start();
  runtime = await testRuntime({ env: { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'secret-value', TEAMS_OPENID_METADATA_URL: metadataUrl, TEAMS_TOKEN_ISSUER: ISSUER } });
  botUrl = `http://127.0.0.1:${await runtime.listen(0)}/api/messages`;
});
afterAll(async () => {
  await connector?.stop();
  await new Promise((resolve) => metadata?.close(resolve));
});

function jwt(claims: Record<string, unknown>, key: KeyObject = trusted.privateKey, kid = 'trusted'): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${part({ alg: 'RS256', typ: 'JWT', kid })}.${part(claims)}`;
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(key).toString('base64url')}`;
}

const now = () => Math.floor(Date.now() / 1000);
const goodClaims = () => ({ iss: ISSUER, aud: APP_ID, serviceurl: connector.url, nbf: now() - 60, iat: now() - 60, exp: now() + 3_600 });

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

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { FakeBotConnector, teamsActivity } from '../support/fake-bot-connector.js';

let connector: FakeBotConnector;
beforeAll(async () => {
  connector = await new FakeBotConnector().start();
});
afterAll(() => connector.stop());

/** An unsigned token that looks like the Bot Framework's, to prove the signature is checked too. */
function forgedToken(): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ iss: 'https://api.botframework.com', aud: '11111111-1111-1111-1111-111111111111', serviceurl: connector.url, exp: Math.floor(Date.now() / 1000) + 600 })}.`;
}

for (const [label, env] of [
  ['single-tenant', { MICROSOFT_APP_ID: '11111111-1111-1111-1111-111111111111', MICROSOFT_APP_PASSWORD: 'secret-value', MICROSOFT_APP_TENANT_ID: '22222222-2222-2222-2222-222222222222' }],
  ['multi-tenant', { MICROSOFT_APP_ID: '11111111-1111-1111-1111-111111111111', MICROSOFT_APP_PASSWORD: 'secret-value' }],
] as const) {
  describe(`when app credentials are configured (${label})`, () => {
    let runtime: Runtime;
    let botUrl: string;
    beforeAll(async () => {
      runtime = await testRuntime({ env });
      botUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
    });

    for (const [what, authorization] of [
      ['no token', undefined],
      ['a garbage token', 'Bearer not-a-token'],
      ['an unsigned token', 'Bearer FORGED'],
    ] as const) {
      it(`refuses a request with ${what} with 401 or 403, and nothing happens`, async () => {
        connector.clear();
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (authorization) headers.authorization = authorization.replace('FORGED', forgedToken());
        const res = await fetch(`${botUrl}/api/messages`, {
          method: 'POST',
          headers,
          body: JSON.stringify(teamsActivity(connector.url, { text: 'lc link', from: { id: '29:intruder', aadObjectId: 'aad-intruder' } })),
        });
        expect([401, 403]).toContain(res.status);
        expect(await runtime.db.person.count()).toBe(0);
        expect(await runtime.db.platformIdentity.count()).toBe(0);
        expect(await runtime.db.linkCode.count()).toBe(0);
        expect(connector.attempts).toHaveLength(0);
      });
    }
  });
}

describe('when the bot starts without Microsoft app credentials', () => {
  it('says in the start-up log that Teams runs without authentication (emulator mode)', async () => {
    const { pino } = await import('pino');
    const { createRuntime } = await import('../../src/server/runtime.js');
    const { testConfig } = await import('../support/harness.js');
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const runtime = createRuntime(await testConfig(), logger);
    try {
      expect(lines.join('')).toContain('Teams adapter on /api/messages runs WITHOUT authentication');
      expect(runtime.teams?.mode).toBe('emulator');
    } finally {
      await runtime.stop();
    }
  });
});

describe('when Teams credentials are configured incompletely', () => {
  it('stops start-up with one line naming the missing variable', async () => {
    const { loadConfig } = await import('../../src/core/config.js');
    expect(() => loadConfig({ NODE_ENV: 'test', MICROSOFT_APP_ID: 'id', MICROSOFT_APP_PASSWORD: 'pw', MICROSOFT_APP_TYPE: 'SingleTenant' })).toThrow(
      /MICROSOFT_APP_TENANT_ID is missing \(a single-tenant bot needs its tenant id\)/,
    );
    expect(() => loadConfig({ NODE_ENV: 'test', MICROSOFT_APP_ID: 'id' })).toThrow(/MICROSOFT_APP_PASSWORD is missing/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLinkCode } from '../../src/domain/identity-link.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { PrivateRedis } from '../support/outages.js';

/**
 * The web chat while Redis is away (a private redis-server the test kills; the shared one is never
 * touched): the inbox answers 503 with a sentence instead of an internal error, signing in is refused
 * (it cannot count wrong codes) with nothing created, and both work again once Redis is back.
 */
let redis: PrivateRedis;
let runtime: Runtime;
let url: string;
let cookie: string;

beforeAll(async () => {
  redis = await new PrivateRedis().start();
  runtime = await testRuntime({ env: { REDIS_URL: redis.url, DEMO_MODE: 'false', WEB_CHAT: 'on' } });
  url = `http://127.0.0.1:${await runtime.listen(0)}`;
  const person = await runtime.db.person.create({ data: { displayName: 'Ines Inbox' } });
  await runtime.db.platformIdentity.create({ data: { personId: person.id, platform: 'SLACK', externalId: 'T1:UINES' } });
  const res = await signIn((await createLinkCode(runtime.db, person.id, 'SLACK', new Date())).code);
  expect(res.status).toBe(200);
  cookie = res.headers.get('set-cookie')!.split(';')[0];
});
afterAll(async () => {
  await runtime?.stop();
  await redis?.kill();
});

function signIn(code: string) {
  return fetch(`${url}/web/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
}

describe('when Redis goes away while a signed-in person has the web chat open', () => {
  it('keeps serving the conversation (it lives in PostgreSQL), refuses sign-in without creating a session, and recovers when Redis is back', async () => {
    expect((await fetch(`${url}/web/history`, { headers: { cookie } })).status).toBe(200);
    await redis.kill();

    // The conversation and its waiting messages are in PostgreSQL: Redis going away does not hide them.
    expect((await fetch(`${url}/web/history`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${url}/web/inbox`, { headers: { cookie } })).status).toBe(200);

    const person = await runtime.db.person.findFirstOrThrow({ where: { displayName: 'Ines Inbox' } });
    const sessions = await runtime.db.webSession.count();
    const refused = await signIn((await createLinkCode(runtime.db, person.id, 'SLACK', new Date())).code);
    expect(refused.status).toBe(503);
    expect((await refused.json()).error).toBe('This is not possible for a moment. Nothing was changed: please try again shortly.');
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect(await runtime.db.webSession.count()).toBe(sessions);

    await redis.start();
    await expect.poll(async () => (await fetch(`${url}/web/inbox`, { headers: { cookie } })).status, { timeout: 15_000, interval: 250 }).toBe(200);
  }, 30_000);
});

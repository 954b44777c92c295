import { beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/server/runtime.js';
import type { FakeSlack } from '../support/fake-slack.js';
import { testSlackRuntime } from '../support/harness.js';
import { slackClient } from '../support/slack-requests.js';

const SECRET = 'database-down-signing-secret';
let runtime: Runtime;
let fake: FakeSlack;
let slack: ReturnType<typeof slackClient>;

beforeAll(async () => {
  // Nothing listens on port 1: every query fails with ECONNREFUSED, as when PostgreSQL is down.
  ({ runtime, fake, slack } = await testSlackRuntime(SECRET, { env: { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/clusterbot' } }));
});

describe('when the database is down', () => {
  it('still acknowledges /lc help and tells the person to try again, losing nothing', async () => {
    fake.addUser({ id: 'UDOWN', real_name: 'Rezarta Gjoni' });
    const request = { team_id: 'T1', channel_id: 'C1', user_id: 'UDOWN', command: '/lc', text: 'help', response_url: fake.responseUrl(), trigger_id: 't', api_app_id: 'A1' };
    const response = await slack.command(request);
    expect(response.status).toBe(200);
    await runtime.slack!.settled();
    expect(response.body).toBe('');
    const replies = fake.callsOf('response_url').filter((c) => c.params.url === request.response_url).map((c) => c.params);
    expect(replies).toHaveLength(1);
    expect(replies[0].text).toContain("I can't reach my storage right now. Nothing was lost");
  });

  it('still acknowledges an event', async () => {
    const response = await slack.event({ team_id: 'T1', api_app_id: 'A1', type: 'event_callback', event_id: 'EvDOWN', event_time: 1, event: { type: 'app_home_opened', user: 'UDOWN', tab: 'home' } });
    expect(response.status).toBe(200);
  });
});

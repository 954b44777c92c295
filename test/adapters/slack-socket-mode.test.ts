import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/server/runtime.js';
import { FakeSlack } from '../support/fake-slack.js';
import { testRuntime } from '../support/harness.js';

let fake: FakeSlack;
let runtime: Runtime;
let port: number;

beforeAll(async () => {
  fake = await new FakeSlack().start();
  runtime = await testRuntime({ env: { SLACK_SIGNING_SECRET: 'socket-secret', SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test', SLACK_API_URL: fake.apiUrl } });
  port = await runtime.listen(0);
});
afterAll(async () => {
  await runtime?.stop();
  await fake?.stop();
});

describe('when SLACK_APP_TOKEN is set (Socket Mode)', () => {
  it('connects to Slack, acknowledges /lc help over the socket and answers it', async () => {
    fake.addUser({ id: 'USOCK', real_name: 'Blendi Shehu' });
    expect(fake.callsOf('apps.connections.open')).toHaveLength(1);
    const responseUrl = fake.responseUrl();
    const ack = await fake.sendOverSocket('slash_commands', {
      token: 'legacy', team_id: 'T1', team_domain: 'clusters', channel_id: 'C1', channel_name: 'general',
      user_id: 'USOCK', user_name: 'usock', command: '/lc', text: 'help', api_app_id: 'A1',
      response_url: responseUrl, trigger_id: 'trigger-socket',
    });
    expect(ack.envelope_id).toBeDefined();
    // Acknowledged empty over the socket; the answer follows through the response_url.
    expect(ack.payload ?? {}).toEqual({});
    await runtime.slack!.settled();
    const replies = fake.callsOf('response_url').filter((c) => c.params.url === responseUrl).map((c) => c.params as { blocks: unknown[] });
    expect(replies).toHaveLength(1);
    expect(JSON.stringify(replies[0].blocks)).toContain('Hello Blendi Shehu');
  });

  it('tells HTTP callers that /slack/events is not in use', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('Socket Mode');
  });
});

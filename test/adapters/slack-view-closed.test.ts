import { beforeAll, describe, expect, it } from 'vitest';
import { FORM_CALLBACK_ID } from '../../adapters/slack/block-kit.js';
import type { Runtime } from '../../src/server/runtime.js';
import type { FakeSlack } from '../support/fake-slack.js';
import { testSlackRuntime } from '../support/harness.js';
import { slackClient } from '../support/slack-requests.js';

const SECRET = 'test-signing-secret-0123456789abcdef';

let runtime: Runtime;
let fake: FakeSlack;
let slack: ReturnType<typeof slackClient>;

beforeAll(async () => {
  ({ runtime, fake, slack } = await testSlackRuntime(SECRET));
});

function viewClosed(callbackId: string) {
  return {
    type: 'view_closed',
    team: { id: 'T1', domain: 'clusters' },
    user: { id: 'U1', team_id: 'T1', username: 'u1', name: 'u1' },
    api_app_id: 'A1',
    token: 'legacy',
    view: { id: 'V1', type: 'modal', callback_id: callbackId, private_metadata: '{}', state: { values: {} }, hash: 'h' },
    is_cleared: false,
  };
}

describe('when a person closes a modal and Slack reports it (view_closed)', () => {
  it('acknowledges it with 200 at once, for the bot’s own form and for any other modal, and calls nothing', async () => {
    for (const callbackId of [FORM_CALLBACK_ID, 'some-other-modal']) {
      // Bolt's own auth.test at first contact is not the bot acting on the payload.
      const acting = () => fake.calls.filter((c) => c.method !== 'auth.test').length;
      const before = acting();
      const response = await slack.interaction(viewClosed(callbackId));
      expect(response.status).toBe(200);
      expect(response.body).toBe('');
      await runtime.slack!.settled();
      expect(acting()).toBe(before);
    }
  });
});

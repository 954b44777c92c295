import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineFlow } from '../../src/core/flow.js';
import { ui } from '../../src/core/messages.js';
import type { Runtime } from '../../src/server/runtime.js';
import type { FakeSlack } from '../support/fake-slack.js';
import { testSlackRuntime } from '../support/harness.js';
import { slackClient } from '../support/slack-requests.js';

const SECRET = 'slow-paths-signing-secret';

/** Gates the test opens by hand: the flow is slower than any budget until the test says otherwise. */
function gate() {
  let open: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (open = resolve));
  return { closed, open };
}
const commandGate = gate();
const submissionGate = gate();

const slowFlow = defineFlow({
  name: 'slow',
  version: 1,
  schema: z.object({}),
  commands: [{ verb: 'slow', summaryKey: 'slow', audience: 'anyone' }, { verb: 'slowform', summaryKey: 'slowform', audience: 'anyone' }],
  async start(_ctx, { verb }) {
    if (verb === 'slowform') {
      const form = { formId: 'slow:form', title: 'Slow form', submitLabel: 'Send', fields: [{ name: 'note', label: 'Note', kind: 'text' as const }] };
      return { replies: [ui.message('Slow form', [ui.form(form)])], next: { step: 'form', data: {} } };
    }
    await commandGate.closed;
    return { replies: [ui.text('Finally done.', { ephemeral: true })] };
  },
  async handle(_ctx, event) {
    await submissionGate.closed;
    const note = event.type === 'form' ? event.values.note : '';
    return { replies: [ui.text(`Saved your note: ${note}`, { ephemeral: true })], next: null };
  },
});

let runtime: Runtime;
let fake: FakeSlack;
let slack: ReturnType<typeof slackClient>;

beforeAll(async () => {
  // A submission budget far below the default (2 s), so its slow path is taken without waiting seconds.
  ({ runtime, fake, slack } = await testSlackRuntime(SECRET, { extraFlows: [slowFlow], slackBudgets: { submissionMs: 50 } }));
});
afterAll(async () => {
  commandGate.open();
  submissionGate.open();
});

const command = (user: string, text: string) => ({
  team_id: 'T1', channel_id: 'C1', user_id: user, command: '/lc', text, response_url: fake.responseUrl(), trigger_id: `trigger-${user}`, api_app_id: 'A1',
});

describe('when the work behind a command is slow', () => {
  it('acknowledges empty before the flow is done and sends the answer through the response_url when it is', async () => {
    fake.addUser({ id: 'USLOW', real_name: 'Elira Dervishi' });
    const request = command('USLOW', 'slow');
    const response = await slack.command(request);
    // The HTTP answer came back while the flow is still waiting at the gate.
    expect(response.status).toBe(200);
    expect(response.body).toBe('');
    expect(fake.callsOf('response_url').filter((c) => c.params.url === request.response_url)).toHaveLength(0);
    commandGate.open();
    const reply = await fake.waitFor('response_url', (p) => p.url === request.response_url);
    expect(JSON.stringify(reply.params.blocks)).toContain('Finally done.');
  });
});

describe('when a modal submission takes the flow longer than its budget', () => {
  it('closes the modal at once and posts the flow\'s answer where the form began', async () => {
    fake.addUser({ id: 'USUBMIT', real_name: 'Ervin Çela' });
    const request = command('USUBMIT', 'slowform');
    await slack.command(request);
    const opened = await fake.waitFor('views.open', (p) => p.trigger_id === request.trigger_id);
    const response = await slack.interaction({
      type: 'view_submission',
      team: { id: 'T1' },
      user: { id: 'USUBMIT', team_id: 'T1' },
      api_app_id: 'A1',
      view: { id: 'V1', type: 'modal', callback_id: 'lc-form', private_metadata: opened.params.view.private_metadata, state: { values: { note: { note: { type: 'plain_text_input', value: 'bring the budget' } } } } },
    });
    expect(response.status).toBe(200);
    expect(response.body).toBe('');
    submissionGate.open();
    const reply = await fake.waitFor('response_url', (p) => p.url === request.response_url);
    expect(JSON.stringify(reply.params.blocks)).toContain('Saved your note: bring the budget');
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import type { FakeSlack } from '../support/fake-slack.js';
import { testSlackRuntime } from '../support/harness.js';
import { clusterByCode, linkIdentity } from '../support/plans.js';
import { slackClient } from '../support/slack-requests.js';

/**
 * Issue 19, item 3 on a platform: a resource person documents the good practice in a Slack modal (a retried
 * submission saves one version), and a member reads it with `/lc practice` in Slack. Real adapter over HTTP,
 * against the fake Slack Web API.
 */
const SECRET = 'test-signing-secret-practice-0123456789';
let runtime: Runtime;
let fake: FakeSlack;
let slack: ReturnType<typeof slackClient>;

beforeAll(async () => {
  ({ runtime, fake, slack } = await testSlackRuntime(SECRET));
  await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
  // LC1's resource person starts from nothing (the demo documents every cluster's good practice).
  await runtime.db.goodPractice.deleteMany({ where: { clusters: { some: { code: 'LC1' } } } });
  await linkIdentity(runtime.db, 'web:lc1-rp1', 'SLACK', 'T1:URPGP');
  await linkIdentity(runtime.db, 'web:lc1-m5', 'SLACK', 'T1:UMEMGP');
  fake.addUser({ id: 'URPGP', real_name: 'Resource Person' });
  fake.addUser({ id: 'UMEMGP', real_name: 'Member' });
});

const textOfCall = (params: Record<string, any>) => JSON.stringify(params.blocks ?? []) + (params.text ?? '');
const buttonsOf = (params: Record<string, any>): any[] => (params.blocks ?? []).flatMap((b: any) => (b.type === 'actions' ? b.elements : []));
const button = (params: Record<string, any>, label: string) => {
  const found = buttonsOf(params).find((e) => e.text?.text === label);
  if (!found) throw new Error(`no button ${label} among ${buttonsOf(params).map((e) => e.text?.text).join(', ')}`);
  return found;
};

/** A slash command; resolves with what Slack got on its response_url. */
async function command(user: string, text: string) {
  const url = fake.responseUrl();
  await slack.command({ team_id: 'T1', channel_id: `D${user}`, user_id: user, text, response_url: url, trigger_id: `trigger-${text}` });
  await runtime.slack!.settled();
  return fake.callsOf('response_url').filter((c) => c.params.url === url).at(-1)!.params;
}

/** A button press on an ephemeral reply; resolves with the response_url answer. */
async function press(user: string, element: any) {
  const url = fake.responseUrl();
  await slack.interaction({
    type: 'block_actions', team: { id: 'T1' }, user: { id: user, team_id: 'T1' }, api_app_id: 'A1', token: 'legacy',
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`, response_url: url, channel: { id: `D${user}` },
    container: { type: 'message', message_ts: '1700000400.000100', channel_id: `D${user}`, is_ephemeral: true },
    actions: [{ type: 'button', action_id: element.action_id, block_id: 'b1', value: element.value, text: element.text, action_ts: '1700000401.000200' }],
  });
  await runtime.slack!.settled();
  return fake.callsOf('response_url').filter((c) => c.params.url === url).at(-1)?.params;
}

async function versionCount(): Promise<number> {
  const lc1 = await runtime.db.cluster.findUniqueOrThrow({ where: { id: (await clusterByCode(runtime.db, 'LC1')).id } });
  return lc1.goodPracticeId ? runtime.db.goodPracticeVersion.count({ where: { practiceId: lc1.goodPracticeId } }) : 0;
}

describe('when a resource person writes the good practice in Slack and a member reads it there', () => {
  it('saves the modal once as version 1 even when Slack retries it, and the member reads it with /lc practice', async () => {
    const overview = await command('URPGP', 'practice LC1');
    expect(textOfCall(overview)).toContain('Good practice: Day-care Centers');
    const section = await press('URPGP', button(overview, 'What it is'));
    await press('URPGP', button(section!, 'Edit'));
    const opened = await fake.waitFor('views.open', (p) => /What it is/.test(p.view?.title?.text ?? ''));
    const submission = {
      type: 'view_submission', team: { id: 'T1' }, user: { id: 'URPGP', team_id: 'T1' }, api_app_id: 'A1', token: 'legacy', trigger_id: 'trigger-submit-gp',
      view: {
        id: 'VGP', type: 'modal', callback_id: 'lc-form', private_metadata: opened.params.view.private_metadata, hash: 'h',
        state: { values: { value: { value: { type: 'plain_text_input', value: 'Mobile day care for villages around Gjilan, <b>since 2019</b>.' } }, note: { note: { type: 'plain_text_input', value: 'from Slack' } } } },
      },
    };
    expect((await slack.interaction(submission)).status).toBe(200);
    await runtime.slack!.settled();
    expect(await versionCount()).toBe(1);
    await slack.interaction(submission);
    await runtime.slack!.settled();
    expect(await versionCount()).toBe(1);

    const read = await command('UMEMGP', 'practice');
    const shown = textOfCall(read);
    expect(shown).toContain('Mobile day care for villages around Gjilan');
    // Typed angle brackets stay text in Slack's markup.
    expect(shown).toContain('&lt;b&gt;since 2019&lt;/b&gt;');
    expect(buttonsOf(read).map((e) => e.text.text)).not.toContain('Edit');
    const versions = await command('UMEMGP', 'practice versions');
    expect(textOfCall(versions)).toContain('from Slack');
  });
});

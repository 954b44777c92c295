import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import type { FakeSlack } from '../support/fake-slack.js';
import { testSlackRuntime } from '../support/harness.js';
import { clusterByCode } from '../support/plans.js';
import { slackClient, slashCommandFields } from '../support/slack-requests.js';
import { genericItem } from '../support/timeline.js';

/**
 * Issue 19 item 2 on Slack: a resource person designs EE2 from Slack, through the real adapter and the fake
 * Slack: `/lc event design LC1 EE2`, "Add a session" opens a modal, a mistake comes back next to its field
 * (response_action errors, nothing saved), the corrected session is saved and recorded as theirs; a member on
 * Slack asking for the design gets the agenda without the organisers' notes.
 */
const SECRET = 'test-signing-secret-0123456789abcdef';
let runtime: Runtime;
let fake: FakeSlack;
let slack: ReturnType<typeof slackClient>;

beforeAll(async () => {
  ({ runtime, fake, slack } = await testSlackRuntime(SECRET));
  await seedDemo(runtime.db, new Date());
});

/** A demo person who also uses Slack, linked by a vouched address. */
async function onSlack(externalId: string, user: string) {
  const person = await runtime.db.person.findFirstOrThrow({ where: { identities: { some: { externalId } } } });
  await runtime.db.person.update({ where: { id: person.id }, data: { email: `${user.toLowerCase()}@example.org` } });
  fake.addUser({ id: user, real_name: person.displayName, locale: 'en-US', email: `${user.toLowerCase()}@example.org` });
  return person;
}

function command(user: string, text: string) {
  return slashCommandFields(fake.responseUrl(), user, text, { channel_id: `D${user}`, channel_name: 'directmessage' });
}

async function answerTo(user: string, text: string): Promise<Record<string, any>> {
  const request = command(user, text);
  expect((await slack.command(request)).status).toBe(200);
  await runtime.slack!.settled();
  const replies = fake.callsOf('response_url').filter((c) => c.params.url === request.response_url);
  expect(replies.length).toBeGreaterThan(0);
  return replies[replies.length - 1].params;
}

const buttonsOf = (params: Record<string, any>) => (params.blocks ?? []).flatMap((b: any) => (b.type === 'actions' ? b.elements : [])).filter((e: any) => e.type === 'button');

function submission(user: string, view: Record<string, any>, values: Record<string, Record<string, unknown>>) {
  return { type: 'view_submission', team: { id: 'T1', domain: 'clusters' }, user: { id: user, team_id: 'T1', username: user.toLowerCase(), name: user.toLowerCase() }, api_app_id: 'A1', token: 'legacy', trigger_id: 'trigger-submit', view: { id: 'V1', type: 'modal', callback_id: view.callback_id ?? 'lc-form', private_metadata: view.private_metadata, state: { values }, hash: 'h' }, response_urls: [] };
}

describe('when a resource person adds a session from Slack', () => {
  it('opens the session form as a modal, shows a mistake next to its field, and saves the corrected session as theirs', async () => {
    const rp = await onSlack('web:lc1-rp2', 'URP2');
    const design = await answerTo('URP2', 'event design LC1 EE2');
    expect(JSON.stringify(design.blocks)).toContain('Design: Exchange event 2 (LC1)');
    const add = buttonsOf(design).find((b: any) => b.text.text === 'Add a session');
    await slack.interaction({ type: 'block_actions', team: { id: 'T1' }, user: { id: 'URP2', team_id: 'T1' }, api_app_id: 'A1', token: 'legacy', trigger_id: 'trigger-add', response_url: fake.responseUrl(), channel: { id: 'DURP2' }, container: { type: 'message', channel_id: 'DURP2' }, actions: [{ type: 'button', action_id: add.action_id, block_id: 'b1', value: add.value, action_ts: '1' }] });
    const opened = await fake.waitFor('views.open', (p) => p.trigger_id === 'trigger-add');
    const view = opened.params.view;
    const ids = view.blocks.filter((b: any) => b.type === 'input').map((b: any) => b.block_id);
    expect(ids).toEqual(expect.arrayContaining(['day', 'startTime', 'name', 'moderatorNotes', 'preparationNotes']));
    const values = (startTime: string, endTime: string) => ({
      day: { day: { type: 'static_select', selected_option: { value: '2' } } },
      startTime: { startTime: { type: 'plain_text_input', value: startTime } },
      endTime: { endTime: { type: 'plain_text_input', value: endTime } },
      name: { name: { type: 'plain_text_input', value: 'Field visit debrief' } },
      moderatorNotes: { moderatorNotes: { type: 'plain_text_input', value: 'Ask each group for one lesson' } },
    });
    const wrong = await slack.interaction(submission('URP2', view, values('14:00', '13:00')));
    expect(wrong.json().response_action).toBe('errors');
    expect(wrong.json().errors.endTime).toBe('The session must end after it starts.');
    const item = await genericItem(runtime.db, (await clusterByCode(runtime.db, 'LC1')).id, 'EE2');
    expect(await runtime.db.eventSession.count({ where: { design: { itemId: item.id } } })).toBe(0);
    const saved = await slack.interaction(submission('URP2', view, values('14:00', '15:30')));
    expect(saved.status).toBe(200);
    await runtime.slack!.settled();
    const session = await runtime.db.eventSession.findFirstOrThrow({ where: { design: { itemId: item.id } }, include: { design: { include: { changes: true } } } });
    expect(session).toMatchObject({ day: 2, startTime: '14:00', endTime: '15:30', name: 'Field visit debrief', moderatorNotes: 'Ask each group for one lesson' });
    expect(session.design.changes.map((c) => c.changedById)).toEqual([rp.id]);
  });
});

describe('when a member on Slack asks for the design', () => {
  it('answers with the agenda, without the moderators\' instructions', async () => {
    await onSlack('web:lc1-m3', 'UM3');
    const answer = await answerTo('UM3', 'event design LC1 EE2');
    const text = JSON.stringify(answer.blocks);
    expect(text).toContain('Only the coordinators and resource persons of the cluster write the design');
    expect(text).toContain('Field visit debrief');
    expect(text).not.toContain('Ask each group for one lesson');
  });
});

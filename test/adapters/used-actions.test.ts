import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineFlow } from '../../src/core/flow.js';
import { ui } from '../../src/core/messages.js';
import type { Runtime } from '../../src/server/runtime.js';
import { adaptiveCardProblems } from '../support/card-schema.js';
import { cardText, FakeBotConnector, teamsActivity } from '../support/fake-bot-connector.js';
import { FakeSlack } from '../support/fake-slack.js';
import { testRuntime } from '../support/harness.js';
import { buttonPress, slackClient } from '../support/slack-requests.js';
import { submitActionsOf } from '../support/card-actions.js';

/**
 * A used button or form is consumed on every platform: the message that carried it is replaced
 * in place by the outcome (Slack chat.update or replace_original, Teams activity update, the web
 * chat's replacement), a second use acts no more and says so, and a message shared with others
 * is left as it was. Driven through the real adapters over HTTP against the fake platforms.
 */

const SECRET = 'test-signing-secret-0123456789abcdef';
/** How often each person's tally was counted: the one effect the buttons and forms have. */
const counted = new Map<string, number>();
const count = (personId: string) => counted.set(personId, (counted.get(personId) ?? 0) + 1).get(personId)!;

const tallyFlow = defineFlow({
  name: 'tally',
  version: 1,
  schema: z.object({}),
  commands: [
    { verb: 'tally', summaryKey: 'tally', audience: 'anyone' },
    { verb: 'tally-note', summaryKey: 'tally', audience: 'anyone' },
  ],
  async start(_ctx, command) {
    if (command.verb === 'tally-note') return { replies: [ui.message('Note', [ui.form({ formId: 'tally:note', title: 'A note', submitLabel: 'Count it', fields: [{ name: 'note', label: 'Note', kind: 'text' }] })])] };
    return { replies: [tallyMessage()] };
  },
  async handle(ctx, event) {
    if (event.type === 'action' && event.actionId === 'tally:count') return { replies: [ui.text(`Counted: ${count(ctx.person.id)}`)] };
    if (event.type === 'action' && event.actionId === 'tally:show') return { replies: [ui.text(`Count so far: ${counted.get(ctx.person.id) ?? 0}`)] };
    if (event.type === 'form' && event.formId === 'tally:note') return { replies: [ui.text(`Noted "${event.values.note}": ${count(ctx.person.id)}`, { replaceOriginal: true })] };
    return { replies: [] };
  },
});

function tallyMessage() {
  return ui.message('Tally', [ui.paragraph('Count one?'), ui.actions(ui.button('Count one', 'tally:count', 'x', 'primary'), ui.openButton('Show count', 'tally:show'))]);
}

let runtime: Runtime;
let fake: FakeSlack;
let connector: FakeBotConnector;
let slack: ReturnType<typeof slackClient>;
let botUrl: string;

beforeAll(async () => {
  fake = await new FakeSlack().start();
  connector = await new FakeBotConnector().start();
  runtime = await testRuntime({ env: { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: fake.apiUrl, WEB_CHAT: 'on' }, extraFlows: [tallyFlow] });
  botUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
  slack = slackClient(`${botUrl}/slack/events`, SECRET);
});
afterAll(async () => {
  await runtime?.slack?.settled();
  await fake?.stop();
  await connector?.stop();
});

const textOfCall = (params: Record<string, any>) => JSON.stringify(params.blocks ?? []) + (params.text ?? '');
const slackButtons = (params: Record<string, any>) => (params.blocks ?? []).flatMap((b: any) => (b.type === 'actions' ? b.elements : []));

async function personOf(platform: 'SLACK' | 'TEAMS' | 'WEB', externalId: string): Promise<string> {
  return (await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform, externalId } } })).personId;
}

function blockAction(user: string, button: any, container: Record<string, unknown>, responseUrl = fake.responseUrl()) {
  return slack.interaction(buttonPress(user, button, container, responseUrl));
}

describe('when a Slack member presses a button on a message the bot posted in their DM', () => {
  it('updates that message in place with chat.update, and a second press changes nothing and says so', async () => {
    fake.addUser({ id: 'UDM', real_name: 'Dea Dm' });
    // Meet the person first (a command), then reach them proactively like a nudge would.
    await slack.command({ team_id: 'T1', channel_id: 'DUDM', user_id: 'UDM', text: 'me', response_url: fake.responseUrl(), trigger_id: 'trigger-me' });
    await runtime.slack!.settled();
    const personId = await personOf('SLACK', 'T1:UDM');
    await runtime.notifier.notify(personId, tallyMessage());
    const posted = await fake.waitFor('chat.postMessage', (p) => textOfCall(p).includes('Count one?'));
    const button = slackButtons(posted.params).find((e: any) => e.text.text === 'Count one');
    expect(button.action_id).toMatch(/^tally:count#\d+\.[\w-]{16}$/);
    const container = { type: 'message', message_ts: '1700000099.000100', channel_id: posted.params.channel, is_ephemeral: false };

    await blockAction('UDM', button, container);
    await runtime.slack!.settled();
    const [update] = fake.callsOf('chat.update');
    expect(update.params).toMatchObject({ channel: posted.params.channel, ts: '1700000099.000100' });
    expect(textOfCall(update.params)).toContain('Count one: done by you at');
    expect(slackButtons(update.params)).toEqual([]);
    expect(fake.callsOf('response_url').some((c) => textOfCall(c.params).includes('Counted: 1'))).toBe(true);

    await blockAction('UDM', button, container);
    await runtime.slack!.settled();
    const updates = fake.callsOf('chat.update');
    expect(updates).toHaveLength(2);
    expect(textOfCall(updates[1].params)).toContain('Already done at');
    expect(counted.get(personId)).toBe(1);
  });

  it('leaves a repeatable button and its message alone', async () => {
    const before = fake.callsOf('chat.update').length;
    const button = { action_id: 'tally:show#1', value: '', text: { type: 'plain_text', text: 'Show count' } };
    await blockAction('UDM', button, { type: 'message', message_ts: '1700000099.000100', channel_id: 'DDM', is_ephemeral: false });
    await runtime.slack!.settled();
    expect(fake.callsOf('chat.update')).toHaveLength(before);
  });
});

describe('when a Slack member presses a button on an ephemeral reply', () => {
  it('replaces it through the response_url with replace_original', async () => {
    fake.addUser({ id: 'UEPH', real_name: 'Eda Eph' });
    const commandUrl = fake.responseUrl();
    await slack.command({ team_id: 'T1', channel_id: 'DUEPH', user_id: 'UEPH', text: 'tally', response_url: commandUrl, trigger_id: 'trigger-tally' });
    await runtime.slack!.settled();
    const reply = fake.callsOf('response_url').find((c) => c.params.url === commandUrl)!;
    const button = slackButtons(reply.params).find((e: any) => e.text.text === 'Count one');
    const responseUrl = fake.responseUrl();
    await blockAction('UEPH', button, { type: 'message', message_ts: '1700000100.000100', channel_id: 'DUEPH', is_ephemeral: true }, responseUrl);
    await runtime.slack!.settled();
    const [replaced, counted1] = fake.callsOf('response_url').filter((c) => c.params.url === responseUrl);
    expect(replaced.params.replace_original).toBe(true);
    expect(textOfCall(replaced.params)).toContain('Count one: done by you');
    expect(textOfCall(counted1.params)).toContain('Counted: 1');
  });
});

describe('when someone presses a button on a message shared in a Slack channel', () => {
  it('leaves the shared message as it is for everyone', async () => {
    fake.addUser({ id: 'UCHAN', real_name: 'Cana Chan' });
    const before = fake.callsOf('chat.update').length;
    const commandUrl = fake.responseUrl();
    await slack.command({ team_id: 'T1', channel_id: 'C100', user_id: 'UCHAN', text: 'tally', response_url: commandUrl, trigger_id: 'trigger-chan' });
    await runtime.slack!.settled();
    const reply = fake.callsOf('response_url').find((c) => c.params.url === commandUrl)!;
    expect(reply.params.response_type).toBe('in_channel');
    const button = slackButtons(reply.params).find((e: any) => e.text.text === 'Count one');
    const responseUrl = fake.responseUrl();
    await blockAction('UCHAN', button, { type: 'message', message_ts: '1700000200.000100', channel_id: 'C100', is_ephemeral: false }, responseUrl);
    await runtime.slack!.settled();
    expect(fake.callsOf('chat.update')).toHaveLength(before);
    const answers = fake.callsOf('response_url').filter((c) => c.params.url === responseUrl);
    expect(answers.some((c) => c.params.replace_original)).toBe(false);
    expect(answers.map((c) => textOfCall(c.params)).join()).toContain('Counted: 1');
  });
});

describe('when a Slack member submits a form that a message offered', () => {
  it('replaces that message with the outcome after the modal is submitted', async () => {
    fake.addUser({ id: 'UFRM', real_name: 'Fana Form' });
    await slack.command({ team_id: 'T1', channel_id: 'DUFRM', user_id: 'UFRM', text: 'me', response_url: fake.responseUrl(), trigger_id: 'trigger-frm' });
    await runtime.slack!.settled();
    const personId = await personOf('SLACK', 'T1:UFRM');
    await runtime.notifier.notify(personId, ui.message('Note', [ui.form({ formId: 'tally:note', title: 'A note', submitLabel: 'Count it', fields: [{ name: 'note', label: 'Note', kind: 'text' }] })]));
    const posted = await fake.waitFor('chat.postMessage', (p) => textOfCall(p).includes('A note'));
    const open = slackButtons(posted.params)[0];
    const container = { type: 'message', message_ts: '1700000300.000100', channel_id: posted.params.channel, is_ephemeral: false };
    await blockAction('UFRM', open, container);
    const opened = await fake.waitFor('views.open', (p) => p.view?.title?.text === 'A note');
    expect(JSON.parse(opened.params.view.private_metadata).k).toMatch(/^[\w-]{16}$/);
    const submission = {
      type: 'view_submission',
      team: { id: 'T1' },
      user: { id: 'UFRM', team_id: 'T1' },
      api_app_id: 'A1',
      token: 'legacy',
      trigger_id: 'trigger-submit',
      view: { id: 'V9', type: 'modal', callback_id: 'lc-form', private_metadata: opened.params.view.private_metadata, state: { values: { note: { note: { type: 'plain_text_input', value: 'first' } } } }, hash: 'h' },
    };
    expect((await slack.interaction(submission)).status).toBe(200);
    await runtime.slack!.settled();
    const update = fake.callsOf('chat.update').find((c) => c.params.ts === '1700000300.000100')!;
    expect(textOfCall(update.params)).toContain('Noted \\"first\\": 1');
    expect(slackButtons(update.params)).toEqual([]);
    // The same modal submitted again (a retry) counts nothing more.
    await slack.interaction(submission);
    await runtime.slack!.settled();
    expect(counted.get(personId)).toBe(1);
  });
});

async function postTeams(activity: unknown) {
  const res = await fetch(`${botUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  return res.status;
}

describe('when a Teams member presses a card button in their personal chat', () => {
  const from = { id: '29:tally', name: 'Tea Tally', aadObjectId: 'aad-tally' };
  const conversation = { id: 'a:tally' };

  it('updates the card in place (PUT of the activity), within the Adaptive Card schema, and a second press changes nothing', async () => {
    connector.clear();
    await postTeams(teamsActivity(connector.url, { text: 'lc tally', from, conversation }));
    const [card] = connector.sent('a:tally');
    expect(adaptiveCardProblems(card.body.attachments[0].content)).toEqual([]);
    const count1 = submitActionsOf(card.body).find((a) => a.title === 'Count one');
    expect(count1.data.lcToken).toMatch(/^[\w-]{16}$/);
    expect(submitActionsOf(card.body).find((a) => a.title === 'Show count').data.lcToken).toBeUndefined();

    const press = () => postTeams(teamsActivity(connector.url, { text: undefined, value: count1.data, replyToId: 'card-1', from, conversation }));
    expect(await press()).toBe(200);
    const [update] = connector.updates();
    expect(update.path).toBe('/v3/conversations/a:tally/activities/card-1');
    expect(cardText(update.body)).toContain('Count one: done by you at');
    expect(submitActionsOf(update.body)).toEqual([]);
    expect(adaptiveCardProblems(update.body.attachments[0].content)).toEqual([]);
    expect(connector.sent('a:tally').map((c) => cardText(c.body)).join()).toContain('Counted: 1');

    await press();
    expect(connector.updates()).toHaveLength(2);
    expect(cardText(connector.updates()[1].body)).toContain('Already done at');
    expect(counted.get(await personOf('TEAMS', 'tenant-1:aad-tally'))).toBe(1);
  });

  it('replaces a submitted form card with the outcome', async () => {
    connector.clear();
    await postTeams(teamsActivity(connector.url, { text: 'lc tally-note', from, conversation }));
    const [card] = connector.sent('a:tally');
    const submit = submitActionsOf(card.body).find((a) => a.title === 'Count it');
    expect(submit.data.lcToken).toMatch(/^[\w-]{16}$/);
    await postTeams(teamsActivity(connector.url, { text: undefined, value: { ...submit.data, note: 'from Teams' }, replyToId: 'card-2', from, conversation }));
    const [update] = connector.updates();
    expect(update.activityId).toBe('card-2');
    expect(cardText(update.body)).toContain('Noted "from Teams": 2');
    expect(adaptiveCardProblems(update.body.attachments[0].content)).toEqual([]);
  });

  it('leaves a card shared in a channel as it is', async () => {
    connector.clear();
    const channel = { id: '19:tally@thread.tacv2', conversationType: 'channel' };
    const mention = { entities: [{ type: 'mention', text: '<at>Cluster Bot</at>', mentioned: { id: '28:bot', name: 'Cluster Bot' } }] };
    await postTeams(teamsActivity(connector.url, { text: '<at>Cluster Bot</at> lc tally', from, conversation: channel, ...mention }));
    const count1 = submitActionsOf(connector.sent(channel.id)[0].body).find((a) => a.title === 'Count one');
    await postTeams(teamsActivity(connector.url, { text: undefined, value: count1.data, replyToId: 'card-3', from, conversation: channel }));
    expect(connector.updates()).toEqual([]);
    expect(connector.sent(channel.id).map((c) => cardText(c.body)).join()).toContain('Counted: 3');
  });
});

describe('when a web chat person presses a button twice', () => {
  it('answers the first press with the outcome in the message\'s place, and the second with "already done"', async () => {
    const post = async (input: unknown) => (await (await fetch(`${botUrl}/web/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identity: 'tally-web', input }) })).json()) as { messages: any[] };
    const { messages } = await post({ type: 'typed', text: '/lc tally' });
    const button = messages[0].blocks.find((b: any) => b.type === 'actions').elements[0];
    const press = { type: 'action', actionId: button.actionId, value: button.value, token: button.token, label: button.label };
    const first = await post(press);
    expect(first.messages[0]).toMatchObject({ replaceOriginal: true, receipt: true });
    expect(JSON.stringify(first.messages)).toContain('Counted: 1');
    const second = await post(press);
    expect(second.messages).toHaveLength(1);
    expect(JSON.stringify(second.messages[0])).toContain('Already done at');
    expect(counted.get(await personOf('WEB', 'web:tally-web'))).toBe(1);
  });
});

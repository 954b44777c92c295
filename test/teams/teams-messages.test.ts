import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { cardText, FakeBotConnector, teamsActivity } from '../support/fake-bot-connector.js';

let runtime: Runtime;
let connector: FakeBotConnector;
let botUrl: string;

beforeAll(async () => {
  connector = await new FakeBotConnector().start();
  runtime = await testRuntime();
  await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
  botUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
});
afterAll(() => connector.stop());

async function post(activity: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${botUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(activity) });
  return { status: res.status, body: await res.text() };
}

describe('when a new Teams user sends "help" in a personal chat', () => {
  it('replies with the help card through the connector and remembers the user as a person with a conversation reference', async () => {
    connector.clear();
    const activity = teamsActivity(connector.url, { text: 'help', from: { id: '29:new-user', name: 'Nova', aadObjectId: 'aad-new' }, conversation: { id: 'a:nova' } });
    const res = await post(activity);
    expect(res.status).toBe(200);
    const [reply] = connector.sent('a:nova');
    expect(reply.activityId).toBe(activity.id);
    const text = cardText(reply.body);
    expect(text).toContain('Cluster Bot: what you can do');
    expect(text).toContain('“lc me”');
    expect(reply.body.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(reply.body.attachments[0].content.version).toBe('1.5');

    const identity = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'TEAMS', externalId: 'tenant-1:aad-new' } }, include: { person: true } });
    // Emulator mode (no credentials): the name is the activity's, and no address is believed (test/security/teams-identity.test.ts).
    expect(identity.person.displayName).toBe('Nova');
    expect(identity.person.email).toBeNull();
    expect(identity.conversationRef).toMatchObject({ kind: 'conversation', reference: { conversation: { id: 'a:nova' }, serviceUrl: connector.url } });
  });
});

describe('when someone writes in a channel', () => {
  const channel = { id: '19:general@thread.tacv2', conversationType: 'channel' };

  it('stays silent unless the bot is @mentioned', async () => {
    connector.clear();
    const res = await post(teamsActivity(connector.url, { text: 'help', conversation: channel }));
    expect(res.status).toBe(200);
    expect(connector.sent()).toHaveLength(0);
  });

  it('answers a command after the @mention in the thread, without taking the channel as the personal chat', async () => {
    connector.clear();
    const activity = teamsActivity(connector.url, {
      text: '<at>Cluster Bot</at> lc me',
      from: { id: '29:chan-user', name: 'Channel Person', aadObjectId: 'aad-chan' },
      conversation: channel,
      entities: [{ type: 'mention', text: '<at>Cluster Bot</at>', mentioned: { id: '28:bot', name: 'Cluster Bot' } }],
    });
    await post(activity);
    const [reply] = connector.sent(channel.id);
    expect(reply.activityId).toBe(activity.id);
    expect(cardText(reply.body)).toContain('You are Channel Person');
    const identity = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'TEAMS', externalId: 'tenant-1:aad-chan' } } });
    // Only met in a channel: what is stored is how to open a personal chat, not the channel.
    expect(identity.conversationRef).toMatchObject({ kind: 'open-personal', user: { id: '29:chan-user' } });
  });
});

describe('when a card form is submitted with invalid values', () => {
  it('updates the card in place with the validation message next to the field, keeping what was typed', async () => {
    connector.clear();
    const from = { id: '29:former', name: 'Form Filler', aadObjectId: 'aad-form' };
    const conversation = { id: 'a:former' };
    await post(teamsActivity(connector.url, { text: 'lc link', from, conversation }));
    const codeCard = connector.sent('a:former')[0];
    expect(cardText(codeCard.body)).toMatch(/Your link code is \*\*[A-Z2-9]{4}-[A-Z2-9]{4}\*\*/);
    const button = JSON.stringify(codeCard.body).match(/"data":\{"lcAction":"link:enter","lcValue":""\}/);
    expect(button).not.toBeNull();

    // Pressing the button: Teams posts a message whose value is the button's data.
    await post(teamsActivity(connector.url, { from, conversation, value: { lcAction: 'link:enter', lcValue: '' }, replyToId: 'act-1' }));
    const formCard = connector.sent('a:former')[1];
    expect(cardText(formCard.body)).toContain('Enter your link code');
    expect(JSON.stringify(formCard.body)).toContain('"lcForm":"link:code"');

    await post(teamsActivity(connector.url, { from, conversation, value: { lcForm: 'link:code', code: 'abc' }, replyToId: 'act-2' }));
    const [update] = connector.updates();
    expect(update.activityId).toBe('act-2');
    expect(cardText(update.body)).toContain('A link code has 8 letters and digits');
    expect(JSON.stringify(update.body)).toContain('"value":"abc"');

    await post(teamsActivity(connector.url, { from, conversation, value: { lcForm: 'link:code', code: 'ABCD-2345' }, replyToId: 'act-2' }));
    expect(cardText(connector.updates()[1].body)).toContain('This code is not valid or has expired');
    // Refused codes change nobody.
    expect(await runtime.db.platformIdentity.count({ where: { platform: 'TEAMS', externalId: 'tenant-1:aad-form' } })).toBe(1);
  });

  it('opens a long form in a dialog and shows its validation messages there', async () => {
    const form = {
      formId: 'link:code',
      title: 'Enter your link code',
      submitLabel: 'Link',
      fields: [{ name: 'code', label: 'Link code', kind: 'text', required: true }],
    };
    const from = { id: '29:dialog', name: 'Dialog User', aadObjectId: 'aad-dialog' };
    const fetched = await post(teamsActivity(connector.url, { type: 'invoke', name: 'task/fetch', from, value: { data: { msteams: { type: 'task/fetch' }, lcDialog: form } } }));
    const task = JSON.parse(fetched.body).task;
    expect(task.type).toBe('continue');
    expect(task.value.card.content.body.some((e: any) => e.type === 'Input.Text' && e.id === 'code')).toBe(true);

    const submitted = await post(teamsActivity(connector.url, { type: 'invoke', name: 'task/submit', from, value: { data: { lcForm: 'link:code', code: '!!' } } }));
    const again = JSON.parse(submitted.body).task;
    expect(again.type).toBe('continue');
    expect(cardText(again.value.card.content)).toContain('A link code has 8 letters and digits');
  });
});

describe('when the app is installed (conversationUpdate with the bot added)', () => {
  it('says welcome and stores the conversation reference of the person who installed it', async () => {
    connector.clear();
    await post(
      teamsActivity(connector.url, {
        type: 'conversationUpdate',
        text: undefined,
        from: { id: '29:installer', name: 'Ina Installer', aadObjectId: 'aad-installer' },
        conversation: { id: 'a:installer' },
        membersAdded: [{ id: '28:bot', name: 'Cluster Bot' }],
      }),
    );
    const [welcome] = connector.sent('a:installer');
    expect(cardText(welcome.body)).toContain('Hello! I am Cluster Bot');
    const identity = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'TEAMS', externalId: 'tenant-1:aad-installer' } } });
    expect(identity.conversationRef).toMatchObject({ kind: 'conversation', reference: { conversation: { id: 'a:installer' } } });
  });

  it('does not greet again when someone else joins the team', async () => {
    connector.clear();
    await post(teamsActivity(connector.url, { type: 'conversationUpdate', conversation: { id: 'a:installer' }, membersAdded: [{ id: '29:someone' }] }));
    expect(connector.sent()).toHaveLength(0);
  });
});

describe('when a card button is pressed through a Universal Action (adaptiveCard/action invoke)', () => {
  it('runs the action and answers the invoke so Teams shows no error', async () => {
    connector.clear();
    const from = { id: '29:universal', name: 'Uni Versal', aadObjectId: 'aad-universal' };
    const res = await post(teamsActivity(connector.url, { type: 'invoke', name: 'adaptiveCard/action', from, conversation: { id: 'a:universal' }, value: { action: { type: 'Action.Execute', data: { lcAction: 'cmd', lcValue: 'me' } } } }));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ statusCode: 200 });
    expect(cardText(connector.sent('a:universal')[0].body)).toContain('You are Uni Versal');
  });
});

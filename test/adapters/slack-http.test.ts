import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineFlow } from '../../src/core/flow.js';
import { checkForm, fieldSchemas, refill } from '../../src/core/forms.js';
import { ui, type Form } from '../../src/core/messages.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import type { Runtime } from '../../src/server/runtime.js';
import { FakeSlack } from '../support/fake-slack.js';
import { testRuntime } from '../support/harness.js';
import { slackClient, slashCommandFields } from '../support/slack-requests.js';

const SECRET = 'test-signing-secret-0123456789abcdef';

/** A two-step form, only for driving the adapter's modal handling (no real flow has forms yet). */
const detailsForm: Form = {
  formId: 'contact:details',
  title: 'Your contact details for the cluster',
  submitLabel: 'Next',
  fields: [
    { name: 'name', label: 'Name', kind: 'text', required: true, maxLength: 20 },
    { name: 'day', label: 'Preferred day', kind: 'date', required: true },
  ],
};
const detailsSchema = z.object({ name: fieldSchemas.text(20), day: fieldSchemas.date() });
const contactFlow = defineFlow({
  name: 'contact',
  version: 1,
  schema: z.object({ name: z.string().optional() }),
  commands: [{ verb: 'contact', summaryKey: 'contact', audience: 'anyone' }],
  async start() {
    return { replies: [ui.message('Contact details', [ui.form(detailsForm)], { ephemeral: true })], next: { step: 'details', data: {} } };
  },
  async handle(ctx, event, position) {
    if (event.type === 'form' && event.formId === 'contact:details') {
      const check = checkForm(detailsSchema, event.values, ctx.t);
      if (!check.ok) return { replies: [ui.message('Please fix the form', [ui.form(refill(detailsForm, event.values, check.errors))])] };
      const confirm: Form = { formId: 'contact:confirm', title: 'Confirm', submitLabel: 'Save', fields: [{ name: 'sure', label: `Save ${check.data.name}?`, kind: 'checkbox' }] };
      return { replies: [ui.message('Confirm', [ui.form(confirm)])], next: { step: 'confirm', data: { name: check.data.name } } };
    }
    if (event.type === 'form' && event.formId === 'contact:confirm') {
      return { replies: [ui.text(`Saved the details of ${(position?.data as { name?: string } | undefined)?.name ?? '?'}.`, { ephemeral: true })], next: null };
    }
    return { replies: [] };
  },
});

/** A reply of 120 blocks: more than one Slack message holds. */
const longFlow = defineFlow({
  name: 'long',
  version: 1,
  schema: z.object({}),
  commands: [{ verb: 'long', summaryKey: 'long', audience: 'anyone' }],
  async start() {
    return { replies: [ui.message('Long', Array.from({ length: 120 }, (_, i) => ui.paragraph(`Line ${i + 1}`)), { ephemeral: true })] };
  },
});

/** A form with more fields than one modal holds (Slack: 100 blocks per view). */
const surveyForm: Form = {
  formId: 'intake:all',
  title: 'Self-assessment',
  submitLabel: 'Send',
  fields: Array.from({ length: 120 }, (_, i) => ({ name: `q${i}`, label: `Question ${i + 1}`, kind: 'text' as const, required: i === 0 })),
};
const surveyFlow = defineFlow({
  name: 'intake',
  version: 1,
  schema: z.object({}),
  commands: [{ verb: 'intake', summaryKey: 'intake', audience: 'anyone' }],
  async start() {
    return { replies: [ui.message('Survey', [ui.form(surveyForm)])], next: { step: 'answering', data: {} } };
  },
  async handle(_ctx, event) {
    if (event.type !== 'form') return { replies: [] };
    const answered = Object.values(event.values).filter((v) => v !== '').length;
    return { replies: [ui.text(`Received ${answered} answers; the last says ${event.values.q119}.`, { ephemeral: true })], next: null };
  },
});

let runtime: Runtime;
let fake: FakeSlack;
let slack: ReturnType<typeof slackClient>;

beforeAll(async () => {
  fake = await new FakeSlack().start();
  runtime = await testRuntime({
    env: { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: fake.apiUrl },
    extraFlows: [contactFlow, longFlow, surveyFlow],
  });
  await seedDemo(runtime.db, new Date());
  const port = await runtime.listen(0);
  slack = slackClient(`http://127.0.0.1:${port}/slack/events`, SECRET);
});
afterAll(async () => {
  await runtime?.slack?.settled();
  await fake?.stop();
});

function command(user: string, text: string, extra: Record<string, string> = {}) {
  return slashCommandFields(fake.responseUrl(), user, text, extra);
}

function submission(user: string, privateMetadata: string, values: Record<string, Record<string, unknown>>) {
  return {
    type: 'view_submission',
    team: { id: 'T1', domain: 'clusters' },
    user: { id: user, team_id: 'T1', username: user.toLowerCase(), name: user.toLowerCase() },
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: 'trigger-submit',
    view: { id: 'V1', type: 'modal', callback_id: 'lc-form', private_metadata: privateMetadata, state: { values }, hash: 'h' },
    response_urls: [],
  };
}

const textOfCall = (params: Record<string, any>) => JSON.stringify(params.blocks ?? []) + (params.text ?? '');

/**
 * The messages a slash command got back. The bot acks first with an empty 200 and answers through
 * the command's response_url, however quick the flow is.
 */
async function repliesTo(request: { response_url: string }, response: { status: number; body: string }): Promise<Record<string, any>[]> {
  expect(response.status).toBe(200);
  expect(response.body).toBe('');
  await runtime.slack!.settled();
  return fake.callsOf('response_url').filter((c) => c.params.url === request.response_url).map((c) => c.params);
}

describe('when a person the bot has never seen types /lc help', () => {
  it('answers 200 with the help and creates the person from users.info', async () => {
    fake.addUser({ id: 'UNEW', real_name: 'Vesna Babić', tz: 'Europe/Sarajevo', locale: 'bs-BA' });
    const request = command('UNEW', 'help');
    const [reply, ...more] = await repliesTo(request, await slack.command(request));
    expect(more).toEqual([]);
    expect(reply.response_type).toBe('ephemeral');
    expect(textOfCall(reply)).toContain('/lc me');
    expect(textOfCall(reply)).toContain('Zdravo, Vesna Babić');

    const identity = await runtime.db.platformIdentity.findUnique({ where: { platform_externalId: { platform: 'SLACK', externalId: 'T1:UNEW' } }, include: { person: true } });
    expect(identity?.person).toMatchObject({ displayName: 'Vesna Babić', timeZone: 'Europe/Sarajevo', locale: 'bs' });
    expect(fake.callsOf('users.info').filter((c) => c.params.user === 'UNEW')).toHaveLength(1);
  });

  it('does not ask users.info again once the person is known', async () => {
    const request = command('UNEW', 'me');
    const replies = await repliesTo(request, await slack.command(request));
    expect(textOfCall(replies[0])).toContain('Vi ste Vesna Babić');
    expect(fake.callsOf('users.info').filter((c) => c.params.user === 'UNEW')).toHaveLength(1);
  });

  it('sends a reply longer than one Slack message as several, in order', async () => {
    const request = command('UNEW', 'long');
    const replies = await repliesTo(request, await slack.command(request));
    expect(replies.map((r) => r.blocks.length)).toEqual([50, 50, 20]);
    expect(JSON.stringify(replies[2].blocks)).toContain('Line 120');
  });
});

describe('when another slash command is pointed at the bot', () => {
  it('acks at once with a sentence naming /lc, and runs nothing', async () => {
    const request = command('UNEW', 'help', { command: '/weather' });
    const response = await slack.command(request);
    expect(response.status).toBe(200);
    expect(response.json()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('/lc help') });
    await runtime.slack!.settled();
    expect(fake.callsOf('response_url').filter((c) => c.params.url === request.response_url)).toEqual([]);
  });
});

describe('when a person uses /lc in their DM with the bot', () => {
  it('keeps the DM channel on their identity, and a later notification goes there without conversations.open', async () => {
    fake.addUser({ id: 'UDMKEPT', real_name: 'Arbën Hoxha' });
    const inChannel = command('UDMKEPT', 'help');
    await repliesTo(inChannel, await slack.command(inChannel));
    const identity = () => runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'SLACK', externalId: 'T1:UDMKEPT' } } });
    // Met in a channel: nothing to keep (a channel is no way to reach one person).
    expect((await identity()).conversationRef).toBeNull();

    const inDm = command('UDMKEPT', 'me', { channel_id: 'DKEPT1', channel_name: 'directmessage' });
    await repliesTo(inDm, await slack.command(inDm));
    expect((await identity()).conversationRef).toEqual({ channel: 'DKEPT1' });

    const opened = fake.callsOf('conversations.open').length;
    const result = await runtime.notifier.notify((await identity()).personId, ui.text('Your plan is due on Friday.'));
    expect(result.delivered).toBe(true);
    const post = await fake.waitFor('chat.postMessage', (p) => textOfCall(p).includes('Your plan is due on Friday.'));
    expect(post.params.channel).toBe('DKEPT1');
    expect(fake.callsOf('conversations.open')).toHaveLength(opened);
  });
});

describe('when a person presses a button (block_actions)', () => {
  it('runs the button of the rendered help message and answers through its response_url', async () => {
    fake.addUser({ id: 'UBTN', real_name: 'Tarik Mujić' });
    const request = command('UBTN', '');
    const [help] = await repliesTo(request, await slack.command(request));
    const button = help.blocks.flatMap((b: any) => (b.type === 'actions' ? b.elements : [])).find((e: any) => e.value === 'me');
    expect(button.action_id).toMatch(/^cmd#\d+$/);

    const responseUrl = fake.responseUrl();
    const pressed = await slack.interaction({
      type: 'block_actions',
      team: { id: 'T1', domain: 'clusters' },
      user: { id: 'UBTN', team_id: 'T1', username: 'ubtn', name: 'ubtn' },
      api_app_id: 'A1',
      token: 'legacy',
      trigger_id: 'trigger-btn',
      response_url: responseUrl,
      channel: { id: 'C100', name: 'lc1-general' },
      container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C100', is_ephemeral: true },
      actions: [{ type: 'button', action_id: button.action_id, block_id: 'b1', value: button.value, text: button.text, action_ts: '1700000001.000200' }],
    });
    expect(pressed.status).toBe(200);
    const me = await fake.waitFor('response_url', (p) => p.url === responseUrl);
    expect(textOfCall(me.params)).toContain('You are Tarik Mujić');
  });
});

describe('when the response_url has expired', () => {
  it('answers the button press in the person\'s DM instead', async () => {
    fake.addUser({ id: 'UEXPIRED', real_name: 'Sokol Duka' });
    const expired = fake.responseUrl('expired-1');
    await slack.interaction({
      type: 'block_actions',
      team: { id: 'T1' },
      user: { id: 'UEXPIRED', team_id: 'T1' },
      api_app_id: 'A1',
      token: 'legacy',
      trigger_id: 'trigger-expired-url',
      response_url: expired,
      channel: { id: 'C100' },
      container: { type: 'message', channel_id: 'C100' },
      actions: [{ type: 'button', action_id: 'cmd#0', block_id: 'b1', value: 'me', action_ts: '1' }],
    });
    const dm = await fake.waitFor('chat.postMessage', (p) => p.channel === 'DEXPIRED');
    expect(textOfCall(dm.params)).toContain('You are Sokol Duka');
    expect(fake.callsOf('response_url:expired')).toHaveLength(1);
  });
});

describe('when a command answers with a form', () => {
  it('opens a modal with the trigger_id and walks a two-step form to the end', async () => {
    fake.addUser({ id: 'UFORM', real_name: 'Sara Dimitrievska' });
    const request = command('UFORM', 'contact');
    // The modal is the whole answer: the command's own reply stays empty.
    expect(await repliesTo(request, await slack.command(request))).toEqual([]);
    const opened = await fake.waitFor('views.open', (p) => p.trigger_id === request.trigger_id);
    const view = opened.params.view;
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(view.blocks.map((b: any) => b.block_id)).toEqual(['name', 'day']);

    const step1 = await slack.interaction(
      submission('UFORM', view.private_metadata, {
        name: { name: { type: 'plain_text_input', value: 'Sara' } },
        day: { day: { type: 'datepicker', selected_date: '2026-12-01' } },
      }),
    );
    expect(step1.status).toBe(200);
    const update = step1.json();
    expect(update.response_action).toBe('update');
    expect(update.view.title.text).toBe('Confirm');
    expect(update.view.blocks[0].element.type).toBe('checkboxes');

    const step2 = await slack.interaction(submission('UFORM', update.view.private_metadata, { sure: { sure: { type: 'checkboxes', selected_options: [{ value: 'true' }] } } }));
    expect(step2.status).toBe(200);
    expect(step2.body).toBe('');
    const saved = await fake.waitFor('response_url', (p) => p.url === request.response_url && textOfCall(p).includes('Saved the details'));
    expect(textOfCall(saved.params)).toContain('Saved the details of Sara.');
  });

  it('returns invalid values as field errors in the modal, keeping what was typed', async () => {
    fake.addUser({ id: 'UBAD', real_name: 'Kire Mitrevski' });
    const request = command('UBAD', 'contact');
    await slack.command(request);
    const opened = await fake.waitFor('views.open', (p) => p.trigger_id === request.trigger_id);
    const response = await slack.interaction(
      submission('UBAD', opened.params.view.private_metadata, {
        name: { name: { type: 'plain_text_input', value: 'A name that is far too long for the field' } },
        day: { day: { type: 'datepicker', selected_date: null } },
      }),
    );
    expect(response.status).toBe(200);
    const body = response.json();
    expect(body.response_action).toBe('errors');
    expect(body.errors.name).toContain('At most 20 characters');
    expect(body.errors.day).toContain('This field is required');
    // Nothing was saved for the person: the flow still waits for the details.
    const person = await runtime.db.platformIdentity.findUnique({ where: { platform_externalId: { platform: 'SLACK', externalId: 'T1:UBAD' } } });
    const state = await runtime.db.flowState.findUnique({ where: { personId_flow: { personId: person!.personId, flow: 'contact' } } });
    expect(state?.step).toBe('details');
  });

  it('offers an "Open the form" button when the trigger has expired, which opens the modal when pressed', async () => {
    fake.addUser({ id: 'ULATE', real_name: 'Ivana Perić' });
    const request = command('ULATE', 'contact', { trigger_id: 'expired-trigger' });
    const [offered] = await repliesTo(request, await slack.command(request));
    const button = offered.blocks.flatMap((b: any) => (b.type === 'actions' ? b.elements : [])).find((e: any) => e.text.text === 'Open the form');
    expect(button).toBeDefined();

    await slack.interaction({
      type: 'block_actions',
      team: { id: 'T1' },
      user: { id: 'ULATE', team_id: 'T1' },
      api_app_id: 'A1',
      token: 'legacy',
      trigger_id: 'trigger-fresh',
      response_url: fake.responseUrl(),
      channel: { id: 'C100' },
      container: { type: 'message', channel_id: 'C100' },
      actions: [{ type: 'button', action_id: button.action_id, block_id: 'b1', value: button.value, action_ts: '1' }],
    });
    const opened = await fake.waitFor('views.open', (p) => p.trigger_id === 'trigger-fresh');
    expect(opened.params.view.blocks.map((b: any) => b.block_id)).toEqual(['name', 'day']);
  });
});

describe('when a form is longer than one modal', () => {
  it('pages it and hands the flow every answer of every page at the end', async () => {
    fake.addUser({ id: 'USURVEY', real_name: 'Nermina Hadžić' });
    const request = command('USURVEY', 'intake');
    await slack.command(request);
    const opened = await fake.waitFor('views.open', (p) => p.trigger_id === request.trigger_id);
    const page1 = opened.params.view;
    const inputs1 = page1.blocks.filter((b: any) => b.type === 'input');
    expect(JSON.stringify(page1.blocks)).toContain('Part 1 of 2');
    const values1 = Object.fromEntries(inputs1.map((b: any) => [b.block_id, { [b.block_id]: { type: 'plain_text_input', value: `answer ${b.block_id}` } }]));

    const next = (await slack.interaction(submission('USURVEY', page1.private_metadata, values1))).json();
    expect(next.response_action).toBe('update');
    const inputs2 = next.view.blocks.filter((b: any) => b.type === 'input');
    expect(inputs1.length + inputs2.length).toBe(120);
    const values2 = Object.fromEntries(inputs2.map((b: any) => [b.block_id, { [b.block_id]: { type: 'plain_text_input', value: `answer ${b.block_id}` } }]));

    const done = await slack.interaction(submission('USURVEY', next.view.private_metadata, values2));
    expect(done.body).toBe('');
    const result = await fake.waitFor('response_url', (p) => p.url === request.response_url && textOfCall(p).includes('Received'));
    expect(textOfCall(result.params)).toContain('Received 120 answers; the last says answer q119.');
  });
});

describe('when a person opens the App Home tab', () => {
  it('publishes their clusters, next dates and pending tasks', async () => {
    const web = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'WEB', externalId: 'web:lc1-m1' } } });
    await runtime.db.platformIdentity.create({ data: { personId: web.personId, platform: 'SLACK', externalId: 'T1:UHOME' } });
    const lc1 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
    await runtime.db.actionPlan.create({ data: { clusterId: lc1.id, authorId: web.personId, approach: 'Day-care Centers' } });

    const response = await slack.event({
      token: 'legacy',
      team_id: 'T1',
      api_app_id: 'A1',
      type: 'event_callback',
      event_id: 'EvHOME1',
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_home_opened', user: 'UHOME', channel: 'DHOME', tab: 'home', event_ts: '1700000000.000100' },
    });
    expect(response.status).toBe(200);
    const published = await fake.waitFor('views.publish', (p) => p.user_id === 'UHOME');
    const text = JSON.stringify(published.params.view.blocks);
    expect(published.params.view.type).toBe('home');
    expect(text).toContain('LC1: ');
    expect(text).toMatch(/Finish your action plan for LC1: \d+ parts are missing, due /);
    // Each task with the button that does it: here, opening the plan.
    expect(text).toContain('"value":"plan LC1"');
    expect(text).toMatch(/Exchange event \d/);
  });
});

describe('when a person presses a button on their App Home tab', () => {
  it('answers in their DM and refreshes the Home tab', async () => {
    const before = fake.callsOf('views.publish').filter((c) => c.params.user_id === 'UHOME').length;
    const published = await fake.waitFor('views.publish', (p) => p.user_id === 'UHOME');
    const button = published.params.view.blocks.flatMap((b: any) => (b.type === 'actions' ? b.elements : [])).find((e: any) => e.value === 'me');
    await slack.interaction({
      type: 'block_actions',
      team: { id: 'T1' },
      user: { id: 'UHOME', team_id: 'T1' },
      api_app_id: 'A1',
      token: 'legacy',
      trigger_id: 'trigger-home',
      container: { type: 'view', view_id: 'V1' },
      view: { id: 'V1', type: 'home' },
      actions: [{ type: 'button', action_id: button.action_id, block_id: 'b1', value: 'me', action_ts: '1' }],
    });
    await runtime.slack!.settled();
    const dm = fake.callsOf('chat.postMessage').filter((c) => c.params.channel === 'DHOME');
    expect(dm).toHaveLength(1);
    expect(textOfCall(dm[0].params)).toContain('LC1: Day-care Centers');
    expect(fake.callsOf('views.publish').filter((c) => c.params.user_id === 'UHOME')).toHaveLength(before + 1);
  });
});

describe('when a person writes to the bot in its DM', () => {
  it('answers inside the thread the message was written in', async () => {
    fake.addUser({ id: 'UTHREAD', real_name: 'Klea Muça' });
    await slack.event({
      team_id: 'T1',
      api_app_id: 'A1',
      type: 'event_callback',
      event_id: 'EvTHREAD1',
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'message', channel: 'DTHREAD', channel_type: 'im', user: 'UTHREAD', text: 'lc help', ts: '1700000300.000200', thread_ts: '1700000299.000100', team: 'T1' },
    });
    const reply = await fake.waitFor('chat.postMessage', (p) => p.channel === 'DTHREAD');
    expect(reply.params.thread_ts).toBe('1700000299.000100');
  });

  it('ignores its own messages and edits', async () => {
    await slack.event({
      team_id: 'T1',
      api_app_id: 'A1',
      type: 'event_callback',
      event_id: 'EvBOT1',
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'message', subtype: 'bot_message', bot_id: 'BBOT', channel: 'DSELF', channel_type: 'im', text: 'lc help', ts: '1700000400.000100' },
    });
    await runtime.slack!.settled();
    expect(fake.callsOf('chat.postMessage').filter((c) => c.params.channel === 'DSELF')).toHaveLength(0);
  });

  it('answers "lc me" in the same DM', async () => {
    fake.addUser({ id: 'UDM', real_name: 'Olsi Leka' });
    await slack.event({
      team_id: 'T1',
      api_app_id: 'A1',
      type: 'event_callback',
      event_id: 'EvDM1',
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'message', channel: 'DDM', channel_type: 'im', user: 'UDM', text: 'lc me', ts: '1700000100.000100', team: 'T1' },
    });
    const reply = await fake.waitFor('chat.postMessage', (p) => p.channel === 'DDM');
    expect(textOfCall(reply.params)).toContain('You are Olsi Leka');
  });
});

describe('when a person mentions the bot in a channel', () => {
  it('answers in a thread under the mention, privately when the reply is ephemeral', async () => {
    fake.addUser({ id: 'UMENTION', real_name: 'Teuta Marku' });
    await slack.event({
      team_id: 'T1',
      api_app_id: 'A1',
      type: 'event_callback',
      event_id: 'EvMENTION1',
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_mention', channel: 'C200', user: 'UMENTION', text: '<@UBOT> lc help', ts: '1700000500.000100', team: 'T1' },
    });
    const reply = await fake.waitFor('chat.postEphemeral', (p) => p.channel === 'C200');
    expect(reply.params.user).toBe('UMENTION');
    expect(reply.params.thread_ts).toBe('1700000500.000100');
    expect(textOfCall(reply.params)).toContain('Hello Teuta Marku');
  });
});

describe('when a request is not from Slack', () => {
  it('refuses a wrong signature with 401 and does nothing', async () => {
    const request = command('UFORGED', 'help');
    const response = await slack.command(request, { secret: 'not-the-secret' });
    expect(response.status).toBe(401);
    expect(await runtime.db.platformIdentity.count({ where: { externalId: 'T1:UFORGED' } })).toBe(0);
  });

  it('refuses a request signed 6 minutes ago with 401', async () => {
    const response = await slack.command(command('UOLD', 'help'), { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(response.status).toBe(401);
  });

  it('refuses a request signed 6 minutes in the future with 401', async () => {
    const response = await slack.command(command('UFUTURE', 'help'), { timestamp: Math.floor(Date.now() / 1000) + 6 * 60 });
    expect(response.status).toBe(401);
    await runtime.slack!.settled();
    expect(await runtime.db.platformIdentity.count({ where: { externalId: 'T1:UFUTURE' } })).toBe(0);
  });

  it('answers Slack\'s url_verification challenge', async () => {
    const response = await slack.event({ type: 'url_verification', token: 'legacy', challenge: 'abc123' });
    expect(response.json()).toEqual({ challenge: 'abc123' });
  });
});

describe('when Slack delivers the same event three times (X-Slack-Retry-Num)', () => {
  it('has exactly one effect', async () => {
    fake.addUser({ id: 'URETRY', real_name: 'Luan Kola' });
    const body = {
      team_id: 'T1',
      api_app_id: 'A1',
      type: 'event_callback',
      event_id: 'EvRETRY1',
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'message', channel: 'DRETRY', channel_type: 'im', user: 'URETRY', text: 'lc help', ts: '1700000200.000100', team: 'T1' },
    };
    const first = await slack.event(body);
    const second = await slack.event(body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    const third = await slack.event(body, { headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' } });
    expect([first.status, second.status, third.status]).toEqual([200, 200, 200]);
    await runtime.slack!.settled();
    expect(fake.callsOf('chat.postMessage').filter((c) => c.params.channel === 'DRETRY')).toHaveLength(1);
    expect(fake.callsOf('users.info').filter((c) => c.params.user === 'URETRY')).toHaveLength(1);
  });
});

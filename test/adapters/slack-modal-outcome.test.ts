import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineFlow } from '../../src/core/flow.js';
import { ui, type Form } from '../../src/core/messages.js';
import type { Runtime } from '../../src/server/runtime.js';
import { viewProblems } from '../support/block-kit-limits.js';
import type { FakeSlack } from '../support/fake-slack.js';
import { testSlackRuntime } from '../support/harness.js';
import { slackClient } from '../support/slack-requests.js';

/**
 * Issue 16, item 1 for Slack modals: a modal never keeps a stale form or spent buttons. Submitted
 * again, it shows "already done" with the state now (`response_action: update`); a button pressed
 * inside a modal puts its outcome in the modal's place (`views.update` with the modal's hash); a form
 * such a button asks for is pushed on top (`views.push`) and its outcome takes the modal's place when
 * it closes. Driven through the real Slack adapter over HTTP against the fake Slack Web API, which
 * holds every view to Slack's limits.
 */

const SECRET = 'test-signing-secret-0123456789abcdef';
/** What is in each person's box: the one effect the form and buttons have. */
const boxes = new Map<string, number>();

const addForm: Form = { formId: 'box:add', title: 'Add a thing', submitLabel: 'Add', fields: [{ name: 'thing', label: 'Thing', kind: 'text' }] };
const labelForm: Form = { formId: 'box:label', title: 'Label', submitLabel: 'Save', fields: [{ name: 'label', label: 'Label', kind: 'text' }] };
/** Every answer names the box's view: a repeat shows the box as it is then (Bot.replay). */
const current = { actionId: 'box:view', value: '' };

const boxFlow = defineFlow({
  name: 'box',
  version: 1,
  schema: z.object({}),
  commands: [{ verb: 'box-add', summaryKey: 'box', audience: 'anyone' }],
  async start() {
    return { replies: [ui.message('Add a thing', [ui.form(addForm)])] };
  },
  async handle(ctx, event) {
    const id = ctx.person.id;
    if (event.type === 'form' && event.formId === 'box:add') {
      boxes.set(id, (boxes.get(id) ?? 0) + 1);
      return { replies: [ui.text(`Added ${event.values.thing}: the box holds ${boxes.get(id)}`, { current })] };
    }
    if (event.type === 'form' && event.formId === 'box:label') return { replies: [ui.text(`Labelled: ${event.values.label}`, { current })] };
    if (event.type === 'action' && event.actionId === 'box:view') {
      return { replies: [ui.message('The box', [ui.heading('The box'), ui.paragraph(`The box holds ${boxes.get(id) ?? 0}`), ui.actions(ui.button('Empty the box', 'box:empty', 'x', 'primary'), ui.openButton('Label it', 'box:relabel'))])] };
    }
    if (event.type === 'action' && event.actionId === 'box:empty') {
      boxes.set(id, 0);
      return { replies: [ui.text('Emptied the box.', { current })] };
    }
    if (event.type === 'action' && event.actionId === 'box:relabel') return { replies: [ui.message('Label', [ui.form(labelForm)])] };
    return { replies: [] };
  },
});

let runtime: Runtime;
let fake: FakeSlack;
let slack: ReturnType<typeof slackClient>;

beforeAll(async () => {
  ({ runtime, fake, slack } = await testSlackRuntime(SECRET, { extraFlows: [boxFlow] }));
  fake.addUser({ id: 'UBOX', real_name: 'Bora Box' });
});

const textOfView = (view: any) => JSON.stringify(view?.blocks ?? []);
const buttonsOfView = (view: any) => (view?.blocks ?? []).flatMap((b: any) => (b.type === 'actions' ? b.elements : []));
const user = { id: 'UBOX', team_id: 'T1' };

function submit(metadata: string, values: Record<string, string>) {
  const state = { values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { [k]: { type: 'plain_text_input', value: v } }])) };
  return slack.interaction({ type: 'view_submission', team: { id: 'T1' }, user, api_app_id: 'A1', token: 'legacy', trigger_id: 'trigger-submit', view: { id: 'V1', type: 'modal', callback_id: 'lc-form', title: { type: 'plain_text', text: 'Add a thing' }, private_metadata: metadata, state, hash: 'h1' } });
}

/** A button pressed inside a modal, as Slack sends it: the view, no channel, no response_url. */
function pressInModal(button: any, view: { id: string; hash: string }) {
  return slack.interaction({
    type: 'block_actions',
    team: { id: 'T1' },
    user,
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    container: { type: 'view', view_id: view.id },
    view: { id: view.id, hash: view.hash, type: 'modal', title: { type: 'plain_text', text: 'Add a thing' } },
    actions: [{ type: 'button', action_id: button.action_id, block_id: 'b1', value: button.value, text: button.text, action_ts: '1700000001.000200' }],
  });
}

describe('when a Slack modal is submitted twice', () => {
  it('acts once, and the second submission shows "already done" and the state now in the modal instead of closing', async () => {
    await slack.command({ team_id: 'T1', channel_id: 'DUBOX', user_id: 'UBOX', text: 'box-add', response_url: fake.responseUrl(), trigger_id: 'trigger-box' });
    const opened = await fake.waitFor('views.open', (p) => p.view?.title?.text === 'Add a thing');
    const metadata = opened.params.view.private_metadata;

    const first = await submit(metadata, { thing: 'apple' });
    expect(first.status).toBe(200);
    expect(first.body).toBe('');
    await runtime.slack!.settled();
    const personId = (await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: 'T1:UBOX' } })).personId;
    expect(boxes.get(personId)).toBe(1);

    const second = await submit(metadata, { thing: 'pear' });
    const answer = second.json();
    expect(answer.response_action).toBe('update');
    expect(viewProblems(answer.view)).toEqual([]);
    expect(answer.view.title.text).toBe('Add a thing');
    expect(answer.view.submit).toBeUndefined();
    expect(textOfView(answer.view)).toContain('Already done at');
    expect(textOfView(answer.view)).toContain('The box holds 1');
    expect(buttonsOfView(answer.view).map((b: any) => b.text.text)).toEqual(['Empty the box', 'Label it']);
    await runtime.slack!.settled();
    expect(boxes.get(personId)).toBe(1);
    // Shown in the modal, the repeat is not posted in the conversation as well.
    expect(fake.calls.filter((c) => c.method !== 'views.open' && JSON.stringify(c.params).includes('Already done'))).toEqual([]);
  });
});

describe('when a button inside a Slack modal changes something', () => {
  /** A fresh "Add a thing" modal, submitted twice: the second answer's view shows the box with its buttons. */
  async function repeatView() {
    const opens = fake.callsOf('views.open').length;
    await slack.command({ team_id: 'T1', channel_id: 'DUBOX', user_id: 'UBOX', text: 'box-add', response_url: fake.responseUrl(), trigger_id: `trigger-${Math.random()}` });
    await expect.poll(() => fake.callsOf('views.open').length).toBeGreaterThan(opens);
    const metadata = fake.callsOf('views.open').at(-1)!.params.view.private_metadata;
    await submit(metadata, { thing: 'plum' });
    await runtime.slack!.settled();
    const view = (await submit(metadata, { thing: 'plum' })).json().view;
    expect(textOfView(view)).toContain('Already done at');
    return view;
  }

  it('puts the outcome in the modal with views.update (the modal\'s hash kept), spent button gone; pressed again, "already done" and the state now', async () => {
    const view = await repeatView();
    const empty = buttonsOfView(view).find((b: any) => b.text.text === 'Empty the box');
    const before = fake.callsOf('views.update').length;
    expect((await pressInModal(empty, { id: 'V77', hash: 'h77' })).status).toBe(200);
    await runtime.slack!.settled();
    const [update] = fake.callsOf('views.update').slice(before);
    expect(update.params).toMatchObject({ view_id: 'V77', hash: 'h77' });
    expect(viewProblems(update.params.view)).toEqual([]);
    expect(textOfView(update.params.view)).toContain('Emptied the box.');
    expect(textOfView(update.params.view)).not.toContain('done by you');
    expect(buttonsOfView(update.params.view)).toEqual([]);
    const personId = (await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId: 'T1:UBOX' } })).personId;
    expect(boxes.get(personId)).toBe(0);
    // Nothing else was posted for it: the modal is where the person is.
    expect(fake.calls.some((c) => c.method.startsWith('chat.') && JSON.stringify(c.params).includes('Emptied'))).toBe(false);

    await pressInModal(empty, { id: 'V77', hash: 'h78' });
    await runtime.slack!.settled();
    const again = fake.callsOf('views.update').at(-1)!;
    expect(textOfView(again.params.view)).toContain('Already done at');
    expect(textOfView(again.params.view)).toContain('The box holds 0');
  });

  it('pushes the form a button asks for on top of the modal, and the form\'s outcome takes the modal\'s place', async () => {
    const view = await repeatView();
    const label = buttonsOfView(view).find((b: any) => b.text.text === 'Label it');
    await pressInModal(label, { id: 'V88', hash: 'h88' });
    const pushed = await fake.waitFor('views.push', (p) => p.view?.title?.text === 'Label');
    expect(fake.callsOf('views.open').some((c) => c.params.view?.title?.text === 'Label')).toBe(false);
    const before = fake.callsOf('views.update').length;
    const closed = await slack.interaction({ type: 'view_submission', team: { id: 'T1' }, user, api_app_id: 'A1', token: 'legacy', trigger_id: 'trigger-label', view: { id: 'V89', type: 'modal', callback_id: 'lc-form', title: { type: 'plain_text', text: 'Label' }, private_metadata: pushed.params.view.private_metadata, state: { values: { label: { label: { type: 'plain_text_input', value: 'red' } } } }, hash: 'h89' } });
    // The pushed form closes (Slack shows the modal under it again) ...
    expect(closed.body).toBe('');
    await runtime.slack!.settled();
    // ... and that modal shows the outcome.
    const update = fake.callsOf('views.update').slice(before).find((c) => c.params.view_id === 'V88')!;
    expect(update.params.hash).toBe('h88');
    expect(textOfView(update.params.view)).toContain('Labelled: red');
  });
});

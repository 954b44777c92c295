import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { DOCUMENT_HEADERS } from '../../../src/core/documents.js';
import { createLogger } from '../../../src/core/logger.js';
import { seedDemo } from '../../../src/domain/demo-seed.js';
import { deliverSlot } from '../../../src/scheduler/deliver.js';
import type { Runtime } from '../../../src/server/runtime.js';
import { FakeSlack } from '../../support/fake-slack.js';
import { testRuntime } from '../../support/harness.js';
import { clusterByCode } from '../../support/plans.js';
import { slackClient } from '../../support/slack-requests.js';
import { genericItem } from '../../support/timeline.js';
import { findButton, formOf, talkAs, textOf } from '../../support/transcript.js';

/**
 * Issue 19 item 2: what members get of an event's design outside `/lc event`. The reminder a week before
 * EE2, delivered by the real scheduler to a member on the fake Slack, carries the first day's agenda and a
 * button to the whole one; home shows the agenda's button; the organisers export the Annex 2 table (a
 * printable page served with the documents' CSP, every value escaped, and Markdown tables), members export
 * the agenda without the moderators' instructions, and a member cannot have the Annex 2 table.
 */
const SECRET = 'test-signing-secret-0123456789abcdef';
const today = new Date('2026-11-23T09:00:00Z');
const clock = new ManualClock(today);
const HOSTILE = 'Concepts <script>alert(1)</script> & | pipes | *stars*';
const MODERATOR = 'Groups of four | 20 minutes each';
const PREPARATION = 'Flipcharts <b>two</b> per group';
let runtime: Runtime;
let fake: FakeSlack;
let baseUrl: string;

const coordinator = () => talkAs(runtime.bot, 'web:lc1-coordinator');
const member = () => talkAs(runtime.bot, 'web:lc1-m1');

beforeAll(async () => {
  fake = await new FakeSlack().start();
  runtime = await testRuntime({ clock, env: { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: fake.apiUrl } });
  await seedDemo(runtime.db, today);
  baseUrl = `http://127.0.0.1:${await runtime.listen(0)}`;
  const add = async (values: Record<string, string>) => {
    const view = await coordinator().say('/lc event design LC1 EE2');
    await coordinator().submit(formOf(await coordinator().press(findButton(view, 'Add a session'))), values);
  };
  const goals = formOf(await coordinator().press(findButton(await coordinator().say('/lc event design LC1 EE2'), 'Goal and objectives')));
  await coordinator().submit(goals, { goal: 'Concepts presented & discussed', objectives: 'Present <every> concept\nAgree next steps', output: 'Output 2', indicator: '80% consolidate' });
  await add({ day: '1', startTime: '09:30', endTime: '11:00', name: HOSTILE, objective: 'Feedback on each concept', responsibleText: 'Resource person', moderatorNotes: MODERATOR, preparationNotes: PREPARATION });
  await add({ day: '1', startTime: '11:30', endTime: '12:30', name: 'Plenary', objective: 'Shared lessons' });
  await add({ day: '2', startTime: '09:00', name: 'Consolidation plan' });
});
afterAll(async () => {
  await runtime?.slack?.settled();
  await fake?.stop();
});

describe('when the reminder a week before EE2 is delivered to a member on Slack', () => {
  it('carries the first day\'s agenda and a button to the whole one, never the organisers\' notes', async () => {
    const slack = slackClient(`${baseUrl}/slack/events`, SECRET);
    const person = await runtime.db.person.findFirstOrThrow({ where: { identities: { some: { externalId: 'web:lc1-m1' } } } });
    await runtime.db.person.update({ where: { id: person.id }, data: { email: 'umember@example.org' } });
    fake.addUser({ id: 'UMEMBER', real_name: person.displayName, locale: 'en-US', email: 'umember@example.org' });
    await slack.command({ token: 'legacy', team_id: 'T1', team_domain: 'clusters', channel_id: 'D1', channel_name: 'directmessage', user_id: 'UMEMBER', user_name: 'umember', text: 'me', response_url: fake.responseUrl(), trigger_id: 'trigger-1', api_app_id: 'A1' });
    await runtime.slack!.settled();
    const lc1 = await clusterByCode(runtime.db, 'LC1');
    const ee2 = await genericItem(runtime.db, lc1.id, 'EE2');
    await runtime.scheduler.replan(lc1.id);
    const nudge = await runtime.db.plannedNudge.findFirstOrThrow({ where: { personId: person.id, kind: 'event-week-before', status: 'PLANNED', id: { endsWith: ee2.id } } });
    clock.set(nudge.dueAt);
    const from = fake.calls.length;
    const deadline = Date.now() + 30_000;
    let posted = '';
    for (;;) {
      const outcome = await deliverSlot({ db: runtime.db, clock, notifier: runtime.notifier, logger: createLogger('silent') }, { personId: person.id, dueAt: nudge.dueAt.getTime() }, { lateByMs: 0, finalAttempt: false }).catch((error: Error) => error.message);
      posted = fake.calls.slice(from).filter((c) => c.method === 'chat.postMessage').map((c) => JSON.stringify(c.params.blocks ?? [])).join('\n');
      if (outcome === 'sent' || posted.includes('Agenda of')) break;
      if (Date.now() > deadline) throw new Error(`the reminder was not delivered: ${outcome}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(posted).toContain('is in one week');
    expect(posted).toContain('Agenda of Exchange event 2, Day 1');
    expect(posted).toContain('09:30–11:00');
    expect(posted).toContain('Concepts &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(posted).toContain('The agenda has one more day.');
    expect(posted).not.toContain('Groups of four');
    expect(posted).not.toContain('Flipcharts');
    expect(posted).toContain(`event LC1 ${ee2.id}`);
    // The button opens the whole agenda.
    const agenda = await member().press({ actionId: 'cmd', value: `event LC1 ${ee2.id}` });
    expect(textOf(agenda)).toContain('Consolidation plan');
    clock.set(today);
  });
});

describe('when a member opens home', () => {
  it('offers the next event\'s agenda', async () => {
    const home = await member().say('/lc home');
    const button = findButton(home, 'Agenda of Exchange event 2');
    expect(textOf(await member().press(button))).toContain('Agenda: Exchange event 2 (LC1)');
  });
});

async function download(reply: Awaited<ReturnType<ReturnType<typeof member>['say']>>) {
  const url = /\((http[^)\s]+\/files\/[^)\s]+)\)/.exec(reply[0].blocks.map((b) => ('text' in b ? b.text : '')).join(' '))?.[1];
  if (!url) throw new Error(`no link in ${textOf(reply)}`);
  const response = await fetch(url.replace(/^https?:\/\/[^/]+/, baseUrl));
  return { response, body: await response.text() };
}

describe('when the coordinator exports the Annex 2 table', () => {
  // Download links expire by the server's real clock: the files are made now.
  beforeAll(() => clock.set(new Date()));

  it('serves a printable page with the documents\' CSP, every column, and every value escaped', async () => {
    const view = await coordinator().say('/lc event design LC1 EE2');
    const { response, body } = await download(await coordinator().press(findButton(view, 'Annex 2: printable page')));
    expect(response.headers.get('content-security-policy')).toBe(DOCUMENT_HEADERS['Content-Security-Policy']);
    expect(body).not.toMatch(/<script/i);
    expect(body).toContain('Concepts &lt;script&gt;alert(1)&lt;/script&gt; &amp; | pipes | *stars*');
    expect(body).toContain('Flipcharts &lt;b&gt;two&lt;/b&gt; per group');
    for (const column of ['Time', 'Name of the session (as in the agenda)', '(Learning) objective of the session', 'Content of the session and responsible', 'Instructions for the moderators', 'Preparation and logistics']) expect(body).toContain(`>${column}</th>`);
    expect(body).toContain('Overall goal of the event</td><td>Concepts presented &amp; discussed');
    expect(body).toMatch(/Design, Day 1 · \w{3} \d+ \w{3} 2026/);
  });

  it('writes Markdown with one table per day, pipes and markup escaped', async () => {
    const view = await coordinator().say('/lc event design LC1 EE2');
    const { body } = await download(await coordinator().press(findButton(view, 'Annex 2: Markdown')));
    expect(body).toContain('| Time | Name of the session (as in the agenda) | (Learning) objective of the session | Content of the session and responsible | Instructions for the moderators | Preparation and logistics |');
    expect(body).toContain('|---|---|---|---|---|---|');
    expect(body).toContain('| 09:30–11:00 | Concepts \\<script\\>alert(1)\\</script\\> & \\| pipes \\| \\*stars\\* | Feedback on each concept | Resource person | Groups of four \\| 20 minutes each | Flipcharts \\<b\\>two\\</b\\> per group |');
    expect(body.match(/^## /gm)).toHaveLength(2);
  });
});

describe('when a member exports the agenda', () => {
  it('gives the four agenda columns without the moderators\' instructions or preparation notes', async () => {
    const agenda = await member().say('/lc event LC1 EE2');
    const { body } = await download(await member().press(findButton(agenda, 'Agenda: Markdown')));
    expect(body).toContain('| Time | Name of the session (as in the agenda) | (Learning) objective of the session | Responsible |');
    expect(body).not.toContain('Groups of four');
    expect(body).not.toContain('Flipcharts');
    const page = await download(await member().press(findButton(agenda, 'Agenda: printable page')));
    expect(page.body).not.toContain('Groups of four');
    expect(page.body).toContain('Concepts &lt;script&gt;');
  });

  it('refuses the Annex 2 table to a member', async () => {
    const lc1 = await clusterByCode(runtime.db, 'LC1');
    const ee2 = await genericItem(runtime.db, lc1.id, 'EE2');
    const refused = await member().press({ actionId: 'event:export', value: `${lc1.id}|${ee2.id}|annex-html` });
    expect(textOf(refused)).not.toMatch(/files\//);
    expect(JSON.stringify(refused)).not.toContain('Groups of four');
  });
});

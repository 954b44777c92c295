import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/logger.js';
import { attachWorkspace } from '../../src/domain/programme-workspaces.js';
import { deliverSlot } from '../../src/scheduler/deliver.js';
import type { Runtime } from '../../src/server/runtime.js';
import { createCluster } from '../scheduler/fixtures.js';
import type { FakeSlack, SlackCall } from '../support/fake-slack.js';
import type { slackClient } from '../support/slack-requests.js';
import { installThroughOAuth, openInstallPage, testSlackOAuthRuntime } from '../support/slack-oauth.js';

/**
 * Issue 21, one deployment for many organisations, end to end over real HTTP against the fake Slack:
 * workspaces (and an Enterprise Grid org) install the bot through /slack/install, and every Web API
 * call the bot makes for one of them carries that installation's token (the Authorization header the
 * fake records), never another's: replies, App Home, modals, nudges, and questions routed to a
 * resource person and answered back.
 */
const SECRET = 'signing-secret-for-the-many-workspaces-tests';
let runtime: Runtime;
let fake: FakeSlack;
let slack: ReturnType<typeof slackClient>;
let url: string;

beforeAll(async () => {
  ({ runtime, fake, slack, url } = await testSlackOAuthRuntime(SECRET));
});

/** The calls to the fake Slack that `work` caused, once the bot's work after the ack has finished. */
async function during(work: () => Promise<unknown>): Promise<SlackCall[]> {
  const before = fake.calls.length;
  await work();
  await runtime.slack!.settled();
  return fake.calls.slice(before);
}

/** Every bot token the calls carried (response_url posts carry none). */
const tokensOf = (calls: SlackCall[]) => [...new Set(calls.map((c) => c.token).filter(Boolean))];
const textOf = (params: Record<string, any>) => `${params.text ?? ''} ${JSON.stringify(params.blocks ?? params.view ?? [])}`;
const buttonsOf = (params: Record<string, any>): any[] => (params.blocks ?? []).flatMap((b: any) => (b.type === 'actions' ? b.elements : []));
function button(params: Record<string, any>, label: string | RegExp) {
  const found = buttonsOf(params).find((e) => (typeof label === 'string' ? e.text?.text === label : label.test(e.action_id)));
  if (!found) throw new Error(`no button ${label} among ${buttonsOf(params).map((e) => e.text?.text).join(', ')}`);
  return found;
}

/** Where a request comes from: a workspace, or a workspace of an org that installed the bot org-wide. */
interface From {
  team: string;
  user: string;
  org?: string;
}

/** `/lc <text>` as Slack posts it, from the person's DM with the bot; the calls it caused and its response_url answer. */
async function command(from: From, text: string) {
  const responseUrl = fake.responseUrl();
  const calls = await during(async () => {
    const response = await slack.command({
      team_id: from.team,
      ...(from.org ? { enterprise_id: from.org, is_enterprise_install: 'true' } : {}),
      user_id: from.user,
      channel_id: `D${from.user}`,
      text,
      response_url: responseUrl,
      trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    });
    expect(response.status).toBe(200);
  });
  const answer = calls.find((c) => c.method === 'response_url' && c.params.url === responseUrl);
  if (!answer) throw new Error(`no answer to /lc ${text}; calls were ${calls.map((c) => c.method).join(', ')}`);
  return { calls, answer: textOf(answer.params) };
}

/** How the Events API names the installation an event came through. */
function authorizations(from: From) {
  return [{ team_id: from.org ? null : from.team, enterprise_id: from.org ?? null, is_enterprise_install: Boolean(from.org), user_id: 'UBOT', is_bot: true }];
}

let eventCount = 0;
function event(from: From, body: Record<string, unknown>) {
  return slack.event({ type: 'event_callback', team_id: from.team, ...(from.org ? { enterprise_id: from.org } : {}), api_app_id: 'A1', event_id: `Ev-many-${++eventCount}`, event_time: Math.floor(Date.now() / 1000), authorizations: authorizations(from), event: body });
}

/** The person opens the bot's Home tab: the bot publishes it with views.publish. */
async function openHome(from: From) {
  const calls = await during(() => event(from, { type: 'app_home_opened', user: from.user, channel: `D${from.user}`, tab: 'home' }));
  const published = calls.find((c) => c.method === 'views.publish' && c.params.user_id === from.user);
  if (!published) throw new Error(`no views.publish; calls were ${calls.map((c) => c.method).join(', ')}`);
  return { calls, published };
}

/** A press of a button the bot posted, in the message `container` of `channel`. */
function press(from: From, element: { action_id: string; value?: string; text?: unknown }, channel: string, messageTs: string, ephemeral: boolean) {
  return slack.interaction({
    type: 'block_actions',
    team: { id: from.team, ...(from.org ? { enterprise_id: from.org } : {}) },
    user: { id: from.user, team_id: from.team },
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    response_url: fake.responseUrl(),
    channel: { id: channel },
    container: { type: 'message', message_ts: messageTs, channel_id: channel, is_ephemeral: ephemeral },
    actions: [{ type: 'button', action_id: element.action_id, block_id: 'b1', value: element.value, text: element.text, action_ts: `${Date.now() / 1000}` }],
  });
}

/** A submission of the modal the bot opened (its private_metadata), with the fields' values as Slack's view state. */
function submit(from: From, opened: SlackCall, state: Record<string, Record<string, unknown>>) {
  const values = Object.fromEntries(Object.entries(state).map(([field, input]) => [field, { [field]: input }]));
  return slack.interaction({
    type: 'view_submission',
    team: { id: from.team },
    user: { id: from.user, team_id: from.team },
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    view: { id: `V${Math.random().toString(36).slice(2)}`, type: 'modal', callback_id: 'lc-form', private_metadata: opened.params.view.private_metadata, hash: 'h', state: { values } },
  });
}

const identityOf = (externalId: string) => runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'SLACK', externalId } } });

describe('when an Enterprise Grid org installs the bot for the whole org', () => {
  const ORG = 'EGRID';
  const gita: From = { team: 'TGRIDA', user: 'UGITA', org: ORG };

  beforeAll(async () => {
    fake.addUser({ id: 'UGITA', team_id: 'TGRIDA', real_name: 'Gita Grid' });
  });

  it('stores one installation for the org, keyed by its enterprise id and bound to no team', async () => {
    const done = await installThroughOAuth(url, fake, { enterpriseId: ORG, enterpriseName: 'Grid Org', isEnterpriseInstall: true, installerUserId: 'UORGADMIN' });
    expect(done.status).toBe(200);
    expect(done.html).toContain('Grid Org');
    const rows = await runtime.db.slackInstallation.findMany({ where: { OR: [{ enterpriseId: ORG }, { installationKey: ORG }] } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ installationKey: ORG, teamId: null, enterpriseId: ORG, isEnterpriseInstall: true, botUserId: `UBOT${ORG}`, installerUserId: 'UORGADMIN' });
  });

  it('answers a slash command from a workspace of the org with the org\'s token', async () => {
    const { calls, answer } = await command(gita, 'help');
    expect(answer).toContain('/lc');
    // First contact: the profile is read in the org, with the org's installation.
    expect(calls.find((c) => c.method === 'users.info' && c.params.user === 'UGITA')?.token).toBe(fake.tokenFor(ORG));
    expect(tokensOf(calls)).toEqual([fake.tokenFor(ORG)]);
    const { calls: homeCalls, published } = await openHome(gita);
    expect(published.token).toBe(fake.tokenFor(ORG));
    expect(tokensOf(homeCalls)).toEqual([fake.tokenFor(ORG)]);
    // The org's installation now knows the team, which is all a later nudge knows.
    expect((await runtime.db.slackInstallation.findUniqueOrThrow({ where: { installationKey: ORG } })).teamsSeen).toEqual(['TGRIDA']);
  });

  it('sends a scheduled nudge to a person of the org with the org\'s token', async () => {
    const ee1 = DateTime.utc().plus({ days: 20 }).toISODate()!;
    const lc = await createCluster(runtime.db, { code: 'GRID1', ee1, members: 0 });
    const gitaId = (await identityOf('TGRIDA:UGITA')).personId;
    await runtime.db.membership.create({ data: { personId: gitaId, clusterId: lc.clusterId, role: 'MEMBER' } });
    await runtime.scheduler.replan(lc.clusterId);
    const nudge = await runtime.db.plannedNudge.findFirstOrThrow({ where: { personId: gitaId, status: 'PLANNED' }, orderBy: { dueAt: 'asc' } });
    const clock = new ManualClock(nudge.dueAt);
    const calls = await during(async () => {
      const outcome = await deliverSlot({ db: runtime.db, clock, notifier: runtime.notifier, logger: createLogger('silent') }, { personId: gitaId, dueAt: nudge.dueAt.getTime() }, { lateByMs: 0, finalAttempt: false });
      expect(outcome).toBe('sent');
    });
    const posted = calls.find((c) => c.method === 'chat.postMessage' && c.params.channel === 'DUGITA');
    expect(posted?.token).toBe(fake.tokenFor(ORG));
    expect(tokensOf(calls)).toEqual([fake.tokenFor(ORG)]);
  });
});

/** Two organisations, each in its own workspace, each with a programme attached to it. */
const alma: From = { team: 'TALPHA', user: 'UALMA' };
const bekim: From = { team: 'TBETA', user: 'UBEKIM' };
const clusters: Record<string, string> = {};

async function programmeOf(workspace: string, name: string, code: string) {
  const programme = await runtime.db.programme.create({ data: { name } });
  const cluster = await runtime.db.cluster.create({ data: { programmeId: programme.id, code, name: `${name} cluster`, approach: 'Day-care Centers', timeZone: 'Europe/Belgrade', language: 'en', capacity: 10 } });
  await attachWorkspace(runtime.db, programme.id, { platform: 'slack', externalId: workspace, name: workspace });
  return cluster.id;
}

describe('when two workspaces install the bot through /slack/install', () => {
  beforeAll(async () => {
    fake.addUser({ id: 'UALMA', team_id: 'TALPHA', real_name: 'Alma Alpha', email: 'alma@alpha.example' });
    fake.addUser({ id: 'UBEKIM', team_id: 'TBETA', real_name: 'Bekim Beta' });
    clusters.alpha = await programmeOf('TALPHA', 'Alpha Programme', 'ALPHA1');
    clusters.beta = await programmeOf('TBETA', 'Beta Programme', 'BETA1');
  });

  it('installs each through its own one-time state, each with its own token', async () => {
    const [first, second] = [await openInstallPage(url), await openInstallPage(url)];
    expect(first.state).not.toBe(second.state);
    for (const teamId of ['TALPHA', 'TBETA']) expect((await installThroughOAuth(url, fake, { teamId, teamName: `${teamId} Org` })).status).toBe(200);
    const stored = await runtime.db.slackInstallation.findMany({ where: { installationKey: { in: ['TALPHA', 'TBETA'] } }, orderBy: { installationKey: 'asc' } });
    expect(stored.map((s) => [s.installationKey, s.teamId, s.isEnterpriseInstall])).toEqual([['TALPHA', 'TALPHA', false], ['TBETA', 'TBETA', false]]);
  });

  it('answers /lc help in each workspace with that workspace\'s token, naming neither\'s programme to the other', async () => {
    const a = await command(alma, 'help');
    const b = await command(bekim, 'help');
    expect(a.answer).toContain('/lc');
    expect(tokensOf(a.calls)).toEqual([fake.tokenFor('TALPHA')]);
    expect(tokensOf(b.calls)).toEqual([fake.tokenFor('TBETA')]);
    expect(a.answer).not.toMatch(/BETA1|Beta Programme/);
    expect(b.answer).not.toMatch(/ALPHA1|Alpha Programme/);
  });

  it('shows each person their own workspace\'s programme at home (/lc home and the Home tab), published with their workspace\'s token', async () => {
    for (const [who, cluster] of [[alma, clusters.alpha], [bekim, clusters.beta]] as const) {
      const personId = (await identityOf(`${who.team}:${who.user}`)).personId;
      await runtime.db.membership.create({ data: { personId, clusterId: cluster, role: 'MEMBER' } });
    }
    const a = await command(alma, 'home');
    const b = await command(bekim, 'home');
    expect(a.answer).toContain('ALPHA1');
    expect(a.answer).not.toMatch(/BETA1|Beta Programme/);
    expect(b.answer).toContain('BETA1');
    expect(b.answer).not.toMatch(/ALPHA1|Alpha Programme/);
    expect(tokensOf([...a.calls, ...b.calls])).toEqual([]);

    const homeA = await openHome(alma);
    const homeB = await openHome(bekim);
    expect(homeA.published.token).toBe(fake.tokenFor('TALPHA'));
    expect(homeB.published.token).toBe(fake.tokenFor('TBETA'));
    expect(tokensOf(homeA.calls)).toEqual([fake.tokenFor('TALPHA')]);
    expect(tokensOf(homeB.calls)).toEqual([fake.tokenFor('TBETA')]);
    expect(textOf(homeA.published.params)).toContain('ALPHA1');
    expect(textOf(homeA.published.params)).not.toMatch(/BETA1|Beta Programme/);
    expect(textOf(homeB.published.params)).toContain('BETA1');
    expect(textOf(homeB.published.params)).not.toMatch(/ALPHA1|Alpha Programme/);
  });
});

describe('when a member of workspace A asks a question and a resource person answers it', () => {
  const rhea: From = { team: 'TALPHA', user: 'URHEA' };
  let threadCount = 0;

  beforeAll(async () => {
    const rp = await runtime.db.person.create({ data: { displayName: 'Rhea Resource', identities: { create: { platform: 'SLACK', externalId: 'TALPHA:URHEA' } } } });
    await runtime.db.membership.create({ data: { personId: rp.id, clusterId: clusters.alpha, role: 'RESOURCE_PERSON', topics: ['premises'] } });
    // Workspace B has a resource person of its own, in its own programme: never the one asked.
    const other = await runtime.db.person.create({ data: { displayName: 'Besa Beta', identities: { create: { platform: 'SLACK', externalId: 'TBETA:UBESA' } } } });
    await runtime.db.membership.create({ data: { personId: other.id, clusterId: clusters.beta, role: 'RESOURCE_PERSON', topics: ['premises'] } });
  });

  /**
   * The whole round: Alma mentions the bot in a channel of workspace A (`lc ask …`), opens the form from
   * the button the bot posts in the thread, submits it; Rhea gets the question in her DM, presses
   * Answer and submits; the answer reaches Alma's thread. `meanwhile` runs between the question and the answer. Returns
   * every Slack call of the round (those of `meanwhile` left out).
   */
  async function askAndAnswer(question: string, answer: string, meanwhile?: () => Promise<unknown>) {
    const threadTs = `1700001${String(++threadCount).padStart(3, '0')}.000100`;
    const calls: SlackCall[] = [];
    calls.push(...(await during(() => event(alma, { type: 'app_mention', user: 'UALMA', channel: 'CALPHA', text: `<@UBOTTALPHA> lc ask ${question}`, ts: threadTs, team: 'TALPHA' }))));
    const offered = calls.find((c) => c.method === 'chat.postEphemeral' && c.params.user === 'UALMA')!;
    expect(offered.params.thread_ts).toBe(threadTs);
    calls.push(...(await during(() => press(alma, button(offered.params, /open-form/), 'CALPHA', '1700009999.000100', true))));
    const form = calls.find((c) => c.method === 'views.open' && /ask|question/i.test(JSON.stringify(c.params.view.title)))!;
    // Rhea was never met in her DM: the bot opens it (the fake names it D + her id without the U).
    const rheaDmBefore = fake.callsOf('chat.postMessage').filter((c) => c.params.channel === 'DRHEA').length;
    calls.push(...(await during(() => submit(alma, form, { question: { type: 'plain_text_input', value: question }, urgent: { type: 'static_select', selected_option: { value: 'no' } } }))));
    const notice = fake.callsOf('chat.postMessage').filter((c) => c.params.channel === 'DRHEA')[rheaDmBefore];
    expect(notice, 'the resource person was told').toBeDefined();
    expect(textOf(notice.params)).toContain(question);
    if (meanwhile) await meanwhile();
    calls.push(...(await during(() => press(rhea, button(notice.params, 'Answer'), 'DRHEA', '1700009998.000100', false))));
    const answerForm = calls.filter((c) => c.method === 'views.open').at(-1)!;
    expect(answerForm.params.view.private_metadata).toContain('questions:answer:');
    calls.push(...(await during(() => submit(rhea, answerForm, { text: { type: 'plain_text_input', value: answer } }))));
    const delivered = calls.find((c) => c.method === 'chat.postMessage' && c.params.thread_ts === threadTs && textOf(c.params).includes(answer));
    return { calls, notice, delivered };
  }

  it('uses workspace A\'s token for the question to the resource person and for the answer in the member\'s thread', async () => {
    const { calls, notice, delivered } = await askAndAnswer('Who must own the premises before we register the centre?', 'The municipality, or a lease of ten years.');
    expect(notice.token).toBe(fake.tokenFor('TALPHA'));
    expect(delivered, 'the answer reached the thread').toBeDefined();
    expect(delivered!.params.channel).toBe('CALPHA');
    expect(delivered!.token).toBe(fake.tokenFor('TALPHA'));
    expect(tokensOf(calls)).toEqual([fake.tokenFor('TALPHA')]);
    expect(calls.map((c) => c.params.channel).filter(Boolean)).not.toContain('DBESA');
  });

  it('answers into the thread in workspace A with A\'s token even when the member was last seen in workspace B', async () => {
    // The same person in workspace B (Slack vouches for the same address): one person, two Slack identities.
    fake.addUser({ id: 'UALMAB', team_id: 'TBETA', real_name: 'Alma in Beta', email: 'alma@alpha.example' });
    const almaInB: From = { team: 'TBETA', user: 'UALMAB' };
    await command(almaInB, 'help');
    expect((await identityOf('TBETA:UALMAB')).personId).toBe((await identityOf('TALPHA:UALMA')).personId);

    // She asks in A, then writes to the bot in B before the answer comes: B is where she was seen last.
    const answer = 'Yes, with a use agreement free of charge.';
    const seenInB = async () => {
      await command(almaInB, 'help');
      // Seen to the minute: make the order plain whatever the machine's speed.
      await runtime.db.platformIdentity.update({ where: { id: (await identityOf('TALPHA:UALMA')).id }, data: { lastSeenAt: new Date(Date.now() - 120_000) } });
      await runtime.db.platformIdentity.update({ where: { id: (await identityOf('TBETA:UALMAB')).id }, data: { lastSeenAt: new Date() } });
    };
    const { calls, delivered } = await askAndAnswer('Can the premises be rented from the ministry instead?', answer, seenInB);
    expect(delivered, 'the answer reached the thread in A').toBeDefined();
    expect(delivered!.params.channel).toBe('CALPHA');
    expect(delivered!.token).toBe(fake.tokenFor('TALPHA'));
    expect(calls.filter((c) => c.params.channel === 'CALPHA').map((c) => c.token).filter(Boolean)).not.toContain(fake.tokenFor('TBETA'));
  });

  it('sends the answer to her DM in workspace B, with B\'s token, when she can no longer be reached in A: never into A\'s channel', async () => {
    const answer = 'Ask the cadastre office for the ownership record.';
    const goneFromA = async () => {
      await runtime.db.platformIdentity.update({ where: { id: (await identityOf('TALPHA:UALMA')).id }, data: { unreachableAt: new Date() } });
    };
    const { calls } = await askAndAnswer('Where do we find who owns the premises?', answer, goneFromA);
    const delivered = calls.filter((c) => c.method === 'chat.postMessage' && textOf(c.params).includes(answer));
    // DUALMAB: her DM in B, where she typed /lc help.
    expect(delivered.map((c) => [c.params.channel, c.params.thread_ts, c.token])).toEqual([['DUALMAB', undefined, fake.tokenFor('TBETA')]]);
    expect(calls.filter((c) => c.params.channel === 'CALPHA').map((c) => c.token).filter(Boolean)).not.toContain(fake.tokenFor('TBETA'));
  });
});

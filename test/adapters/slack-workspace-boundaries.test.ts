import { beforeAll, describe, expect, it } from 'vitest';
import { attachWorkspace } from '../../src/domain/programme-workspaces.js';
import { invite, parseHandles } from '../../src/domain/clusters/invitations.js';
import { saveRegistration } from '../../src/domain/clusters/registrations.js';
import type { Runtime } from '../../src/server/runtime.js';
import type { FakeSlack } from '../support/fake-slack.js';
import type { slackClient } from '../support/slack-requests.js';
import { installThroughOAuth, testSlackOAuthRuntime } from '../support/slack-oauth.js';

/**
 * Workspaces are boundaries (issue 21), through real HTTP against the fake Slack with two workspaces
 * installed by OAuth: a person of workspace A is never offered, and cannot join or be invited to, a
 * cluster of a programme attached only to workspace B; a programme with no attachment is offered to both.
 */
const SECRET = 'signing-secret-for-the-boundary-tests';
let runtime: Runtime;
let fake: FakeSlack;
let slack: ReturnType<typeof slackClient>;
let url: string;
let onlyB: { clusterId: string };
let open: { clusterId: string };

async function programmeWithCluster(name: string, code: string) {
  const programme = await runtime.db.programme.create({ data: { name } });
  const cluster = await runtime.db.cluster.create({ data: { programmeId: programme.id, code, name: `${name} cluster`, approach: 'x', timeZone: 'UTC', language: 'en', capacity: 5 } });
  return { programmeId: programme.id, clusterId: cluster.id };
}

/** What `/lc join` shows the user: every Slack call the command caused, as text. */
async function joinFormOf(team: string, user: string, trigger: string): Promise<string> {
  const before = fake.calls.length;
  const response = await slack.command({ team_id: team, channel_id: `D${user}`, user_id: user, text: 'join', response_url: fake.responseUrl(), trigger_id: trigger });
  expect(response.status).toBe(200);
  await fake.waitFor('views.open', (p) => p.trigger_id === trigger);
  return response.body + JSON.stringify(fake.calls.slice(before));
}

const personOf = async (externalId: string) => (await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId } })).personId;

beforeAll(async () => {
  ({ runtime, fake, slack, url } = await testSlackOAuthRuntime(SECRET));
  for (const teamId of ['TBNDA', 'TBNDB']) expect((await installThroughOAuth(url, fake, { teamId, teamName: teamId })).status).toBe(200);
  for (const [team, user] of [['TBNDA', 'UALMA'], ['TBNDA', 'UARTA'], ['TBNDB', 'UBORA'], ['TBNDB', 'UCOORD']]) fake.addUser({ id: user, team_id: team, real_name: `${user} Person` });
  onlyB = await programmeWithCluster('Programme of B', 'BONLY');
  open = await programmeWithCluster('Open programme', 'OPEN1');
  const b = await runtime.db.cluster.findUniqueOrThrow({ where: { id: onlyB.clusterId } });
  await attachWorkspace(runtime.db, b.programmeId, { platform: 'slack', externalId: 'TBNDB', name: 'TBNDB' });
  const coordinatorId = (await runtime.db.person.create({ data: { displayName: 'Coordinator', identities: { create: { platform: 'SLACK', externalId: 'TBNDB:UCOORD' } } } })).id;
  await runtime.db.membership.create({ data: { personId: coordinatorId, clusterId: onlyB.clusterId, role: 'COORDINATOR', status: 'ACTIVE' } });
});

/** What the bot answered a slash command: the HTTP body and whatever went to the response_url. */
async function answerTo(team: string, user: string, text: string): Promise<string> {
  const before = fake.calls.length;
  const responseUrl = fake.responseUrl();
  const response = await slack.command({ team_id: team, channel_id: `D${user}`, user_id: user, text, response_url: responseUrl, trigger_id: `trig-${Math.random()}` });
  expect(response.status).toBe(200);
  // An empty ack means the answer goes to the response_url: wait for that call of this command.
  const answered = () => fake.calls.slice(before).some((c) => c.method === 'response_url' || c.method === 'chat.postEphemeral' || c.method === 'chat.postMessage');
  for (let i = 0; !response.body.trim() && !answered() && i < 100; i++) await new Promise((r) => setTimeout(r, 50));
  const answer = response.body + JSON.stringify(fake.calls.slice(before));
  expect(answer.length).toBeGreaterThan(20);
  return answer;
}

describe('a programme attached only to workspace B', () => {
  it('is not offered to a person of workspace A in /lc join; the open programme is', async () => {
    const shown = await joinFormOf('TBNDA', 'UALMA', 'trig-a');
    expect(shown).toContain('OPEN1');
    expect(shown).not.toContain('BONLY');
  });

  it('is offered to a person of workspace B, next to the open programme', async () => {
    const shown = await joinFormOf('TBNDB', 'UBORA', 'trig-b');
    expect(shown).toContain('BONLY');
    expect(shown).toContain('OPEN1');
  });

  it('cannot be joined by a person of workspace A even with the cluster id in hand', async () => {
    const almaId = await personOf('TBNDA:UALMA');
    const input = { preferences: [onlyB.clusterId], organisationName: 'Almaville', country: 'XK', languages: ['sq'], timeZone: 'UTC' };
    await expect(saveRegistration(runtime.db, almaId, input, new Date())).rejects.toMatchObject({ messageKey: 'clusters:errors.noSuchCluster' });
    const open1 = await saveRegistration(runtime.db, almaId, { ...input, preferences: [open.clusterId] }, new Date());
    expect(open1.created).toBe(true);
  });

  it('does not resolve a person of workspace A in an invitation to it, by mention or by name', async () => {
    const coordinatorId = await personOf('TBNDB:UCOORD');
    const handles = parseHandles('<@UALMA>, UALMA Person, <@UBORA>').map((handle, i) => ({ text: String(i), handle }));
    const outcomes = await invite(runtime.db, coordinatorId, onlyB.clusterId, handles, 'MEMBER');
    expect(outcomes.map((o) => o.status)).toEqual(['failed', 'failed', 'invited']);
    expect(outcomes.slice(0, 2).map((o) => (o.status === 'failed' ? o.messageKey : ''))).toEqual(['clusters:invite.unknownSlack', 'clusters:invite.unknownName']);
  });
});

describe('a coordinator attaching and detaching workspaces with /lc programme', () => {
  it('lists, attaches a Teams tenant, detaches with a confirmation that says when the programme opens again, and attaches the current workspace once', async () => {
    expect(await answerTo('TBNDB', 'UCOORD', 'programme workspaces')).toContain('Slack workspace TBNDB');
    const attached = await answerTo('TBNDB', 'UCOORD', 'programme attach teams:tenant-bnd-1');
    expect(attached).toContain('Teams tenant tenant-bnd-1 is attached to Programme of B');
    expect(await answerTo('TBNDB', 'UCOORD', 'programme detach teams:tenant-bnd-1')).toContain('Teams tenant tenant-bnd-1 is detached from Programme of B. Its people');
    const last = await answerTo('TBNDB', 'UCOORD', 'programme detach');
    expect(last).toContain('Slack workspace TBNDB is detached from Programme of B. It was the last one');
    // Open again: a person of workspace A is offered the cluster now.
    expect(await joinFormOf('TBNDA', 'UARTA', 'trig-a-open')).toContain('BONLY');
    expect(await answerTo('TBNDB', 'UCOORD', 'programme workspaces')).toContain('is attached to no workspace');
    expect(await answerTo('TBNDB', 'UCOORD', 'programme attach')).toContain('Slack workspace TBNDB is attached to Programme of B');
    expect(await answerTo('TBNDB', 'UCOORD', 'programme attach')).toContain('was already attached');
    expect(await runtime.db.programmeWorkspace.count({ where: { externalId: 'TBNDB' } })).toBe(1);
    expect(await answerTo('TBNDB', 'UCOORD', 'programme attach not-a-workspace!')).toContain('is not a workspace I know how to read');
    expect(await answerTo('TBNDB', 'UCOORD', 'programme frobnicate')).toContain('/lc programme workspaces');
  });

  it('is refused to someone who coordinates nothing', async () => {
    const refused = await answerTo('TBNDA', 'UALMA', 'programme attach');
    expect(refused).not.toContain('is attached to');
    expect(refused).toContain('is for other roles');
    expect(await runtime.db.programmeWorkspace.count({ where: { externalId: 'TBNDA' } })).toBe(0);
  });
});

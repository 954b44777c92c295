import { beforeAll, describe, expect, it } from 'vitest';
import { createCluster, type NewCluster } from '../../src/domain/clusters/creation.js';
import { homeOfNewProgramme } from '../../src/domain/programme-workspaces.js';
import type { Runtime } from '../../src/server/runtime.js';
import type { FakeSlack } from '../support/fake-slack.js';
import type { slackClient } from '../support/slack-requests.js';
import { installThroughOAuth, testSlackOAuthRuntime } from '../support/slack-oauth.js';

/**
 * Safe by default (docs/clusters.md, "Workspaces are boundaries"): in a deployment serving several
 * organisations, a programme a coordinator creates is attached from the start to the workspace they write
 * from, so people of another workspace are never offered its clusters. Over real HTTP against the fake
 * Slack in OAuth mode with two installed workspaces (and an org-wide install).
 */
const SECRET = 'signing-secret-for-the-new-programme-tests';
const ORG = 'EORGNEW';
let runtime: Runtime;
let fake: FakeSlack;
let slack: ReturnType<typeof slackClient>;
let url: string;

const newCluster = (code: string): NewCluster => ({ programmeName: `Programme ${code}`, code, name: `Cluster ${code}`, approach: 'peer learning', hosts: ['Host'], hostCountry: 'XK', timeZone: 'UTC', language: 'en', capacity: 5 });

/** `/lc <text>` from the person's DM; resolves once the bot has answered (and so knows the person). */
async function command(team: string, user: string, text: string, org?: string): Promise<string> {
  const before = fake.calls.length;
  const trigger = `trig-${Math.random().toString(36).slice(2)}`;
  const response = await slack.command({ team_id: team, ...(org ? { enterprise_id: org, is_enterprise_install: 'true' } : {}), channel_id: `D${user}`, user_id: user, text, response_url: fake.responseUrl(), trigger_id: trigger });
  expect(response.status).toBe(200);
  await runtime.slack!.settled();
  return response.body + JSON.stringify(fake.calls.slice(before));
}

const personOf = async (externalId: string) => (await runtime.db.platformIdentity.findFirstOrThrow({ where: { externalId } })).personId;
const attachmentsOf = (programmeId: string) => runtime.db.programmeWorkspace.findMany({ where: { programmeId }, select: { platform: true, externalId: true, attachedByPersonId: true } });

/** Only an empty deployment creates a programme with a cluster: start each case from none. */
async function emptyDeployment() {
  await runtime.db.cluster.deleteMany({});
  await runtime.db.programme.deleteMany({});
}

beforeAll(async () => {
  ({ runtime, fake, slack, url } = await testSlackOAuthRuntime(SECRET));
  for (const teamId of ['TNEWA', 'TNEWB']) expect((await installThroughOAuth(url, fake, { teamId, teamName: teamId })).status).toBe(200);
  expect((await installThroughOAuth(url, fake, { enterpriseId: ORG, enterpriseName: 'Org', isEnterpriseInstall: true })).status).toBe(200);
  for (const [team, user] of [['TNEWA', 'UCOORDA'], ['TNEWB', 'UBEAB'], ['TORGONE', 'UORGCO']]) fake.addUser({ id: user, team_id: team, real_name: `${user} Person` });
  await command('TNEWA', 'UCOORDA', 'help');
  await command('TNEWB', 'UBEAB', 'help');
  await command('TORGONE', 'UORGCO', 'help', ORG);
});

describe('a programme created from a workspace installed through OAuth', () => {
  it('is attached to that workspace in the same step, and createCluster says where', async () => {
    await emptyDeployment();
    const coordinator = await personOf('TNEWA:UCOORDA');
    const cluster = await createCluster(runtime.db, coordinator, newCluster('NEWA1'), { platform: 'SLACK', slackMode: 'oauth' });
    expect(await attachmentsOf(cluster.programmeId)).toEqual([{ platform: 'slack', externalId: 'TNEWA', attachedByPersonId: coordinator }]);
    expect(cluster.attachedTo).toEqual({ platform: 'slack', externalId: 'TNEWA', programmeName: 'Programme NEWA1' });
  });

  it('is not offered to a person of workspace B in /lc join', async () => {
    const shown = await command('TNEWB', 'UBEAB', 'join');
    expect(shown).toContain('views.open');
    expect(shown).not.toContain('NEWA1');
    // The same form offers it once the attachment is gone, so the line above can fail.
    const cluster = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'NEWA1' } });
    await runtime.db.programmeWorkspace.deleteMany({ where: { programmeId: cluster.programmeId } });
    expect(await command('TNEWB', 'UBEAB', 'join')).toContain('NEWA1');
    await runtime.db.programmeWorkspace.create({ data: { programmeId: cluster.programmeId, platform: 'slack', externalId: 'TNEWA' } });
  });

  it('a second cluster in the existing programme attaches nothing more', async () => {
    const coordinator = await personOf('TNEWA:UCOORDA');
    const cluster = await createCluster(runtime.db, coordinator, newCluster('NEWA2'), { platform: 'SLACK', slackMode: 'oauth' });
    expect(cluster.attachedTo).toBeNull();
    expect(await attachmentsOf(cluster.programmeId)).toHaveLength(1);
  });

  it('from a team of an org-wide install, is attached to the whole org (its enterprise id)', async () => {
    await emptyDeployment();
    const coordinator = await personOf('TORGONE:UORGCO');
    const cluster = await createCluster(runtime.db, coordinator, newCluster('ORG1'), { platform: 'SLACK', slackMode: 'oauth' });
    expect(await attachmentsOf(cluster.programmeId)).toEqual([{ platform: 'slack', externalId: ORG, attachedByPersonId: coordinator }]);
  });
});

describe('where the deployment serves one organisation', () => {
  it('single-workspace Slack attaches nothing: the programme stays open, as before', async () => {
    await emptyDeployment();
    const coordinator = await personOf('TNEWA:UCOORDA');
    const cluster = await createCluster(runtime.db, coordinator, newCluster('ONE1'), { platform: 'SLACK', slackMode: 'single' });
    expect(cluster.attachedTo).toBeNull();
    expect(await attachmentsOf(cluster.programmeId)).toEqual([]);
  });

  it('the web chat belongs to no workspace; Teams attaches the tenant of the identity', async () => {
    const person = await runtime.db.person.create({ data: { displayName: 'Two platforms', identities: { create: [{ platform: 'WEB', externalId: 'web-new-1' }, { platform: 'TEAMS', externalId: 'tenant-new:aad-1' }] } } });
    expect(await homeOfNewProgramme(runtime.db, person.id, 'WEB', 'oauth')).toBeNull();
    expect(await homeOfNewProgramme(runtime.db, person.id, 'TEAMS', 'single')).toEqual({ platform: 'teams', externalId: 'tenant-new' });
  });
});

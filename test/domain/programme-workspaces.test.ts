import { beforeAll, describe, expect, it } from 'vitest';
import {
  attachWorkspace, canReachCluster, canReachProgramme, detachWorkspace, listProgrammeWorkspaces, peopleReachingProgramme,
  workspaceOfIdentity, workspaceRefSchema,
} from '../../src/domain/programme-workspaces.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';

/**
 * Workspaces are boundaries (src/domain/programme-workspaces.ts) against the real database: a programme
 * with no attachment is open to all, one attached to workspace B is closed to people of workspace A, a
 * web chat identity reaches what its person's linked Slack or Teams identity reaches, and attach/detach
 * are safe to repeat.
 */
let runtime: Runtime;
const tag = `pw${Date.now().toString(36)}`;
const teamA = `TA${tag}`.toUpperCase();
const teamB = `TB${tag}`.toUpperCase();
const tenant = `ten-${tag}`;

async function person(name: string, identities: Array<{ platform: 'SLACK' | 'TEAMS' | 'WEB'; externalId: string }>) {
  return runtime.db.person.create({ data: { displayName: name, identities: { create: identities } } });
}

beforeAll(async () => {
  runtime = await testRuntime();
});

describe('where an identity comes from', () => {
  it('reads the Slack team and the Teams tenant from the external id, and no workspace for the web chat', () => {
    expect(workspaceOfIdentity('SLACK', 'T1:U1')).toEqual({ platform: 'slack', externalId: 'T1' });
    expect(workspaceOfIdentity('TEAMS', 'tenant-1:aad-1')).toEqual({ platform: 'teams', externalId: 'tenant-1' });
    expect(workspaceOfIdentity('WEB', 'demo:x')).toBeNull();
  });

  it('refuses workspace ids that are not ids', () => {
    expect(workspaceRefSchema.safeParse({ platform: 'slack', externalId: 'T1 <script>' }).success).toBe(false);
    expect(workspaceRefSchema.safeParse({ platform: 'web', externalId: 'T1' }).success).toBe(false);
  });
});

describe('a programme attached to workspace B', () => {
  it('is closed to a person of workspace A, open to B, to a Teams tenant attached the same way, and to a linked web identity', async () => {
    const programme = await runtime.db.programme.create({ data: { name: `Boundaries ${tag}` } });
    const cluster = await runtime.db.cluster.create({
      data: { programmeId: programme.id, code: `B${tag}`.toUpperCase(), name: 'B cluster', approach: 'x', timeZone: 'UTC', language: 'en', capacity: 5 },
    });
    const inA = await person('A person', [{ platform: 'SLACK', externalId: `${teamA}:U1` }]);
    const inB = await person('B person', [{ platform: 'SLACK', externalId: `${teamB}:U2` }]);
    const inTenant = await person('Tenant person', [{ platform: 'TEAMS', externalId: `${tenant}:aad1` }]);
    const webLinkedToB = await person('Linked', [{ platform: 'WEB', externalId: `web:${tag}` }, { platform: 'SLACK', externalId: `${teamB}:U3` }]);
    const webOnly = await person('Web only', [{ platform: 'WEB', externalId: `web2:${tag}` }]);

    // No attachment: everyone, as before.
    for (const p of [inA, inB, inTenant, webOnly]) expect(await canReachProgramme(runtime.db, p.id, programme.id)).toBe(true);

    expect(await attachWorkspace(runtime.db, programme.id, { platform: 'slack', externalId: teamB, name: 'B' }, inB.id)).toEqual({ created: true });
    expect(await attachWorkspace(runtime.db, programme.id, { platform: 'slack', externalId: teamB })).toEqual({ created: false });
    expect(await canReachProgramme(runtime.db, inA.id, programme.id)).toBe(false);
    expect(await canReachProgramme(runtime.db, inB.id, programme.id)).toBe(true);
    expect(await canReachProgramme(runtime.db, webLinkedToB.id, programme.id)).toBe(true);
    expect(await canReachProgramme(runtime.db, webOnly.id, programme.id)).toBe(false);
    expect(await canReachProgramme(runtime.db, inTenant.id, programme.id)).toBe(false);
    expect(await canReachCluster(runtime.db, inA.id, cluster.id)).toBe(false);
    expect(await canReachCluster(runtime.db, inB.id, cluster.id)).toBe(true);
    expect([...(await peopleReachingProgramme(runtime.db, programme.id, [inA.id, inB.id, webLinkedToB.id]))].sort()).toEqual([inB.id, webLinkedToB.id].sort());

    await attachWorkspace(runtime.db, programme.id, { platform: 'teams', externalId: tenant });
    expect(await canReachProgramme(runtime.db, inTenant.id, programme.id)).toBe(true);
    expect((await listProgrammeWorkspaces(runtime.db, programme.id)).map((w) => `${w.platform}:${w.externalId}`)).toEqual([`slack:${teamB}`, `teams:${tenant}`]);

    expect(await detachWorkspace(runtime.db, programme.id, { platform: 'teams', externalId: tenant })).toEqual({ removed: true, reopened: false });
    expect(await detachWorkspace(runtime.db, programme.id, { platform: 'slack', externalId: teamB })).toEqual({ removed: true, reopened: true });
    expect(await detachWorkspace(runtime.db, programme.id, { platform: 'slack', externalId: teamB })).toEqual({ removed: false, reopened: true });
    expect(await canReachProgramme(runtime.db, inA.id, programme.id)).toBe(true);
  });

  it('reaches every team of an org-wide install when the enterprise is attached', async () => {
    const programme = await runtime.db.programme.create({ data: { name: `Org ${tag}` } });
    const ent = `E${tag}`.toUpperCase();
    const team = `TE${tag}`.toUpperCase();
    await runtime.db.slackInstallation.create({ data: { installationKey: ent, enterpriseId: ent, isEnterpriseInstall: true, botTokenSealed: 'x', teamsSeen: [team] } });
    const inOrg = await person('Org person', [{ platform: 'SLACK', externalId: `${team}:U9` }]);
    const outside = await person('Outside', [{ platform: 'SLACK', externalId: `${teamA}:U8` }]);
    await attachWorkspace(runtime.db, programme.id, { platform: 'slack', externalId: ent });
    expect(await canReachProgramme(runtime.db, inOrg.id, programme.id)).toBe(true);
    expect(await canReachProgramme(runtime.db, outside.id, programme.id)).toBe(false);
  });
});

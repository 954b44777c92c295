import type { Db } from '../../core/db.js';

/**
 * What the operator's view (/admin) lists: every Slack installation (or, in single-workspace mode,
 * the one workspace of the configured token) and every Teams tenant the bot has met, each with the
 * programmes attached to it, the people it can reach now and when one of them last used the bot.
 * Read-only; the counts come from PlatformIdentity, whose externalId starts with the workspace
 * ("T123:U456", "<tenant>:<aad>").
 */

/** One Slack workspace or Teams tenant, as far as the bot's people go. */
export interface Reach {
  /** Names of the programmes attached to it (docs/clusters.md, "Workspaces are boundaries"). */
  programmes: string[];
  /** Its identities the bot can write to now (not marked unreachable). */
  peopleReached: number;
  /** The latest time one of its identities used the bot, or null when none has. */
  lastActivity: Date | null;
}

export interface SlackInstallationView extends Reach {
  installationKey: string;
  name: string | null;
  teamId: string | null;
  enterpriseId: string | null;
  orgWide: boolean;
  installedAt: Date;
  installerUserId: string | null;
  /** The installer's display name, when they are known to the bot. */
  installerName: string | null;
  scopes: string[];
}

export interface TenantView extends Reach {
  tenantId: string;
  /** The name a coordinator gave it when attaching it to a programme, if any. */
  name: string | null;
}

export type SlackView =
  | { mode: 'off' }
  | { mode: 'single'; teamIds: string[]; reach: Reach }
  | { mode: 'oauth'; installations: SlackInstallationView[] };

export interface OperatorOverview {
  slack: SlackView;
  teams: TenantView[];
}

interface ActivityRow {
  platform: 'SLACK' | 'TEAMS';
  workspace: string;
  reachable: number;
  lastSeen: Date | null;
}

/** Bot Framework channel-account ids ("29:…", used when Teams gives no AAD object id) name no tenant. */
const CHANNEL_ACCOUNT_PREFIX = /^\d+$/;

export async function operatorOverview(db: Db, slackMode: SlackView['mode']): Promise<OperatorOverview> {
  const [activity, attachments] = await Promise.all([
    // One pass over the identities: per platform and workspace, those reachable and the latest use.
    db.$queryRaw<ActivityRow[]>`
      SELECT platform::text AS platform, split_part("externalId", ':', 1) AS workspace,
             (count(*) FILTER (WHERE "unreachableAt" IS NULL))::int AS reachable,
             max("lastSeenAt") AT TIME ZONE 'UTC' AS "lastSeen"
        FROM "PlatformIdentity"
       WHERE platform IN ('SLACK', 'TEAMS') AND strpos("externalId", ':') > 1
       GROUP BY 1, 2`,
    db.programmeWorkspace.findMany({ select: { platform: true, externalId: true, name: true, programme: { select: { name: true } } }, orderBy: { attachedAt: 'asc' } }),
  ]);
  const byWorkspace = new Map(activity.map((row) => [`${row.platform}:${row.workspace}`, row]));
  const reachOf = (platform: 'SLACK' | 'TEAMS', workspaces: string[]): Reach => {
    const ids = new Set(workspaces);
    const rows = [...ids].map((id) => byWorkspace.get(`${platform}:${id}`)).filter((row): row is ActivityRow => Boolean(row));
    const wanted = platform === 'SLACK' ? 'slack' : 'teams';
    const programmes = attachments.filter((a) => a.platform === wanted && ids.has(a.externalId)).map((a) => a.programme.name);
    const seen = rows.map((row) => row.lastSeen?.getTime() ?? 0).filter((t) => t > 0);
    return {
      programmes: [...new Set(programmes)].sort((a, b) => a.localeCompare(b)),
      peopleReached: rows.reduce((sum, row) => sum + Number(row.reachable), 0),
      lastActivity: seen.length ? new Date(Math.max(...seen)) : null,
    };
  };

  const tenantIds = new Set<string>();
  for (const row of activity) if (row.platform === 'TEAMS' && !CHANNEL_ACCOUNT_PREFIX.test(row.workspace)) tenantIds.add(row.workspace);
  for (const a of attachments) if (a.platform === 'teams') tenantIds.add(a.externalId);
  const teams = [...tenantIds].sort().map((tenantId) => ({ tenantId, name: attachments.find((a) => a.platform === 'teams' && a.externalId === tenantId && a.name)?.name ?? null, ...reachOf('TEAMS', [tenantId]) }));

  return { slack: await slackView(db, slackMode, activity, reachOf), teams };
}

async function slackView(db: Db, mode: SlackView['mode'], activity: ActivityRow[], reachOf: (platform: 'SLACK', workspaces: string[]) => Reach): Promise<SlackView> {
  if (mode === 'off') return { mode };
  if (mode === 'single') {
    // One token, one workspace: whatever team ids its people came with are that workspace.
    const teamIds = activity.filter((row) => row.platform === 'SLACK').map((row) => row.workspace).sort();
    return { mode, teamIds, reach: reachOf('SLACK', teamIds) };
  }
  const rows = await db.slackInstallation.findMany({ orderBy: { installedAt: 'asc' } });
  const installers = await db.platformIdentity.findMany({
    where: { platform: 'SLACK', externalId: { in: rows.filter((r) => r.teamId && r.installerUserId).map((r) => `${r.teamId}:${r.installerUserId}`) } },
    select: { externalId: true, person: { select: { displayName: true } } },
  });
  const installations = rows.map((row): SlackInstallationView => {
    // The org's own id counts too: a programme attached to the enterprise reaches all of its teams.
    const workspaces = [row.installationKey, ...(row.teamId ? [row.teamId] : []), ...(row.enterpriseId ? [row.enterpriseId] : []), ...row.teamsSeen];
    return {
      installationKey: row.installationKey,
      name: (row.isEnterpriseInstall ? row.enterpriseName : row.teamName) ?? row.teamName ?? row.enterpriseName,
      teamId: row.teamId,
      enterpriseId: row.enterpriseId,
      orgWide: row.isEnterpriseInstall,
      installedAt: row.installedAt,
      installerUserId: row.installerUserId,
      installerName: installers.find((i) => i.externalId === `${row.teamId}:${row.installerUserId}`)?.person.displayName ?? null,
      scopes: row.scopes,
      ...reachOf('SLACK', workspaces),
    };
  });
  return { mode, installations };
}

import type { Db } from '../../src/core/db.js';
import type { OAuthWorkspaces } from './installations.js';

/** What removing an installation did: whether it was still there, and how many people it made unreachable. */
export interface Detached {
  removed: boolean;
  peopleMarked: number;
}

/**
 * The bot leaves a workspace (app_uninstalled, tokens_revoked, or an operator's detach on /admin):
 * its installation is deleted and that workspace's people are marked unreachable on Slack, so
 * nudges go to their other platforms or none; their clusters, plans and answers stay. Idempotent:
 * a second call finds nothing to remove and nobody left to mark.
 */
export async function detachInstallation(db: Db, workspaces: OAuthWorkspaces, installationKey: string): Promise<Detached> {
  const teams = await workspaces.installations.remove(installationKey);
  workspaces.forgetInstallation(installationKey);
  if (!teams.length) return { removed: false, peopleMarked: 0 };
  const { count } = await db.platformIdentity.updateMany({
    where: { platform: 'SLACK', unreachableAt: null, OR: teams.map((team) => ({ externalId: { startsWith: `${team}:` } })) },
    data: { unreachableAt: new Date() },
  });
  return { removed: true, peopleMarked: count };
}

/**
 * Installed again: the workspace's people are reachable once more (uninstalling had marked them
 * all). Someone who blocked the bot on their own is marked again at the next refused message.
 */
export async function markWorkspaceReachable(db: Db, teamId: string): Promise<number> {
  const { count } = await db.platformIdentity.updateMany({ where: { platform: 'SLACK', unreachableAt: { not: null }, externalId: { startsWith: `${teamId}:` } }, data: { unreachableAt: null } });
  return count;
}

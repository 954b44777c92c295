import type { WebClient } from '@slack/web-api';
import type { ProfileInput } from '../../src/domain/people.js';
import { withRetryAfter } from './slack-api.js';
import type { WorkspaceRef } from './workspace-clients.js';

/**
 * What Slack says about a person on first contact, read with users.info under the bot token of the
 * workspace the request came from (`client`: that workspace's, from SlackWorkspaces.clientFor).
 * The address becomes `verifiedEmail`, the one the bot links people by (email invitations, the same
 * person on Teams), only when Slack vouches for it as one of that organisation's people: an active
 * human account of the same workspace (or of the same Enterprise Grid org), with a confirmed
 * address. Anyone else (a bot, a deactivated account, a person from another organisation through
 * Slack Connect) links with `/lc link` codes instead.
 */
export async function slackProfileOf(client: WebClient, workspace: WorkspaceRef, userId: string): Promise<ProfileInput> {
  const info = await withRetryAfter(() => client.users.info({ user: userId, include_locale: true }));
  const user = info.user;
  const sameOrganisation = user?.team_id === workspace.teamId || (Boolean(workspace.enterpriseId) && user?.enterprise_user?.enterprise_id === workspace.enterpriseId);
  const vouched = Boolean(user && user.id === userId && sameOrganisation && !user.deleted && !user.is_bot && user.is_email_confirmed !== false);
  return {
    displayName: user?.profile?.display_name || user?.real_name || user?.profile?.real_name || user?.name,
    verifiedEmail: vouched ? user?.profile?.email || undefined : undefined,
    locale: user?.locale,
    timeZone: user?.tz,
  };
}

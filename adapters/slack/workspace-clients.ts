import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../src/core/logger.js';
import { createSlackClient } from './slack-api.js';

/**
 * Which Slack workspace a call is for: the person's team and, in an Enterprise Grid org, the org.
 * Every Web API call the bot makes names one, so it goes out with that workspace's bot token.
 */
export interface WorkspaceRef {
  teamId: string;
  enterpriseId?: string;
  /** The request came through an org-wide (Enterprise Grid) installation. */
  isEnterpriseInstall?: boolean;
}

/** The bot's credentials in one workspace: what Bolt's authorize needs and what every call uses. */
export interface WorkspaceAuth {
  client: WebClient;
  botToken: string;
  botUserId?: string;
  botId?: string;
  /**
   * The key of the installation that covers the workspace: its team id, or the org's enterprise
   * id for an org-wide install. Programmes are attached to it, and its people are counted by it.
   */
  installationKey: string;
  teamId?: string;
  enterpriseId?: string;
  isEnterpriseInstall: boolean;
}

/** The bot is not installed in the workspace (never was, or it was uninstalled). */
export class NotInstalledError extends Error {
  readonly code = 'slack_not_installed';
  constructor(where: WorkspaceRef) {
    super(`Cluster Bot is not installed in Slack workspace ${where.teamId}${where.enterpriseId ? ` (org ${where.enterpriseId})` : ''}`);
    this.name = 'NotInstalledError';
  }
}

/**
 * The one way to a Web API client: every Slack call (replies, modals, Home, nudges, profile
 * lookups) asks here for the client of the workspace it concerns. A single-workspace deployment
 * answers with the SLACK_BOT_TOKEN client whatever the workspace; an OAuth deployment looks the
 * installation up (adapters/slack/installations.ts).
 */
export interface SlackWorkspaces {
  /** The credentials for the workspace; rejects with NotInstalledError when the bot is not installed there. */
  authFor(where: WorkspaceRef): Promise<WorkspaceAuth>;
  /** Shorthand for `(await authFor(where)).client`. */
  clientFor(where: WorkspaceRef): Promise<WebClient>;
  /** Slack refused the workspace's token (revoked, uninstalled): drop whatever this process remembers of it. */
  forget(where: WorkspaceRef): void;
}

/**
 * Single-workspace mode (SLACK_BOT_TOKEN): one token, one client, no lookup, so nothing stands
 * between a request and its ack. The bot's own user id is learnt once in the background.
 */
export class SingleWorkspace implements SlackWorkspaces {
  readonly client: WebClient;
  private readonly identity: { botUserId?: string; botId?: string } = {};

  constructor(
    private readonly token: string,
    apiUrl: string,
    logger: Logger,
  ) {
    this.client = createSlackClient(token, apiUrl, logger);
    void this.client.auth
      .test()
      .then((r) => Object.assign(this.identity, { botUserId: r.user_id, botId: r.bot_id }))
      .catch((error) => logger.warn({ err: String(error) }, 'slack auth.test failed; check SLACK_BOT_TOKEN'));
  }

  async authFor(where: WorkspaceRef): Promise<WorkspaceAuth> {
    return {
      client: this.client,
      botToken: this.token,
      ...this.identity,
      // One workspace: its people and programmes are keyed by the team id they come from.
      installationKey: where.teamId,
      teamId: where.teamId,
      enterpriseId: where.enterpriseId,
      isEnterpriseInstall: false,
    };
  }

  async clientFor(): Promise<WebClient> {
    return this.client;
  }

  forget(): void {
    // The token comes from the configuration; nothing to forget.
  }
}

import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Db } from '../../src/core/db.js';
import type { Logger } from '../../src/core/logger.js';
import type { SecretBox } from '../../src/core/secret-box.js';
import { createSlackClient } from './slack-api.js';
import { NotInstalledError, type SlackWorkspaces, type WorkspaceAuth, type WorkspaceRef } from './workspace-clients.js';

/** How long a process trusts what it read of an installation; `forget` drops it at once. */
const CACHE_MS = 60_000;

/** An installation as stored, its token opened. */
export interface StoredInstallation {
  installationKey: string;
  teamId: string | null;
  enterpriseId: string | null;
  isEnterpriseInstall: boolean;
  botToken: string;
  botUserId: string | null;
  botId: string | null;
  teamsSeen: string[];
}

/**
 * The bot's installations in PostgreSQL (model SlackInstallation), bot tokens sealed with the
 * configured key. A token sealed with an old key is sealed again with the current one when read.
 */
export class SlackInstallations {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  /** Stores (or replaces, on a re-install) what Slack's oauth.v2.access gave; returns the installation key. */
  async save(installation: Installation): Promise<string> {
    const bot = installation.bot;
    if (!bot?.token) throw new Error('the installation carries no bot token (the app must ask for bot scopes)');
    const org = Boolean(installation.isEnterpriseInstall);
    const installationKey = org ? installation.enterprise?.id : installation.team?.id;
    if (!installationKey) throw new Error('the installation names neither a team nor an org');
    const fields = {
      teamId: org ? null : (installation.team?.id ?? null),
      teamName: org ? null : (installation.team?.name ?? null),
      enterpriseId: installation.enterprise?.id ?? null,
      enterpriseName: installation.enterprise?.name ?? null,
      isEnterpriseInstall: org,
      botTokenSealed: this.box.seal(bot.token),
      botUserId: bot.userId ?? null,
      botId: bot.id ?? null,
      scopes: bot.scopes ?? [],
      installerUserId: installation.user?.id ?? null,
    };
    await this.db.slackInstallation.upsert({ where: { installationKey }, create: { installationKey, ...fields }, update: { ...fields, installedAt: new Date() } });
    return installationKey;
  }

  /**
   * The installation that covers a workspace: the org's for a request through an org-wide install,
   * else the team's own, else an org-wide install of the team's org (known from the request, or
   * from the teams the org's install has met before: nudges know only the team).
   */
  async find(where: WorkspaceRef): Promise<StoredInstallation | null> {
    const rows = await this.db.slackInstallation.findMany({
      where: {
        OR: [
          ...(where.teamId ? [{ installationKey: where.teamId }, { teamsSeen: { has: where.teamId } }] : []),
          ...(where.enterpriseId ? [{ installationKey: where.enterpriseId, isEnterpriseInstall: true }] : []),
        ],
      },
    });
    const rank = (row: (typeof rows)[number]) => (where.isEnterpriseInstall && row.installationKey === where.enterpriseId ? 0 : row.installationKey === where.teamId ? 1 : row.installationKey === where.enterpriseId ? 2 : 3);
    const row = rows.sort((a, b) => rank(a) - rank(b))[0];
    if (!row) return null;
    const botToken = this.box.open(row.botTokenSealed);
    if (this.box.isStale(row.botTokenSealed)) {
      // Rotation: only the row as read is replaced, so a concurrent re-install is never overwritten.
      await this.db.slackInstallation.updateMany({ where: { id: row.id, botTokenSealed: row.botTokenSealed }, data: { botTokenSealed: this.box.seal(botToken) } });
    }
    return { installationKey: row.installationKey, teamId: row.teamId, enterpriseId: row.enterpriseId, isEnterpriseInstall: row.isEnterpriseInstall, botToken, botUserId: row.botUserId, botId: row.botId, teamsSeen: row.teamsSeen };
  }

  /** Remembers that an org-wide install reaches this team (once: a team already noted is left alone). */
  async noteTeam(installationKey: string, teamId: string): Promise<void> {
    await this.db.$executeRaw`UPDATE "SlackInstallation" SET "teamsSeen" = array_append("teamsSeen", ${teamId}) WHERE "installationKey" = ${installationKey} AND NOT (${teamId} = ANY("teamsSeen"))`;
  }

  /** Removes an installation; returns the teams it covered (empty when it was already gone). */
  async remove(installationKey: string): Promise<string[]> {
    const row = await this.db.slackInstallation.findUnique({ where: { installationKey }, select: { teamId: true, teamsSeen: true } });
    if (!row) return [];
    const { count } = await this.db.slackInstallation.deleteMany({ where: { installationKey } });
    return count ? [...new Set([row.teamId, ...row.teamsSeen].filter((t): t is string => Boolean(t)))] : [];
  }

  /** Seals every token with the current key (scripts/rotate-slack-key.ts); returns how many were re-sealed. */
  async resealAll(): Promise<number> {
    let resealed = 0;
    for (const row of await this.db.slackInstallation.findMany({ select: { id: true, botTokenSealed: true } })) {
      if (!this.box.isStale(row.botTokenSealed)) continue;
      const token = this.box.open(row.botTokenSealed);
      const { count } = await this.db.slackInstallation.updateMany({ where: { id: row.id, botTokenSealed: row.botTokenSealed }, data: { botTokenSealed: this.box.seal(token) } });
      resealed += count;
    }
    return resealed;
  }
}

/**
 * OAuth mode's SlackWorkspaces: each workspace's credentials from its installation, remembered in
 * this process for at most a minute (an uninstall on another instance is noticed within that, and
 * at once when Slack refuses the token: `forget`).
 */
export class OAuthWorkspaces implements SlackWorkspaces {
  private readonly cache = new Map<string, { auth: WorkspaceAuth; at: number }>();
  private readonly clients = new Map<string, WebClient>();

  constructor(
    readonly installations: SlackInstallations,
    private readonly apiUrl: string,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async authFor(where: WorkspaceRef): Promise<WorkspaceAuth> {
    const key = cacheKey(where);
    const cached = this.cache.get(key);
    if (cached && this.now() - cached.at < CACHE_MS) return cached.auth;
    const found = await this.installations.find(where);
    if (!found) {
      this.cache.delete(key);
      throw new NotInstalledError(where);
    }
    if (found.isEnterpriseInstall && where.teamId && !found.teamsSeen.includes(where.teamId)) await this.installations.noteTeam(found.installationKey, where.teamId);
    const auth: WorkspaceAuth = {
      client: this.clientOf(found.botToken),
      botToken: found.botToken,
      botUserId: found.botUserId ?? undefined,
      botId: found.botId ?? undefined,
      installationKey: found.installationKey,
      teamId: found.teamId ?? where.teamId,
      enterpriseId: found.enterpriseId ?? undefined,
      isEnterpriseInstall: found.isEnterpriseInstall,
    };
    this.cache.set(key, { auth, at: this.now() });
    return auth;
  }

  async clientFor(where: WorkspaceRef): Promise<WebClient> {
    return (await this.authFor(where)).client;
  }

  forget(where: WorkspaceRef): void {
    for (const [key, { auth }] of this.cache) {
      if (key === cacheKey(where) || auth.installationKey === where.teamId || (where.enterpriseId && auth.installationKey === where.enterpriseId)) {
        this.clients.delete(auth.botToken);
        this.cache.delete(key);
      }
    }
  }

  /** Drops everything remembered of one installation (uninstalled, detached). */
  forgetInstallation(installationKey: string): void {
    for (const [key, { auth }] of this.cache) {
      if (auth.installationKey !== installationKey) continue;
      this.clients.delete(auth.botToken);
      this.cache.delete(key);
    }
  }

  private clientOf(token: string): WebClient {
    let client = this.clients.get(token);
    if (!client) {
      client = createSlackClient(token, this.apiUrl, this.logger);
      this.clients.set(token, client);
    }
    return client;
  }
}

function cacheKey(where: WorkspaceRef): string {
  return `${where.isEnterpriseInstall ? 'org' : 'team'}:${where.enterpriseId ?? ''}:${where.teamId}`;
}

/**
 * Bolt's InstallationStore over SlackInstallations: the installer stores what oauth.v2.access gave,
 * and Bolt's authorize fetches each request's installation (through the workspaces' short cache).
 */
export function installationStore(workspaces: OAuthWorkspaces, onStored: (installationKey: string) => Promise<void>): InstallationStore {
  return {
    async storeInstallation(installation) {
      const key = await workspaces.installations.save(installation as Installation);
      workspaces.forgetInstallation(key);
      await onStored(key);
    },
    async fetchInstallation(query: InstallationQuery<boolean>) {
      const auth = await workspaces.authFor({ teamId: query.teamId ?? '', enterpriseId: query.enterpriseId, isEnterpriseInstall: query.isEnterpriseInstall });
      return {
        team: auth.isEnterpriseInstall ? undefined : { id: auth.teamId ?? query.teamId ?? '' },
        enterprise: auth.enterpriseId ? { id: auth.enterpriseId } : undefined,
        user: { token: undefined, scopes: undefined, id: '' },
        bot: { token: auth.botToken, scopes: [], id: auth.botId ?? '', userId: auth.botUserId ?? '' },
        isEnterpriseInstall: auth.isEnterpriseInstall,
        authVersion: 'v2',
      } as Installation;
    },
    async deleteInstallation(query: InstallationQuery<boolean>) {
      const key = query.isEnterpriseInstall ? query.enterpriseId : query.teamId;
      if (key) await workspaces.installations.remove(key);
      if (key) workspaces.forgetInstallation(key);
    },
  };
}

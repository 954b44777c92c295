import { withoutTokens } from '../../src/core/action-tokens.js';
import { createHash } from 'node:crypto';
import type { OutboundMessage } from '../../src/core/messages.js';
import { SendLater, UnreachableError, type PlatformSender, type SendOptions } from '../../src/core/notifier.js';
import type { Redis } from '../../src/core/redis.js';
import { ChannelRateLimit } from './channel-rate-limit.js';
import { PostClaims } from './post-claims.js';
import { parseThreadKey } from './inbound.js';
import type { SlackMessagePart } from './block-kit.js';
import { callWebApi, platformErrorOf, REVOKED_TOKEN_ERRORS, sleep, UNREACHABLE_ERRORS, withRetryAfter } from './slack-api.js';
import { NotInstalledError, type SlackWorkspaces, type WorkspaceRef } from './workspace-clients.js';

/** A message with a deliveryKey is remembered as sent for a week (jobs retry within that). */
const KEYED_SENT_TTL_SECONDS = 7 * 24 * 3600;
/** Without a key, identical content to the same person within this window is taken as a retry. */
const HASHED_SENT_TTL_SECONDS = 10 * 60;
/**
 * How long a claim on a message in flight holds without renewal. The poster renews it while the post
 * (with its rate-limit waits) is in flight, so it only runs out when the poster died; then another
 * worker taking the nudge over may post. Shorter than the nudge claim's lease (src/scheduler/deliver.ts).
 */
const CLAIM_LEASE_MS = 8_000;
const CLAIM_RENEW_MS = 2_500;
/** DM channel ids are stable; cached so a nudge wave does not call conversations.open per message. */
const DM_CACHE_TTL_SECONDS = 7 * 24 * 3600;
/** DM channels also kept in this process (the Redis cache is shared), up to this many people. */
const DM_MEMORY_ENTRIES = 20_000;
/**
 * A caller that can come back later (a queued job) is not kept waiting longer than this for its
 * channel's slot: the slot is kept for it and it is told to come back (SendLater), so a worker slot
 * is not held for seconds. It is asked back this much early, so that a delayed job's usual lateness
 * (tens of milliseconds, more under load) and its claim still leave it a short wait, not a missed slot.
 */
const WAIT_IN_PLACE_MAX_MS = 300;
const COME_BACK_EARLY_MS = 250;

/** The DM channel kept on a Slack identity met in its DM (SlackAdapter's identity), if any. */
/** Where a person's DM channel is cached in Redis (forget-me deletes it: src/server/personal-cache.ts). */
export function dmCacheKey(prefix: string, externalId: string): string {
  return `${prefix}:slack:dm:${externalId}`;
}

function dmOf(conversationRef: unknown): string | undefined {
  const channel = (conversationRef as { channel?: unknown } | null)?.channel;
  return typeof channel === 'string' && channel.startsWith('D') ? channel : undefined;
}

/** Turns a core message into postable parts; forms become "Open the form" buttons (see SlackAdapter). */
export type PartRenderer = (message: OutboundMessage, where: { teamId: string; enterpriseId?: string; userId: string; channel: string; threadTs?: string }) => Promise<SlackMessagePart[]>;

/** Knobs for tests and tuning; production uses the defaults. */
export interface SlackSenderOptions {
  /** Injectable for tests: prove a wait was asked for without sleeping. */
  wait?: (ms: number) => Promise<void>;
  now?: () => number;
  intervalMs?: number;
}

/**
 * Proactive messages on Slack (nudges, invitations, answers): a DM through conversations.open, or
 * a reply in the thread the message names. Keeps Slack's pace of about one message per second per
 * channel across every instance (slots in Redis), waits out 429 Retry-After, and never posts the
 * same logical message twice: each part is claimed in Redis before posting and marked sent after.
 *
 * Not covered: a post whose response was lost in the network is not known to have happened, so
 * it is released and may be posted again by the job's retry (Slack offers no idempotency key).
 */
export class SlackSender implements PlatformSender {
  readonly platform = 'SLACK' as const;
  private readonly limiter: ChannelRateLimit;
  private readonly claims: PostClaims;
  private readonly wait: (ms: number) => Promise<void>;
  private readonly dmChannels = new Map<string, string>();

  constructor(
    private readonly workspaces: SlackWorkspaces,
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly render: PartRenderer,
    options: SlackSenderOptions = {},
  ) {
    const intervalMs = options.intervalMs ?? 1_000;
    const now = options.now ?? Date.now;
    this.limiter = new ChannelRateLimit(redis, prefix, intervalMs, now);
    this.claims = new PostClaims(redis, prefix, intervalMs, now);
    this.wait = options.wait ?? sleep;
  }

  async send(target: { externalId: string; conversationRef: unknown; workspaceId?: string | null }, message: OutboundMessage, options: SendOptions = {}): Promise<void> {
    const match = /^([TE][A-Z0-9]+):([UW][A-Z0-9]+)$/.exec(target.externalId);
    if (!match) throw new UnreachableError('SLACK', `not a Slack identity: ${target.externalId}`);
    const [, teamId, userId] = match;
    // An identity met through an org-wide install carries the org's id: its token covers every team of the org.
    const workspace: WorkspaceRef = { teamId, ...(target.workspaceId?.startsWith('E') ? { enterpriseId: target.workspaceId } : {}) };
    const auth = await this.mapErrors(workspace, () => this.workspaces.authFor(workspace));
    const thread = await this.threadReachable(parseThreadKey(message.threadKey), teamId, auth.botToken);
    const channel = thread?.channel ?? dmOf(target.conversationRef) ?? (await this.directChannel(workspace, target.externalId, userId));
    const parts = await this.render(message, { teamId, enterpriseId: workspace.enterpriseId, userId, channel, threadTs: thread?.threadTs });
    const keyed = Boolean(message.deliveryKey);
    const base = message.deliveryKey ?? createHash('sha256').update(`${target.externalId}\n${JSON.stringify(withoutTokens(message))}`).digest('base64url');
    for (const [index, part] of parts.entries()) {
      // Straight over HTTP, not through the WebClient: this is every nudge's post (callWebApi says why).
      const post = () =>
        message.ephemeral && thread
          ? callWebApi(auth.client.slackApiUrl, auth.botToken, 'chat.postEphemeral', { channel, user: userId, thread_ts: thread.threadTs, text: part.text, blocks: part.blocks })
          : callWebApi(auth.client.slackApiUrl, auth.botToken, 'chat.postMessage', { channel, text: part.text, blocks: part.blocks, ...(thread ? { thread_ts: thread.threadTs } : {}) });
      await this.postOnce(`${base}:${index}`, keyed, workspace, channel, post, options.canComeBackLater ?? false);
    }
  }

  /** The identity belongs to the workspace the thread lives in (keys without a workspace fit any). */
  ownsThread(externalId: string, threadKey: string): boolean {
    const teamId = parseThreadKey(threadKey)?.teamId;
    return !teamId || externalId.startsWith(`${teamId}:`);
  }

  /**
   * The thread, if this identity's token may post into it: a thread of another workspace is posted into
   * only when that workspace is covered by the same installation (one token, e.g. an org-wide install).
   * Otherwise the message goes to the person's DM in their own workspace instead: another workspace's
   * token never touches the thread's channel.
   */
  private async threadReachable(thread: ReturnType<typeof parseThreadKey>, teamId: string, token: string): Promise<ReturnType<typeof parseThreadKey>> {
    if (!thread?.teamId || thread.teamId === teamId) return thread;
    const threadToken = await this.workspaces.authFor({ teamId: thread.teamId }).then((a) => a.botToken, () => undefined);
    return threadToken === token ? thread : null;
  }

  /** The person's DM channel with the bot (remembered in this process and cached in Redis). */
  private async directChannel(workspace: WorkspaceRef, externalId: string, userId: string): Promise<string> {
    const remembered = this.dmChannels.get(externalId);
    if (remembered) return remembered;
    const key = dmCacheKey(this.prefix, externalId);
    const cached = (await this.redis.get(key)) ?? (await this.openDirectChannel(workspace, key, userId));
    if (this.dmChannels.size >= DM_MEMORY_ENTRIES) this.dmChannels.delete(this.dmChannels.keys().next().value!);
    this.dmChannels.set(externalId, cached);
    return cached;
  }

  private async openDirectChannel(workspace: WorkspaceRef, key: string, userId: string): Promise<string> {
    const auth = await this.workspaces.authFor(workspace);
    // A nudge wave opens a DM for everyone not met before: straight over HTTP, like the post.
    const opened = await this.mapErrors(workspace, () =>
      withRetryAfter(() => callWebApi<{ ok: boolean; channel?: { id?: string } }>(auth.client.slackApiUrl, auth.botToken, 'conversations.open', { users: userId }), { wait: this.wait }),
    );
    const channel = opened.channel?.id;
    if (!channel) throw new Error('conversations.open returned no channel');
    await this.redis.set(key, channel, 'EX', DM_CACHE_TTL_SECONDS);
    return channel;
  }

  /**
   * Posts one part once, in its channel's slot. One Redis script claims it and reserves (or finds
   * the kept) slot; a caller that can come back later is told to (SendLater) instead of waiting
   * long. A 429 moves that channel's slots back for everyone, and the retry waits for the next one.
   */
  private async postOnce(key: string, keyed: boolean, workspace: WorkspaceRef, channel: string, post: () => Promise<unknown>, canComeBackLater: boolean): Promise<void> {
    const sentKey = `${this.prefix}:slack:sent:${key}`;
    const claim = await this.claims.claim({ sentKey, teamId: workspace.teamId, channel, claimMs: CLAIM_LEASE_MS, waitAtMostMs: canComeBackLater ? WAIT_IN_PLACE_MAX_MS : undefined });
    if (claim.verdict === 'sent') return;
    // Another worker is posting this very message now: let the job retry and find it sent.
    if (claim.verdict === 'busy') throw new Error('this message is being sent by another worker; retry later');
    if (claim.verdict === 'later') throw new SendLater(claim.at - COME_BACK_EARLY_MS);
    const renewal = setInterval(() => {
      this.redis.set(sentKey, 'sending', 'PX', CLAIM_LEASE_MS, 'XX').catch(() => undefined);
    }, CLAIM_RENEW_MS);
    try {
      let waitMs = claim.waitMs;
      await this.mapErrors(workspace, () =>
        withRetryAfter(
          async () => {
            if (waitMs > 0) await this.wait(waitMs);
            // A retry after a 429 needs a new slot (the wait happens here, after Retry-After).
            waitMs = -1;
            return post();
          },
          {
            wait: async () => undefined,
            onRateLimited: async (seconds) => {
              await this.limiter.pushBack(workspace.teamId, channel, seconds);
              waitMs = await this.limiter.reserve(workspace.teamId, channel);
            },
          },
        ),
      );
    } catch (error) {
      clearInterval(renewal);
      await this.redis.del(sentKey);
      throw error;
    } finally {
      clearInterval(renewal);
    }
    await this.redis.set(sentKey, 'sent', 'EX', keyed ? KEYED_SENT_TTL_SECONDS : HASHED_SENT_TTL_SECONDS);
  }

  /**
   * Slack's answers that mean the person cannot be reached become UnreachableError (the notifier
   * marks the identity and tells the coordinators). A workspace where the bot is no longer
   * installed, or whose token Slack refuses, is the same for everyone in it.
   */
  private async mapErrors<T>(workspace: WorkspaceRef, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof NotInstalledError) throw new UnreachableError('SLACK', error.message);
      const code = platformErrorOf(error);
      // The token was refused: whatever this process remembers of it is stale. The error stays an
      // error (a misconfigured token must not mark everyone unreachable); the job's retry looks the
      // workspace up again and finds the new token, or no installation (then: unreachable).
      if (code && REVOKED_TOKEN_ERRORS.has(code)) this.workspaces.forget(workspace);
      if (code && UNREACHABLE_ERRORS.has(code)) throw new UnreachableError('SLACK', code);
      throw error;
    }
  }
}

import type { Db } from './db.js';
import type { Logger } from './logger.js';
import { withTokens } from './action-tokens.js';
import type { OutboundMessage } from './messages.js';
import { UnreachableError, type DeliveryResult, type Notifier, type NotifyOptions, type PlatformSender, type ReachableIdentity } from './notifier.js';

/**
 * Delivers a message to a person on the platform they used last, falling back to their other
 * identities. The web chat comes after Slack and Teams: its inbox is read only while the page is
 * open, so a person who also signed in there still gets reminders where their phone shows them. A platform that says the person is gone marks that identity unreachable, so it is
 * never retried forever; other errors propagate, so the caller (a job) can retry with backoff.
 */
export class ChatNotifier implements Notifier {
  private readonly senders = new Map<string, PlatformSender>();
  private readonly unreachableListeners: UnreachableListener[] = [];

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  register(sender: PlatformSender): void {
    this.senders.set(sender.platform, sender);
  }

  /** Called once when an identity becomes unreachable, e.g. to tell the person's coordinators. */
  onUnreachable(listener: UnreachableListener): void {
    this.unreachableListeners.push(listener);
  }

  async notify(personId: string, original: OutboundMessage, options: NotifyOptions = {}): Promise<DeliveryResult> {
    // Buttons and forms in proactive messages act once too (an invitation's Accept, a notice's Confirm).
    const message = withTokens(original);
    const found: ReachableIdentity[] =
      options.identities ??
      (await this.db.platformIdentity.findMany({
        where: { personId, unreachableAt: null },
        orderBy: { lastSeenAt: 'desc' },
        select: { id: true, platform: true, externalId: true, conversationRef: true },
      }));
    // A reply into a thread must go to the platform the thread lives on ("SLACK:…", "TEAMS:…"), and there
    // to the identity the thread belongs with (a person in two Slack workspaces: the thread's workspace).
    const threadKey = message.threadKey;
    const threadPlatform = threadKey?.split(':')[0];
    const rank = ({ platform, externalId }: ReachableIdentity) => {
      if (platform !== threadPlatform) return platform === 'WEB' ? 3 : 2;
      return this.senders.get(platform)?.ownsThread?.(externalId, threadKey!) === false ? 1 : 0;
    };
    // Stable sort: within a rank, the most recently seen first (the query's order).
    const identities = [...found].sort((a, b) => rank(a) - rank(b));
    for (const identity of identities) {
      const sender = this.senders.get(identity.platform);
      if (!sender) continue;
      try {
        await sender.send({ externalId: identity.externalId, conversationRef: identity.conversationRef }, message, { canComeBackLater: options.canComeBackLater });
        return { delivered: true, platform: identity.platform };
      } catch (error) {
        if (!(error instanceof UnreachableError)) throw error;
        this.logger.warn({ personId, platform: identity.platform, reason: error.message }, 'person unreachable on platform');
        // Only the instance that marks it tells anyone, so a coordinator hears it once.
        const { count } = await this.db.platformIdentity.updateMany({ where: { id: identity.id, unreachableAt: null }, data: { unreachableAt: new Date() } });
        if (count === 1) await this.announceUnreachable(personId, identity.platform);
      }
    }
    return { delivered: false, reason: identities.length ? 'all identities unreachable' : 'no reachable identity' };
  }

  private async announceUnreachable(personId: string, platform: string): Promise<void> {
    const results = await Promise.allSettled(this.unreachableListeners.map((listener) => listener(personId, platform)));
    for (const result of results) {
      if (result.status === 'rejected') this.logger.error({ err: result.reason, personId, platform }, 'could not report an unreachable person');
    }
  }
}

/** Reacts to a person who can no longer be reached on one platform. */
export type UnreachableListener = (personId: string, platform: string) => Promise<void>;

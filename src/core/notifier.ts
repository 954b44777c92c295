import type { OutboundMessage } from './messages.js';

/**
 * The chat port for messages nobody asked for right now: nudges, invitations, answers from a
 * resource person. Each platform adapter registers a sender; the notifier picks the person's
 * reachable identity. It does not cover replies to the current request (those are returned
 * from the flow) nor rate limiting (each sender keeps its platform's limits).
 */
export interface PlatformSender {
  platform: 'SLACK' | 'TEAMS' | 'WEB';
  /** Sends to one identity; throws UnreachableError when the platform says the person is gone. */
  send(target: { externalId: string; conversationRef: unknown }, message: OutboundMessage, options?: SendOptions): Promise<void>;
  /**
   * Whether the identity belongs where the thread lives (Slack: the thread's workspace), for a person
   * with several identities on the platform: those it says yes to are tried first. Without it, any
   * identity on the thread's platform will do.
   */
  ownsThread?(externalId: string, threadKey: string): boolean;
}

/** What the caller of a send can offer the sender. */
export interface SendOptions {
  /**
   * The caller can come back later (a queued job), so a sender that would otherwise wait a long
   * time for its platform's pace throws SendLater instead of waiting. Senders may ignore it.
   */
  canComeBackLater?: boolean;
}

/**
 * Nothing was sent: the platform's pace allows this message only at `notBefore` (epoch ms), and
 * the sender has kept that moment for it. The caller should try the same message again then.
 */
export class SendLater extends Error {
  constructor(readonly notBefore: number) {
    super(`the platform's pace allows this message at ${new Date(notBefore).toISOString()}`);
    this.name = 'SendLater';
  }
}

export class UnreachableError extends Error {
  constructor(readonly platform: string, reason: string) {
    super(`unreachable on ${platform}: ${reason}`);
    this.name = 'UnreachableError';
  }
}

export interface DeliveryResult {
  delivered: boolean;
  platform?: string;
  /** Why nothing was delivered, e.g. "no reachable identity". */
  reason?: string;
}

/** A platform identity the notifier may use, as `ChatNotifier` would load it. */
export interface ReachableIdentity {
  id: string;
  platform: string;
  externalId: string;
  conversationRef: unknown;
}

export interface NotifyOptions extends SendOptions {
  /**
   * The person's reachable identities, most recently used first, when the caller has already
   * loaded them (the nudge worker does, in the query that claims the nudges): saves a query.
   */
  identities?: ReachableIdentity[];
}

export interface Notifier {
  notify(personId: string, message: OutboundMessage, options?: NotifyOptions): Promise<DeliveryResult>;
}

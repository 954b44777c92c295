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
  send(target: { externalId: string; conversationRef: unknown }, message: OutboundMessage): Promise<void>;
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

export interface Notifier {
  notify(personId: string, message: OutboundMessage): Promise<DeliveryResult>;
}

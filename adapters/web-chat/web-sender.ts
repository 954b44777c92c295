import type { OutboundMessage } from '../../src/core/messages.js';
import type { PlatformSender } from '../../src/core/notifier.js';
import type { WebChatHistory } from './history.js';

/**
 * Proactive messages for web-chat users (nudges, invitations) go into the person's conversation
 * (WebChatHistory, in PostgreSQL): the page shows them when it next looks, even after being
 * closed, and any bot instance can add them.
 */
export class WebSender implements PlatformSender {
  readonly platform = 'WEB' as const;

  constructor(private readonly history: WebChatHistory) {}

  async send(target: { externalId: string }, message: OutboundMessage): Promise<void> {
    await this.history.append(target.externalId, 'bot', message, { inbox: true });
  }

  /** Takes every proactive message not taken yet, oldest first (tests and the old inbox endpoint). */
  async drain(externalId: string): Promise<OutboundMessage[]> {
    return this.history.takeInbox(externalId);
  }
}

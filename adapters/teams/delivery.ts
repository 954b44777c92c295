import type { ConversationRateLimiter, TeamsConversation } from './outbound-limits.js';

/** Statuses after which Teams asks us to try again: throttled, precondition (concurrent edit), gateway. */
export const RETRYABLE_STATUSES = new Set([429, 412, 502, 504]);

/** How hard to try one activity: attempts, backoff bounds, and the longest wait for the rate limiter. */
export interface RetryPolicy {
  /** Attempts per activity, the first one included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest wait for the rate limiter before giving up (the caller, e.g. a job, retries later). */
  maxRateWaitMs: number;
}

/** Production defaults: 5 attempts, 1 s doubling up to 30 s, at most a minute waiting for room. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 5, baseDelayMs: 1_000, maxDelayMs: 30_000, maxRateWaitMs: 60_000 };

/** Thrown when Teams keeps refusing or the rate limit would make us wait too long; retry later. */
export class TeamsDeliveryError extends Error {
  constructor(message: string, readonly status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TeamsDeliveryError';
  }
}

/** The HTTP status of an error from the Bot Connector client, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const e = error as { statusCode?: unknown; status?: unknown; response?: { status?: unknown } };
  const status = e?.statusCode ?? e?.status ?? e?.response?.status;
  return typeof status === 'number' ? status : undefined;
}

function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as { response?: { headers?: { get?(name: string): string | undefined } } })?.response?.headers;
  const value = headers?.get?.('retry-after');
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Sends one activity: waits for room under the conversation's rate limits, then makes exactly one
 * HTTP call per attempt (the connector's own hidden retries are switched off, see bot-framework.ts)
 * and retries only the statuses Teams documents as "try again", with exponential backoff or the
 * server's Retry-After. 429 and 412 mean Teams did not take the message, so a retry cannot double it.
 */
export class ActivityDelivery {
  constructor(
    private readonly limiter: ConversationRateLimiter,
    private readonly policy: RetryPolicy = DEFAULT_RETRY_POLICY,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async send<T>(where: string | TeamsConversation, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await this.waitForRoom(where);
      try {
        return await call();
      } catch (error) {
        const status = statusOf(error);
        if (status === undefined || !RETRYABLE_STATUSES.has(status)) throw error;
        if (attempt >= this.policy.attempts) throw new TeamsDeliveryError(`Teams still answers ${status} after ${attempt} attempts`, status, { cause: error });
        const backoff = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (attempt - 1));
        await this.sleep(retryAfterMs(error) ?? backoff * (0.75 + Math.random() * 0.5));
      }
    }
  }

  private async waitForRoom(where: string | TeamsConversation): Promise<void> {
    let waited = 0;
    for (;;) {
      const wait = await this.limiter.tryAcquire(where);
      if (wait === 0) return;
      if (waited + wait > this.policy.maxRateWaitMs) throw new TeamsDeliveryError(`rate limit of conversation reached; retry in ${wait} ms`, 429);
      waited += wait;
      await this.sleep(wait);
    }
  }
}

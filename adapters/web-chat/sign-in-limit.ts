import type { Redis } from '../../src/core/redis.js';
import { LINK_CODE_TTL_MS, MAX_LINK_FAILURES } from '../../src/domain/identity-link.js';

/**
 * Wrong sign-in codes a whole deployment accepts per window before it makes everyone wait. Client
 * addresses can be forged behind proxies, so this is the real brake on guessing: at 300 guesses per
 * ten minutes, one code among a thousand live ones is found about once in 30 years of trying.
 */
export const MAX_SIGN_IN_FAILURES_ALL = 300;
const WINDOW_SECONDS = LINK_CODE_TTL_MS / 1000;

/**
 * Counts wrong web chat sign-in codes in Redis (shared by every instance): per client address the
 * same allowance as for linking accounts (MAX_LINK_FAILURES per code lifetime), and a cap for the
 * whole deployment. Without Redis it cannot count, so sign-in is refused (fails closed).
 */
export class SignInLimit {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private keys(client: string): [string, string] {
    return [`${this.prefix}:web:sign-in-failures:client:${client}`, `${this.prefix}:web:sign-in-failures:all`];
  }

  /** True when this client (or everyone) has had too many wrong codes in the current window. */
  async blocked(client: string): Promise<boolean> {
    const [mine, all] = await this.redis.mget(...this.keys(client));
    return Number(mine ?? 0) >= MAX_LINK_FAILURES || Number(all ?? 0) >= MAX_SIGN_IN_FAILURES_ALL;
  }

  /** Records one wrong code; each counter's window starts at its first failure. */
  async failed(client: string): Promise<void> {
    const multi = this.redis.multi();
    for (const key of this.keys(client)) multi.set(key, '0', 'EX', WINDOW_SECONDS, 'NX').incr(key);
    await multi.exec();
  }
}

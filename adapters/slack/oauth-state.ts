import { createHmac, randomBytes } from 'node:crypto';
import type { InstallURLOptions, StateStore } from '@slack/bolt';
import { sameSecret } from '../../src/core/same-secret.js';
import { z } from 'zod';
import type { Redis } from '../../src/core/redis.js';

/** How long an "Add to Slack" click stays good for: Slack's consent screen, then back to us. */
export const STATE_TTL_SECONDS = 10 * 60;

/** Bolt's installer treats an error with this code as "invalid state" (its InvalidStateError). */
export class InvalidOAuthStateError extends Error {
  readonly code = 'slack_oauth_invalid_state';
  constructor(why: string) {
    super(`the install link's state is not valid: ${why}`);
    this.name = 'InvalidOAuthStateError';
  }
}

const installOptionsSchema = z.object({
  scopes: z.union([z.string(), z.array(z.string())]),
  teamId: z.string().optional(),
  redirectUri: z.string().optional(),
  userScopes: z.union([z.string(), z.array(z.string())]).optional(),
  metadata: z.string().optional(),
});

/**
 * The OAuth `state` of an install (Bolt's StateStore): a random id signed with SLACK_STATE_SECRET,
 * whose install options wait in Redis for ten minutes. Verifying takes them with GETDEL, so a state
 * works once, on whichever instance Slack's redirect lands; a forged one fails the signature before
 * Redis is asked.
 */
export class RedisStateStore implements StateStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly secret: string,
  ) {}

  async generateStateParam(installOptions: InstallURLOptions): Promise<string> {
    const id = randomBytes(18).toString('base64url');
    await this.redis.set(this.key(id), JSON.stringify(installOptions), 'EX', STATE_TTL_SECONDS);
    return `${id}.${this.sign(id)}`;
  }

  async verifyStateParam(_now: Date, state: string): Promise<InstallURLOptions> {
    const [id, signature, extra] = String(state).split('.');
    if (!id || !signature || extra !== undefined || !/^[\w-]{24}$/.test(id)) throw new InvalidOAuthStateError('malformed');
    if (!sameSecret(signature, this.sign(id))) throw new InvalidOAuthStateError('bad signature');
    const stored = await this.redis.getdel(this.key(id));
    if (!stored) throw new InvalidOAuthStateError('expired or already used');
    const parsed = installOptionsSchema.safeParse(JSON.parse(stored));
    if (!parsed.success) throw new InvalidOAuthStateError('unreadable');
    return parsed.data as InstallURLOptions;
  }

  private sign(id: string): string {
    return createHmac('sha256', this.secret).update(`slack-oauth-state\n${id}`).digest('base64url');
  }

  private key(id: string): string {
    return `${this.prefix}:slack:oauth-state:${id}`;
  }
}

import type { Request } from 'express';
import { z } from 'zod';
import type { Clock } from '../../src/core/clock.js';
import type { Config } from '../../src/core/config.js';
import type { Db } from '../../src/core/db.js';
import type { IdentityInput } from '../../src/domain/people.js';
import { findWebSession, webSessionPolicy, type SessionPerson } from '../../src/domain/web-sessions.js';

/**
 * The cookie that carries a web chat session's token. `__Host-` makes browsers insist on Secure,
 * Path=/ and no Domain, so no other site or subdomain can set or read it.
 */
export const SESSION_COOKIE = '__Host-cb_session';

/** A demo identity key as the page sends it ("lc1-coordinator", "guest-x1y2z3"). */
export const demoIdentityKey = z
  .string()
  .regex(/^[a-z0-9][a-z0-9:_-]{0,79}$/i, 'identity must be a demo identity key')
  // Signed-in people's web identities are "web:account:…": no demo key reaches them.
  .refine((key) => !key.toLowerCase().startsWith('account:'), 'identity must be a demo identity key');

/** Who a web chat request acts as. */
export interface WebCaller {
  /** What the core resolves to a person (Bot.handle's envelope.identity). */
  identity: IdentityInput;
  /**
   * The web chat identity's key: "web:account:<person id>" for a signed-in person, "web:<key>" for a
   * demo identity. The inbox (and the message history) belong to it.
   */
  externalId: string;
  /** Set when the request came with a valid session cookie. */
  session?: SessionPerson;
}

/** Why a request acts as nobody: 401 without a usable session (sign-in), 400 without a demo identity (demo). */
export type WebCallerRefusal = { status: 400 | 401; reason: 'signInFirst' | 'sessionEnded' | 'pickIdentity' };

export type WebCallerLookup = (req: Request, claimedIdentity?: unknown) => Promise<{ caller: WebCaller } | { refused: WebCallerRefusal }>;

/**
 * The one place that decides who a web chat request is. With sign-in (production) only the session
 * cookie counts and anything the client claims is ignored. In demo mode (DEMO_MODE, never in
 * production) the page may pick a demo identity or a guest key; without one, a session still works.
 */
export function webCallerLookup(deps: { db: Db; config: Config; clock: Clock }): WebCallerLookup {
  const policy = webSessionPolicy(deps.config);
  return async (req, claimedIdentity) => {
    if (deps.config.webChatAccess === 'demo' && claimedIdentity !== undefined && claimedIdentity !== '') {
      const key = demoIdentityKey.safeParse(claimedIdentity);
      if (!key.success) return { refused: { status: 400, reason: 'pickIdentity' } };
      return { caller: demoCaller(key.data) };
    }
    const token = sessionTokenOf(req);
    const session = token ? await findWebSession(deps.db, token, deps.clock.now(), policy) : null;
    if (session) return { caller: { identity: { platform: 'WEB', externalId: session.externalId }, externalId: session.externalId, session } };
    if (deps.config.webChatAccess === 'demo') return { refused: { status: 400, reason: 'pickIdentity' } };
    return { refused: { status: 401, reason: token ? 'sessionEnded' : 'signInFirst' } };
  };
}

function demoCaller(key: string): WebCaller {
  const externalId = `web:${key}`;
  return { identity: { platform: 'WEB', externalId, loadProfile: async () => ({ displayName: `Guest ${key.slice(-4)}` }) }, externalId };
}

/** The session token from the request's Cookie header, if any. */
export function sessionTokenOf(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    // Our tokens are base64url: anything else cannot be one of ours.
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return /^[\w-]{1,200}$/.test(part.slice(eq + 1).trim()) ? part.slice(eq + 1).trim() : undefined;
  }
  return undefined;
}

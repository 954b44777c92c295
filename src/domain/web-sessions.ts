import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../core/db.js';
import { claimLinkCode, normaliseLinkCode } from './identity-link.js';

/** Web chat identities of signed-in people are "web:account:<person id>"; demo identities are "web:<key>". */
export const WEB_ACCOUNT_PREFIX = 'web:account:';

/** How long sessions last (config WEB_SESSION_DAYS, WEB_SESSION_IDLE_DAYS). */
export interface WebSessionPolicy {
  lifetimeDays: number;
  idleDays: number;
}

/** The policy the configuration sets. */
export function webSessionPolicy(config: { WEB_SESSION_DAYS: number; WEB_SESSION_IDLE_DAYS: number }): WebSessionPolicy {
  return { lifetimeDays: config.WEB_SESSION_DAYS, idleDays: config.WEB_SESSION_IDLE_DAYS };
}

/** The person a signed-in browser acts as. */
export interface SessionPerson {
  sessionId: string;
  /** The person's web chat identity: replies, the inbox and the history key on its externalId. */
  identityId: string;
  externalId: string;
  personId: string;
  displayName: string;
  locale: string;
  expiresAt: Date;
}

export type SignInResult = { ok: true; token: string; session: SessionPerson } | { ok: false; reason: 'format' | 'unknown' };

const DAY_MS = 24 * 3600 * 1000;
/** lastUsedAt is written at most this often: a page polls every few seconds, the idle limit is days. */
const TOUCH_EVERY_MS = 60_000;

/** Only the hash is stored; the token itself lives in the browser's cookie. */
function sessionIdOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Signs a browser in with a one-time code the person got from `/lc link` in Slack or Teams (the same
 * codes that link accounts, src/domain/identity-link.ts). The code is used up; the session acts as
 * the code's owner through their web chat identity, made on first sign-in. Refuses, creating nothing,
 * a code that is malformed, unknown, expired or already used, or whose owner was erased.
 */
export async function signInWithLinkCode(db: Db, input: { code: string; now: Date; policy: WebSessionPolicy }): Promise<SignInResult> {
  const code = normaliseLinkCode(input.code);
  if (!code) return { ok: false, reason: 'format' };
  const { now, policy } = input;
  return db.$transaction(async (txClient) => {
    const tx = txClient as unknown as Db;
    const claimed = await claimLinkCode(tx, code, now);
    if (!claimed) return { ok: false, reason: 'unknown' } as const;
    const person = await tx.person.findUnique({ where: { id: claimed.personId } });
    if (!person || person.erasedAt) return { ok: false, reason: 'unknown' } as const;
    const identity = await webAccountOf(tx, person.id);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + policy.lifetimeDays * DAY_MS);
    const sessionId = sessionIdOf(token);
    await tx.webSession.create({ data: { id: sessionId, identityId: identity.id, createdAt: now, lastUsedAt: now, expiresAt } });
    return {
      ok: true,
      token,
      session: { sessionId, identityId: identity.id, externalId: identity.externalId, personId: person.id, displayName: person.displayName, locale: person.locale, expiresAt },
    } as const;
  });
}

/** The person's web chat identity for signed-in use, made once (a merged person may own an older one). */
async function webAccountOf(tx: Db, personId: string): Promise<{ id: string; externalId: string }> {
  const existing = await tx.platformIdentity.findFirst({
    where: { personId, platform: 'WEB', externalId: { startsWith: WEB_ACCOUNT_PREFIX } },
    orderBy: { createdAt: 'asc' },
    select: { id: true, externalId: true },
  });
  if (existing) return existing;
  const externalId = `${WEB_ACCOUNT_PREFIX}${personId}`;
  return tx.platformIdentity.upsert({
    where: { platform_externalId: { platform: 'WEB', externalId } },
    create: { personId, platform: 'WEB', externalId },
    update: {},
    select: { id: true, externalId: true },
  });
}

/**
 * The person behind a session cookie's token, or null when there is no such session, it has ended
 * (lifetime or idle limit), or its person was erased. An ended session is deleted on the way.
 */
export async function findWebSession(db: Db, token: string, now: Date, policy: WebSessionPolicy): Promise<SessionPerson | null> {
  if (!token || token.length > 200) return null;
  const sessionId = sessionIdOf(token);
  const row = await db.webSession.findUnique({
    where: { id: sessionId },
    select: {
      identityId: true,
      lastUsedAt: true,
      expiresAt: true,
      identity: { select: { externalId: true, person: { select: { id: true, displayName: true, locale: true, erasedAt: true } } } },
    },
  });
  if (!row) return null;
  const idleEnd = row.lastUsedAt.getTime() + policy.idleDays * DAY_MS;
  if (row.expiresAt <= now || idleEnd <= now.getTime() || row.identity.person.erasedAt) {
    await db.webSession.deleteMany({ where: { id: sessionId } });
    return null;
  }
  if (now.getTime() - row.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
    await db.webSession.updateMany({ where: { id: sessionId }, data: { lastUsedAt: now } });
  }
  const person = row.identity.person;
  return {
    sessionId,
    identityId: row.identityId,
    externalId: row.identity.externalId,
    personId: person.id,
    displayName: person.displayName,
    locale: person.locale,
    expiresAt: row.expiresAt,
  };
}

/** Signs one browser out (its session is deleted; the cookie alone opens nothing any more). */
export async function endWebSession(db: Db, token: string): Promise<void> {
  await db.webSession.deleteMany({ where: { id: sessionIdOf(token) } });
}

/** Signs a person out on every device. */
export async function endAllWebSessions(db: Db, personId: string): Promise<number> {
  const { count } = await db.webSession.deleteMany({ where: { identity: { personId } } });
  return count;
}

/** Housekeeping: sessions past their lifetime or idle limit are deleted. */
export async function deleteEndedWebSessions(db: Db, now: Date, policy: WebSessionPolicy): Promise<number> {
  const idleSince = new Date(now.getTime() - policy.idleDays * DAY_MS);
  const { count } = await db.webSession.deleteMany({ where: { OR: [{ expiresAt: { lte: now } }, { lastUsedAt: { lte: idleSince } }] } });
  return count;
}

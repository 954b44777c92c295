import type { Db } from '../core/db.js';
import { statement } from '../core/sql.js';
import type { Platform, Role } from '../generated/prisma/enums.js';
import { rolesOf } from './memberships.js';
import { normaliseLanguage } from '../core/languages.js';

/** What an adapter knows about the sender of an event. */
export interface IdentityInput {
  platform: Platform;
  /** Platform-scoped id: Slack "T1:U1", Teams "<tenant>:<aadObjectId>", web "demo:<key>". */
  externalId: string;
  /** Fetched only on first contact (Slack users.info, Teams member info). */
  loadProfile?: () => Promise<ProfileInput>;
  /** Where to reach the person later; stored when given (Teams conversation reference). */
  conversationRef?: unknown;
  /** The reference is only a fallback (Teams: met in a channel): keep an already stored one. */
  keepExistingRef?: boolean;
  /**
   * The language the platform says the person uses, given with every event (Teams' activity locale).
   * It sets the person's language until they choose one themselves (/lc language).
   */
  platformLocale?: string;
}

/** What a platform says about a person on first contact. */
export interface ProfileInput {
  displayName?: string;
  /**
   * An address the platform vouches for: Slack's users.info under the bot token, Teams' member
   * lookup under an authenticated token. Never one a caller typed or an unauthenticated request
   * carried: the person is linked by it (invitations by email, the same person on two platforms).
   */
  verifiedEmail?: string;
  locale?: string;
  timeZone?: string;
}

export interface ResolvedPerson {
  id: string;
  displayName: string;
  locale: string;
  timeZone: string;
  isNew: boolean;
  /** Every role the person holds in an ACTIVE membership anywhere, read in the same request. */
  roles: ReadonlySet<Role>;
}

/** One row of the known-identity lookup: the identity, its person and the person's active roles. */
interface KnownIdentityRow {
  identityId: string;
  lastSeenAt: Date;
  unreachable: boolean;
  hasRef: boolean;
  personId: string;
  displayName: string;
  locale: string;
  languageChosen: boolean;
  timeZone: string;
  roles: Role[];
}

/**
 * Every event starts here, so this is one prepared statement on the pool: through Prisma's model API
 * the identity, its person and the roles were three queries, and even as one raw query Prisma's client
 * and query compiler cost more CPU than the query itself (docs/performance.md).
 */
const knownIdentity = statement<KnownIdentityRow>(
  'known-identity',
  `SELECT i.id AS "identityId", i."lastSeenAt" AT TIME ZONE 'UTC' AS "lastSeenAt", i."unreachableAt" IS NOT NULL AS unreachable,
          (i."conversationRef" IS NOT NULL AND i."conversationRef" <> 'null'::jsonb) AS "hasRef",
          p.id AS "personId", p."displayName", p.locale, p."languageChosenAt" IS NOT NULL AS "languageChosen", p."timeZone",
          ARRAY(SELECT DISTINCT m.role::text FROM "Membership" m WHERE m."personId" = p.id AND m.status = 'ACTIVE') AS roles
     FROM "PlatformIdentity" i JOIN "Person" p ON p.id = i."personId"
    WHERE i.platform = $1::"Platform" AND i."externalId" = $2`,
);

/**
 * The identity was seen now (and can be reached again); its conversation reference replaced when one is
 * given ($3, JSON text; null keeps the stored one). On the same hot path as the lookup above, so a
 * prepared statement too.
 */
const identitySeen = statement(
  'identity-seen',
  `UPDATE "PlatformIdentity"
      SET "lastSeenAt" = $2::timestamptz AT TIME ZONE 'UTC', "unreachableAt" = NULL, "conversationRef" = coalesce($3::jsonb, "conversationRef")
    WHERE id = $1`,
);

async function findKnownIdentity(db: Db, platform: Platform, externalId: string): Promise<KnownIdentityRow | null> {
  return (await knownIdentity.run(db, [platform, externalId]))[0] ?? null;
}

/**
 * Maps a platform identity to a person, creating the person on first contact with the profile
 * the platform gives. One person may have several identities (Slack, Teams, web chat).
 */
export async function resolvePerson(db: Db, input: IdentityInput, defaults: { locale: string; timeZone: string }): Promise<ResolvedPerson> {
  const where = { platform_externalId: { platform: input.platform, externalId: input.externalId } };
  const known = await findKnownIdentity(db, input.platform, input.externalId);
  if (known) {
    // lastSeenAt picks the platform for proactive messages; minute precision is plenty, so most
    // requests need no write at all. A channel's reference never replaces a personal chat's (keepExistingRef).
    const newRef = input.conversationRef && !(input.keepExistingRef && known.hasRef);
    const stale = Date.now() - new Date(known.lastSeenAt).getTime() > 60_000;
    if (newRef || stale || known.unreachable) {
      await identitySeen.run(db, [known.identityId, new Date(), newRef ? JSON.stringify(storableJson(input.conversationRef)) : null]);
    }
    const locale = await followPlatformLanguage(db, known.personId, known, input.platformLocale);
    return { id: known.personId, displayName: known.displayName, locale, timeZone: known.timeZone, isNew: false, roles: new Set(known.roles) };
  }
  const profile = (await input.loadProfile?.().catch(() => ({}) as ProfileInput)) ?? {};
  const email = cleanEmail(profile.verifiedEmail);
  // Linking by verified email: the platform vouches for it, so the same person on two platforms is one.
  const found = email ? await db.person.findUnique({ where: { email } }) : null;
  // Invited by email before their first contact: the platform's language is the first one we learn.
  const existing = found && { ...found, locale: await followPlatformLanguage(db, found.id, { locale: found.locale, languageChosen: !!found.languageChosenAt }, profile.locale ?? input.platformLocale) };
  const person =
    existing ??
    (await db.person.create({
      data: {
        displayName: cleanDisplayName(profile.displayName) || 'Guest',
        email,
        locale: normaliseLanguage(profile.locale) ?? normaliseLanguage(input.platformLocale) ?? normaliseLanguage(defaults.locale) ?? 'en',
        timeZone: validZone(profile.timeZone) ?? defaults.timeZone,
      },
    }));
  try {
    await db.platformIdentity.create({
      data: {
        personId: person.id,
        platform: input.platform,
        externalId: input.externalId,
        ...(input.conversationRef ? { conversationRef: storableJson(input.conversationRef) as object } : {}),
      },
    });
  } catch (error) {
    // Two instances saw the same new user at once: the other one won, use its record.
    const winner = await db.platformIdentity.findUnique({ where, include: { person: true } });
    if (!winner) throw error;
    if (!existing) await db.person.delete({ where: { id: person.id } }).catch(() => undefined);
    const p = winner.person;
    return { id: p.id, displayName: p.displayName, locale: p.locale, timeZone: p.timeZone, isNew: false, roles: await rolesOf(db, p.id) };
  }
  // A person found by email may already hold roles (invited by email before their first contact).
  const roles = existing ? await rolesOf(db, person.id) : new Set<Role>();
  return { id: person.id, displayName: person.displayName, locale: person.locale, timeZone: person.timeZone, isNew: !existing, roles };
}

/**
 * The person's language after hearing what their platform says: the platform's, while they have not
 * chosen one (a person's own choice always wins); unchanged for a language we do not speak. One
 * conditional update, so two instances agreeing write the same thing and a choice made meanwhile wins.
 */
async function followPlatformLanguage(db: Db, personId: string, person: { locale: string; languageChosen: boolean }, platformLocale: string | undefined): Promise<string> {
  const language = normaliseLanguage(platformLocale);
  if (!language || person.languageChosen || language === person.locale) return person.locale;
  const { count } = await db.person.updateMany({ where: { id: personId, languageChosenAt: null }, data: { locale: language } });
  return count ? language : person.locale;
}

/**
 * A display name as PostgreSQL can store it and every platform can show it: NUL and other control
 * characters, lone surrogates and invisible direction overrides removed, spaces collapsed, at most
 * 200 characters (not splitting a surrogate pair). A name a platform sends with a NUL no longer
 * breaks every message from that person.
 */
export function cleanDisplayName(name: string | undefined | null): string {
  if (typeof name !== 'string') return '';
  const cleaned = name
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, ' ')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return [...cleaned].slice(0, 200).join('').trim();
}

/**
 * A platform's conversation reference as jsonb can hold it: PostgreSQL refuses NUL in jsonb text, and
 * a reference carries the sender's display name, so one odd name would make every turn fail.
 */
function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\u0000/g, '').replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '');
  if (Array.isArray(value)) return value.map(storableJson);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableJson(k) as string, storableJson(v)]));
  return value;
}

/** A vouched-for address in the form people are found by (lower case), or undefined if it is not an address. */
function cleanEmail(email: string | undefined): string | undefined {
  if (typeof email !== 'string') return undefined;
  const trimmed = email.trim().toLowerCase();
  return /^[^\s@\u0000]{1,64}@[^\s@\u0000]{1,255}$/.test(trimmed) ? trimmed : undefined;
}


function validZone(zone?: string): string | undefined {
  if (!zone) return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}

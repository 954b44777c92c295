import type { Db } from '../../src/core/db.js';

/** The person behind a demo web identity such as "web:lc1-m1". */
export async function personOf(db: Db, externalId: string) {
  const identity = await db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'WEB', externalId } }, include: { person: true } });
  return identity.person;
}

/** Gives a demo person a second account on Slack or Teams, as linking by email would. */
export async function linkIdentity(db: Db, webId: string, platform: 'SLACK' | 'TEAMS', externalId: string) {
  const person = await personOf(db, webId);
  await db.platformIdentity.create({ data: { personId: person.id, platform, externalId } });
  return person;
}

/** The cluster with this demo code. */
export function clusterByCode(db: Db, code: string) {
  return db.cluster.findFirstOrThrow({ where: { code } });
}

/** The id of a download from its link (…/files/<id>/<name>). */
export function downloadIdOf(text: string): string {
  const match = /\/files\/([\w-]{43})\//.exec(text);
  if (!match) throw new Error(`no download link in: ${text}`);
  return match[1];
}

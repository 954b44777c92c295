import type { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../core/db.js';
import { BotError, ErrorCode } from '../../core/errors.js';
import type { Role } from '../../generated/prisma/enums.js';
import { requireRole } from '../memberships.js';
import { approachKey, emptyPractice, practiceContentSchema, sameSection, type PracticeContent, type PracticeSection } from './content.js';

/** Who reads a cluster's good practice: everyone in the cluster. */
export const PRACTICE_READERS: Role[] = ['COORDINATOR', 'RESOURCE_PERSON', 'MEMBER', 'OBSERVER'];
/** Who writes it: the resource persons who own it, and the coordinators who run the cluster. */
export const PRACTICE_EDITORS: Role[] = ['RESOURCE_PERSON', 'COORDINATOR'];

/** One saved version as views show it. */
export interface PracticeVersion {
  id: string;
  practiceId: string;
  number: number;
  section: string;
  note: string | null;
  authorName: string | null;
  createdAt: Date;
  content: PracticeContent;
}

/** A cluster's good practice as one reader may see it: the newest version, or nothing written yet. */
export interface PracticeView {
  clusterId: string;
  clusterCode: string;
  clusterName: string;
  approach: string;
  practiceId: string | null;
  mayEdit: boolean;
  latest: PracticeVersion | null;
  content: PracticeContent;
}

/**
 * The good practice a cluster reads: the one it points to, else the one of its programme with the same
 * approach (then the cluster is pointed to it), else none yet.
 */
export async function practiceOfCluster(db: Db, clusterId: string): Promise<string | null> {
  const cluster = await db.cluster.findUnique({ where: { id: clusterId }, select: { programmeId: true, approach: true, goodPracticeId: true } });
  if (!cluster) throw new BotError(ErrorCode.NotFound, 'errors.notFound', { what: { key: 'things.cluster' } });
  if (cluster.goodPracticeId) return cluster.goodPracticeId;
  const shared = await db.goodPractice.findUnique({ where: { programmeId_approachKey: { programmeId: cluster.programmeId, approachKey: approachKey(cluster.approach) } }, select: { id: true } });
  if (!shared) return null;
  await db.cluster.updateMany({ where: { id: clusterId, goodPracticeId: null }, data: { goodPracticeId: shared.id } });
  return shared.id;
}

/** Whether the person may edit the cluster's good practice (checked again when they save). */
export async function mayEditPractice(db: Db, personId: string, clusterId: string): Promise<boolean> {
  return !!(await db.membership.findFirst({ where: { personId, clusterId, status: 'ACTIVE', role: { in: PRACTICE_EDITORS } }, select: { id: true } }));
}

/** The cluster's good practice for a reader, or NotAllowed for anyone outside the cluster. */
export async function readPractice(db: Db, personId: string, clusterId: string): Promise<PracticeView> {
  await requireRole(db, personId, clusterId, PRACTICE_READERS);
  const cluster = await db.cluster.findUniqueOrThrow({ where: { id: clusterId }, select: { code: true, name: true, approach: true } });
  const practiceId = await practiceOfCluster(db, clusterId);
  const latest = practiceId ? await latestVersion(db, practiceId) : null;
  return {
    clusterId,
    clusterCode: cluster.code,
    clusterName: cluster.name,
    approach: cluster.approach,
    practiceId,
    mayEdit: await mayEditPractice(db, personId, clusterId),
    latest,
    content: latest?.content ?? emptyPractice(),
  };
}

export type SaveOutcome = { saved: true; version: PracticeVersion } | { saved: false; version: PracticeVersion | null };

/**
 * Saves one section as a new version of the whole document (the other sections as the newest version
 * has them, so two editors saving different sections at once lose nothing). The practice row is locked
 * for the save, so version numbers never collide across instances. A save that changes nothing adds no
 * version. Only the cluster's resource persons and coordinators may save.
 */
export async function saveSection<S extends PracticeSection>(
  db: Db,
  input: { personId: string; clusterId: string; section: S; value: PracticeContent[S]; note?: string },
): Promise<SaveOutcome> {
  await requireRole(db, input.personId, input.clusterId, PRACTICE_EDITORS);
  return db.$transaction(async (tx) => {
    const cluster = await tx.cluster.findUniqueOrThrow({ where: { id: input.clusterId }, select: { programmeId: true, approach: true, goodPracticeId: true } });
    let practiceId = cluster.goodPracticeId;
    if (!practiceId) {
      const key = approachKey(cluster.approach);
      // Two first saves at once (two clusters of the approach, two editors) create one practice.
      await tx.goodPractice.createMany({ data: [{ programmeId: cluster.programmeId, approach: cluster.approach, approachKey: key }], skipDuplicates: true });
      practiceId = (await tx.goodPractice.findUniqueOrThrow({ where: { programmeId_approachKey: { programmeId: cluster.programmeId, approachKey: key } }, select: { id: true } })).id;
      await tx.cluster.update({ where: { id: input.clusterId }, data: { goodPracticeId: practiceId } });
    }
    await tx.$queryRaw`SELECT id FROM "GoodPractice" WHERE id = ${practiceId} FOR UPDATE`;
    const latest = await latestVersion(tx as unknown as Db, practiceId);
    const content: PracticeContent = { ...(latest?.content ?? emptyPractice()), [input.section]: input.value };
    if (latest && sameSection(latest.content, content, input.section)) return { saved: false, version: latest };
    if (!latest && sameSection(emptyPractice(), content, input.section)) return { saved: false, version: null };
    const row = await tx.goodPracticeVersion.create({
      data: { practiceId, number: (latest?.number ?? 0) + 1, content: content as Prisma.InputJsonValue, section: input.section, note: input.note || null, authorId: input.personId },
      include: { author: { select: { displayName: true } } },
    });
    return { saved: true, version: toVersion(row) };
  });
}

const withAuthor = { author: { select: { displayName: true } } } as const;

/** The newest version of a practice, or null when nothing has been saved. */
export async function latestVersion(db: Db, practiceId: string): Promise<PracticeVersion | null> {
  const row = await db.goodPracticeVersion.findFirst({ where: { practiceId }, orderBy: { number: 'desc' }, include: withAuthor });
  return row ? toVersion(row) : null;
}

/** Every version of a practice, newest first (at most `take`), for the versions list. */
export async function listVersions(db: Db, practiceId: string, take = 50): Promise<PracticeVersion[]> {
  const rows = await db.goodPracticeVersion.findMany({ where: { practiceId }, orderBy: { number: 'desc' }, take, include: withAuthor });
  return rows.map(toVersion);
}

/**
 * One version, read through the cluster the reader belongs to: the reader's access is settled and the
 * version must belong to that cluster's practice before its content is returned.
 */
export async function readVersion(db: Db, personId: string, clusterId: string, versionId: string): Promise<{ view: PracticeView; version: PracticeVersion }> {
  const view = await readPractice(db, personId, clusterId);
  const row = view.practiceId ? await db.goodPracticeVersion.findFirst({ where: { id: versionId, practiceId: view.practiceId }, include: withAuthor }) : null;
  if (!row) throw new BotError(ErrorCode.NotFound, 'errors.notFound', { what: { key: 'practice:things.version' } });
  return { view, version: toVersion(row) };
}

function toVersion(row: { id: string; practiceId: string; number: number; section: string; note: string | null; createdAt: Date; content: unknown; author: { displayName: string } | null }): PracticeVersion {
  return {
    id: row.id,
    practiceId: row.practiceId,
    number: row.number,
    section: row.section,
    note: row.note,
    authorName: row.author?.displayName ?? null,
    createdAt: row.createdAt,
    content: practiceContentSchema.parse(row.content),
  };
}

import { randomBytes } from 'node:crypto';
import type { Db } from './db.js';

/** How long a download link works unless the caller says otherwise. */
export const DEFAULT_DOWNLOAD_TTL_MS = 7 * 24 * 3600 * 1000;

export interface NewDownload {
  filename: string;
  contentType: string;
  body: Buffer | string;
  createdById?: string;
  ttlMs?: number;
}

/**
 * Stores a generated file (export, chart, report) in PostgreSQL and returns its link. The id is
 * 256 random bits, so the link itself is the credential, and it expires. PostgreSQL, not disk or
 * memory, so any bot instance can serve any link.
 */
export async function createDownload(db: Db, publicUrl: string, file: NewDownload, now = new Date()): Promise<{ id: string; url: string }> {
  const id = randomBytes(32).toString('base64url');
  const filename = file.filename.replace(/[^\w.-]+/g, '-').slice(0, 120) || 'download';
  await db.download.create({
    data: {
      id,
      filename,
      contentType: file.contentType,
      body: new Uint8Array(typeof file.body === 'string' ? Buffer.from(file.body, 'utf8') : file.body),
      createdById: file.createdById,
      expiresAt: new Date(now.getTime() + (file.ttlMs ?? DEFAULT_DOWNLOAD_TTL_MS)),
    },
  });
  return { id, url: `${publicUrl}/files/${id}/${encodeURIComponent(filename)}` };
}

/** The file behind a link, or null when it does not exist or has expired. */
export async function findDownload(db: Db, id: string, now = new Date()) {
  if (!/^[\w-]{43}$/.test(id)) return null;
  const file = await db.download.findUnique({ where: { id } });
  return file && file.expiresAt > now ? file : null;
}

/**
 * Deletes files whose links have expired (they can no longer be fetched, and they may hold personal
 * data from an export). Run on the scheduler's housekeeping tick; safe on several instances at once.
 */
export async function purgeExpiredDownloads(db: Db, now = new Date()): Promise<number> {
  const { count } = await db.download.deleteMany({ where: { expiresAt: { lte: now } } });
  return count;
}

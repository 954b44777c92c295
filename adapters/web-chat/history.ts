import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/core/db.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import { Prisma } from '../../src/generated/prisma/client.js';

/** How many messages of one identity's conversation are kept (the oldest go first). */
export const HISTORY_LIMIT = 200;

/** One message of the conversation as the page gets it. */
export interface HistoryEntry {
  id: string;
  /** Grows with every new or replaced message: the page asks for what is newer than the last it saw. */
  seq: string;
  /** When it was first shown (ISO). */
  at: string;
  from: 'bot' | 'me';
  /** A bot message, or what the person sent (`{ text }`). */
  message?: OutboundMessage;
  text?: string;
}

type Row = { id: string; seq: bigint; createdAt: Date; from: string; body: unknown };

/**
 * The web chat's conversations, in PostgreSQL: every identity's messages (what they sent and what
 * the bot answered or sent on its own), so a reload shows the conversation again with its times,
 * and messages that arrive while the page is closed wait instead of being lost. A message whose
 * button was used is replaced in place, as on Slack and Teams. Any instance can serve any page.
 */
export class WebChatHistory {
  constructor(
    private readonly db: Db,
    private readonly limit = HISTORY_LIMIT,
  ) {}

  /** Adds a message at the end; `inbox` marks a proactive one for `WebSender.drain`. */
  async append(externalId: string, from: 'bot' | 'me', body: OutboundMessage | { text: string }, options: { personId?: string; inbox?: boolean } = {}): Promise<HistoryEntry> {
    const row = await this.db.webChatMessage.create({
      data: { id: `m${randomBytes(9).toString('base64url')}`, externalId, from, body: body as unknown as Prisma.InputJsonValue, personId: options.personId ?? null, inbox: options.inbox ?? false },
    });
    // Bounded: every twentieth message or so trims the oldest beyond the limit (cheap, and any instance may do it).
    if (Number(row.seq) % 20 === 0) await this.trim(externalId);
    return entryOf(row);
  }

  /** Puts a message in place of one of the identity's own messages; null when it is not theirs (or gone). */
  async replace(externalId: string, id: string, message: OutboundMessage): Promise<HistoryEntry | null> {
    const rows = await this.db.$queryRaw<Row[]>`
      UPDATE "WebChatMessage" SET body = ${JSON.stringify(message)}::jsonb, seq = nextval(pg_get_serial_sequence('"WebChatMessage"', 'seq'))
      WHERE id = ${id} AND "externalId" = ${externalId} AND "from" = 'bot'
      RETURNING id, seq, "createdAt", "from", body`;
    return rows[0] ? entryOf(rows[0]) : null;
  }

  /** The conversation (its latest messages), or only what is new or changed after `afterSeq`. */
  async since(externalId: string, afterSeq?: string): Promise<HistoryEntry[]> {
    const after = afterSeq && /^\d{1,19}$/.test(afterSeq) ? BigInt(afterSeq) : null;
    const rows = await this.db.webChatMessage.findMany({
      where: { externalId, ...(after !== null ? { seq: { gt: after } } : {}) },
      orderBy: { seq: 'desc' },
      take: this.limit,
    });
    return rows.reverse().map(entryOf);
  }

  /** Takes the proactive messages not taken yet, oldest first (the inbox API of WebSender). */
  async takeInbox(externalId: string): Promise<OutboundMessage[]> {
    const rows = await this.db.$queryRaw<Row[]>`
      UPDATE "WebChatMessage" SET inbox = false WHERE "externalId" = ${externalId} AND inbox
      RETURNING id, seq, "createdAt", "from", body`;
    return rows.sort((a, b) => (a.seq < b.seq ? -1 : 1)).map((r) => r.body as OutboundMessage);
  }

  private async trim(externalId: string): Promise<void> {
    await this.db.$executeRaw`
      DELETE FROM "WebChatMessage" WHERE "externalId" = ${externalId} AND seq < (
        SELECT seq FROM "WebChatMessage" WHERE "externalId" = ${externalId} ORDER BY seq DESC OFFSET ${this.limit - 1} LIMIT 1)`;
  }
}

function entryOf(row: Row): HistoryEntry {
  const base = { id: row.id, seq: String(row.seq), at: row.createdAt.toISOString(), from: row.from === 'me' ? ('me' as const) : ('bot' as const) };
  return row.from === 'me' ? { ...base, text: String((row.body as { text?: unknown }).text ?? '') } : { ...base, message: row.body as OutboundMessage };
}

import type { Db } from './db.js';
import { BotError, ErrorCode } from './errors.js';
import type { Flow, FlowPosition } from './flow.js';
import { Prisma } from '../generated/prisma/client.js';

/** How long an unfinished conversation is kept before it is forgotten. */
export const FLOW_STATE_TTL_MS = 30 * 24 * 3600 * 1000;

export interface StoredPosition<S> extends FlowPosition<S> {
  revision: number;
}

/**
 * Persists flow positions in PostgreSQL, so a conversation survives restarts and moves between
 * bot instances and platforms. Loads are validated against the flow's version and schema; saves
 * use an optimistic lock (revision), so two instances never silently overwrite each other.
 */
export class FlowStore {
  constructor(private readonly db: Db) {}

  async load<S>(personId: string, flow: Flow<S>, now: Date): Promise<StoredPosition<S> | null> {
    const row = await this.db.flowState.findUnique({ where: { personId_flow: { personId, flow: flow.name } } });
    if (!row || row.expiresAt <= now) return null;
    const parsed = flow.schema.safeParse(row.data);
    if (row.flowVersion !== flow.version || !parsed.success) {
      await this.db.flowState.deleteMany({ where: { id: row.id } });
      throw new BotError(ErrorCode.StaleConversation, 'errors.staleConversation', { flow: flow.name });
    }
    return { step: row.step, data: parsed.data, revision: row.revision };
  }

  /** The flow this person talked to last, for free text that names no flow. */
  async latestFlowName(personId: string, now: Date): Promise<string | null> {
    const row = await this.db.flowState.findFirst({
      where: { personId, expiresAt: { gt: now } },
      orderBy: { updatedAt: 'desc' },
      select: { flow: true },
    });
    return row?.flow ?? null;
  }

  /**
   * Saves a new position. `expectedRevision` is the revision that was loaded (null when none was):
   * if someone else saved in between, this throws a Conflict and nothing is overwritten.
   */
  async save<S>(personId: string, flow: Flow<S>, position: FlowPosition<S>, expectedRevision: number | null, now: Date): Promise<void> {
    const data = flow.schema.parse(position.data) as Prisma.InputJsonValue;
    const expiresAt = new Date(now.getTime() + FLOW_STATE_TTL_MS);
    if (expectedRevision === null) {
      // A fresh start replaces whatever was there (a new command restarts the flow).
      await this.db.flowState.upsert({
        where: { personId_flow: { personId, flow: flow.name } },
        create: { personId, flow: flow.name, flowVersion: flow.version, step: position.step, data, expiresAt },
        update: { flowVersion: flow.version, step: position.step, data, expiresAt, revision: { increment: 1 } },
      });
      return;
    }
    const { count } = await this.db.flowState.updateMany({
      where: { personId, flow: flow.name, revision: expectedRevision },
      data: { flowVersion: flow.version, step: position.step, data, expiresAt, revision: { increment: 1 } },
    });
    if (count === 0) throw new BotError(ErrorCode.Conflict, 'errors.conflict');
  }

  async clear(personId: string, flowName: string): Promise<void> {
    await this.db.flowState.deleteMany({ where: { personId, flow: flowName } });
  }
}

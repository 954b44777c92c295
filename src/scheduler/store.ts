import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { NudgeStatus } from '../generated/prisma/enums.js';
import { planCluster, type PlannedNudgeSpec } from './plan.js';
import type { NudgeQueue, Slot } from './queue.js';
import { clearReplan, replanGeneration } from './replan-requests.js';
import { loadSnapshot } from './snapshot.js';

/** Kind of nudges a coordinator typed (`/lc nudge`); re-planning never cancels them. */
export const MANUAL_KIND = 'manual';

/** What one re-plan changed, for logs and tests. */
export interface ReplanResult {
  created: number;
  moved: number;
  cancelled: number;
  dropped: number;
  unchanged: number;
  specs: PlannedNudgeSpec[];
}

/**
 * Re-plans one cluster: loads its state, plans, and brings PlannedNudge (the truth) in line —
 * new nudges are added, moved ones get their new due time, vanished or suppressed ones are
 * cancelled, stale ones dropped; sent ones are never touched. Runs under a per-cluster advisory
 * lock, so two instances re-planning the same cluster apply one plan after the other, and clears
 * the cluster's "needs re-plan" mark (replan-requests.ts) if no newer request came in meanwhile.
 * The queue is updated after the commit; anything that fails there is repaired by the reconciler.
 *
 * With `generation` (a background job's), it re-plans only if that request is still the cluster's
 * latest: an older job finds a newer mark (its own job re-plans) or none (done) and returns null.
 *
 * The number of statements does not grow with the cluster: one per table read, one per kind of write.
 */
export async function replanCluster(deps: { db: Db; clock: Clock; queue: NudgeQueue }, clusterId: string, options: { generation?: bigint } = {}): Promise<ReplanResult | null> {
  const now = deps.clock.now();
  const vacated: Slot[] = [];
  const wanted: Slot[] = [];
  const result = await deps.db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`replan:${clusterId}`}))`;
      const mark = await replanGeneration(tx, clusterId);
      if (options.generation !== undefined && (mark === undefined || mark > options.generation)) return null;
      const snapshot = await loadSnapshot(tx, clusterId);
      const specs = snapshot ? planCluster(snapshot, { now }) : [];
      const existing = new Map((await tx.plannedNudge.findMany({ where: { clusterId } })).map((n) => [n.id, n]));
      const counts = { created: 0, moved: 0, cancelled: 0, dropped: 0, unchanged: 0 };
      const created: Prisma.PlannedNudgeCreateManyInput[] = [];
      const moved: { id: string; dueAt: Date; payload: unknown; from: NudgeStatus }[] = [];
      const ended = { CANCELLED: [] as string[], DROPPED: [] as string[] };
      const seen = new Set<string>();
      for (const spec of specs) {
        seen.add(spec.id);
        const row = existing.get(spec.id);
        if (spec.state === 'planned') {
          const slot = { personId: spec.personId, dueAt: spec.dueAt.getTime() };
          if (!row) {
            created.push({ id: spec.id, clusterId, personId: spec.personId, kind: spec.kind, dueAt: spec.dueAt, payload: spec.payload as unknown as Prisma.InputJsonValue });
            counts.created++;
          } else if (row.status === 'SENT' || row.status === 'FAILED') {
            continue;
          } else if (row.status !== 'PLANNED' || row.dueAt.getTime() !== slot.dueAt || stableJson(row.payload) !== stableJson(spec.payload)) {
            if (row.status === 'PLANNED' && row.dueAt.getTime() !== slot.dueAt) vacated.push({ personId: row.personId, dueAt: row.dueAt.getTime() });
            moved.push({ id: spec.id, dueAt: spec.dueAt, payload: spec.payload, from: row.status });
            counts.moved++;
          } else counts.unchanged++;
          wanted.push(slot);
        } else if (row?.status === 'PLANNED') {
          ended[spec.state === 'stale' ? 'DROPPED' : 'CANCELLED'].push(row.id);
          vacated.push({ personId: row.personId, dueAt: row.dueAt.getTime() });
          counts[spec.state === 'stale' ? 'dropped' : 'cancelled']++;
        }
      }
      for (const row of existing.values()) {
        if (seen.has(row.id) || row.status !== 'PLANNED') continue;
        if (row.kind === MANUAL_KIND) {
          wanted.push({ personId: row.personId, dueAt: row.dueAt.getTime() });
          continue;
        }
        ended.CANCELLED.push(row.id);
        vacated.push({ personId: row.personId, dueAt: row.dueAt.getTime() });
        counts.cancelled++;
      }
      if (created.length) await tx.plannedNudge.createMany({ data: created });
      if (moved.length) await moveNudges(tx, moved);
      for (const [status, ids] of Object.entries(ended) as [NudgeStatus, string[]][]) {
        if (ids.length) await tx.plannedNudge.updateMany({ where: { id: { in: ids }, status: 'PLANNED' }, data: { status } });
      }
      if (mark !== undefined) await clearReplan(tx, clusterId, mark);
      return { ...counts, specs };
    },
    { timeout: 30_000 },
  );
  if (result) await syncSlots(deps, wanted, vacated);
  return result;
}

/**
 * Gives nudges their new due time and payload (PLANNED again if they were cancelled or dropped), in one
 * statement; a row whose status changed since it was read (a worker claimed it) is left alone.
 */
async function moveNudges(tx: Pick<Db, '$executeRaw'>, moved: { id: string; dueAt: Date; payload: unknown; from: NudgeStatus }[]): Promise<void> {
  // A timestamp without zone takes the UTC wall-clock time of the ISO string (its "Z" is ignored), as Prisma stores it.
  await tx.$executeRaw`
    UPDATE "PlannedNudge" AS n
    SET status = 'PLANNED', "dueAt" = v.due::timestamp(3), payload = v.payload::jsonb, "updatedAt" = ${new Date()}
    FROM unnest(${moved.map((m) => m.id)}::text[], ${moved.map((m) => m.dueAt.toISOString())}::text[], ${moved.map((m) => JSON.stringify(m.payload))}::text[], ${moved.map((m) => m.from)}::text[])
      AS v(id, due, payload, "from")
    WHERE n.id = v.id AND n.status::text = v."from"`;
}

/** Adds the jobs of wanted slots and removes jobs of vacated slots nobody is planned in any more. */
export async function syncSlots(deps: { db: Db; queue: NudgeQueue }, wanted: Slot[], vacated: Slot[]): Promise<void> {
  const key = (s: Slot) => `${s.personId}@${s.dueAt}`;
  const wantedKeys = new Set(wanted.map(key));
  const candidates = uniqueSlots(vacated).filter((slot) => !wantedKeys.has(key(slot)));
  if (candidates.length) {
    // Another plan (another cluster, a manual nudge) may still use a vacated slot: then its job stays.
    const used = await deps.db.$queryRaw<{ personId: string; dueAt: Date }[]>`
      SELECT DISTINCT n."personId", n."dueAt" FROM "PlannedNudge" n
      JOIN unnest(${candidates.map((s) => s.personId)}::text[], ${candidates.map((s) => new Date(s.dueAt).toISOString())}::text[]) AS v(person, due)
        ON n."personId" = v.person AND n."dueAt" = v.due::timestamp(3)
      WHERE n.status = 'PLANNED'`;
    const stillUsed = new Set(used.map((u) => key({ personId: u.personId, dueAt: u.dueAt.getTime() })));
    await Promise.all(candidates.filter((slot) => !stillUsed.has(key(slot))).map((slot) => deps.queue.discard(slot)));
  }
  await deps.queue.ensureMany(uniqueSlots(wanted));
}

/** JSON with sorted keys: PostgreSQL's jsonb does not keep key order, so plain stringify would see changes everywhere. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));
}

function uniqueSlots(slots: Slot[]): Slot[] {
  const map = new Map(slots.map((s) => [`${s.personId}@${s.dueAt}`, s]));
  return [...map.values()];
}

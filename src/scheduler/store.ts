import type { Clock } from '../core/clock.js';
import type { Db } from '../core/db.js';
import type { Prisma } from '../generated/prisma/client.js';
import { planCluster, type PlannedNudgeSpec } from './plan.js';
import type { NudgeQueue, Slot } from './queue.js';
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
 * lock, so two instances re-planning the same cluster apply one plan after the other. The queue is
 * updated after the commit; anything that fails there is repaired by the reconciler.
 */
export async function replanCluster(deps: { db: Db; clock: Clock; queue: NudgeQueue }, clusterId: string): Promise<ReplanResult> {
  const now = deps.clock.now();
  const vacated: Slot[] = [];
  const wanted: Slot[] = [];
  const result = await deps.db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`replan:${clusterId}`}))`;
      const snapshot = await loadSnapshot(tx, clusterId);
      const specs = snapshot ? planCluster(snapshot, { now }) : [];
      const existing = new Map((await tx.plannedNudge.findMany({ where: { clusterId } })).map((n) => [n.id, n]));
      const counts = { created: 0, moved: 0, cancelled: 0, dropped: 0, unchanged: 0 };
      const seen = new Set<string>();
      for (const spec of specs) {
        seen.add(spec.id);
        const row = existing.get(spec.id);
        const payload = spec.payload as unknown as Prisma.InputJsonValue;
        if (spec.state === 'planned') {
          const slot = { personId: spec.personId, dueAt: spec.dueAt.getTime() };
          if (!row) {
            await tx.plannedNudge.create({ data: { id: spec.id, clusterId, personId: spec.personId, kind: spec.kind, dueAt: spec.dueAt, payload } });
            counts.created++;
          } else if (row.status === 'SENT' || row.status === 'FAILED') {
            continue;
          } else if (row.status !== 'PLANNED' || row.dueAt.getTime() !== slot.dueAt || stableJson(row.payload) !== stableJson(spec.payload)) {
            if (row.status === 'PLANNED' && row.dueAt.getTime() !== slot.dueAt) vacated.push({ personId: row.personId, dueAt: row.dueAt.getTime() });
            await tx.plannedNudge.updateMany({ where: { id: spec.id, status: row.status }, data: { status: 'PLANNED', dueAt: spec.dueAt, payload } });
            counts.moved++;
          } else counts.unchanged++;
          wanted.push(slot);
        } else if (row?.status === 'PLANNED') {
          const status = spec.state === 'stale' ? 'DROPPED' : 'CANCELLED';
          await tx.plannedNudge.updateMany({ where: { id: row.id, status: 'PLANNED' }, data: { status } });
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
        await tx.plannedNudge.updateMany({ where: { id: row.id, status: 'PLANNED' }, data: { status: 'CANCELLED' } });
        vacated.push({ personId: row.personId, dueAt: row.dueAt.getTime() });
        counts.cancelled++;
      }
      return { ...counts, specs };
    },
    { timeout: 30_000 },
  );
  await syncSlots(deps, wanted, vacated);
  return result;
}

/** Adds the jobs of wanted slots and removes jobs of vacated slots nobody is planned in any more. */
export async function syncSlots(deps: { db: Db; queue: NudgeQueue }, wanted: Slot[], vacated: Slot[]): Promise<void> {
  const key = (s: Slot) => `${s.personId}@${s.dueAt}`;
  const wantedKeys = new Set(wanted.map(key));
  for (const slot of uniqueSlots(vacated)) {
    if (wantedKeys.has(key(slot))) continue;
    // Another plan (another cluster, a manual nudge) may still use this slot: then its job stays.
    const still = await deps.db.plannedNudge.count({ where: { personId: slot.personId, dueAt: new Date(slot.dueAt), status: 'PLANNED' } });
    if (still === 0) await deps.queue.discard(slot);
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

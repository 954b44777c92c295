import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createRedis } from '../../src/core/redis.js';
import { createLogger } from '../../src/core/logger.js';
import { reconcile } from '../../src/scheduler/reconciler.js';
import { isInWorkingHours, DEFAULT_WORKING_HOURS } from '../../src/scheduler/local-time.js';
import { slotJobId } from '../../src/scheduler/queue.js';
import { requestReplan } from '../../src/scheduler/replan-requests.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { createCluster, type TestCluster } from './fixtures.js';

let runtime: Runtime;
let lc: TestCluster;
const clock = new ManualClock(new Date('2026-09-25T08:00:00Z'));

/** What FLUSHALL does to us, limited to this file's prefix (the Redis is shared with other test runs). */
async function loseRedis(prefix: string) {
  // A queue-style connection waits until it is connected instead of failing the first command.
  const redis = createRedis(runtime.config.REDIS_URL, { forQueues: true });
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
}

const plannedSlots = async () => {
  const rows = await runtime.db.plannedNudge.findMany({ where: { status: 'PLANNED' }, distinct: ['personId', 'dueAt'], select: { personId: true, dueAt: true } });
  return rows.map((r) => ({ personId: r.personId, dueAt: r.dueAt.getTime() }));
};

beforeAll(async () => {
  runtime = await testRuntime({ clock });
  lc = await createCluster(runtime.db, { code: 'RC1', ee1: '2026-09-15', members: 5 });
  await runtime.scheduler.replan(lc.clusterId);
});

describe('when Redis loses every key and the reconciler runs', () => {
  it('restores a job for every future planned nudge, with the right delay', async () => {
    const slots = await plannedSlots();
    expect(slots.length).toBeGreaterThan(30);
    await loseRedis(runtime.config.REDIS_PREFIX);
    const queue = runtime.scheduler.queue.queue;
    expect(await queue.getJobCountByTypes('delayed', 'waiting')).toBe(0);

    // The cluster was just created, so the pass re-plans it (the safety net for unannounced edits)
    // as well as restoring missing jobs: either way every slot must have its job back.
    await runtime.scheduler.reconcile();
    for (const slot of slots) {
      const job = await queue.getJob(slotJobId(slot));
      expect(job?.opts.delay).toBe(slot.dueAt - clock.now().getTime());
    }
    expect(await queue.getJobCountByTypes('delayed')).toBe(slots.length);
  });

  it('restores every slot from PostgreSQL alone, without re-planning', async () => {
    const slots = await plannedSlots();
    await loseRedis(runtime.config.REDIS_PREFIX);
    const result = await reconcile({ db: runtime.db, clock, queue: runtime.scheduler.queue, logger: createLogger('silent') });
    expect(result.replanned).toBe(0);
    expect(result.restored).toBe(slots.length);
    for (const slot of slots) expect(await runtime.scheduler.queue.exists(slot)).toBe(true);
  });

  it('restores nothing twice: a second pass finds every job in place', async () => {
    expect((await runtime.scheduler.reconcile()).restored).toBe(0);
  });
});

describe('when nothing ran for days and Redis was lost', () => {
  it('moves a still-useful late nudge to the next working moment with a job, and drops a stale one', async () => {
    const m1 = lc.members[0];
    const midway = await runtime.db.plannedNudge.findFirstOrThrow({ where: { personId: m1.id, kind: 'conceptualisation-midway' } });
    const planDue = await runtime.db.plannedNudge.findFirstOrThrow({ where: { personId: m1.id, kind: 'plan-due-before-ee2' } });
    const ee2Day = await runtime.db.plannedNudge.findFirstOrThrow({ where: { personId: m1.id, kind: 'ee2-day-before' } });
    // Midway is useful for 5 days after it was due; the day-before reminder only until EE2 starts.
    // Nothing ran from just before midway until a day and 13 hours after it (outside working hours).
    const down = new Date(midway.dueAt.getTime() + 86_400_000 + 13 * 3_600_000);
    clock.set(down);
    await loseRedis(runtime.config.REDIS_PREFIX);
    const result = await runtime.scheduler.reconcile();
    expect(result.replanned).toBe(1);

    const lateMidway = await runtime.db.plannedNudge.findUniqueOrThrow({ where: { id: midway.id } });
    expect(lateMidway.status).toBe('PLANNED');
    expect(lateMidway.dueAt.getTime()).toBeGreaterThanOrEqual(down.getTime());
    expect(isInWorkingHours(lateMidway.dueAt, { timeZone: 'Europe/Belgrade', country: 'RS', hours: DEFAULT_WORKING_HOURS })).toBe(true);
    expect(await runtime.scheduler.queue.queue.getJob(slotJobId({ personId: m1.id, dueAt: lateMidway.dueAt.getTime() }))).toBeDefined();
    // Future nudges are untouched.
    expect((await runtime.db.plannedNudge.findUniqueOrThrow({ where: { id: planDue.id } })).dueAt).toEqual(planDue.dueAt);
    expect((await runtime.db.plannedNudge.findUniqueOrThrow({ where: { id: ee2Day.id } })).status).toBe('PLANNED');

    // Days later, past EE2's start: the day-before reminder is stale and is dropped, not sent.
    clock.set(new Date(lc.timeline.EE2.startsAt.getTime() + 3_600_000));
    await loseRedis(runtime.config.REDIS_PREFIX);
    await runtime.scheduler.reconcile();
    expect((await runtime.db.plannedNudge.findUniqueOrThrow({ where: { id: ee2Day.id } })).status).toBe('DROPPED');
    expect((await runtime.db.plannedNudge.findUniqueOrThrow({ where: { id: planDue.id } })).status).toBe('DROPPED');
    // Every PLANNED nudge has its job again.
    for (const slot of await plannedSlots()) expect(await runtime.scheduler.queue.exists(slot)).toBe(true);
  });

  it("drops a coordinator's manual nudge that is a day past its use instead of sending it late", async () => {
    const now = clock.now();
    const id = 'manual.test.' + lc.members[1].id;
    await runtime.db.plannedNudge.create({
      data: {
        id, clusterId: lc.clusterId, personId: lc.members[1].id, kind: 'manual', dueAt: new Date(now.getTime() - 2 * 86_400_000),
        payload: { kind: 'manual', clusterCode: 'RC1', clusterName: 'x', anchorAt: now.toISOString(), usefulUntil: new Date(now.getTime() - 86_400_000).toISOString(), event: false, text: 'hi' },
      },
    });
    expect((await runtime.scheduler.reconcile()).dropped).toBe(1);
    expect((await runtime.db.plannedNudge.findUniqueOrThrow({ where: { id } })).status).toBe('DROPPED');
  });

  it('marks a claim left "sending" by a dead worker as unknown and never sends it again', async () => {
    const row = await runtime.db.plannedNudge.findFirstOrThrow({ where: { status: 'PLANNED' } });
    await runtime.db.plannedNudge.update({ where: { id: row.id }, data: { status: 'SENT' } });
    await runtime.db.nudgeDelivery.create({ data: { nudgeId: row.id, outcome: 'sending', deliveredAt: new Date(clock.now().getTime() - 3_600_000) } });
    const result = await runtime.scheduler.reconcile();
    expect(result.unknown).toBe(1);
    expect((await runtime.db.nudgeDelivery.findUniqueOrThrow({ where: { nudgeId: row.id } })).outcome).toBe('unknown');
    expect((await runtime.db.plannedNudge.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('SENT');
  });
});

describe('when a re-plan was requested but its job never ran (Redis was down when it was queued)', () => {
  it('re-plans the cluster from its mark in PostgreSQL once the mark is overdue, and clears the mark', async () => {
    const lc2 = await createCluster(runtime.db, { code: 'RC2', ee1: '2026-09-15', members: 2 });
    await runtime.scheduler.replan(lc2.clusterId);
    const member = lc2.members[0];
    const before = await runtime.db.plannedNudge.findFirstOrThrow({ where: { personId: member.id, kind: 'ee3-week-before' } });
    // EE3 moves a day earlier: saved, and the cluster marked, but no job reached Redis.
    await runtime.db.timelineItem.update({
      where: { clusterId_kind: { clusterId: lc2.clusterId, kind: 'EE3' } },
      data: { startsAt: new Date(lc2.timeline.EE3.startsAt.getTime() - 86_400_000), endsAt: new Date(lc2.timeline.EE3.endsAt.getTime() - 86_400_000) },
    });
    await requestReplan(runtime.db, lc2.clusterId, 'timeline');
    const deps = { db: runtime.db, clock, queue: runtime.scheduler.queue, logger: createLogger('silent') };

    // A fresh mark may still have its job on the way: left alone.
    await reconcile(deps, { replanOverdueMs: 60_000 });
    expect(await runtime.db.replanRequest.count({ where: { clusterId: lc2.clusterId } })).toBe(1);
    expect((await runtime.db.plannedNudge.findUniqueOrThrow({ where: { id: before.id } })).dueAt).toEqual(before.dueAt);

    // Overdue: the reconciler re-plans the cluster itself.
    await reconcile(deps, { replanOverdueMs: 0 });
    expect(await runtime.db.replanRequest.count({ where: { clusterId: lc2.clusterId } })).toBe(0);
    const after = await runtime.db.plannedNudge.findUniqueOrThrow({ where: { id: before.id } });
    expect(after.dueAt.getTime()).toBe(before.dueAt.getTime() - 86_400_000);
    expect(await runtime.scheduler.queue.exists({ personId: member.id, dueAt: after.dueAt.getTime() })).toBe(true);
  });
});

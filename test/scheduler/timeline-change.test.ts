import { QueueEvents } from 'bullmq';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createRedis } from '../../src/core/redis.js';
import { bullPrefix, NUDGE_QUEUE, slotJobId, type Slot } from '../../src/scheduler/queue.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { textOf } from '../support/transcript.js';
import { createCluster, type TestCluster } from './fixtures.js';

let runtime: Runtime;
let lc: TestCluster;
let events: QueueEvents;
const clock = new ManualClock(new Date('2026-09-25T08:00:00Z'));
const WEEK = 7 * 86_400_000;
const ee2Kinds = ['ee2-week-before', 'ee2-day-before', 'plan-due-before-ee2'];

beforeAll(async () => {
  runtime = await testRuntime({ clock });
  lc = await createCluster(runtime.db, { code: 'TC1', ee1: '2026-09-15', members: 3 });
  await runtime.scheduler.replan(lc.clusterId);
  events = new QueueEvents(NUDGE_QUEUE, { connection: createRedis(runtime.config.REDIS_URL, { forQueues: true }), prefix: bullPrefix(runtime.config.REDIS_PREFIX) });
  await events.waitUntilReady();
});
afterAll(async () => {
  await events.close();
});

const rows = () => runtime.db.plannedNudge.findMany({ where: { clusterId: lc.clusterId }, orderBy: { id: 'asc' } });

describe('when a coordinator moves EE2 by a week', () => {
  let before: Awaited<ReturnType<typeof rows>>;
  let after: Awaited<ReturnType<typeof rows>>;

  beforeAll(async () => {
    before = await rows();
    const ee2 = lc.timeline.EE2;
    await runtime.db.timelineItem.update({
      where: { clusterId_kind: { clusterId: lc.clusterId, kind: 'EE2' } },
      data: { startsAt: new Date(ee2.startsAt.getTime() + WEEK), endsAt: new Date(ee2.endsAt.getTime() + WEEK) },
    });
    await runtime.services.scheduler.clusterChanged(lc.clusterId, 'EE2 moved');
    after = await rows();
  });

  it('moves exactly the nudges anchored on EE2 by a week of local time (across the DST change), keeping their ids', async () => {
    expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id));
    for (const [i, row] of after.entries()) {
      const old = before[i];
      const anchoredOnEe2 = ee2Kinds.includes(row.kind);
      // EE2 moves from 27 Oct to 3 Nov 2026: the week-before reminder crosses the end of summer time,
      // so it moves by 7 local days (7 days and an hour in UTC) and stays at the same wall-clock time.
      if (anchoredOnEe2) expect(DateTime.fromJSDate(row.dueAt).setZone('Europe/Belgrade').minus({ days: 7 }).toMillis()).toBe(old.dueAt.getTime());
      else if (row.kind !== 'conceptualisation-midway') expect(row.dueAt.getTime()).toBe(old.dueAt.getTime());
      expect(row.status).toBe('PLANNED');
    }
    expect(after.filter((r) => ee2Kinds.includes(r.kind)).length).toBe(3 * 3 + 2 /* three kinds per member, the two event reminders for the resource person */);
  });

  it('removes the old jobs and queues new ones at the new times', async () => {
    const queue = runtime.scheduler.queue.queue;
    for (const [i, row] of after.entries()) {
      if (!ee2Kinds.includes(row.kind)) continue;
      const oldSlot: Slot = { personId: row.personId, dueAt: before[i].dueAt.getTime() };
      const stillUsed = after.some((r) => r.personId === oldSlot.personId && r.dueAt.getTime() === oldSlot.dueAt);
      if (!stillUsed) expect(await queue.getJob(slotJobId(oldSlot))).toBeUndefined();
      expect(await queue.getJob(slotJobId({ personId: row.personId, dueAt: row.dueAt.getTime() }))).toBeDefined();
    }
  });

  it('lets no old job fire: a leftover job for the old time delivers nothing, the new one delivers once', async () => {
    const queue = runtime.scheduler.queue.queue;
    const member = lc.members[0];
    const moved = after.find((r) => r.personId === member.id && r.kind === 'ee2-week-before')!;
    const oldDue = before.find((r) => r.id === moved.id)!.dueAt;
    // A job for the old time that survived (say its removal raced a worker) runs right now.
    clock.set(new Date(oldDue.getTime() + 60_000));
    const worker = runtime.scheduler.startWorker();
    const leftover = await queue.add('deliver', { personId: member.id, dueAt: oldDue.getTime() }, { jobId: slotJobId({ personId: member.id, dueAt: oldDue.getTime() }) + '-leftover' });
    expect(await leftover.waitUntilFinished(events)).toBe('nothing');
    expect(await runtime.webSender.drain(member.externalId)).toEqual([]);
    expect((await runtime.db.plannedNudge.findUniqueOrThrow({ where: { id: moved.id } })).status).toBe('PLANNED');

    // At the new time, BullMQ's own delayed job is promoted (as its delay running out would).
    clock.set(moved.dueAt);
    const job = (await queue.getJob(slotJobId({ personId: member.id, dueAt: moved.dueAt.getTime() })))!;
    await job.promote();
    expect(await job.waitUntilFinished(events)).toBe('sent');
    const inbox = await runtime.webSender.drain(member.externalId);
    expect(inbox).toHaveLength(1);
    expect(textOf(inbox)).toContain('Exchange event 2 is in one week');
    expect(await runtime.db.nudgeDelivery.count({ where: { nudgeId: moved.id } })).toBe(1);
    await worker.close();
  });
});

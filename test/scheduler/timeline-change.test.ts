import { QueueEvents, type Job } from 'bullmq';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/logger.js';
import { createRedis } from '../../src/core/redis.js';
import { bullPrefix, NUDGE_QUEUE, slotJobId, type Slot } from '../../src/scheduler/queue.js';
import { REPLAN_QUEUE, replanJobId } from '../../src/scheduler/replan-jobs.js';
import type { ReplanOutcome } from '../../src/scheduler/scheduler.js';
import { createRuntime, type Runtime } from '../../src/server/runtime.js';
import { selectOf } from '../flows/clusters/helpers.js';
import { testRuntime } from '../support/harness.js';
import { formOf, talkAs, textOf } from '../support/transcript.js';
import { createCluster, type TestCluster } from './fixtures.js';

/**
 * A timeline edit is saved and answered in the request; the cluster is re-planned by a background job
 * that any instance's worker may take. Until it has run, no nudge planned from the old timeline is
 * delivered (the cluster's "needs re-plan" mark holds its slots).
 */

let runtime: Runtime;
/** A second instance on the same database and Redis prefix: the one whose worker re-plans. */
let other: Runtime;
let lc: TestCluster;
let events: QueueEvents;
let replanEvents: QueueEvents;
const clock = new ManualClock(new Date('2026-09-25T08:00:00Z'));
const DAY = 86_400_000;
const ee2Kinds = ['ee2-week-before', 'ee2-day-before', 'plan-due-before-ee2'];

beforeAll(async () => {
  // RUN_WORKERS=false: this instance queues re-plans and never runs them itself.
  runtime = await testRuntime({ clock, env: { RUN_WORKERS: 'false' } });
  other = createRuntime(runtime.config, createLogger('silent'), { clock, questionWorker: false });
  lc = await createCluster(runtime.db, { code: 'TC1', ee1: '2026-09-15', members: 3 });
  // Application starts a week later than the template, so EE2 can move a week without overlapping it.
  await runtime.db.timelineItem.update({
    where: { clusterId_kind: { clusterId: lc.clusterId, kind: 'APPLICATION' } },
    data: { startsAt: new Date(lc.timeline.APPLICATION.startsAt.getTime() + 7 * DAY) },
  });
  await runtime.scheduler.replan(lc.clusterId);
  const connection = () => createRedis(runtime.config.REDIS_URL, { forQueues: true });
  events = new QueueEvents(NUDGE_QUEUE, { connection: connection(), prefix: bullPrefix(runtime.config.REDIS_PREFIX) });
  replanEvents = new QueueEvents(REPLAN_QUEUE, { connection: connection(), prefix: bullPrefix(runtime.config.REDIS_PREFIX) });
  await Promise.all([events.waitUntilReady(), replanEvents.waitUntilReady()]);
});
afterAll(async () => {
  await events.close();
  await replanEvents.close();
  await other.stop();
});

const rows = () => runtime.db.plannedNudge.findMany({ where: { clusterId: lc.clusterId }, orderBy: { id: 'asc' } });
const mark = () => runtime.db.replanRequest.findUnique({ where: { clusterId: lc.clusterId } });
const coordinator = () => talkAs(runtime.bot, lc.coordinator.externalId);

/** Edits EE2 through the coordinator's timeline form, as a person would; returns the answer. */
async function editEe2(values: { startDate: string; endDate: string; location: string }) {
  const view = await coordinator().say('/lc timeline TC1');
  const form = formOf(await coordinator().choose(selectOf(view, 'timeline:edit'), `${lc.clusterId}|EE2`));
  return coordinator().submit(form, { ...values, startTime: '10:00', endTime: '16:00' });
}

/** Resolves with the next time the job is put back to delayed (a held delivery). */
function nextDelayed(jobId: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = ({ jobId: id }: { jobId: string }) => {
      if (id !== jobId) return;
      events.off('delayed', listener);
      resolve();
    };
    events.on('delayed', listener);
  });
}

describe('when a coordinator moves EE2 by a week', () => {
  let before: Awaited<ReturnType<typeof rows>>;
  let answer: Awaited<ReturnType<typeof editEe2>>;
  let heldJob: Job;
  const member = () => lc.members[0];
  const oldWeekBefore = () => before.find((r) => r.personId === member().id && r.kind === 'ee2-week-before')!;

  beforeAll(async () => {
    before = await rows();
    // EE2 moves from Tue 27 Oct to Tue 3 Nov 2026 (across the end of summer time).
    answer = await editEe2({ startDate: '2026-11-03', endDate: '2026-11-04', location: 'Town hall, Novi Sad' });
  });

  it('saves the edit and answers without re-planning: the cluster is marked and its re-plan queued', async () => {
    expect(textOf(answer)).toContain('Exchange event 2 is changed');
    const ee2 = await runtime.db.timelineItem.findUniqueOrThrow({ where: { clusterId_kind: { clusterId: lc.clusterId, kind: 'EE2' } } });
    expect(ee2.startsAt.toISOString()).toBe('2026-11-03T09:00:00.000Z');
    // Nothing re-planned inside the request: the plan is still the one before the edit.
    expect((await rows()).map((r) => [r.id, r.dueAt.getTime(), r.status])).toEqual(before.map((r) => [r.id, r.dueAt.getTime(), r.status]));
    const pending = (await mark())!;
    expect(pending.reason).toBe('timeline');
    const job = await runtime.scheduler.replans.getJob(replanJobId(lc.clusterId, pending.generation));
    expect(await job?.getState()).toBe('waiting');
  });

  it('holds a nudge of the old timeline that falls due before the re-plan: nothing is sent, the job waits', async () => {
    const old = oldWeekBefore();
    // The old "EE2 is in one week" reminder is due now, and its job runs.
    clock.set(new Date(old.dueAt.getTime() + 60_000));
    runtime.scheduler.startWorker();
    heldJob = (await runtime.scheduler.queue.queue.getJob(slotJobId({ personId: member().id, dueAt: old.dueAt.getTime() })))!;
    const held = nextDelayed(heldJob.id!);
    await heldJob.promote();
    await held;
    expect(await runtime.webSender.drain(member().externalId)).toEqual([]);
    expect((await runtime.db.plannedNudge.findUniqueOrThrow({ where: { id: old.id } })).status).toBe('PLANNED');
    expect(await runtime.db.nudgeDelivery.count({ where: { nudgeId: old.id } })).toBe(0);
  });

  it("is re-planned by another instance's worker: exactly the EE2 nudges move by a week of local time", async () => {
    const pending = (await mark())!;
    const worker = other.scheduler.startReplanWorker();
    const job = (await runtime.scheduler.replans.getJob(replanJobId(lc.clusterId, pending.generation)))!;
    expect(await job.waitUntilFinished(replanEvents)).toBe('replanned');
    await worker.close();
    expect(await mark()).toBeNull();

    const after = await rows();
    expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id));
    for (const [i, row] of after.entries()) {
      const old = before[i];
      if (ee2Kinds.includes(row.kind)) {
        // Moving from 27 Oct to 3 Nov crosses the end of summer time: the reminders move by 7 local days
        // (7 days and an hour in UTC) and stay at the same wall-clock time.
        expect(DateTime.fromJSDate(row.dueAt).setZone('Europe/Belgrade').minus({ days: 7 }).toMillis()).toBe(old.dueAt.getTime());
        expect(row.status).toBe('PLANNED');
      } else if (old.dueAt > clock.now()) {
        // Everything else still ahead is where it was (what fell due meanwhile is the re-plan's to send late or drop).
        expect([row.dueAt.getTime(), row.status]).toEqual([old.dueAt.getTime(), old.status]);
      }
    }
    expect(after.filter((r) => ee2Kinds.includes(r.kind)).length).toBe(3 * 3 + 2 /* three kinds per member, the two event reminders for the resource person */);
    const queue = runtime.scheduler.queue.queue;
    for (const row of after) if (ee2Kinds.includes(row.kind)) expect(await queue.getJob(slotJobId({ personId: row.personId, dueAt: row.dueAt.getTime() }))).toBeDefined();
  });

  it('never delivers the held nudge of the old timeline; the new one is delivered once, at its new time', async () => {
    // The held job was removed by the re-plan (its slot is vacated) or, if it was already running again, found nothing.
    const leftover = await runtime.scheduler.queue.queue.getJob(heldJob.id!);
    if (leftover) expect(await leftover.waitUntilFinished(events)).toBe('nothing');
    // A job for the old time that survived anyway (its removal raced a worker) delivers nothing either.
    const old = oldWeekBefore();
    const stray = await runtime.scheduler.queue.queue.add('deliver', { personId: member().id, dueAt: old.dueAt.getTime() }, { jobId: `${slotJobId({ personId: member().id, dueAt: old.dueAt.getTime() })}-stray` });
    expect(await stray.waitUntilFinished(events)).toBe('nothing');
    expect(await runtime.webSender.drain(member().externalId)).toEqual([]);

    const moved = await runtime.db.plannedNudge.findUniqueOrThrow({ where: { id: old.id } });
    clock.set(moved.dueAt);
    const job = (await runtime.scheduler.queue.queue.getJob(slotJobId({ personId: member().id, dueAt: moved.dueAt.getTime() })))!;
    await job.promote();
    expect(await job.waitUntilFinished(events)).toBe('sent');
    const inbox = await runtime.webSender.drain(member().externalId);
    expect(inbox).toHaveLength(1);
    expect(textOf(inbox)).toContain('Exchange event 2 is in one week');
    expect(textOf(inbox)).toContain('3 Nov 2026');
    expect(await runtime.db.nudgeDelivery.count({ where: { nudgeId: old.id } })).toBe(1);
  });
});

describe('when a coordinator edits the timeline ten times in quick succession', () => {
  it('answers each edit at once and re-plans the cluster once or twice, not ten times, ending on the last edit', async () => {
    clock.set(new Date('2026-09-25T08:00:00Z'));
    const outcomes: ReplanOutcome[] = [];
    let allDone!: () => void;
    const done = new Promise<void>((resolve) => (allDone = resolve));
    for (let i = 1; i <= 10; i++) {
      expect(textOf(await editEe2({ startDate: '2026-11-03', endDate: '2026-11-04', location: `Room ${i}` }))).toContain('is changed');
    }
    const jobs = (await runtime.scheduler.replans.getJobs(['wait'])).filter((j) => j.data.clusterId === lc.clusterId);
    expect(jobs).toHaveLength(10);
    // The worker runs two jobs at once (REPLAN_CONCURRENCY), so two of the burst may overlap.
    const worker = other.scheduler.startReplanWorker({
      onReplanned: (clusterId, outcome) => {
        if (clusterId !== lc.clusterId) return;
        outcomes.push(outcome);
        if (outcomes.length === 10) allDone();
      },
    });
    await done;
    await worker.close();
    const replanned = outcomes.filter((o) => o === 'replanned').length;
    expect(replanned).toBeGreaterThanOrEqual(1);
    expect(replanned).toBeLessThanOrEqual(2);
    expect(await mark()).toBeNull();
    const reminder = await runtime.db.plannedNudge.findFirstOrThrow({ where: { clusterId: lc.clusterId, personId: lc.members[1].id, kind: 'ee2-week-before' } });
    expect((reminder.payload as { location?: string }).location).toBe('Room 10');
  });
});

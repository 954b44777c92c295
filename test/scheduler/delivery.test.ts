import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/logger.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import { SendLater, type PlatformSender } from '../../src/core/notifier.js';
import { deliverSlot } from '../../src/scheduler/deliver.js';
import { slotJobId } from '../../src/scheduler/queue.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { createCluster, type TestCluster } from './fixtures.js';

/** The real web-chat sender behind a connection that drops the first `failures` sends (like a platform outage). */
class FlakyWebSender implements PlatformSender {
  readonly platform = 'WEB' as const;
  constructor(private readonly real: PlatformSender, private failures: number) {}
  async send(target: { externalId: string; conversationRef: unknown }, message: OutboundMessage): Promise<void> {
    if (this.failures-- > 0) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    await this.real.send(target, message);
  }
}

/** The real web-chat sender behind a platform whose pace says "later" to the first `times` sends of a caller that can come back. */
class PacedWebSender implements PlatformSender {
  readonly platform = 'WEB' as const;
  constructor(private readonly real: PlatformSender, private times: number, private readonly laterMs = 300) {}
  async send(target: { externalId: string; conversationRef: unknown }, message: OutboundMessage, options?: { canComeBackLater?: boolean }): Promise<void> {
    if (options?.canComeBackLater && this.times-- > 0) throw new SendLater(Date.now() + this.laterMs);
    await this.real.send(target, message);
  }
}

let runtime: Runtime;
let lc: TestCluster;
const clock = new ManualClock(new Date('2026-09-25T08:00:00Z'));
const deps = () => ({ db: runtime.db, clock, notifier: runtime.notifier, logger: createLogger('silent') });

beforeAll(async () => {
  runtime = await testRuntime({ clock });
  lc = await createCluster(runtime.db, { code: 'DL1', ee1: '2026-09-15', members: 4 });
  await runtime.scheduler.replan(lc.clusterId);
});

describe('when the platform fails for a moment', () => {
  it('releases the claim so the retry delivers it, once', async () => {
    const member = lc.members[0];
    const nudge = await runtime.db.plannedNudge.findFirstOrThrow({ where: { personId: member.id, kind: 'conceptualisation-midway' } });
    const slot = { personId: member.id, dueAt: nudge.dueAt.getTime() };
    clock.set(nudge.dueAt);
    runtime.notifier.register(new FlakyWebSender(runtime.webSender, 1));

    await expect(deliverSlot(deps(), slot, { lateByMs: 0, finalAttempt: false })).rejects.toThrow('socket hang up');
    expect((await runtime.db.plannedNudge.findUniqueOrThrow({ where: { id: nudge.id } })).status).toBe('PLANNED');
    expect(await runtime.db.nudgeDelivery.count({ where: { nudgeId: nudge.id } })).toBe(0);

    expect(await deliverSlot(deps(), slot, { lateByMs: 30_000, finalAttempt: false })).toBe('sent');
    expect(await deliverSlot(deps(), slot, { lateByMs: 60_000, finalAttempt: false })).toBe('nothing');
    expect(await runtime.webSender.drain(member.externalId)).toHaveLength(1);
    runtime.notifier.register(runtime.webSender);
  });

  it('records the nudge as failed when the last attempt fails too', async () => {
    const member = lc.members[1];
    const nudge = await runtime.db.plannedNudge.findFirstOrThrow({ where: { personId: member.id, kind: 'conceptualisation-midway' } });
    runtime.notifier.register(new FlakyWebSender(runtime.webSender, 1));
    expect(await deliverSlot(deps(), { personId: member.id, dueAt: nudge.dueAt.getTime() }, { lateByMs: 0, finalAttempt: true })).toBe('failed');
    expect((await runtime.db.plannedNudge.findUniqueOrThrow({ where: { id: nudge.id } })).status).toBe('FAILED');
    expect((await runtime.db.nudgeDelivery.findUniqueOrThrow({ where: { nudgeId: nudge.id } })).outcome).toBe('failed');
    runtime.notifier.register(runtime.webSender);
  });
});

describe('when a job runs long after its time because no worker was running', () => {
  it('drops a nudge past its use instead of sending it', async () => {
    const member = lc.members[0];
    const nudge = await runtime.db.plannedNudge.findFirstOrThrow({ where: { personId: member.id, kind: 'ee2-day-before', status: 'PLANNED' } });
    clock.set(new Date(lc.timeline.EE2.startsAt.getTime() + 3_600_000));
    const outcome = await deliverSlot(deps(), { personId: member.id, dueAt: nudge.dueAt.getTime() }, { lateByMs: 2 * 86_400_000, finalAttempt: false });
    expect(outcome).toBe('dropped');
    expect((await runtime.db.plannedNudge.findUniqueOrThrow({ where: { id: nudge.id } })).status).toBe('DROPPED');
    expect(await runtime.webSender.drain(member.externalId)).toEqual([]);
  });
});

describe("when the platform's pace allows the message only later", () => {
  it('gives the claim back and says so, without recording a failure even on the last attempt', async () => {
    const member = lc.members[2];
    const nudge = await runtime.db.plannedNudge.findFirstOrThrow({ where: { personId: member.id, kind: 'conceptualisation-midway' } });
    clock.set(nudge.dueAt);
    runtime.notifier.register(new PacedWebSender(runtime.webSender, 1));
    await expect(deliverSlot(deps(), { personId: member.id, dueAt: nudge.dueAt.getTime() }, { lateByMs: 0, finalAttempt: true })).rejects.toBeInstanceOf(SendLater);
    expect((await runtime.db.plannedNudge.findUniqueOrThrow({ where: { id: nudge.id } })).status).toBe('PLANNED');
    expect(await runtime.db.nudgeDelivery.count({ where: { nudgeId: nudge.id } })).toBe(0);
    expect(await runtime.webSender.drain(member.externalId)).toEqual([]);
    runtime.notifier.register(runtime.webSender);
  });

  it('puts the job back until then without using an attempt, and delivers it once', async () => {
    const member = lc.members[3];
    const nudge = await runtime.db.plannedNudge.findFirstOrThrow({ where: { personId: member.id, kind: 'conceptualisation-midway' } });
    clock.set(nudge.dueAt);
    runtime.notifier.register(new PacedWebSender(runtime.webSender, 2));
    const outcomes: string[] = [];
    const worker = runtime.scheduler.startWorker({ concurrency: 2, onDelivered: (outcome) => outcomes.push(outcome) });
    // Once BullMQ has recorded the job as completed (onDelivered runs inside the job, before that).
    const delivered = new Promise<void>((resolve) => worker.once('completed', () => resolve()));
    const slot = { personId: member.id, dueAt: nudge.dueAt.getTime() };
    await runtime.scheduler.queue.ensure(slot);
    // Planning queued it for its (virtual) due time days ahead: due now.
    await (await runtime.scheduler.queue.queue.getJob(slotJobId(slot)))?.promote();
    await delivered;
    expect(outcomes).toEqual(['sent']);
    expect(await runtime.webSender.drain(member.externalId)).toHaveLength(1);
    // onDelivered runs when the processor returns; BullMQ marks the job completed (and counts the
    // attempt) just after, so wait for that instead of assuming it already happened.
    await expect.poll(async () => (await runtime.scheduler.queue.queue.getJob(slotJobId(slot)))?.getState()).toBe('completed');
    const job = await runtime.scheduler.queue.queue.getJob(slotJobId(slot));
    // Twice "later", then sent: BullMQ counts no attempt beyond the one that sent it.
    expect(job?.attemptsMade).toBe(1);
    runtime.notifier.register(runtime.webSender);
  });
});

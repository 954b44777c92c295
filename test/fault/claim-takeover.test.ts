import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/logger.js';
import { CLAIM_LEASE_MS, deliverSlot } from '../../src/scheduler/deliver.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { createCluster, type TestCluster } from '../scheduler/fixtures.js';

/**
 * The claim's lease, at the level of one delivery: what a worker finds when BullMQ hands it the job
 * of a worker that died mid-send (the end-to-end case with killed processes is test/slow/worker-killed).
 */
let runtime: Runtime;
let lc: TestCluster;
const clock = new ManualClock(new Date('2026-09-25T08:00:00Z'));
const deps = () => ({ db: runtime.db, clock, notifier: runtime.notifier, logger: createLogger('silent') });

beforeAll(async () => {
  runtime = await testRuntime({ clock });
  lc = await createCluster(runtime.db, { code: 'TO1', ee1: '2026-09-15', members: 3 });
  await runtime.scheduler.replan(lc.clusterId);
});

/** Leaves the member's next nudge as a worker leaves it when it dies after claiming: SENT, delivery "sending". */
async function claimLeftBy(memberIndex: number, leaseUntil: Date) {
  const member = lc.members[memberIndex];
  const nudge = await runtime.db.plannedNudge.findFirstOrThrow({ where: { personId: member.id, kind: 'conceptualisation-midway' } });
  clock.set(nudge.dueAt);
  await runtime.db.plannedNudge.update({ where: { id: nudge.id }, data: { status: 'SENT' } });
  await runtime.db.nudgeDelivery.create({ data: { nudgeId: nudge.id, outcome: 'sending', deliveredAt: clock.now(), leaseUntil } });
  return { member, nudge, slot: { personId: member.id, dueAt: nudge.dueAt.getTime() } };
}

describe('when a worker finds a claim whose lease ran out (its worker died mid-send)', () => {
  it('takes the delivery over and sends the nudge once', async () => {
    const { member, nudge, slot } = await claimLeftBy(0, new Date(Date.now() - 1_000));
    expect(await deliverSlot(deps(), slot, { lateByMs: 20_000, finalAttempt: false })).toBe('sent');
    expect(await runtime.db.nudgeDelivery.findUniqueOrThrow({ where: { nudgeId: nudge.id } })).toMatchObject({ outcome: 'sent', platform: 'WEB' });
    expect(await runtime.webSender.drain(member.externalId)).toHaveLength(1);
    // A later duplicate run finds it recorded and sends nothing.
    expect(await deliverSlot(deps(), slot, { lateByMs: 40_000, finalAttempt: false })).toBe('nothing');
    expect(await runtime.webSender.drain(member.externalId)).toEqual([]);
  });

  it('lets only one of two workers that find it at the same moment send it', async () => {
    const { member, slot } = await claimLeftBy(1, new Date(Date.now() - 1_000));
    const outcomes = await Promise.all([0, 1].map(() => deliverSlot(deps(), slot, { lateByMs: 20_000, finalAttempt: false })));
    expect(outcomes.sort()).toEqual(['nothing', 'sent']);
    expect(await runtime.webSender.drain(member.externalId)).toHaveLength(1);
  });
});

describe('when the claimant is alive (its lease is still running)', () => {
  it('leaves the delivery to it and sends nothing', async () => {
    const { member, nudge, slot } = await claimLeftBy(2, new Date(Date.now() + CLAIM_LEASE_MS));
    expect(await deliverSlot(deps(), slot, { lateByMs: 0, finalAttempt: false })).toBe('nothing');
    expect((await runtime.db.nudgeDelivery.findUniqueOrThrow({ where: { nudgeId: nudge.id } })).outcome).toBe('sending');
    expect(await runtime.webSender.drain(member.externalId)).toEqual([]);
  });
});

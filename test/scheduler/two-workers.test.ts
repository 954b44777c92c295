import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { isInWorkingHours, DEFAULT_WORKING_HOURS } from '../../src/scheduler/local-time.js';
import { slotJobId, realDelay } from '../../src/scheduler/queue.js';
import { ScaledClock } from '../../src/scheduler/scaled-clock.js';
import { BullScheduler } from '../../src/scheduler/scheduler.js';
import { loadSnapshot } from '../../src/scheduler/snapshot.js';
import { simulateCluster } from '../../src/scheduler/simulate.js';
import type { SlotOutcome } from '../../src/scheduler/deliver.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { createCluster, type TestCluster } from './fixtures.js';

// The whole 16-week timeline (plus preparation and the questionnaire) plays in about 12 real seconds:
// BullMQ's own delayed jobs do the waiting, with delays shrunk by the clock's speed.
const start = new Date('2026-07-25T00:00:00Z');
const clock = new ScaledClock(start, (165 * 86_400_000) / 12_000);
let runtime: Runtime;
let second: BullScheduler;
let lc: TestCluster;
const outcomes: Record<'a' | 'b', SlotOutcome[]> = { a: [], b: [] };
let expectedMessages: Map<string, number>;
let duplicates = 0;

beforeAll(async () => {
  runtime = await testRuntime({ clock });
  lc = await createCluster(runtime.db, {
    code: 'TW1',
    ee1: '2026-09-15',
    members: 15,
    memberZones: [
      { timeZone: 'Europe/Belgrade', country: 'RS' },
      { timeZone: 'Europe/London', country: 'GB' },
    ],
  });
  // A few members with dated activities, so application-phase nudges are in the mix too.
  for (const [i, m] of lc.members.slice(0, 5).entries()) {
    await runtime.db.actionPlan.create({
      data: { clusterId: lc.clusterId, authorId: m.id, approach: 'Day-care', stage: 'SUBMITTED', activities: { create: [{ position: 1, activity: `Step ${i}`, deadline: new Date(`2026-11-${10 + i}`) }] } },
    });
  }
  const snapshot = (await loadSnapshot(runtime.db, lc.clusterId))!;
  const simulation = simulateCluster(snapshot, { from: clock.now() });
  expectedMessages = new Map();
  for (const m of simulation.messages) expectedMessages.set(m.personId, (expectedMessages.get(m.personId) ?? 0) + 1);

  // A second instance on "another machine": its own scheduler, connections and worker.
  second = new BullScheduler({ db: runtime.db, clock, config: runtime.config, logger: createLogger('silent'), notifier: runtime.notifier });
  runtime.scheduler.startWorker({ concurrency: 4, onDelivered: (o) => outcomes.a.push(o) });
  second.startWorker({ concurrency: 4, onDelivered: (o) => outcomes.b.push(o) });
  // Planned and queued at the start of the virtual timeline; jobs count down in real time from here.
  await runtime.scheduler.replan(lc.clusterId);
  // Duplicate every job (as two reconcilers racing after a Redis loss might): still one delivery each.
  const slots = await runtime.db.plannedNudge.findMany({ where: { status: 'PLANNED' }, distinct: ['personId', 'dueAt'] });
  for (const s of slots) {
    const slot = { personId: s.personId, dueAt: s.dueAt.getTime() };
    await second.queue.queue.add('deliver', slot, { jobId: `${slotJobId(slot)}-dup`, delay: realDelay(clock, s.dueAt) });
    duplicates++;
  }
  clock.run();
  // Wait (bounded) until the virtual timeline is over and nothing is planned or mid-send.
  for (let i = 0; i < 300; i++) {
    const open = await runtime.db.plannedNudge.count({ where: { status: 'PLANNED' } });
    const sending = await runtime.db.nudgeDelivery.count({ where: { outcome: 'sending' } });
    const queued = await runtime.scheduler.queue.queue.getJobCountByTypes('delayed', 'waiting', 'active', 'prioritized');
    if (open === 0 && sending === 0 && queued === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await second.stop();
}, 120_000);

describe('when two workers run side by side over a simulated 16-week timeline', () => {
  it('delivers every planned nudge, each exactly once', async () => {
    const nudges = await runtime.db.plannedNudge.findMany({ where: { clusterId: lc.clusterId }, include: { delivery: true } });
    expect(nudges.length).toBeGreaterThan(120);
    const notSent = nudges.filter((n) => n.status !== 'SENT' && n.status !== 'CANCELLED');
    expect(notSent.map((n) => `${n.kind}:${n.status}`)).toEqual([]);
    for (const n of nudges.filter((x) => x.status === 'SENT')) expect(['sent', 'merged']).toContain(n.delivery?.outcome);
  });

  it('sends each member exactly one message per delivery slot, as many as the simulation predicts', async () => {
    for (const person of [lc.rp, ...lc.members]) {
      const inbox = await runtime.webSender.drain(person.externalId);
      const slots = await runtime.db.plannedNudge.findMany({ where: { personId: person.id, status: 'SENT' }, distinct: ['dueAt'] });
      expect(inbox.length).toBe(slots.length);
      expect(inbox.length).toBe(expectedMessages.get(person.id) ?? 0);
    }
  });

  it('shared the work between both workers, and the duplicate jobs delivered nothing', () => {
    const nothing = [...outcomes.a, ...outcomes.b].filter((o) => o === 'nothing').length;
    expect(outcomes.a.length).toBeGreaterThan(0);
    expect(outcomes.b.length).toBeGreaterThan(0);
    // Each duplicate met an already delivered slot (slots delivered before the duplicates were added have none).
    expect(duplicates).toBeGreaterThan(50);
    expect(nothing).toBe(duplicates);
  });

  it('had every delivery due inside the member\'s local working hours', async () => {
    const nudges = await runtime.db.plannedNudge.findMany({ where: { clusterId: lc.clusterId, status: 'SENT' }, include: { person: true } });
    for (const n of nudges) {
      expect(isInWorkingHours(n.dueAt, { timeZone: n.person.timeZone, country: n.person.country, hours: DEFAULT_WORKING_HOURS })).toBe(true);
    }
  });
});

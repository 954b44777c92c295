import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSnapshot } from '../../src/scheduler/snapshot.js';
import { simulateCluster, type SimulationResult } from '../../src/scheduler/simulate.js';
import type { ClusterSnapshot } from '../../src/scheduler/plan.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { createCluster, type TestCluster } from './fixtures.js';

let runtime: Runtime;
let lc: TestCluster;
let snapshot: ClusterSnapshot;
let result: SimulationResult;

beforeAll(async () => {
  runtime = await testRuntime();
  lc = await createCluster(runtime.db, {
    code: 'SIM1',
    ee1: '2026-09-15',
    members: 15,
    memberZones: [
      { timeZone: 'Europe/Belgrade', country: 'RS' },
      { timeZone: 'Europe/Skopje', country: 'MK' },
      { timeZone: 'Europe/London', country: 'GB' },
    ],
  });
  // Two activities a day apart for every third member: application-phase check-ins.
  for (const m of lc.members.filter((_, i) => i % 3 === 0)) {
    await runtime.db.actionPlan.create({
      data: { clusterId: lc.clusterId, authorId: m.id, approach: 'Day-care', stage: 'DRAFT', activities: { create: [{ position: 1, activity: 'Survey needs', deadline: new Date('2026-11-20') }, { position: 2, activity: 'Open the centre', deadline: new Date('2026-12-18') }] } },
    });
  }
  snapshot = (await loadSnapshot(runtime.db, lc.clusterId))!;
  result = simulateCluster(snapshot, { from: new Date('2026-08-01T00:00:00Z') });
});

describe('when a 16-week cluster of 15 members is simulated', () => {
  it('gives every member the event reminders and the phase nudges, in order', () => {
    for (const m of lc.members) {
      const kinds = result.messages.filter((x) => x.personId === m.id).flatMap((x) => x.about);
      for (const k of ['event-week-before: Exchange event 1', 'event-day-before: Exchange event 1', 'conceptualisation-start: Conceptualisation period', 'event-week-before: Exchange event 2', 'plan-due-before-ee2: Exchange event 2', 'event-day-before: Exchange event 2', 'application-start: Application period', 'event-week-before: Exchange event 3', 'event-day-before: Exchange event 3']) {
        expect(kinds, `${m.name} ${k}`).toContain(k);
      }
      const times = result.messages.filter((x) => x.personId === m.id).map((x) => x.at.getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
  });

  it('nudges mid-way only members without a draft, and each activity author before the deadline', () => {
    for (const [i, m] of lc.members.entries()) {
      const kinds = result.messages.filter((x) => x.personId === m.id).flatMap((x) => x.kinds);
      expect(kinds.includes('conceptualisation-midway')).toBe(i % 3 !== 0);
      expect(kinds.filter((k) => k === 'activity-due')).toHaveLength(i % 3 === 0 ? 2 : 0);
    }
  });

  it('delivers every message inside the member\'s working hours and at most three non-event messages a week', () => {
    expect(result.messages.every((m) => m.inWorkingHours)).toBe(true);
    const perWeek = new Map<string, number>();
    for (const m of result.messages.filter((x) => !x.kinds.some((k) => k.startsWith('event-')))) {
      const zone = snapshot.people.find((p) => p.personId === m.personId)!.timeZone;
      const key = `${m.personId}@${DateTime.fromJSDate(m.at).setZone(zone).toFormat('kkkk-WW')}`;
      perWeek.set(key, (perWeek.get(key) ?? 0) + 1);
    }
    expect(Math.max(...perWeek.values())).toBeLessThanOrEqual(3);
  });

  it('sends the resource person only event reminders and the coordinator nothing', () => {
    expect(result.messages.filter((m) => m.personId === lc.rp.id).flatMap((m) => m.kinds).every((k) => k.startsWith('event-'))).toBe(true);
    expect(result.messages.filter((m) => m.personId === lc.coordinator.id)).toEqual([]);
  });

  it('prints the preview from the command line with npm run simulate', async () => {
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'scripts/simulate.ts', '--cluster', 'SIM1'], {
      env: { ...process.env, DATABASE_URL: runtime.config.DATABASE_URL, NODE_ENV: 'test' },
    });
    expect(stdout).toContain(`Cluster SIM1: Cluster SIM1 — ${result.messages.length} messages to 17 people`);
    expect(stdout).toMatch(/Member1 SIM1 \(member, Europe\/Belgrade\): \d+ messages/);
    expect(stdout).toContain('[event-week-before: Exchange event 2]');
  }, 90_000);
});

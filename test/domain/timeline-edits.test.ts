import { beforeAll, describe, expect, it } from 'vitest';
import { editTimelineItem } from '../../src/domain/clusters/timeline-edits.js';
import { TimelineConflictError } from '../../src/domain/clusters/timeline-rules.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';

let runtime: Runtime;
let clusterId: string;
let coordinatorId: string;
const d = (iso: string) => new Date(`${iso}T00:00:00Z`);

beforeAll(async () => {
  runtime = await testRuntime();
  const db = runtime.db;
  const programme = await db.programme.create({ data: { name: 'P' } });
  const cluster = await db.cluster.create({
    data: {
      programmeId: programme.id, code: 'LC1', name: 'C', approach: 'A', timeZone: 'UTC', language: 'en', capacity: 5,
      timeline: { create: [{ kind: 'EE1', startsAt: d('2027-02-01'), endsAt: d('2027-02-02') }, { kind: 'CONCEPTUALISATION', startsAt: d('2027-02-03'), endsAt: d('2027-03-01') }] },
    },
  });
  clusterId = cluster.id;
  coordinatorId = (await db.person.create({ data: { displayName: 'Coord', memberships: { create: { clusterId, role: 'COORDINATOR' } } } })).id;
});

describe('when two coordinators edit the timeline at the same moment', () => {
  it('lets only one of two edits that are fine alone but conflict together through', async () => {
    const now = new Date();
    const results = await Promise.allSettled([
      // EE1 ending at noon is fine while conceptualisation starts the next day…
      editTimelineItem(runtime.db, coordinatorId, { clusterId, kind: 'EE1', startsAt: d('2027-02-01'), endsAt: new Date('2027-02-02T12:00:00Z') }, now),
      // …and conceptualisation starting at 06:00 is fine while EE1 ends at midnight; together they overlap.
      editTimelineItem(runtime.db, coordinatorId, { clusterId, kind: 'CONCEPTUALISATION', startsAt: new Date('2027-02-02T06:00:00Z'), endsAt: d('2027-03-01') }, now),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(TimelineConflictError);
    const items = await runtime.db.timelineItem.findMany({ where: { clusterId } });
    expect(await runtime.db.timelineChange.count({ where: { clusterId } })).toBe(1);
    // Whatever won, the stored timeline is still valid.
    const ee1 = items.find((i) => i.kind === 'EE1')!;
    const c = items.find((i) => i.kind === 'CONCEPTUALISATION')!;
    expect(ee1.endsAt <= c.startsAt).toBe(true);
  });

  it('refuses someone who is not a coordinator of the cluster before looking at the dates', async () => {
    const outsider = await runtime.db.person.create({ data: { displayName: 'Out' } });
    await expect(editTimelineItem(runtime.db, outsider.id, { clusterId, kind: 'EE1', startsAt: d('2026-01-01'), endsAt: d('2026-01-02') }, new Date())).rejects.toMatchObject({ code: 'not_allowed' });
  });
});

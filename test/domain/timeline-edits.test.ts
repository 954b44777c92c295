import { beforeAll, describe, expect, it } from 'vitest';
import { saveTimelineEdit, undoTimelineEdit, type ItemDraft } from '../../src/domain/clusters/timeline-edits.js';
import { TimelineConflictError } from '../../src/domain/clusters/timeline-rules.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';

let runtime: Runtime;
let clusterId: string;
let coordinatorId: string;
let ee1Id: string;
let cId: string;
const d = (iso: string) => new Date(`${iso}T00:00:00Z`);

beforeAll(async () => {
  runtime = await testRuntime();
  const db = runtime.db;
  const programme = await db.programme.create({ data: { name: 'P' } });
  const cluster = await db.cluster.create({
    data: {
      programmeId: programme.id, code: 'LC1', name: 'C', approach: 'A', timeZone: 'UTC', language: 'en', capacity: 5,
      timeline: {
        create: [
          { type: 'EXCHANGE_EVENT', roles: ['TEMPLATE_INTRODUCED'], position: 1, startsAt: d('2027-02-01'), endsAt: d('2027-02-02') },
          { type: 'CONCEPTUALISATION', roles: ['CONCEPTS_DRAFTED'], position: 2, startsAt: d('2027-02-03'), endsAt: d('2027-03-01') },
        ],
      },
    },
    include: { timeline: { orderBy: { position: 'asc' } } },
  });
  clusterId = cluster.id;
  [ee1Id, cId] = cluster.timeline.map((i) => i.id);
  coordinatorId = (await db.person.create({ data: { displayName: 'Coord', memberships: { create: { clusterId, role: 'COORDINATOR' } } } })).id;
});

const draftOf = async (itemId: string, change: Partial<ItemDraft>): Promise<ItemDraft> => {
  const row = await runtime.db.timelineItem.findUniqueOrThrow({ where: { id: itemId } });
  return { type: row.type, title: row.title, roles: row.roles, startsAt: row.startsAt, endsAt: row.endsAt, location: row.location, reminders: row.reminders, ...change };
};

describe('when two coordinators edit the timeline at the same moment', () => {
  it('lets only one of two edits that are fine alone but put the roles out of order together through', async () => {
    const now = new Date();
    const results = await Promise.allSettled([
      // EE1 moving to 2 Feb is fine while conceptualisation starts on the 3rd…
      saveTimelineEdit(runtime.db, coordinatorId, { action: 'change', clusterId, itemId: ee1Id, draft: await draftOf(ee1Id, { startsAt: d('2027-02-02'), endsAt: new Date('2027-02-02T16:00:00Z') }) }, now),
      // …and conceptualisation starting at noon on the 1st is fine while EE1 starts that morning; together the template comes after the drafting began.
      saveTimelineEdit(runtime.db, coordinatorId, { action: 'change', clusterId, itemId: cId, draft: await draftOf(cId, { startsAt: new Date('2027-02-01T12:00:00Z') }) }, now),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(TimelineConflictError);
    expect(await runtime.db.timelineChange.count({ where: { clusterId } })).toBe(1);
    // Whatever won, the stored timeline is still in the method's order.
    const ee1 = await runtime.db.timelineItem.findUniqueOrThrow({ where: { id: ee1Id } });
    const c = await runtime.db.timelineItem.findUniqueOrThrow({ where: { id: cId } });
    expect(ee1.startsAt! <= c.startsAt!).toBe(true);
  });

  it('refuses someone who is not a coordinator of the cluster before looking at the dates', async () => {
    const outsider = await runtime.db.person.create({ data: { displayName: 'Out' } });
    await expect(saveTimelineEdit(runtime.db, outsider.id, { action: 'remove', clusterId, itemId: ee1Id }, new Date())).rejects.toMatchObject({ code: 'not_allowed' });
  });
});

describe('when a coordinator adds an event that takes a role, then undoes it', () => {
  it('records both items under one edit, and the undo removes the new one and gives the role back', async () => {
    const now = new Date();
    const draft: ItemDraft = { type: 'CONCEPTUALISATION', title: 'Drafting, second try', roles: ['CONCEPTS_DRAFTED'], startsAt: d('2027-03-02'), endsAt: d('2027-03-20'), location: null, reminders: true };
    const saved = await saveTimelineEdit(runtime.db, coordinatorId, { action: 'add', clusterId, draft }, now);
    expect(saved.changes.map((c) => [c.action, c.rolesLost])).toEqual([['added', []], ['changed', ['CONCEPTS_DRAFTED']]]);
    const changes = await runtime.db.timelineChange.findMany({ where: { editId: saved.editId } });
    expect(changes.map((c) => c.itemId).sort()).toEqual([saved.itemId, cId].sort());
    expect((await runtime.db.timelineItem.findUniqueOrThrow({ where: { id: cId } })).roles).toEqual([]);

    await undoTimelineEdit(runtime.db, coordinatorId, saved.editId!, now);
    expect((await runtime.db.timelineItem.findUniqueOrThrow({ where: { id: saved.itemId } })).removedAt).not.toBeNull();
    expect((await runtime.db.timelineItem.findUniqueOrThrow({ where: { id: cId } })).roles).toEqual(['CONCEPTS_DRAFTED']);
  });
});

describe('when a coordinator removes an item and undoes the removal', () => {
  it('keeps the item (removed) and brings it back with its dates and roles', async () => {
    const now = new Date();
    const before = await runtime.db.timelineItem.findUniqueOrThrow({ where: { id: ee1Id } });
    const removed = await saveTimelineEdit(runtime.db, coordinatorId, { action: 'remove', clusterId, itemId: ee1Id }, now);
    expect((await runtime.db.timelineItem.findUniqueOrThrow({ where: { id: ee1Id } })).removedAt).not.toBeNull();
    await undoTimelineEdit(runtime.db, coordinatorId, removed.editId!, now);
    const after = await runtime.db.timelineItem.findUniqueOrThrow({ where: { id: ee1Id } });
    expect([after.removedAt, after.startsAt, after.roles]).toEqual([null, before.startsAt, before.roles]);
    const actions = (await runtime.db.timelineChange.findMany({ where: { itemId: ee1Id }, orderBy: { changedAt: 'asc' } })).map((c) => c.action);
    expect(actions.slice(-2)).toEqual(['removed', 'restored']);
  });
});

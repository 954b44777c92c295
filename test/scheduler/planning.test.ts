import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { isInWorkingHours, DEFAULT_WORKING_HOURS } from '../../src/scheduler/local-time.js';
import { slotJobId } from '../../src/scheduler/queue.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { createCluster, nudgeName, type TestCluster } from './fixtures.js';

let runtime: Runtime;
let lc: TestCluster;
const clock = new ManualClock(new Date('2026-08-20T08:00:00Z'));

/** Kinds of the PLANNED nudges per person, sorted. */
async function plannedKinds(personId: string): Promise<string[]> {
  const rows = await runtime.db.plannedNudge.findMany({ where: { personId, status: 'PLANNED' }, select: { kind: true, payload: true } });
  return rows.map((r) => nudgeName(lc, r)).sort();
}

beforeAll(async () => {
  runtime = await testRuntime({ clock });
  lc = await createCluster(runtime.db, { code: 'PL1', ee1: '2026-09-15', members: 4 });
  const [m1, m2, m3, m4] = lc.members;
  const db = runtime.db;
  // m1 has nothing yet; m2 a draft; m3 and m4 submitted, m3 with two dated activities (one done).
  await db.actionPlan.create({ data: { clusterId: lc.clusterId, authorId: m2.id, approach: 'Day-care', stage: 'DRAFT' } });
  const plan3 = await db.actionPlan.create({
    data: {
      clusterId: lc.clusterId, authorId: m3.id, approach: 'Day-care', stage: 'SUBMITTED',
      activities: { create: [
        { position: 1, activity: 'Find premises', deadline: new Date('2026-12-04'), progress: 'IN_PROGRESS' },
        { position: 2, activity: 'Hire staff', deadline: new Date('2026-12-11'), progress: 'DONE' },
      ] },
    },
  });
  await db.actionPlan.create({ data: { clusterId: lc.clusterId, authorId: m4.id, approach: 'Day-care', stage: 'SUBMITTED' } });
  // A feedback round open after EE2: m1 still owes a review, m2 has given theirs.
  const round = await db.feedbackRound.create({ data: { clusterId: lc.clusterId, status: 'OPEN', deadline: new Date('2026-11-03T17:00:00Z'), seed: 1 } });
  await db.feedbackAssignment.createMany({ data: [
    { roundId: round.id, planId: plan3.id, reviewerId: m1.id, status: 'PENDING' },
    { roundId: round.id, planId: plan3.id, reviewerId: m2.id, status: 'SUBMITTED' },
  ] });
  // The questionnaire after EE1: m4 has answered it.
  const q = await db.questionnaire.create({ data: { key: 'after-ee1', version: 1, definition: { title: 'After EE1' } } });
  const run = await db.questionnaireRun.create({ data: { questionnaireId: q.id, clusterId: lc.clusterId, status: 'OPEN', opensAt: lc.timeline.EE1.endsAt, closesAt: new Date(lc.timeline.EE1.endsAt.getTime() + 10 * 86_400_000), phaseItemId: lc.items.EE1 } });
  await db.runParticipation.create({ data: { runId: run.id, personId: m4.id, answered: true } });
  await runtime.scheduler.replan(lc.clusterId);
});

const events = ['ee1-day-before', 'ee1-week-before', 'ee2-day-before', 'ee2-week-before', 'ee3-day-before', 'ee3-week-before'];

describe('when a cluster is planned before it starts', () => {
  it('reminds members and resource persons of every exchange event, and coordinators of none', async () => {
    expect(await plannedKinds(lc.rp.id)).toEqual(events);
    expect(await plannedKinds(lc.coordinator.id)).toEqual([]);
    for (const m of lc.members) expect(await plannedKinds(m.id)).toEqual(expect.arrayContaining(events));
  });

  it('invites only members without a submitted plan to start it, and nudges mid-way only those without a draft', async () => {
    const [m1, m2, m3, m4] = await Promise.all(lc.members.map((m) => plannedKinds(m.id)));
    expect(m1).toEqual(expect.arrayContaining(['conceptualisation-start', 'conceptualisation-midway', 'plan-due-before-ee2']));
    expect(m2).toEqual(expect.arrayContaining(['conceptualisation-start', 'plan-due-before-ee2']));
    expect(m2).not.toContain('conceptualisation-midway');
    for (const kinds of [m3, m4]) for (const k of ['conceptualisation-start', 'conceptualisation-midway', 'plan-due-before-ee2']) expect(kinds).not.toContain(k);
  });

  it('reminds reviewers with open assignments, the author of each unfinished activity, and non-respondents', async () => {
    const [m1, m2, m3, m4] = await Promise.all(lc.members.map((m) => plannedKinds(m.id)));
    expect(m1).toContain('feedback-due');
    expect(m2).not.toContain('feedback-due');
    expect(m3.filter((k) => k === 'activity-due')).toHaveLength(1);
    for (const kinds of [m1, m2, m3]) expect(kinds).toEqual(expect.arrayContaining(['questionnaire-open', 'questionnaire-reminder']));
    expect(m4).not.toContain('questionnaire-open');
    for (const kinds of [m1, m2, m3, m4]) expect(kinds).toContain('application-start');
  });

  it('puts every nudge inside working hours and gives each delivery slot a delayed job with the right delay', async () => {
    const rows = await runtime.db.plannedNudge.findMany({ where: { clusterId: lc.clusterId, status: 'PLANNED' }, include: { person: true } });
    expect(rows.length).toBeGreaterThan(40);
    for (const row of rows) {
      expect(isInWorkingHours(row.dueAt, { timeZone: row.person.timeZone, country: row.person.country, hours: DEFAULT_WORKING_HOURS })).toBe(true);
      const job = await runtime.scheduler.queue.queue.getJob(slotJobId({ personId: row.personId, dueAt: row.dueAt.getTime() }));
      expect(job?.opts.delay).toBe(row.dueAt.getTime() - clock.now().getTime());
    }
  });

  it('gives the same ids and times when planned again (nothing moves without a change)', async () => {
    const before = await runtime.db.plannedNudge.findMany({ where: { clusterId: lc.clusterId }, orderBy: { id: 'asc' } });
    const result = await runtime.scheduler.replan(lc.clusterId);
    expect(result.created + result.moved + result.cancelled).toBe(0);
    const after = await runtime.db.plannedNudge.findMany({ where: { clusterId: lc.clusterId }, orderBy: { id: 'asc' } });
    expect(after.map((r) => [r.id, r.dueAt.getTime(), r.status])).toEqual(before.map((r) => [r.id, r.dueAt.getTime(), r.status]));
  });
});

describe('when a member submits their plan', () => {
  it('cancels the plan reminders they no longer need, and their queued jobs', async () => {
    const m1 = lc.members[0];
    const due = await runtime.db.plannedNudge.findFirstOrThrow({ where: { personId: m1.id, kind: 'conceptualisation-midway' } });
    await runtime.db.actionPlan.create({ data: { clusterId: lc.clusterId, authorId: m1.id, approach: 'Day-care', stage: 'SUBMITTED' } });
    await runtime.services.scheduler.clusterChanged(lc.clusterId, 'plan submitted');
    // The re-plan runs in the background; run what its job would run, now.
    await runtime.scheduler.replanPending();
    const kinds = await plannedKinds(m1.id);
    for (const k of ['conceptualisation-start', 'conceptualisation-midway', 'plan-due-before-ee2']) expect(kinds).not.toContain(k);
    expect((await runtime.db.plannedNudge.findUniqueOrThrow({ where: { id: due.id } })).status).toBe('CANCELLED');
    const sameSlot = await runtime.db.plannedNudge.count({ where: { personId: m1.id, dueAt: due.dueAt, status: 'PLANNED' } });
    const job = await runtime.scheduler.queue.queue.getJob(slotJobId({ personId: m1.id, dueAt: due.dueAt.getTime() }));
    expect(job === undefined).toBe(sameSlot === 0);
  });
});

import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createRedis } from '../../src/core/redis.js';
import { bullPrefix, NUDGE_QUEUE, slotJobId } from '../../src/scheduler/queue.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { findButton, talkAs, textOf } from '../support/transcript.js';
import { createCluster, type TestCluster } from '../scheduler/fixtures.js';

let runtime: Runtime;
let lc: TestCluster;
let events: QueueEvents;
const clock = new ManualClock(new Date('2026-09-25T08:00:00Z'));
const ADMIN_TOKEN = 'a-very-long-admin-token-for-tests';

beforeAll(async () => {
  runtime = await testRuntime({ clock, env: { ADMIN_TOKEN } });
  lc = await createCluster(runtime.db, { code: 'FL1', ee1: '2026-09-15', members: 3 });
  await runtime.scheduler.replan(lc.clusterId);
  events = new QueueEvents(NUDGE_QUEUE, { connection: createRedis(runtime.config.REDIS_URL, { forQueues: true }), prefix: bullPrefix(runtime.config.REDIS_PREFIX) });
  await events.waitUntilReady();
  runtime.scheduler.startWorker();
});
afterAll(async () => {
  await events.close();
});

describe('when a coordinator lists the upcoming nudges', () => {
  it('shows who gets what next, in the coordinator\'s time zone, with counts', async () => {
    const text = textOf(await talkAs(runtime.bot, lc.coordinator.externalId).say('/lc nudges'));
    expect(text).toContain('Upcoming reminders in FL1');
    expect(text).toMatch(/\d+ planned, 0 sent, 0 could not be delivered/);
    expect(text).toMatch(/Wed 7 Oct 2026, 09:00 GMT\+2: Member1 FL1, no draft yet \(mid-way\)/);
  });

  it('refuses a member', async () => {
    const text = textOf(await talkAs(runtime.bot, lc.members[0].externalId).say('/lc nudges'));
    expect(text).toContain('is for other roles');
  });

  it('answers a cluster the coordinator does not run with the ones they do', async () => {
    expect(textOf(await talkAs(runtime.bot, lc.coordinator.externalId).say('/lc nudges LC9'))).toContain('Your clusters: FL1');
  });
});

describe('when a coordinator sends a manual nudge', () => {
  it('previews it, and on Send delivers it to every member exactly once', async () => {
    const coordinator = talkAs(runtime.bot, lc.coordinator.externalId);
    const preview = await coordinator.say('/lc nudge members Please bring one photo of your case to EE2');
    expect(textOf(preview)).toContain('Send this reminder to 3 people in FL1?');
    expect(textOf(preview)).toContain('Member1 FL1, Member2 FL1, and Member3 FL1: now');
    const done = await coordinator.press(findButton(preview, 'Send'));
    expect(textOf(done)).toContain('the reminder is on its way to 3 people');
    // The nudges' jobs are queued by the cluster's background re-plan; run what its job would run, now.
    await runtime.scheduler.replanPending();
    const rows = await runtime.db.plannedNudge.findMany({ where: { kind: 'manual' } });
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      const job = (await runtime.scheduler.queue.queue.getJob(slotJobId({ personId: row.personId, dueAt: row.dueAt.getTime() })))!;
      expect(await job.waitUntilFinished(events)).toBe('sent');
    }
    for (const m of lc.members) {
      const inbox = await runtime.webSender.drain(m.externalId);
      expect(inbox).toHaveLength(1);
      expect(textOf(inbox)).toContain('Please bring one photo of your case to EE2');
      expect(textOf(inbox)).toContain('Message from Coordinator FL1');
    }
  });

  it('schedules one for later for named people, in the coordinator\'s zone', async () => {
    const coordinator = talkAs(runtime.bot, lc.coordinator.externalId);
    const preview = await coordinator.say('/lc nudge @Member2 Call me about the premises at 2026-10-02 14:30');
    expect(textOf(preview)).toContain('Send this reminder to 1 person in FL1?');
    expect(textOf(preview)).toContain('Member2 FL1: Fri 2 Oct 2026, 14:30');
    await coordinator.press(findButton(preview, 'Send'));
    await runtime.scheduler.replanPending();
    const row = await runtime.db.plannedNudge.findFirstOrThrow({ where: { kind: 'manual', personId: lc.members[1].id, status: 'PLANNED' } });
    expect(row.dueAt.toISOString()).toBe('2026-10-02T12:30:00.000Z');
    // Re-planning the cluster (a timeline edit) never cancels a coordinator's own nudge.
    await runtime.services.scheduler.clusterChanged(lc.clusterId, 'test');
    await runtime.scheduler.replanPending();
    expect((await runtime.db.plannedNudge.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('PLANNED');
  });

  it('explains what went wrong with an unknown person or a missing message, and saves nothing', async () => {
    const coordinator = talkAs(runtime.bot, lc.coordinator.externalId);
    expect(textOf(await coordinator.say('/lc nudge @Nobody hello'))).toContain('Nobody in this cluster is called @Nobody');
    expect(textOf(await coordinator.say('/lc nudge members'))).toContain('Write it as `/lc nudge'.replace(/`/g, ''));
    expect(textOf(await coordinator.say('/lc nudge members hi at 2020-01-01'))).toContain('has already passed');
    expect(await runtime.db.plannedNudge.count({ where: { kind: 'manual' } })).toBe(4);
  });
});

describe('when a member cannot be reached', () => {
  it('records the nudge as failed (unreachable) and shows it to the coordinator', async () => {
    const member = lc.members[2];
    await runtime.db.platformIdentity.updateMany({ where: { personId: member.id }, data: { unreachableAt: new Date() } });
    const coordinator = talkAs(runtime.bot, lc.coordinator.externalId);
    await coordinator.press(findButton(await coordinator.say('/lc nudge @Member3 Are you still with us?'), 'Send'));
    await runtime.scheduler.replanPending();
    // The newest manual nudge of this member (the worker may be sending it already, so its status is not a way to tell).
    const row = await runtime.db.plannedNudge.findFirstOrThrow({ where: { kind: 'manual', personId: member.id }, orderBy: { createdAt: 'desc' } });
    // Same person, same instant as the first manual nudge (the clock stands still): the finished job is replaced.
    const job = (await runtime.scheduler.queue.queue.getJob(slotJobId({ personId: row.personId, dueAt: row.dueAt.getTime() })))!;
    expect(await job.waitUntilFinished(events)).toBe('unreachable');
    const delivery = await runtime.db.nudgeDelivery.findUniqueOrThrow({ where: { nudgeId: row.id } });
    expect(delivery.outcome).toBe('unreachable');
    const text = textOf(await coordinator.say('/lc nudges'));
    expect(text).toContain('1 could not be delivered');
    expect(text).toContain("Member3 FL1: coordinator's message (no reachable identity)");
  });
});

describe('when someone opens the queue dashboard', () => {
  it('asks for the admin token, and shows Bull Board with it', async () => {
    const port = await runtime.listen(0);
    const url = `http://127.0.0.1:${port}/admin/queues`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong-token-of-some-length' } })).status).toBe(401);
    const ok = await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('<div id="root">');
    const api = await fetch(`${url}/api/queues`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(JSON.stringify(await api.json())).toContain('nudges');
  });
});

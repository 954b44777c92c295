import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/logger.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { syncQuestionnaires } from '../../src/domain/questionnaires/catalogue.js';
import { runHousekeeping } from '../../src/scheduler/housekeeping.js';
import { createDownload, findDownload } from '../../src/core/downloads.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';

const clock = new ManualClock(new Date('2026-11-23T09:00:00Z'));
const logger = createLogger('silent');
let runtime: Runtime;

beforeAll(async () => {
  runtime = await testRuntime({ clock });
  await seedDemo(runtime.db, clock.now());
  await syncQuestionnaires(runtime.db, runtime.questionnaires);
});

describe('when a questionnaire run sent "at a phase" comes due', () => {
  it('opens it and invites the members once, however often housekeeping runs', async () => {
    const lc1 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
    const questionnaire = await runtime.db.questionnaire.findFirstOrThrow({ where: { key: 'ee2-evaluation' } });
    const run = await runtime.db.questionnaireRun.create({
      data: { questionnaireId: questionnaire.id, clusterId: lc1.id, status: 'SCHEDULED', phase: 'EE2', opensAt: new Date('2026-11-23T08:00:00Z'), closesAt: new Date('2026-12-07T08:00:00Z') },
    });
    const first = await runHousekeeping(runtime.services, logger);
    expect(first.runsOpened).toBe(1);
    expect((await runtime.db.questionnaireRun.findUniqueOrThrow({ where: { id: run.id } })).status).toBe('OPEN');
    const inbox = await runtime.webSender.drain('web:lc1-m1');
    expect(inbox.length).toBe(1);

    const second = await runHousekeeping(runtime.services, logger);
    expect(second.runsOpened).toBe(0);
    expect(await runtime.webSender.drain('web:lc1-m1')).toEqual([]);
  });

  it('closes a run once its closing date has passed', async () => {
    clock.set(new Date('2026-12-08T09:00:00Z'));
    const result = await runHousekeeping(runtime.services, logger);
    expect(result.runsClosed).toBeGreaterThanOrEqual(1);
    expect(await runtime.db.questionnaireRun.count({ where: { status: 'OPEN', closesAt: { lt: clock.now() } } })).toBe(0);
    clock.set(new Date('2026-11-23T09:00:00Z'));
  });
});

describe('when EE2 begins in a cluster designed to open its feedback round automatically', () => {
  it('opens the round once', async () => {
    const lc2 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC2' }, include: { timeline: true, memberships: { where: { role: 'MEMBER' } } } });
    await runtime.db.cluster.update({ where: { id: lc2.id }, data: { design: { feedbackRound: { autoOpenAtEe2: true } } } });
    for (const m of lc2.memberships.slice(0, 4)) {
      await runtime.db.actionPlan.create({ data: { clusterId: lc2.id, authorId: m.personId, stage: 'SUBMITTED', approach: lc2.approach, goal: 'A goal' } });
    }
    const ee2 = lc2.timeline.find((item) => item.kind === 'EE2')!;
    clock.set(new Date(ee2.startsAt.getTime() + 3600_000));
    expect((await runHousekeeping(runtime.services, logger)).roundsOpened).toBe(1);
    expect((await runHousekeeping(runtime.services, logger)).roundsOpened).toBe(0);
    expect(await runtime.db.feedbackRound.count({ where: { clusterId: lc2.id } })).toBe(1);
  });
});

describe('when download links expire', () => {
  it('deletes the expired files and keeps the ones whose links still work', async () => {
    const now = clock.now();
    const expired = await createDownload(runtime.db, 'http://bot.test', { filename: 'old-export.csv', contentType: 'text/csv', body: 'name\nAna', ttlMs: 60_000 }, new Date(now.getTime() - 120_000));
    const live = await createDownload(runtime.db, 'http://bot.test', { filename: 'new-export.csv', contentType: 'text/csv', body: 'name\nBen' }, now);
    const result = await runHousekeeping(runtime.services, logger);
    expect(result.downloadsPurged).toBeGreaterThanOrEqual(1);
    expect(await runtime.db.download.findUnique({ where: { id: expired.id } })).toBeNull();
    expect(await findDownload(runtime.db, live.id, now)).not.toBeNull();
  });
});

describe('when uses of one-time buttons grow old', () => {
  it('forgets those older than the retention and keeps the recent ones', async () => {
    const now = clock.now();
    const person = await runtime.db.person.create({ data: { displayName: 'Old Clicker' } });
    await runtime.db.actionUse.create({ data: { personId: person.id, token: 'old-token', claimedAt: new Date(now.getTime() - 91 * 24 * 3600 * 1000), doneAt: now } });
    await runtime.db.actionUse.create({ data: { personId: person.id, token: 'new-token', claimedAt: now, doneAt: now } });
    const result = await runHousekeeping(runtime.services, logger);
    expect(result.actionUsesPruned).toBe(1);
    expect((await runtime.db.actionUse.findMany({ where: { personId: person.id } })).map((u) => u.token)).toEqual(['new-token']);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { approachKey, isSafeHttpsUrl, readPractice, saveSection } from '../../src/domain/practice/index.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';
import { clusterByCode, personOf } from '../support/plans.js';

/**
 * The good practice's versions under load and over time (src/domain/practice/repository.ts): editors saving
 * different sections at the same moment both keep their text, numbers never collide, and a saved version
 * cannot be changed afterwards, not even by a statement that bypasses the bot.
 */
let runtime: Runtime;
beforeAll(async () => {
  runtime = await testRuntime();
  await seedDemo(runtime.db, new Date('2026-11-23T09:00:00Z'));
});

describe('when a resource person and a coordinator save different sections at the same moment', () => {
  it('keeps both sections in the newest version, with consecutive numbers', async () => {
    const lc2 = await clusterByCode(runtime.db, 'LC2');
    const [rp, coordinator] = await Promise.all([personOf(runtime.db, 'web:lc2-rp2'), personOf(runtime.db, 'web:lc2-coordinator')]);
    const before = await readPractice(runtime.db, rp.id, lc2.id);
    const saves = await Promise.all([
      saveSection(runtime.db, { personId: rp.id, clusterId: lc2.id, section: 'legal', value: 'Consent for every photo, in writing.' }),
      saveSection(runtime.db, { personId: coordinator.id, clusterId: lc2.id, section: 'contacts', value: 'SCTM social policy unit.' }),
      saveSection(runtime.db, { personId: rp.id, clusterId: lc2.id, section: 'results', value: 'A third more applications.' }),
    ]);
    const numbers = saves.map((s) => s.version!.number).sort();
    const first = (before.latest?.number ?? 0) + 1;
    expect(numbers).toEqual([first, first + 1, first + 2]);
    const after = await readPractice(runtime.db, rp.id, lc2.id);
    expect(after.content).toMatchObject({ legal: 'Consent for every photo, in writing.', contacts: 'SCTM social policy unit.', results: 'A third more applications.' });
    expect(after.content.summary).toBe(before.content.summary);
  });

  it('creates one practice when the first two saves of an undocumented approach arrive together', async () => {
    const lc4 = await clusterByCode(runtime.db, 'LC4');
    await runtime.db.goodPractice.deleteMany({ where: { clusters: { some: { id: lc4.id } } } });
    const [rp, coordinator] = await Promise.all([personOf(runtime.db, 'web:lc4-rp1'), personOf(runtime.db, 'web:lc4-coordinator')]);
    await Promise.all([
      saveSection(runtime.db, { personId: rp.id, clusterId: lc4.id, section: 'summary', value: 'A standing forum.' }),
      saveSection(runtime.db, { personId: coordinator.id, clusterId: lc4.id, section: 'steps', value: ['Invite', 'Agree the rules'] }),
    ]);
    const practices = await runtime.db.goodPractice.findMany({ where: { approachKey: approachKey(lc4.approach) }, include: { versions: true } });
    expect(practices).toHaveLength(1);
    expect(practices[0].versions.map((v) => v.number).sort()).toEqual([1, 2]);
    expect((await readPractice(runtime.db, rp.id, lc4.id)).content).toMatchObject({ summary: 'A standing forum.', steps: ['Invite', 'Agree the rules'] });
  });

  it('adds no version for a save that changes nothing', async () => {
    const lc2 = await clusterByCode(runtime.db, 'LC2');
    const rp = await personOf(runtime.db, 'web:lc2-rp2');
    const count = await runtime.db.goodPracticeVersion.count();
    const outcome = await saveSection(runtime.db, { personId: rp.id, clusterId: lc2.id, section: 'legal', value: 'Consent for every photo, in writing.' });
    expect(outcome.saved).toBe(false);
    expect(await runtime.db.goodPracticeVersion.count()).toBe(count);
  });

  it('refuses a member', async () => {
    const lc2 = await clusterByCode(runtime.db, 'LC2');
    const member = await personOf(runtime.db, 'web:lc2-m1');
    await expect(saveSection(runtime.db, { personId: member.id, clusterId: lc2.id, section: 'legal', value: 'Changed by a member' })).rejects.toThrow();
  });
});

describe('when someone changes a saved version in the database', () => {
  it('is refused by the database, while the author link may still move (account merge, erasure)', async () => {
    const version = await runtime.db.goodPracticeVersion.findFirstOrThrow({ orderBy: { number: 'asc' } });
    await expect(runtime.db.goodPracticeVersion.update({ where: { id: version.id }, data: { content: { summary: 'rewritten history' } } })).rejects.toThrow(/never changed/);
    await expect(runtime.db.goodPracticeVersion.update({ where: { id: version.id }, data: { note: 'a new note' } })).rejects.toThrow(/never changed/);
    await runtime.db.goodPracticeVersion.update({ where: { id: version.id }, data: { authorId: null } });
    expect((await runtime.db.goodPracticeVersion.findUniqueOrThrow({ where: { id: version.id } })).authorId).toBeNull();
  });
});

describe('when approaches and links are compared', () => {
  it('matches one approach however it is written, and accepts only https addresses with a host', () => {
    expect(approachKey('Day-care Centers')).toBe(approachKey(' day care  centers '));
    expect(approachKey('Dnevni centri')).not.toBe(approachKey('Day-care Centers'));
    expect(isSafeHttpsUrl('https://example.org/a_b-c.pdf?x=1')).toBe(true);
    for (const bad of ['http://example.org/a.pdf', 'javascript:alert(1)', 'https://localhost/a', 'https://ex ample.org', 'https://example.org/a)b', 'https://user:pw@example.org/', 'https://example.org/"onmouseover']) {
      expect(isSafeHttpsUrl(bad), bad).toBe(false);
    }
  });
});

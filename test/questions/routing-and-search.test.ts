import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { seedDemo } from '../../src/domain/demo-seed.js';
import { answerQuestion, askQuestion, setFaqConsent, type QuestionDeps } from '../../src/domain/questions/lifecycle.js';
import { nextAssignee, rankCandidates } from '../../src/domain/questions/routing.js';
import { searchAnswered } from '../../src/domain/questions/search.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testRuntime } from '../support/harness.js';

let runtime: Runtime;
let deps: QuestionDeps;
const clock = new ManualClock(new Date('2026-11-23T09:00:00Z'));
const ids: Record<string, string> = {};
let lc1: { id: string; programmeId: string };
let lc2: { id: string; programmeId: string };

async function personOf(key: string) {
  const identity = await runtime.db.platformIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'WEB', externalId: `web:${key}` } } });
  return identity.personId;
}

beforeAll(async () => {
  runtime = await testRuntime({ clock });
  await seedDemo(runtime.db, clock.now());
  deps = { db: runtime.db, clock, notifier: runtime.notifier, deadlines: runtime.services.questionDeadlines };
  for (const key of ['lc1-rp1', 'lc1-rp2', 'lc1-coordinator', 'lc1-m1', 'lc1-m2', 'lc1-m3', 'lc2-m1', 'lc2-rp1']) ids[key] = await personOf(key);
  lc1 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC1' } });
  lc2 = await runtime.db.cluster.findFirstOrThrow({ where: { code: 'LC2' } });
  // A third resource person whose expertise overlaps rp1's, to make the choice less obvious.
  const rp3 = await runtime.db.person.create({ data: { displayName: 'Valon Rama', timeZone: 'Europe/Belgrade', identities: { create: { platform: 'WEB', externalId: 'web:lc1-rp3' } } } });
  await runtime.db.membership.create({ data: { personId: rp3.id, clusterId: lc1.id, role: 'RESOURCE_PERSON', topics: ['premises', 'accessibility'] } });
  ids['lc1-rp3'] = rp3.id;
});

describe('when a question is routed among several resource persons', () => {
  it('chooses the one whose topics match most (legal + premises beats premises alone)', async () => {
    const ranked = await rankCandidates(runtime.db, { clusterId: lc1.id, role: 'RESOURCE_PERSON', text: 'Which legal steps do we need before renting premises?' });
    expect(ranked.map((r) => [r.personId, r.score])).toEqual([
      [ids['lc1-rp1'], 2],
      [ids['lc1-rp3'], 1],
      [ids['lc1-rp2'], 0],
    ]);
  });

  it('matches topics through stemming (a topic "premises" matches "premise")', async () => {
    const [best] = await rankCandidates(runtime.db, { clusterId: lc1.id, role: 'RESOURCE_PERSON', text: 'Is an accessible premise required?' });
    expect(best.personId).toBe(ids['lc1-rp3']);
  });

  it('breaks a tie in favour of the person with the fewest open questions', async () => {
    // No topic matches: all three tie on score. rp1 is oldest, so with equal loads rp1 wins.
    const neutral = 'How long did your pilot take?';
    expect((await nextAssignee(runtime.db, { clusterId: lc1.id, text: neutral }))?.personId).toBe(ids['lc1-rp1']);
    // rp1 receives two questions and rp2 one; rp3 (no load) wins the next tie, then rp2 (one open).
    await askQuestion(deps, { askerId: ids['lc1-m1'], clusterId: lc1.id, text: 'Which legal form and financing suits a day-care centre?', urgent: false });
    await askQuestion(deps, { askerId: ids['lc1-m2'], clusterId: lc1.id, text: 'Legal rules on financing by the municipality?', urgent: false });
    await askQuestion(deps, { askerId: ids['lc1-m3'], clusterId: lc1.id, text: 'How do we train and monitor new staff?', urgent: false });
    const ranked = await rankCandidates(runtime.db, { clusterId: lc1.id, role: 'RESOURCE_PERSON', text: neutral });
    expect(ranked.map((r) => [r.personId, r.openQuestions])).toEqual([
      [ids['lc1-rp3'], 0],
      [ids['lc1-rp2'], 1],
      [ids['lc1-rp1'], 2],
    ]);
  });

  it('still prefers a better match over a lighter load', async () => {
    const best = await nextAssignee(runtime.db, { clusterId: lc1.id, text: 'What legal financing rules apply?' });
    expect(best?.personId).toBe(ids['lc1-rp1']);
  });

  it('never proposes someone already asked about the question, nor the asker', async () => {
    const { questionId, assignment } = await askQuestion(deps, { askerId: ids['lc1-m1'], clusterId: lc1.id, text: 'Legal questions on premises ownership', urgent: false });
    expect(assignment?.personId).toBe(ids['lc1-rp1']);
    const ranked = await rankCandidates(runtime.db, { clusterId: lc1.id, role: 'RESOURCE_PERSON', text: 'Legal questions on premises ownership', questionId });
    expect(ranked.map((r) => r.personId)).not.toContain(ids['lc1-rp1']);
    const coordinators = await rankCandidates(runtime.db, { clusterId: lc1.id, role: 'COORDINATOR', text: 'x', excludePersonIds: [ids['lc1-coordinator']] });
    expect(coordinators).toEqual([]);
  });
});

describe('when a member searches answered questions', () => {
  let published: string;
  let privateOne: string;
  let otherProgrammeCluster: string;

  beforeAll(async () => {
    const a = await askQuestion(deps, { askerId: ids['lc1-m2'], clusterId: lc1.id, text: 'Who must own the building before the day-care centre is registered?', urgent: false });
    await answerQuestion(deps, a.questionId, a.assignment!.personId, 'The municipality must own the premises or hold a lease of at least ten years.');
    await setFaqConsent(deps, a.questionId, ids['lc1-m2'], true);
    published = a.questionId;
    const b = await askQuestion(deps, { askerId: ids['lc1-m3'], clusterId: lc1.id, text: 'Can the building lease be paid from the social budget?', urgent: false });
    await answerQuestion(deps, b.questionId, b.assignment!.personId, 'Yes, a lease of premises can be paid from the social budget line.');
    privateOne = b.questionId; // answered, but the asker never consented
    const c = await askQuestion(deps, { askerId: ids['lc2-m1'], clusterId: lc2.id, text: 'How do we print leaflets about the building lease campaign?', urgent: false });
    await answerQuestion(deps, c.questionId, c.assignment!.personId, 'Print them at the municipal press; the lease of the building is not needed.');
    await setFaqConsent(deps, c.questionId, ids['lc2-m1'], true);
    otherProgrammeCluster = c.questionId;
  });

  it('finds published answers by stemmed words of the question or the answer', async () => {
    const found = await searchAnswered(runtime.db, { words: 'leasing premises for a daycare', clusterIds: [lc1.id], programmeIds: [] });
    expect(found.map((f) => f.questionId)).toEqual([published]);
    expect(found[0].answer).toContain('lease of at least ten years');
  });

  it('never shows an answer whose asker has not consented', async () => {
    const found = await searchAnswered(runtime.db, { words: 'building lease social budget', clusterIds: [lc1.id], programmeIds: [lc1.programmeId] });
    expect(found.map((f) => f.questionId)).not.toContain(privateOne);
  });

  it('includes the programme’s other clusters, own cluster first on equal matches', async () => {
    const found = await searchAnswered(runtime.db, { words: 'building lease', clusterIds: [lc1.id], programmeIds: [lc1.programmeId], preferClusterId: lc1.id });
    expect(found.map((f) => f.questionId)).toEqual([published, otherProgrammeCluster]);
    expect(found.map((f) => f.clusterCode)).toEqual(['LC1', 'LC2']);
  });

  it('ranks the answer containing more of the words first', async () => {
    const found = await searchAnswered(runtime.db, { words: 'leaflets print building lease campaign', clusterIds: [lc1.id], programmeIds: [lc1.programmeId], preferClusterId: lc1.id });
    expect(found[0].questionId).toBe(otherProgrammeCluster);
  });

  it('ignores a single shared common word and empty searches', async () => {
    expect(await searchAnswered(runtime.db, { words: 'building permits for kindergartens', clusterIds: [lc1.id], programmeIds: [lc1.programmeId] })).toEqual([]);
    expect(await searchAnswered(runtime.db, { words: 'the of and', clusterIds: [lc1.id], programmeIds: [] })).toEqual([]);
  });

  it('publishes on answering when the asker consented before the answer came', async () => {
    const early = await askQuestion(deps, { askerId: ids['lc1-m3'], clusterId: lc1.id, text: 'Which insurance covers volunteers in the centre?', urgent: false });
    expect(await setFaqConsent(deps, early.questionId, ids['lc1-m3'], true)).toEqual({ inFaq: false });
    expect(await searchAnswered(runtime.db, { words: 'insurance volunteers', clusterIds: [lc1.id], programmeIds: [] })).toEqual([]);
    await answerQuestion(deps, early.questionId, early.assignment!.personId, 'The municipal liability insurance, extended to volunteers.');
    expect((await searchAnswered(runtime.db, { words: 'insurance volunteers', clusterIds: [lc1.id], programmeIds: [] })).map((f) => f.questionId)).toEqual([early.questionId]);
  });

  it('takes an answer out of the FAQ when the asker withdraws consent', async () => {
    await setFaqConsent(deps, published, ids['lc1-m2'], false);
    expect(await searchAnswered(runtime.db, { words: 'premises lease', clusterIds: [lc1.id], programmeIds: [] })).toEqual([]);
    await setFaqConsent(deps, published, ids['lc1-m2'], true);
  });
});

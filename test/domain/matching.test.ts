import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockingPairs, matchApplicants, type MatchingApplicant, type MatchingCluster } from '../../src/domain/clusters/matching.js';

/** A random programme: 1–6 clusters, 0–40 practitioners from up to 12 municipalities, ranked lists of 1–3. */
const programme = fc
  .record({
    clusterCount: fc.integer({ min: 1, max: 6 }),
    capacities: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 6, maxLength: 6 }),
    seatedPicks: fc.array(fc.array(fc.integer({ min: 0, max: 11 }), { maxLength: 2 }), { minLength: 6, maxLength: 6 }),
    people: fc.array(
      fc.record({
        municipality: fc.integer({ min: 0, max: 11 }),
        prefs: fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 3 }),
        minute: fc.integer({ min: 0, max: 20 }),
      }),
      { maxLength: 40 },
    ),
    seed: fc.integer(),
  })
  .map(({ clusterCount, capacities, seatedPicks, people, seed }) => {
    const clusters: MatchingCluster[] = Array.from({ length: clusterCount }, (_, i) => ({
      id: `c${i}`,
      capacity: capacities[i],
      seated: [...new Set(seatedPicks[i].map((m) => `m${m}`))].slice(0, capacities[i]),
    }));
    const applicants: MatchingApplicant[] = people.map((p, i) => ({
      id: `p${i}`,
      municipality: `m${p.municipality}`,
      preferences: p.prefs.filter((c) => c < clusterCount).map((c) => `c${c}`),
      registeredAt: new Date(Date.UTC(2026, 10, 1, 9, p.minute)),
    }));
    return { clusters, applicants, seed };
  });

function municipalitiesIn(clusterId: string, clusters: MatchingCluster[], applicants: MatchingApplicant[], where: Map<string, string | null>) {
  const cluster = clusters.find((c) => c.id === clusterId)!;
  return new Set([...cluster.seated, ...applicants.filter((a) => where.get(a.id) === clusterId).map((a) => a.municipality)]);
}

describe('when practitioners are matched to a programme\'s clusters', () => {
  it('never gives a cluster more municipalities than its capacity', () => {
    fc.assert(
      fc.property(programme, ({ clusters, applicants, seed }) => {
        const { placements } = matchApplicants(clusters, applicants, seed);
        const where = new Map(placements.map((p) => [p.applicantId, p.clusterId]));
        for (const c of clusters) expect(municipalitiesIn(c.id, clusters, applicants, where).size).toBeLessThanOrEqual(Math.max(c.capacity, c.seated.length));
      }),
      { numRuns: 300 },
    );
  });

  it('places nobody in a cluster they did not list, and leaves someone out only when every listed cluster is full', () => {
    fc.assert(
      fc.property(programme, ({ clusters, applicants, seed }) => {
        const { placements } = matchApplicants(clusters, applicants, seed);
        const where = new Map(placements.map((p) => [p.applicantId, p.clusterId]));
        for (const a of applicants) {
          const placed = where.get(a.id);
          if (placed) expect(a.preferences).toContain(placed);
          else
            for (const listed of a.preferences) {
              const c = clusters.find((x) => x.id === listed)!;
              const munis = municipalitiesIn(listed, clusters, applicants, where);
              expect(munis.has(a.municipality)).toBe(false);
              expect(munis.size).toBeGreaterThanOrEqual(c.capacity);
            }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is stable: no practitioner and cluster would both rather be together', () => {
    fc.assert(
      fc.property(programme, ({ clusters, applicants, seed }) => {
        const { placements } = matchApplicants(clusters, applicants, seed);
        expect(blockingPairs(clusters, applicants, placements, seed)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same result for the same seed, whatever order the registrations arrive in', () => {
    fc.assert(
      fc.property(programme, ({ clusters, applicants, seed }) => {
        const a = matchApplicants(clusters, applicants, seed).placements.map((p) => [p.applicantId, p.clusterId]).sort();
        const b = matchApplicants(clusters, [...applicants].reverse(), seed).placements.map((p) => [p.applicantId, p.clusterId]).sort();
        expect(b).toEqual(a);
      }),
      { numRuns: 200 },
    );
  });

  it('explains a later choice by naming the full clusters the person preferred', () => {
    const clusters = [{ id: 'LC1', capacity: 1, seated: [] }, { id: 'LC2', capacity: 2, seated: [] }];
    const at = (m: number) => new Date(Date.UTC(2026, 10, 1, 9, m));
    const applicants = [
      { id: 'early', municipality: 'XK|prizren', preferences: ['LC1', 'LC2'], registeredAt: at(0) },
      { id: 'late', municipality: 'XK|peja', preferences: ['LC1', 'LC2'], registeredAt: at(5) },
      { id: 'colleague', municipality: 'XK|prizren', preferences: ['LC1'], registeredAt: at(9) },
    ];
    const { placements } = matchApplicants(clusters, applicants, 1);
    const byId = Object.fromEntries(placements.map((p) => [p.applicantId, p]));
    expect(byId.early.reason).toEqual({ kind: 'first-choice', clusterId: 'LC1', rank: 1, joinedColleagues: false });
    expect(byId.late.reason).toEqual({ kind: 'later-choice', clusterId: 'LC2', rank: 2, fullBefore: ['LC1'], joinedColleagues: false });
    // A colleague from a seated municipality takes no new seat.
    expect(byId.colleague.reason).toEqual({ kind: 'first-choice', clusterId: 'LC1', rank: 1, joinedColleagues: true });
  });

  it('breaks a tie between municipalities that registered at the same moment by the seed', () => {
    const clusters = [{ id: 'LC1', capacity: 1, seated: [] }];
    const same = new Date(Date.UTC(2026, 10, 1, 9, 0));
    const applicants = ['a', 'b', 'c', 'd', 'e', 'f'].map((m) => ({ id: m, municipality: `XK|${m}`, preferences: ['LC1'], registeredAt: same }));
    const winners = new Set(Array.from({ length: 30 }, (_, seed) => matchApplicants(clusters, applicants, seed).placements.find((p) => p.clusterId)!.applicantId));
    expect(winners.size).toBeGreaterThan(1);
  });

  it('the stability check itself finds a blocking pair in a hand-made unfair placement', () => {
    const clusters = [{ id: 'LC1', capacity: 1, seated: [] }, { id: 'LC2', capacity: 1, seated: [] }];
    const applicants = [
      { id: 'first', municipality: 'XK|a', preferences: ['LC1', 'LC2'], registeredAt: new Date(Date.UTC(2026, 10, 1)) },
      { id: 'second', municipality: 'XK|b', preferences: ['LC1', 'LC2'], registeredAt: new Date(Date.UTC(2026, 10, 2)) },
    ];
    const unfair = [
      { applicantId: 'first', clusterId: 'LC2', reason: { kind: 'manual' as const, clusterId: 'LC2' } },
      { applicantId: 'second', clusterId: 'LC1', reason: { kind: 'manual' as const, clusterId: 'LC1' } },
    ];
    expect(blockingPairs(clusters, applicants, unfair, 1)).toEqual([{ applicantId: 'first', clusterId: 'LC1' }]);
  });
});

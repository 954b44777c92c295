import { createHash } from 'node:crypto';

/**
 * Stable, explainable matching of registered practitioners to a programme's clusters.
 *
 * Capacity is counted in municipalities (the domain: "clusters of 5 to 15 municipalities, each with
 * 1 to 3 practitioners"). A practitioner whose municipality already holds a seat in a cluster joins
 * it without taking another seat. Clusters rank municipalities, not people: first come, first served
 * by the municipality's earliest registration, ties broken by a seeded lottery (a hash of seed and
 * municipality, so the same seed always gives the same result and nobody can game the order).
 * Municipalities already seated in a cluster (approved members) rank above everyone.
 *
 * The algorithm is applicant-proposing deferred acceptance (Gale–Shapley). Each cluster's choice
 * from a set of proposers is "everyone from its best `capacity` municipalities present"; that choice
 * rule is substitutable, so the result is stable (no practitioner and cluster would both rather be
 * together) and the best stable result for every practitioner. Nobody is placed in a cluster they
 * did not list; someone left unplaced had every listed cluster full with better-ranked municipalities.
 */
export interface MatchingCluster {
  id: string;
  /** Seats, in municipalities. */
  capacity: number;
  /** Municipality keys that already hold a seat (approved members); they count against capacity. */
  seated: string[];
}

/** A practitioner's registration as the matching sees it. */
export interface MatchingApplicant {
  id: string;
  /** Normalised municipality key (see municipalityKey). */
  municipality: string;
  /** Cluster ids, most preferred first. */
  preferences: string[];
  registeredAt: Date;
}

/** Why a practitioner ended up where they did; flows turn it into words in the person's language. */
export type PlacementReason =
  | { kind: 'first-choice'; clusterId: string; rank: 1; joinedColleagues: boolean }
  | { kind: 'later-choice'; clusterId: string; rank: number; fullBefore: string[]; joinedColleagues: boolean }
  | { kind: 'unplaced'; fullListed: string[] }
  | { kind: 'manual'; clusterId: string | null };

/** Where one practitioner goes (null: not placed) and why. */
export interface Placement {
  applicantId: string;
  clusterId: string | null;
  reason: PlacementReason;
}

/** The whole result, with the priority order used, so an audit can replay it. */
export interface MatchingResult {
  placements: Placement[];
  /** Municipality keys in priority order (best first), for explanations and audits. */
  priorityOrder: string[];
}

/** The key two registrations share when they come from the same municipality. */
export function municipalityKey(organisationName: string, country: string | null | undefined): string {
  return `${(country ?? '').trim().toUpperCase()}|${organisationName.trim().replace(/\s+/g, ' ').toLowerCase()}`;
}

/** Orders municipalities: earliest registration first, then a seeded lottery. */
export function municipalityPriority(applicants: MatchingApplicant[], seed: number): string[] {
  const earliest = new Map<string, number>();
  for (const a of applicants) {
    const t = a.registeredAt.getTime();
    earliest.set(a.municipality, Math.min(earliest.get(a.municipality) ?? Infinity, t));
  }
  const lottery = (key: string) => createHash('sha256').update(`${seed}:${key}`).digest('hex');
  return [...earliest.keys()].sort((x, y) => earliest.get(x)! - earliest.get(y)! || (lottery(x) < lottery(y) ? -1 : lottery(x) > lottery(y) ? 1 : 0));
}

/** Runs deferred acceptance; pure and deterministic for the same input and seed. */
export function matchApplicants(clusters: MatchingCluster[], applicants: MatchingApplicant[], seed: number): MatchingResult {
  const order = municipalityPriority(applicants, seed);
  const rankOf = new Map(order.map((m, i) => [m, i]));
  const byId = new Map(clusters.map((c) => [c.id, c]));
  // Seated municipalities outrank every newcomer (rank -1).
  const clusterRank = (cluster: MatchingCluster, municipality: string) => (cluster.seated.includes(municipality) ? -1 : rankOf.get(municipality) ?? Infinity);

  const held = new Map<string, MatchingApplicant[]>(clusters.map((c) => [c.id, []]));
  const next = new Map<string, number>(applicants.map((a) => [a.id, 0]));
  const sorted = [...applicants].sort((a, b) => a.id.localeCompare(b.id));
  const free: MatchingApplicant[] = [...sorted];
  while (free.length) {
    const applicant = free.shift()!;
    const validPrefs = applicant.preferences.filter((id) => byId.has(id));
    const index = next.get(applicant.id)!;
    if (index >= validPrefs.length) continue; // list exhausted: stays unplaced
    next.set(applicant.id, index + 1);
    const cluster = byId.get(validPrefs[index])!;
    const proposers = [...held.get(cluster.id)!, applicant];
    const { accepted, rejected } = choose(cluster, proposers, clusterRank);
    held.set(cluster.id, accepted);
    free.push(...rejected);
  }

  const placed = new Map<string, string>();
  for (const [clusterId, list] of held) for (const a of list) placed.set(a.id, clusterId);
  const placements = applicants.map((a): Placement => {
    const prefs = a.preferences.filter((id) => byId.has(id));
    const clusterId = placed.get(a.id) ?? null;
    if (!clusterId) return { applicantId: a.id, clusterId: null, reason: { kind: 'unplaced', fullListed: prefs } };
    const rank = prefs.indexOf(clusterId) + 1;
    const cluster = byId.get(clusterId)!;
    const joinedColleagues = cluster.seated.includes(a.municipality) || held.get(clusterId)!.some((o) => o.id !== a.id && o.municipality === a.municipality && registeredBefore(o, a));
    if (rank === 1) return { applicantId: a.id, clusterId, reason: { kind: 'first-choice', clusterId, rank: 1, joinedColleagues } };
    return { applicantId: a.id, clusterId, reason: { kind: 'later-choice', clusterId, rank, fullBefore: prefs.slice(0, rank - 1), joinedColleagues } };
  });
  return { placements, priorityOrder: order };
}

function registeredBefore(a: MatchingApplicant, b: MatchingApplicant): boolean {
  return a.registeredAt.getTime() < b.registeredAt.getTime() || (a.registeredAt.getTime() === b.registeredAt.getTime() && a.id < b.id);
}

/** The cluster keeps everyone from its best `capacity` municipalities present, and rejects the rest. */
function choose(cluster: MatchingCluster, proposers: MatchingApplicant[], rank: (c: MatchingCluster, m: string) => number) {
  const municipalities = [...new Set(proposers.map((p) => p.municipality))].sort((x, y) => rank(cluster, x) - rank(cluster, y));
  // Seated municipalities hold seats whether or not anyone from them proposes now.
  const free = Math.max(0, cluster.capacity - cluster.seated.length);
  const newcomers = municipalities.filter((m) => !cluster.seated.includes(m)).slice(0, free);
  const keep = new Set([...municipalities.filter((m) => cluster.seated.includes(m)), ...newcomers]);
  return { accepted: proposers.filter((p) => keep.has(p.municipality)), rejected: proposers.filter((p) => !keep.has(p.municipality)) };
}

/**
 * The blocking pairs of a matching (empty when it is stable): an applicant and a listed cluster they
 * prefer to where they are, which would choose them over someone it holds or has a free seat.
 * Exported so tests and audits check stability with the same rule the matching uses.
 */
export function blockingPairs(clusters: MatchingCluster[], applicants: MatchingApplicant[], placements: Placement[], seed: number): { applicantId: string; clusterId: string }[] {
  const order = municipalityPriority(applicants, seed);
  const rankOf = new Map(order.map((m, i) => [m, i]));
  const where = new Map(placements.map((p) => [p.applicantId, p.clusterId]));
  const blocking: { applicantId: string; clusterId: string }[] = [];
  for (const a of applicants) {
    const current = where.get(a.id) ?? null;
    const prefs = a.preferences.filter((id) => clusters.some((c) => c.id === id));
    const better = current ? prefs.slice(0, prefs.indexOf(current)) : prefs;
    for (const clusterId of better) {
      const cluster = clusters.find((c) => c.id === clusterId)!;
      const inside = applicants.filter((o) => where.get(o.id) === clusterId);
      const munis = new Set([...cluster.seated, ...inside.map((o) => o.municipality)]);
      if (munis.has(a.municipality)) { blocking.push({ applicantId: a.id, clusterId }); continue; }
      if (munis.size < cluster.capacity) { blocking.push({ applicantId: a.id, clusterId }); continue; }
      const worst = Math.max(...[...munis].filter((m) => !cluster.seated.includes(m)).map((m) => rankOf.get(m) ?? Infinity), -1);
      if (worst >= 0 && (rankOf.get(a.municipality) ?? Infinity) < worst) blocking.push({ applicantId: a.id, clusterId });
    }
  }
  return blocking;
}

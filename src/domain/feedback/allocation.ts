import { FlowNetwork } from './max-flow.js';
import { mulberry32, shuffle } from '../../core/shuffle.js';

/**
 * Who reviews whose action plan in a feedback round. Pure and deterministic: the same input and
 * seed give the same allocation, so a coordinator's preview can be explained and tests can pin it.
 * The rules and the algorithm are described in plain words in docs/peer-feedback.md.
 *
 * Hard rules (never broken by the allocator):
 * - nobody reviews their own plan;
 * - nobody reviews a plan whose author is from their own organisation (municipality);
 * - no reviewer–author pair repeats a pair from an earlier round;
 * - peer loads differ by at most one (among the peers who may review at least one plan);
 * - every plan gets exactly `reviewersPerPlan` peers whenever an allocation with all the rules exists.
 * Soft rule: no reciprocal pairs (A reviews B and B reviews A) where avoidable.
 */

/** A submitted plan as the allocator sees it: whose it is and which organisation that author is from. */
export interface PlanInput {
  planId: string;
  authorId: string;
  organisationId: string | null;
}

/** A possible reviewer and their organisation (null: none known, so no organisation conflict). */
export interface ReviewerInput {
  personId: string;
  organisationId: string | null;
}

/** Everything one allocation depends on; nothing else (no clock, no database), so it can be replayed. */
export interface AllocationInput {
  plans: PlanInput[];
  /** The peers who may review (usually the cluster's active members). */
  reviewers: ReviewerInput[];
  /** Resource persons who review every plan (outside the balance), when the round says so. */
  resourcePersons?: ReviewerInput[];
  reviewersPerPlan: number;
  /** Reviewer → author pairs of earlier rounds. */
  priorPairs: { reviewerId: string; authorId: string }[];
  seed: number;
}

/** One reviewer on one plan: a peer (allocated under the rules) or a resource person (reviews every plan). */
export interface Assignment {
  planId: string;
  reviewerId: string;
  kind: 'peer' | 'resource';
}

/** Why not every plan could get its reviewers, precisely enough to act on. */
export interface AllocationProblem {
  /**
   * - "group": these plans together need more reviews than the people allowed to review them can
   *   give (a Hall violation: the exact bottleneck, taken from a minimum cut);
   * - "balance": enough reviewers exist, but not with loads at most one apart (someone can review too
   *   few plans to carry the balanced share, or the balanced share caps the reviewers of a group).
   */
  kind: 'group' | 'balance';
  /** The plans that lack reviewers together (the bottleneck group). */
  planIds: string[];
  /** Reviews that group needs (plans × reviewers per plan). */
  needed: number;
  /** Reviews the people allowed to review that group can give at most. */
  supply: number;
  /** Each person allowed to review some plan of the group, with how many of its plans they may review. */
  contributors: { reviewerId: string; reviewable: number }[];
  /** For "balance": the largest load a balanced allocation allows, and peers who can review fewer plans than the smallest balanced share. */
  maxLoad?: number;
  tooFewOptions?: { reviewerId: string; reviewable: number; needed: number }[];
  /** For "balance": a complete allocation with the smallest possible spread of loads (more than one apart). */
  mostBalanced?: { low: number; high: number; assignments: { planId: string; reviewerId: string }[] };
  /** The largest reviewers-per-plan value for which a complete allocation exists (0: none). */
  feasibleReviewersPerPlan: number;
  /** Counts of excluded reviewer–plan pairs in the group, by reason. */
  excluded: { sameOrganisation: number; earlierRound: number };
}

/** The allocation, whether it is complete, and what the preview needs to explain it. */
export interface AllocationResult {
  assignments: Assignment[];
  /** Reviews per peer (peers in the balance only). */
  loads: Map<string, number>;
  /** True when every plan has reviewersPerPlan peer reviewers. */
  complete: boolean;
  shortfalls: { planId: string; missing: number }[];
  /** Reciprocal peer pairs left in because no allocation with all the hard rules avoided them here. */
  reciprocalPairs: [string, string][];
  /** Peers who may review no plan at all (every plan is theirs, from their organisation, or reviewed before). */
  idle: string[];
  problem?: AllocationProblem;
}

/** Why a reviewer may not review a plan; null when they may. */
export function exclusionReason(reviewer: ReviewerInput, plan: PlanInput, prior: Set<string>): 'self' | 'sameOrganisation' | 'earlierRound' | null {
  if (reviewer.personId === plan.authorId) return 'self';
  if (reviewer.organisationId && reviewer.organisationId === plan.organisationId) return 'sameOrganisation';
  if (prior.has(pairKey(reviewer.personId, plan.authorId))) return 'earlierRound';
  return null;
}

/** Lookup key of a reviewer → author pair (for the no-repeat rule). */
export function pairKey(reviewerId: string, authorId: string): string {
  return `${reviewerId}\u0000${authorId}`;
}

/** Allocates reviewers to plans under the rules above. */
export function allocateReviewers(input: AllocationInput): AllocationResult {
  const k = Math.max(0, Math.floor(input.reviewersPerPlan));
  const prior = new Set(input.priorPairs.map((p) => pairKey(p.reviewerId, p.authorId)));
  const random = mulberry32(input.seed);
  // Sort first so the caller's order does not matter, then shuffle with the seed so ties are broken fairly.
  const plans = shuffle(dedupe(input.plans, (p) => p.planId).sort(byKey((p) => p.planId)), random);
  const allPeers = shuffle(dedupe(input.reviewers, (r) => r.personId).sort(byKey((r) => r.personId)), random);
  const eligible = (r: ReviewerInput, p: PlanInput) => exclusionReason(r, p, prior) === null;
  const peers = allPeers.filter((r) => plans.some((p) => eligible(r, p)));
  const idle = allPeers.filter((r) => !peers.includes(r)).map((r) => r.personId);
  const graph = new Graph(plans, peers, eligible);

  const full = plans.length * k;
  let solved = graph.solve(full, k, new Set());
  let reciprocalPairs: [string, string][] = [];
  let total = full;
  if (solved) {
    const repaired = avoidReciprocity(graph, solved, full, k, plans, random);
    solved = repaired.solution;
    reciprocalPairs = repaired.kept;
  } else {
    // Largest balanced partial allocation: fewer reviews, but every rule still holds.
    for (total = full - 1; total > 0 && !solved; total--) solved = graph.solve(total, k, new Set());
    solved ??= [];
    if (solved.length) {
      const repaired = avoidReciprocity(graph, solved, solved.length, k, plans, random);
      solved = repaired.solution;
      reciprocalPairs = repaired.kept;
    }
  }

  const assignments: Assignment[] = solved.map(([r, p]) => ({ planId: plans[p].planId, reviewerId: peers[r].personId, kind: 'peer' as const }));
  const loads = new Map(peers.map((r) => [r.personId, 0]));
  for (const a of assignments) loads.set(a.reviewerId, (loads.get(a.reviewerId) ?? 0) + 1);
  const perPlan = new Map(plans.map((p) => [p.planId, 0]));
  for (const a of assignments) perPlan.set(a.planId, (perPlan.get(a.planId) ?? 0) + 1);
  const shortfalls = plans
    .filter((p) => (perPlan.get(p.planId) ?? 0) < k)
    .map((p) => ({ planId: p.planId, missing: k - (perPlan.get(p.planId) ?? 0) }))
    .sort(byKey((s) => s.planId));

  for (const rp of dedupe(input.resourcePersons ?? [], (r) => r.personId).sort(byKey((r) => r.personId))) {
    for (const plan of plans) {
      if (rp.personId === plan.authorId || (rp.organisationId && rp.organisationId === plan.organisationId)) continue;
      if (assignments.some((a) => a.planId === plan.planId && a.reviewerId === rp.personId)) continue;
      assignments.push({ planId: plan.planId, reviewerId: rp.personId, kind: 'resource' });
    }
  }
  assignments.sort((a, b) => a.planId.localeCompare(b.planId) || a.kind.localeCompare(b.kind) || a.reviewerId.localeCompare(b.reviewerId));

  const complete = shortfalls.length === 0;
  const problem = complete ? undefined : explain(graph, plans, peers, k, prior);
  return { assignments, loads, complete, shortfalls, reciprocalPairs, idle, problem };
}

/** Reviewer index → plan index pairs. */
type Solution = [number, number][];

/**
 * The flow network of one allocation: source → peer (load between L and L+1) → plan (at most one
 * review per pair, only where allowed) → sink (at most k per plan), with exactly `total` reviews.
 * Lower bounds are handled the textbook way (a circulation with a super source and super sink).
 */
class Graph {
  readonly allowed: boolean[][];

  constructor(
    readonly plans: PlanInput[],
    readonly peers: ReviewerInput[],
    eligible: (r: ReviewerInput, p: PlanInput) => boolean,
  ) {
    this.allowed = peers.map((r) => plans.map((p) => eligible(r, p)));
  }

  solve(total: number, k: number, forbidden: Set<number>, bounds?: { low: number; high: number }): Solution | null {
    const R = this.peers.length;
    const P = this.plans.length;
    if (total === 0) return [];
    if (R === 0) return null;
    const low = bounds?.low ?? Math.floor(total / R);
    const high = bounds?.high ?? low + 1;
    const s = 0;
    const t = 1;
    const superSource = 2;
    const superSink = 3;
    const peerNode = (r: number) => 4 + r;
    const planNode = (p: number) => 4 + R + p;
    const net = new FlowNetwork(4 + R + P);
    const excess = new Array(4 + R + P).fill(0);
    for (let r = 0; r < R; r++) {
      // Lower bound `low`, upper bound `high`: only the slack is an ordinary edge.
      net.addEdge(s, peerNode(r), high - low);
      excess[peerNode(r)] += low;
      excess[s] -= low;
    }
    const pairEdges: { r: number; p: number; edge: number }[] = [];
    for (let r = 0; r < R; r++) {
      for (let p = 0; p < P; p++) {
        if (!this.allowed[r][p] || forbidden.has(r * P + p)) continue;
        pairEdges.push({ r, p, edge: net.addEdge(peerNode(r), planNode(p), 1) });
      }
    }
    for (let p = 0; p < P; p++) net.addEdge(planNode(p), t, k);
    // t → s carries exactly `total`.
    excess[s] += total;
    excess[t] -= total;
    let demand = 0;
    for (let v = 0; v < excess.length; v++) {
      if (excess[v] > 0) {
        net.addEdge(superSource, v, excess[v]);
        demand += excess[v];
      } else if (excess[v] < 0) net.addEdge(v, superSink, -excess[v]);
    }
    if (net.maxFlow(superSource, superSink) !== demand) return null;
    return pairEdges.filter((e) => net.flowOn(e.edge) > 0).map((e) => [e.r, e.p]);
  }

  /** Plain b-matching without lower bounds (loads capped at `cap`): the bottleneck group of plans from a minimum cut. */
  bottleneck(k: number, cap: number): { flow: number; group: number[] } {
    const R = this.peers.length;
    const P = this.plans.length;
    const net = new FlowNetwork(2 + R + P);
    for (let r = 0; r < R; r++) net.addEdge(0, 2 + r, cap);
    for (let r = 0; r < R; r++) for (let p = 0; p < P; p++) if (this.allowed[r][p]) net.addEdge(2 + r, 2 + R + p, 1);
    for (let p = 0; p < P; p++) net.addEdge(2 + R + p, 1, k);
    const flow = net.maxFlow(0, 1);
    const reachable = net.reachableFrom(0);
    const group = [];
    for (let p = 0; p < P; p++) if (!reachable[2 + R + p]) group.push(p);
    return { flow, group };
  }
}

/**
 * Repair step for the soft rule, as a small branch-and-bound search. At each step take one
 * reciprocal pair (A reviews B, B reviews A) of the current allocation and branch: forbid A→B and
 * solve again with every rule; or forbid B→A; or accept the pair. Every optimal allocation is
 * consistent with one branch at each step, so an exhaustive search finds the fewest reciprocal
 * pairs; a budget of solves bounds the work on large clusters (the first path tried is the plain
 * greedy repair, so the budget only ever improves on it).
 */
function avoidReciprocity(graph: Graph, initial: Solution, total: number, k: number, plans: PlanInput[], random: () => number): { solution: Solution; kept: [string, string][] } {
  const planOfAuthor = new Map(plans.map((p, i) => [p.authorId, i]));
  const peerIndex = new Map(graph.peers.map((r, i) => [r.personId, i]));
  if (reciprocal(initial, graph, planOfAuthor, peerIndex).length === 0) return { solution: initial, kept: [] };
  // Shortcut that settles most clusters in one solve: allow each pair of peers only one direction
  // (chosen by the seed). If that is still feasible, no reciprocal pair can occur at all.
  const P = plans.length;
  const oriented = new Set<number>();
  for (let a = 0; a < graph.peers.length; a++) {
    for (let b = a + 1; b < graph.peers.length; b++) {
      const planA = planOfAuthor.get(graph.peers[a].personId);
      const planB = planOfAuthor.get(graph.peers[b].personId);
      if (planA === undefined || planB === undefined || !graph.allowed[a][planB] || !graph.allowed[b][planA]) continue;
      oriented.add(random() < 0.5 ? a * P + planB : b * P + planA);
    }
  }
  const orientedSolution = graph.solve(total, k, oriented);
  if (orientedSolution) return { solution: orientedSolution, kept: [] };
  let best = initial;
  let bestCount = reciprocal(initial, graph, planOfAuthor, peerIndex).length;
  let budget = RECIPROCITY_SEARCH_BUDGET;
  const search = (solution: Solution, forbidden: Set<number>, settled: Set<string>) => {
    const pairs = reciprocal(solution, graph, planOfAuthor, peerIndex);
    if (pairs.length < bestCount) {
      best = solution;
      bestCount = pairs.length;
    }
    const open = pairs.filter(([a, b]) => !settled.has(`${a}:${b}`));
    if (open.length === 0 || settled.size >= bestCount || budget <= 0) return;
    const [a, b] = open[Math.floor(random() * open.length)];
    const aOnB = a * P + planOfAuthor.get(graph.peers[b].personId)!;
    const bOnA = b * P + planOfAuthor.get(graph.peers[a].personId)!;
    for (const edge of random() < 0.5 ? [aOnB, bOnA] : [bOnA, aOnB]) {
      if (budget-- <= 0 || bestCount === 0) return;
      const next = new Set([...forbidden, edge]);
      const attempt = graph.solve(total, k, next);
      if (attempt) search(attempt, next, settled);
    }
    if (bestCount > 0 && settled.size + 1 < bestCount) search(solution, forbidden, new Set([...settled, `${a}:${b}`]));
  };
  search(initial, new Set(), new Set());
  const kept = reciprocal(best, graph, planOfAuthor, peerIndex).map(([a, b]) => [graph.peers[a].personId, graph.peers[b].personId].sort() as [string, string]);
  return { solution: best, kept };
}

/** Flow solves the reciprocity search may spend; small clusters are searched exhaustively well within it. */
const RECIPROCITY_SEARCH_BUDGET = 100;

function reciprocal(solution: Solution, graph: Graph, planOfAuthor: Map<string, number>, peerIndex: Map<string, number>): [number, number][] {
  const edges = new Set(solution.map(([r, p]) => `${r}:${p}`));
  const pairs: [number, number][] = [];
  for (const [r, p] of solution) {
    const author = peerIndex.get(graph.plans[p].authorId);
    const back = planOfAuthor.get(graph.peers[r].personId);
    if (author === undefined || back === undefined || author <= r) continue;
    if (edges.has(`${author}:${back}`)) pairs.push([r, author]);
  }
  return pairs;
}

/** The exact reason a complete allocation does not exist, from a minimum cut. */
function explain(graph: Graph, plans: PlanInput[], peers: ReviewerInput[], k: number, prior: Set<string>): AllocationProblem {
  const full = plans.length * k;
  let feasibleReviewersPerPlan = 0;
  for (let kk = k - 1; kk >= 1; kk--) {
    if (graph.solve(plans.length * kk, kk, new Set())) {
      feasibleReviewersPerPlan = kk;
      break;
    }
  }
  const unbounded = graph.bottleneck(k, plans.length);
  const describe = (group: number[], cap: number) => {
    const inGroup = new Set(group);
    const contributors = peers
      .map((r, i) => ({ reviewerId: r.personId, reviewable: group.filter((p) => graph.allowed[i][p]).length }))
      .filter((c) => c.reviewable > 0);
    const supply = contributors.reduce((sum, c) => sum + Math.min(cap, c.reviewable), 0);
    const excluded = { sameOrganisation: 0, earlierRound: 0 };
    for (const r of peers) {
      for (const p of plans.filter((_, i) => inGroup.has(i))) {
        const reason = exclusionReason(r, p, prior);
        if (reason === 'sameOrganisation') excluded.sameOrganisation++;
        if (reason === 'earlierRound') excluded.earlierRound++;
      }
    }
    return { planIds: group.map((p) => plans[p].planId).sort(), needed: group.length * k, supply, contributors, excluded };
  };
  /** The cut's group can be larger than the real bottleneck: drop plans while the shortfall stays as big. */
  const shrink = (group: number[], cap: number) => {
    const deficit = (g: number[]) => g.length * k - peers.reduce((sum, _, i) => sum + Math.min(cap, g.filter((p) => graph.allowed[i][p]).length), 0);
    let current = group;
    const target = deficit(group);
    for (const p of group) {
      const without = current.filter((x) => x !== p);
      if (without.length && deficit(without) >= target) current = without;
    }
    return current;
  };
  if (unbounded.flow < full) {
    return { kind: 'group', ...describe(shrink(unbounded.group, plans.length), plans.length), feasibleReviewersPerPlan };
  }
  // Enough people exist; the balance (loads at most one apart) is what blocks.
  const maxLoad = Math.ceil(full / peers.length);
  const minLoad = Math.floor(full / peers.length);
  const capped = graph.bottleneck(k, maxLoad);
  const tooFewOptions = peers
    .map((r, i) => ({ reviewerId: r.personId, reviewable: graph.allowed[i].filter(Boolean).length, needed: minLoad }))
    .filter((c) => c.reviewable < minLoad);
  const group = capped.flow < full ? shrink(capped.group, maxLoad) : [];
  return { kind: 'balance', ...describe(group, maxLoad), maxLoad, tooFewOptions, feasibleReviewersPerPlan, mostBalanced: mostBalanced(graph, full, k) };
}

/** The complete allocation with the smallest spread of loads (when balance within one is impossible): a witness to show and check. */
function mostBalanced(graph: Graph, full: number, k: number): { low: number; high: number; assignments: { planId: string; reviewerId: string }[] } | undefined {
  const R = graph.peers.length;
  for (let spread = 2; spread <= graph.plans.length; spread++) {
    for (let low = Math.floor(full / R); low >= 0; low--) {
      const high = low + spread;
      if (high * R < full) break;
      const solution = graph.solve(full, k, new Set(), { low, high });
      if (solution) return { low, high, assignments: solution.map(([r, p]) => ({ planId: graph.plans[p].planId, reviewerId: graph.peers[r].personId })) };
    }
  }
  return undefined;
}

// ------------------------------------------------------------------- deterministic helpers

function dedupe<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => (seen.has(key(item)) ? false : (seen.add(key(item)), true)));
}

function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

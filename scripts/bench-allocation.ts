/**
 * Benchmark of the reviewer allocation (a script, not a test: no timing assertions in tests).
 * Usage: npx tsx scripts/bench-allocation.ts [members=40] [runs=200]
 * Prints the mean and worst time per allocation for random clusters of that size.
 */
import { mulberry32 } from '../src/core/shuffle.js';
import { allocateReviewers, type AllocationInput } from '../src/domain/feedback/allocation.js';

const members = Number(process.argv[2] ?? 40);
const runs = Number(process.argv[3] ?? 200);
let total = 0;
let worst = 0;
let incomplete = 0;
for (let run = 0; run < runs; run++) {
  const random = mulberry32(run);
  const organisations = Math.max(1, Math.floor(members * (0.4 + random() * 0.6)));
  const reviewers = Array.from({ length: members }, (_, i) => ({ personId: `p${i}`, organisationId: `o${Math.floor(random() * organisations)}` }));
  const input: AllocationInput = {
    plans: reviewers.filter(() => random() < 0.9).map((r) => ({ planId: `plan-${r.personId}`, authorId: r.personId, organisationId: r.organisationId })),
    reviewers,
    reviewersPerPlan: 1 + Math.floor(random() * 3),
    priorPairs: reviewers.flatMap((a) => reviewers.filter((b) => a !== b && random() < 0.05).map((b) => ({ reviewerId: a.personId, authorId: b.personId }))),
    seed: run,
  };
  const started = performance.now();
  const result = allocateReviewers(input);
  const elapsed = performance.now() - started;
  total += elapsed;
  worst = Math.max(worst, elapsed);
  if (!result.complete) incomplete++;
}
console.log(`${runs} clusters of ${members} members: mean ${(total / runs).toFixed(2)} ms, worst ${worst.toFixed(1)} ms, ${incomplete} incomplete`);

import { randomInt } from 'node:crypto';

/** A small seeded generator (mulberry32): the same seed gives the same numbers, so a seeded result can be reproduced. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The list in a uniformly random order (Fisher–Yates): drawn from `random` (numbers in [0, 1), e.g. a seeded
 * generator) or, without one, from a cryptographic source, where nobody may predict the order.
 */
export function shuffle<T>(items: readonly T[], random?: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random ? Math.floor(random() * (i + 1)) : randomInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

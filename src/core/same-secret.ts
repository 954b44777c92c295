import { timingSafeEqual } from 'node:crypto';

/**
 * Whether a secret someone sent (a token, a signature, a MAC) equals the expected one, in time that does
 * not depend on where they differ; a different length is refused at once (`timingSafeEqual` throws on it).
 */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

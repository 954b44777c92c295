import type { Db } from '../src/core/db.js';
import type { Figure } from './report.js';

/** What every benchmark gets from the runner. */
export interface BenchContext {
  db: Db;
  /** --quick: shorter runs and smaller numbers, for a try-out; the full run is the one to quote. */
  quick: boolean;
  /** Remarks that belong next to the table (what was scaled down, what was seen). */
  note(text: string): void;
  log(text: string): void;
}

/** One benchmark: measures its figure(s) and the reference(s) in the same run. */
export type Benchmark = (ctx: BenchContext) => Promise<Figure[]>;

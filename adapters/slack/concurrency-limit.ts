/**
 * Runs at most `limit` pieces of work at once in this process; the rest wait their turn, first
 * come first served. It is not state: a queue of closures that dies with the process, like any
 * request in flight.
 *
 * Why: work after an ack shares the event loop with the next requests' acks. Unbounded, a burst
 * of commands puts hundreds of flows in flight, their callbacks crowd the event loop, and every
 * ack waits behind them. Bounded, a new request finds at most `limit` flows ahead of it, and
 * the database pool is not asked for more connections than it has.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`a concurrency limit must be a whole number ≥ 1, not ${limit}`);
  }

  /** Runs `work` when a slot is free; settles as `work` does. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.limit) this.running++;
    // A finishing piece hands its slot straight to the first in line, so no newcomer slips in between.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** How many pieces of work wait for a slot (for logs and tests). */
  get queued(): number {
    return this.waiting.length;
  }
}

/**
 * Admission control for one process: at most `maxActive` pieces of work run at once, up to
 * `maxQueued` more wait their turn in arrival order, and anything beyond that is refused at once.
 *
 * Why: every request a process works on holds its flow's data, database results and rendered
 * replies. Without a bound, a burst (or a platform acking and sending the next request before the
 * last one's work is done) piles up work faster than the database pool drains it, and memory and
 * latency grow without limit. Waiting costs almost nothing; refusing early lets the person retry
 * while the process stays healthy. It holds no state that matters across instances: each instance
 * bounds its own work.
 */
export class AdmissionGate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly maxActive: number,
    readonly maxQueued: number,
  ) {}

  /** Runs `work` when a slot is free; throws GateFullError without running it when the queue is full. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.maxActive) {
      if (this.waiting.length >= this.maxQueued) throw new GateFullError();
      // The slot is handed over by release(), so `active` never drops and rises again in between.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  /** Work running now and work waiting, for logs and tests. */
  get load(): { active: number; queued: number } {
    return { active: this.active, queued: this.waiting.length };
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

/** The process has as much work as it may hold; the caller should say "try again in a moment". */
export class GateFullError extends Error {
  constructor() {
    super('too much work in flight on this instance');
    this.name = 'GateFullError';
  }
}

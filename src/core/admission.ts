/**
 * Admission control for one process: at most `maxActive` pieces of work run at once, up to
 * `maxQueued` more wait their turn, and anything beyond that is refused at once. Each piece of work
 * names whose it is (a key: the platform identity), and each key has its own share: at most
 * `perKey.maxActive` of its pieces run at once and `perKey.maxQueued` wait; beyond that only that key
 * is refused. Free slots go round the keys that are waiting, one piece per key in turn (arrival order
 * within a key), so one client sending thousands of requests is served at its own pace while another
 * person's request starts at the next free slot instead of behind the whole flood.
 *
 * Why: every request a process works on holds its flow's data, database results and rendered
 * replies. Without a bound, a burst (or a platform acking and sending the next request before the
 * last one's work is done) piles up work faster than the database pool drains it, and memory and
 * latency grow without limit. Waiting costs almost nothing; refusing early lets the person retry
 * while the process stays healthy.
 *
 * Per instance, in memory, on purpose: the gate bounds this process's own work, so its counts are
 * this process's. A shared count in Redis would add a round trip to every request and fail with
 * Redis; with N instances behind a load balancer one identity gets at most N times its share, which
 * still leaves every instance room for everyone else.
 */
export class AdmissionGate {
  private active = 0;
  private queued = 0;
  private readonly keys = new Map<string, KeyState>();
  /** Keys with a waiting piece that may start (below their own cap), in the order they get a slot. */
  private readonly ready = new Set<string>();
  readonly perKey: { maxActive: number; maxQueued: number };

  constructor(
    readonly maxActive: number,
    readonly maxQueued: number,
    perKey?: { maxActive: number; maxQueued: number },
  ) {
    this.perKey = perKey ?? { maxActive, maxQueued };
  }

  /**
   * Runs `work` when a slot is free for it; throws GateFullError without running it when the queue,
   * or `key`'s share of it, is full. Work without a key shares one key (the gate is then plain FIFO).
   */
  async run<T>(work: () => Promise<T>, key = ''): Promise<T> {
    const state = this.keys.get(key) ?? { active: 0, waiting: [] };
    this.keys.set(key, state);
    if (this.active < this.maxActive && state.active < this.perKey.maxActive && state.waiting.length === 0) {
      this.active++;
      state.active++;
    } else {
      if (this.queued >= this.maxQueued || state.waiting.length >= this.perKey.maxQueued) {
        this.forget(key, state);
        throw new GateFullError();
      }
      // The slot is handed over by dispatch(), which counts it, so counts never drop and rise again in between.
      await new Promise<void>((resolve) => {
        state.waiting.push(resolve);
        this.queued++;
        if (state.active < this.perKey.maxActive) this.ready.add(key);
      });
    }
    try {
      return await work();
    } finally {
      this.release(key, state);
    }
  }

  /** Work running now and work waiting, for logs and tests. */
  get load(): { active: number; queued: number } {
    return { active: this.active, queued: this.queued };
  }

  /** One key's running and waiting work, for tests. */
  loadOf(key: string): { active: number; queued: number } {
    const state = this.keys.get(key);
    return { active: state?.active ?? 0, queued: state?.waiting.length ?? 0 };
  }

  private release(key: string, state: KeyState): void {
    this.active--;
    state.active--;
    if (state.waiting.length > 0) this.ready.add(key);
    this.dispatch();
    this.forget(key, state);
  }

  /** Hands free slots to the waiting keys in turn: the first ready key gets one, then goes to the back. */
  private dispatch(): void {
    while (this.active < this.maxActive && this.ready.size > 0) {
      const key = this.ready.values().next().value as string;
      this.ready.delete(key);
      const state = this.keys.get(key)!;
      const next = state.waiting.shift()!;
      this.queued--;
      this.active++;
      state.active++;
      if (state.waiting.length > 0 && state.active < this.perKey.maxActive) this.ready.add(key);
      next();
    }
  }

  private forget(key: string, state: KeyState): void {
    if (state.active === 0 && state.waiting.length === 0 && this.keys.get(key) === state) this.keys.delete(key);
  }
}

interface KeyState {
  active: number;
  waiting: (() => void)[];
}

/** The process (or this client's share of it) has as much work as it may hold; the caller should say "try again in a moment". */
export class GateFullError extends Error {
  constructor() {
    super('too much work in flight on this instance');
    this.name = 'GateFullError';
  }
}

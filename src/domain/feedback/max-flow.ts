/**
 * A small Dinic max-flow over integer capacities. The reviewer allocation is a bipartite
 * b-matching (reviewers × plans with load and per-plan capacities), which max-flow solves exactly;
 * a hand-written one keeps the allocation pure, dependency-free and fast enough for property tests.
 */
export class FlowNetwork {
  private readonly head: number[];
  private readonly to: number[] = [];
  private readonly cap: number[] = [];
  private readonly next: number[] = [];
  private level: number[] = [];
  private iter: number[] = [];

  constructor(readonly size: number) {
    this.head = new Array(size).fill(-1);
  }

  /** Adds an edge and its residual twin; returns the edge's index (for reading its flow later). */
  addEdge(from: number, to: number, capacity: number): number {
    const index = this.to.length;
    this.to.push(to, from);
    this.cap.push(capacity, 0);
    this.next.push(this.head[from], this.head[to]);
    this.head[from] = index;
    this.head[to] = index + 1;
    return index;
  }

  /** Flow sent through the edge returned by addEdge (the residual twin's capacity). */
  flowOn(edge: number): number {
    return this.cap[edge ^ 1];
  }

  /** Pushes as much flow as possible from source to sink; returns the amount. */
  maxFlow(source: number, sink: number): number {
    let total = 0;
    while (this.bfs(source, sink)) {
      this.iter = [...this.head];
      let pushed: number;
      while ((pushed = this.dfs(source, sink, Number.MAX_SAFE_INTEGER)) > 0) total += pushed;
    }
    return total;
  }

  /** Nodes reachable from the source in the residual graph (the source side of a minimum cut). */
  reachableFrom(source: number): boolean[] {
    const seen = new Array(this.size).fill(false);
    const queue = [source];
    seen[source] = true;
    while (queue.length) {
      const v = queue.shift()!;
      for (let e = this.head[v]; e !== -1; e = this.next[e]) {
        if (this.cap[e] > 0 && !seen[this.to[e]]) {
          seen[this.to[e]] = true;
          queue.push(this.to[e]);
        }
      }
    }
    return seen;
  }

  private bfs(source: number, sink: number): boolean {
    this.level = new Array(this.size).fill(-1);
    this.level[source] = 0;
    const queue = [source];
    for (let i = 0; i < queue.length; i++) {
      const v = queue[i];
      for (let e = this.head[v]; e !== -1; e = this.next[e]) {
        if (this.cap[e] > 0 && this.level[this.to[e]] < 0) {
          this.level[this.to[e]] = this.level[v] + 1;
          queue.push(this.to[e]);
        }
      }
    }
    return this.level[sink] >= 0;
  }

  private dfs(v: number, sink: number, limit: number): number {
    if (v === sink) return limit;
    for (; this.iter[v] !== -1; this.iter[v] = this.next[this.iter[v]]) {
      const e = this.iter[v];
      const w = this.to[e];
      if (this.cap[e] > 0 && this.level[w] === this.level[v] + 1) {
        const pushed = this.dfs(w, sink, Math.min(limit, this.cap[e]));
        if (pushed > 0) {
          this.cap[e] -= pushed;
          this.cap[e ^ 1] += pushed;
          return pushed;
        }
      }
    }
    return 0;
  }
}

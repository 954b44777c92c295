import { writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';

/** One measured figure next to its reference, measured in the same run. */
export interface Figure {
  benchmark: string;
  metric: string;
  unit: string;
  bot: number;
  reference: number;
  referenceName: string;
  /** bot / reference */
  ratio: number;
  target: string;
  met: boolean;
  /** A figure shown for understanding, measured against no target (printed with "–"). */
  informational?: boolean;
}

export function figure(f: Omit<Figure, 'ratio'>): Figure {
  return { ...f, ratio: f.reference === 0 ? Number.NaN : f.bot / f.reference };
}

/** Percentile of a sorted or unsorted list (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function machine() {
  return { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}` };
}

/** The machine's 1-minute load average, printed beside every run: the machine is shared, and the figures move with it. */
export function loadAverage(): string {
  return os.loadavg()[0].toFixed(2);
}

/** Writes bench/results.json and prints a readable table. */
export function publish(figures: Figure[], notes: string[] = []): void {
  mkdirSync('bench', { recursive: true });
  writeFileSync('bench/results.json', JSON.stringify({ at: new Date().toISOString(), machine: machine(), figures, notes }, null, 2));
  const rows = figures.map((f) => [
    f.benchmark,
    f.metric,
    `${round(f.bot)} ${f.unit}`,
    `${round(f.reference)} ${f.unit} (${f.referenceName})`,
    Number.isNaN(f.ratio) ? '–' : round(f.ratio, 2).toString(),
    f.target,
    f.informational ? '–' : f.met ? 'met' : 'MISSED',
  ]);
  const header = ['benchmark', 'metric', 'bot', 'reference', 'ratio', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of rows) console.log(line(row));
  for (const note of notes) console.log(`note: ${note}`);
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

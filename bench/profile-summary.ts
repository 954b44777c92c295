/**
 * Summarises a V8 CPU profile (`--cpu-prof`, see BENCH_CPU_PROF in env.ts): the share of samples
 * spent in each package (self time), and the top functions by self time, so "where does a
 * delivery's CPU go" is answered in a terminal without DevTools.
 *
 * `npx tsx bench/profile-summary.ts <file.cpuprofile> [top functions, default 25] [--from <seconds>]`
 * (`--from`: only samples after that many seconds, e.g. to leave out a process's start-up).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package, our own source, Node itself, or V8's bookkeeping. */
function areaOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1];
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const ours = /\/(src|adapters|flows|bench|test)\//.exec(url);
  return ours ? `ours:${ours[1]}` : url;
}

const args = process.argv.slice(2);
const fromAt = args.indexOf('--from');
const fromUs = fromAt >= 0 ? Number(args.splice(fromAt, 2)[1]) * 1e6 : 0;
const [file, topArg] = args;
if (!file) {
  console.error('usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
let atUs = 0;
for (const [i, id] of profile.samples.entries()) {
  atUs += profile.timeDeltas[i] ?? 0;
  if (atUs >= fromUs) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const totalUs = profile.endTime - profile.startTime - fromUs;
const busyUs = [...selfUs.entries()].filter(([id]) => byId.get(id)!.callFrame.functionName !== '(idle)').reduce((sum, [, us]) => sum + us, 0);

const areas = new Map<string, number>();
const functions = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  areas.set(areaOf(node), (areas.get(areaOf(node)) ?? 0) + us);
  const { functionName, url, lineNumber } = node.callFrame;
  const name = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|adapters|bench)\//, '$1/')}:${lineNumber + 1}`;
  functions.set(name, (functions.get(name) ?? 0) + us);
}
const pct = (us: number) => `${((100 * us) / busyUs).toFixed(1).padStart(5)} %`;
console.log(`${file}: ${(totalUs / 1e6).toFixed(1)} s profiled, ${(busyUs / 1e6).toFixed(1)} s on CPU (not idle); shares below are of CPU time`);
console.log('\nby area (self time):');
for (const [area, us] of [...areas].sort((a, b) => b[1] - a[1]).slice(0, 20)) if (area !== '(idle)') console.log(`  ${pct(us)}  ${area}`);
console.log('\ntop functions (self time):');
for (const [name, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 25))) if (!name.startsWith('(idle)')) console.log(`  ${pct(us)}  ${name}`);

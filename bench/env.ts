/**
 * The bench's own corner of the shared services: a database of its own (clusterbot_bench, demo
 * seed) and a Redis key prefix of its own, both removed afterwards. Never FLUSHALL: other people's
 * keys live on the same Redis.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, type Db } from '../src/core/db.js';
import { projectPath, projectRoot } from '../src/core/paths.js';
import { createRedis } from '../src/core/redis.js';
import { seedDemo } from '../src/domain/demo-seed.js';
import { ensureDatabase, runMigrations } from '../src/server/database-setup.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/clusterbot_bench';
export const SIGNING_SECRET = 'bench-signing-secret';
export const BOT_TOKEN = 'xoxb-test';

/** A fresh bench database: dropped if a previous run left it, created, migrated, demo-seeded. */
export async function freshBenchDatabase(): Promise<Db> {
  await dropBenchDatabase();
  await ensureDatabase(DATABASE_URL);
  await runMigrations(DATABASE_URL);
  const db = createDb(DATABASE_URL, { poolSize: 5 });
  await seedDemo(db);
  return db;
}

export async function dropBenchDatabase(): Promise<void> {
  const admin = new URL(DATABASE_URL);
  const name = decodeURIComponent(admin.pathname.slice(1));
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await client.end();
}

/** A Redis prefix for one run of the bench; `deletePrefix` removes its keys. */
export function benchPrefix(): string {
  return `bench-${randomBytes(3).toString('hex')}`;
}

/** Deletes every key under `prefix:` (SCAN + UNLINK), leaving everybody else's keys alone. */
export async function deletePrefix(prefix: string): Promise<number> {
  const redis = createRedis(REDIS_URL, { forQueues: true });
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) deleted += await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
  return deleted;
}

/** The environment a bot or worker process of the bench starts with. */
export function botEnv(prefix: string, slackApiUrl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL: slackApiUrl,
    SEED_DEMO_ON_EMPTY: 'false',
    WEB_CHAT: 'off',
    LOG_LEVEL: 'error',
    ...extra,
  };
}

/** A child process of the bench (its own event loop), talking over IPC. */
export interface Child {
  process: ChildProcess;
  /** Resolves with the next IPC message whose `type` is `type`. */
  next<T = Record<string, any>>(type: string): Promise<T>;
  send(message: Record<string, unknown>): void;
  stop(): Promise<void>;
}

/**
 * Compiles the bot and the bench processes (`npm run build`, into dist/), so every measured process runs
 * plain JavaScript as `npm start` does, without a TypeScript loader in its memory and CPU time.
 */
export function buildProcesses(): void {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: projectRoot, stdio: 'inherit' });
}

/** The Node options `npm start` runs the bot with, read from package.json so the two never drift apart. */
export function startNodeOptions(): string[] {
  const start = (JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
  const options = /\bnode ((?:--\S+ )*)dist\/src\/server\/main\.js/.exec(start)?.[1];
  if (options === undefined) throw new Error(`cannot find how npm start runs node in: ${start}`);
  return options.trim().split(' ').filter(Boolean);
}

/**
 * Starts the compiled `bench/processes/<name>.ts` (see buildProcesses) with the given environment and arguments.
 * With BENCH_CPU_PROF=<dir>, each child writes a CPU profile under it when it exits (open it in Chrome's DevTools
 * or summarise it with `npx tsx bench/profile-summary.ts <file>`).
 */
export function startChild(name: string, env: NodeJS.ProcessEnv, args: string[] = []): Child {
  const file = projectPath('dist', 'bench', 'processes', `${name}.js`);
  // The bot and its workers run with the Node options of `npm start` (its heap budget); the references bare.
  const execArgv = name === 'bot' || name === 'worker' ? startNodeOptions() : [];
  // One directory per child (a process with worker threads writes one profile per thread).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}/${name}-${args[0] ?? ''}-${Date.now()}`] : [];
  const child = fork(file, args, { env, execArgv: [...execArgv, ...profile], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox: Record<string, any>[] = [];
  const waiting: { type: string; resolve: (m: any) => void; reject: (e: Error) => void }[] = [];
  child.on('message', (message: any) => {
    const i = waiting.findIndex((w) => w.type === message.type);
    if (i >= 0) waiting.splice(i, 1)[0].resolve(message);
    else inbox.push(message);
  });
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`bench process ${name} exited (${code}) before sending "${w.type}"`));
  });
  return {
    process: child,
    next(type) {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0] as never);
      if (child.exitCode !== null) return Promise.reject(new Error(`bench process ${name} already exited`));
      return new Promise((resolve, reject) => waiting.push({ type, resolve, reject }));
    },
    send(message) {
      child.send(message);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** CPU time a process has used so far (user + system), in ms, from /proc (Linux; clock ticks of 10 ms). */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resident memory of a process in MiB, from /proc (Linux). */
export async function residentMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

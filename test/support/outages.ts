import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket, connect } from 'node:net';
import type { Db } from '../../src/core/db.js';

/** A free TCP port on 127.0.0.1 (asked from the OS, then released). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A TCP proxy in front of the shared PostgreSQL, so a test can take "the database" away without
 * touching the server others use. `cut()` resets every open connection and refuses new ones (what
 * clients see when PostgreSQL restarts or its host is unreachable); `restore()` listens again.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private stalled = false;
  private delayMs = 0;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<this> {
    this.port ||= await freePort();
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      // Forward by hand rather than pipe(), so stall() can drop bytes the way a dead network does and
      // slow() can hold each packet back, in order, the way a congested link does.
      const forward = (to: Socket) => {
        let line = Promise.resolve();
        let held = 0;
        return (data: Buffer) => {
          if (this.stalled) return;
          // At full speed with nothing held back, at once, as before slow() existed.
          if (!this.delayMs && held === 0) return void to.write(data);
          const delay = this.delayMs;
          held++;
          line = line.then(() => new Promise<void>((resolve) => setTimeout(() => (to.destroyed || to.write(data), held--, resolve()), delay)));
        };
      };
      client.on('data', forward(upstream));
      upstream.on('data', forward(client));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    this.server.listen(this.port, '127.0.0.1');
    await once(this.server, 'listening');
    return this;
  }

  /** Drops every connection and stops accepting new ones. */
  async cut(): Promise<void> {
    const closed = new Promise((resolve) => this.server?.close(resolve));
    for (const socket of this.sockets) socket.resetAndDestroy();
    await closed;
  }

  /**
   * From now on every byte in either direction is silently dropped, on open and new connections:
   * PostgreSQL's host is unreachable without anyone saying so (no reset, no refusal), the case where
   * a client waits until its own timeouts fire. `unstall()` lets traffic through again.
   */
  stall(): void {
    this.stalled = true;
  }

  unstall(): void {
    this.stalled = false;
  }

  /** From now on every packet, in either direction, arrives `ms` late (in order); 0 is full speed again. */
  slow(ms: number): void {
    this.delayMs = ms;
  }

  /** Accepts connections again, on the same port. */
  restore(): Promise<this> {
    return this.start();
  }
}

/**
 * A private redis-server (no persistence), so a test can kill it and start it again, empty, as a
 * restarted or flushed Redis, without disturbing the shared one.
 */
export class PrivateRedis {
  private child?: ChildProcess;
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.port ||= await freePort();
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      child.stdout!.on('data', (chunk) => {
        output += String(chunk);
        if (output.includes('Ready to accept connections')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });
    return this;
  }

  /** Kills the server at once (SIGKILL): its data is gone, as after a crash or FLUSHALL. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
}

/**
 * A digest of every row of the given tables: equal digests before and after an outage prove that
 * nothing saved was lost or changed.
 */
export async function tableDigests(db: Db, tables: string[]): Promise<Record<string, { rows: number; md5: string }>> {
  const digests: Record<string, { rows: number; md5: string }> = {};
  for (const table of tables) {
    const [row] = await db.$queryRawUnsafe<{ rows: bigint; md5: string | null }[]>(
      `SELECT count(*) AS rows, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS md5 FROM "${table}" t`,
    );
    digests[table] = { rows: Number(row.rows), md5: row.md5 ?? '' };
  }
  return digests;
}

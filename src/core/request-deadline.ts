import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Every request has a deadline (REQUEST_DEADLINE_MS). The bot answers "try again in a moment" when it
 * passes; from then on the request's own database work stops at its next statement, so what it was
 * doing is not carried on behind the person's back:
 * - a statement started after the deadline is refused (DeadlinePassedError) without reaching PostgreSQL;
 * - a statement started before it gets at most the time that is left (pg's client-side query timeout);
 * - a COMMIT asked for after the deadline is sent as ROLLBACK, so a transaction is all or nothing, and
 *   ROLLBACK itself always goes through, so a connection never goes back to the pool mid-transaction.
 * The deadline travels with the request's async context (AsyncLocalStorage), so flows and domain code
 * need not pass it around; work outside a request (workers, scripts) has none and is unaffected.
 *
 * Not covered: a COMMIT already on the wire when the deadline passes may still land (PostgreSQL decides);
 * separate statements of one request (not in a transaction) that ran before the deadline stay done. Both
 * are the same as a request cut by a lost connection: every state change is safe to repeat.
 */
export interface RequestDeadline {
  /** Epoch ms after which the request's database work stops. */
  readonly at: number;
}

const current = new AsyncLocalStorage<RequestDeadline>();

/** Runs `work` with a deadline `ms` from now; everything it awaits shares it. */
export function withDeadline<T>(ms: number, work: () => Promise<T>): { deadline: RequestDeadline; result: Promise<T> } {
  const deadline = { at: Date.now() + ms };
  return { deadline, result: current.run(deadline, work) };
}

/** The running request's deadline, if it has one. */
export function currentDeadline(): RequestDeadline | undefined {
  return current.getStore();
}

/** Milliseconds the running request has left (undefined outside a request); 0 or less: passed. */
export function timeLeft(): number | undefined {
  const deadline = current.getStore();
  return deadline ? deadline.at - Date.now() : undefined;
}

/** The request's deadline passed before this statement could start; the request is answered "try again". */
export function isDeadlineError(error: unknown): boolean {
  return error instanceof DeadlinePassedError || /deadline passed before/.test(String((error as Error | undefined)?.message ?? ''));
}

/** Thrown instead of a statement the deadline no longer leaves time for. */
export class DeadlinePassedError extends Error {
  constructor(what = 'a database statement') {
    super(`the request's deadline passed before ${what} could run`);
    this.name = 'DeadlinePassedError';
  }
}

type QueryConfig = { text?: string; query_timeout?: number; submit?: unknown } & Record<string, unknown>;
type Callback = (error: Error | null, result?: unknown) => void;
type QueryFn = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * Makes one pg client's `query` keep the running request's deadline (see above), never waiting longer
 * than `maxQueryMs` for one statement either. Installed on every pooled connection by createDb, so Prisma's queries, its transactions and the hand-written SQL of sql.ts
 * all keep it.
 */
export function keepDeadlines(client: { query: QueryFn }, maxQueryMs: number): void {
  const original = client.query.bind(client) as QueryFn;
  client.query = function deadlineQuery(config: unknown, values?: unknown, callback?: unknown): unknown {
    const left = timeLeft();
    // Outside a request, or a streamed query object (pg-cursor): unchanged.
    if (left === undefined || (typeof config === 'object' && config !== null && typeof (config as QueryConfig).submit === 'function')) {
      return original(config, values, callback);
    }
    const text = typeof config === 'string' ? config : String((config as QueryConfig | null)?.text ?? '');
    const cb = typeof values === 'function' ? (values as Callback) : typeof callback === 'function' ? (callback as Callback) : undefined;
    const args = typeof values === 'function' ? [] : [values];
    if (/^\s*ROLLBACK\b/i.test(text)) return original(config, values, callback);
    if (left <= 0) {
      if (/^\s*(COMMIT|END)\b/i.test(text)) {
        // Too late to keep what the transaction did: undo it, then fail like any refused statement.
        const undone = (original({ text: 'ROLLBACK' }) as Promise<unknown>).then(
          () => Promise.reject(new DeadlinePassedError('COMMIT')),
          () => Promise.reject(new DeadlinePassedError('COMMIT')),
        );
        return settle(undone, cb);
      }
      return settle(Promise.reject(new DeadlinePassedError()), cb);
    }
    const base: QueryConfig = typeof config === 'string' ? { text: config } : { ...(config as QueryConfig) };
    const timeout = Math.max(1, Math.ceil(left));
    base.query_timeout = Math.min(base.query_timeout ?? maxQueryMs, timeout);
    return cb ? original(base, ...args, cb) : original(base, ...args);
  } as QueryFn;
}

/** A promise in the calling convention the caller used (callback or promise). */
function settle(promise: Promise<unknown>, cb: Callback | undefined): unknown {
  if (!cb) return promise;
  promise.then((result) => cb(null, result), (error: Error) => cb(error));
  return undefined;
}

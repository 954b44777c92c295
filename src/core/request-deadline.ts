import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Every request has a deadline (REQUEST_DEADLINE_MS). The bot answers "try again in a moment" when it
 * passes; from then on the request's own database work stops at its next statement, so what it was
 * doing is not carried on behind the person's back:
 * - a statement started after the deadline is refused (DeadlinePassedError) without reaching PostgreSQL;
 * - a statement started before it gets at most the time that is left (pg's client-side query timeout);
 * - a COMMIT asked for after the deadline is sent as ROLLBACK, so a transaction is all or nothing, and
 *   ROLLBACK itself always goes through; a connection whose COMMIT or ROLLBACK failed is closed, never
 *   handed out again mid-transaction (nor lost to the pool).
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

/** Statements that end a transaction: COMMIT (or its alias END) and ROLLBACK. */
const ENDS_TRANSACTION = /^\s*(COMMIT|END|ROLLBACK)\b/i;
const COMMITS = /^\s*(COMMIT|END)\b/i;

/**
 * Makes one pg client's `query` keep the running request's deadline (see above), never waiting longer
 * than `maxQueryMs` for one statement either. Installed on every pooled connection by createDb, so
 * Prisma's queries, its transactions and the hand-written SQL of sql.ts all keep it.
 *
 * Prisma gives a transaction's connection back to the pool only after its COMMIT or ROLLBACK
 * succeeded; when one fails (refused here, or timed out) the connection would be lost to the pool for
 * good. So a failed COMMIT or ROLLBACK closes its connection here (PostgreSQL rolls back what it held),
 * and neither is cut short by the deadline's timeout once sent: only a COMMIT not yet sent is refused.
 */
export function keepDeadlines(client: { query: QueryFn; release?: (error?: Error) => void }, maxQueryMs: number): void {
  const original = client.query.bind(client) as QueryFn;
  client.query = function deadlineQuery(config: unknown, values?: unknown, callback?: unknown): unknown {
    // A streamed query object (pg-cursor): unchanged.
    if (typeof config === 'object' && config !== null && typeof (config as QueryConfig).submit === 'function') return original(config, values, callback);
    const left = timeLeft();
    const text = typeof config === 'string' ? config : String((config as QueryConfig | null)?.text ?? '');
    const cb = typeof values === 'function' ? (values as Callback) : typeof callback === 'function' ? (callback as Callback) : undefined;
    const vals = typeof values === 'function' ? undefined : values;
    if (ENDS_TRANSACTION.test(text)) {
      const late = COMMITS.test(text) && left !== undefined && left <= 0;
      // Too late to keep what the transaction did: undo it, then fail like any refused statement.
      const ran = late
        ? (original({ text: 'ROLLBACK' }) as Promise<unknown>).then(
            () => Promise.reject(new DeadlinePassedError('COMMIT')),
            () => Promise.reject(new DeadlinePassedError('COMMIT')),
          )
        : (original(config, vals) as Promise<unknown>);
      const guarded = ran.catch((error: Error) => {
        try {
          client.release?.(error);
        } catch {
          // Already back in the pool (not a Prisma transaction): nothing to close.
        }
        throw error;
      });
      return settle(guarded, cb);
    }
    if (left === undefined) return original(config, values, callback);
    if (left <= 0) return settle(Promise.reject(new DeadlinePassedError()), cb);
    const base: QueryConfig = typeof config === 'string' ? { text: config } : { ...(config as QueryConfig) };
    base.query_timeout = Math.min(base.query_timeout ?? maxQueryMs, Math.max(1, Math.ceil(left)));
    return cb ? original(base, vals, cb) : original(base, vals);
  } as QueryFn;
}

/** A promise in the calling convention the caller used (callback or promise). */
function settle(promise: Promise<unknown>, cb: Callback | undefined): unknown {
  if (!cb) return promise;
  promise.then((result) => cb(null, result), (error: Error) => cb(error));
  return undefined;
}

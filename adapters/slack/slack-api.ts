import http from 'node:http';
import https from 'node:https';
import { ErrorCode as SlackErrorCode, WebClient, type Logger as SlackLogger, LogLevel } from '@slack/web-api';
import type { Logger } from '../../src/core/logger.js';

/**
 * A Web API client pointed at SLACK_API_URL. Its own retries are off: a retried chat.postMessage
 * after a lost response would post twice, so 429s are retried explicitly (they were not posted)
 * and everything else surfaces to the caller, which decides.
 */
export function createSlackClient(token: string, apiUrl: string, logger: Logger): WebClient {
  return new WebClient(token, {
    slackApiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`,
    logger: boltLogger(logger),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
  });
}

/** Slack's Retry-After in seconds, when the error is a 429. */
export function retryAfterOf(error: unknown): number | null {
  const e = error as { code?: string; retryAfter?: number };
  return e?.code === SlackErrorCode.RateLimitedError && typeof e.retryAfter === 'number' ? e.retryAfter : null;
}

/** The Web API's error string ("user_not_found"), if it is a platform error. */
export function platformErrorOf(error: unknown): string | null {
  const e = error as { code?: string; data?: { error?: string } };
  return e?.code === SlackErrorCode.PlatformError ? (e.data?.error ?? 'unknown') : null;
}

/** Errors that mean the person cannot be reached on Slack any more (left, deactivated, blocked the app). */
export const UNREACHABLE_ERRORS = new Set(['user_not_found', 'user_disabled', 'account_inactive', 'cannot_dm_bot', 'users_not_found', 'team_access_not_granted', 'is_archived']);

/** Errors that mean the bot token itself was refused (uninstalled, revoked, rotated). */
export const REVOKED_TOKEN_ERRORS = new Set(['token_revoked', 'invalid_auth', 'not_authed', 'token_expired']);

/**
 * Runs a Web API call, waiting out 429s (Slack did not act on a rate-limited call, so repeating it
 * is safe). `wait` is injectable so tests prove the wait without sleeping.
 */
export async function withRetryAfter<T>(call: () => Promise<T>, options: { attempts?: number; wait?: (ms: number) => Promise<void>; onRateLimited?: (seconds: number) => Promise<void> } = {}): Promise<T> {
  const attempts = options.attempts ?? 3;
  const wait = options.wait ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const retryAfter = retryAfterOf(error);
      if (retryAfter === null || attempt >= attempts) throw error;
      await options.onRateLimited?.(retryAfter);
      await wait(retryAfter * 1000);
    }
  }
}

/** A timer that does not keep the process alive. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Bolt and the Web API log through our pino logger, at our level. Bolt logs several debug lines per
 * request: a line is only put together when its level is on.
 */
export function boltLogger(logger: Logger): SlackLogger {
  const child = logger.child({ component: 'slack' });
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (...msg: unknown[]) => {
    if (child.isLevelEnabled(level)) child[level](msg.map(String).join(' '));
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}

/**
 * Posts to an interaction's response_url (valid 30 minutes, 5 uses): it reaches the person in any
 * channel, even one the bot is not in. Slack answers 429 here too; handled like the Web API.
 * Every command's answer goes this way, so it uses node:http(s) over kept-alive connections:
 * global fetch cost about three times the CPU per post in the command-latency profile.
 */
export async function postToResponseUrl(url: string, body: Record<string, unknown>): Promise<void> {
  const response = await postJson(url, JSON.stringify(body), {}, 10_000);
  if (response.status === 429) throw rateLimited(response.retryAfter);
  if (response.status < 200 || response.status >= 300) throw new Error(`response_url answered HTTP ${response.status}`);
}

/**
 * One Web API call as a JSON POST over a kept-alive connection: what every nudge's chat.postMessage
 * takes. The WebClient costs about 1.3 ms of CPU per call (form encoding, axios-style plumbing, result
 * wrapping), more than the rest of a delivery; this costs what the HTTP post costs. Errors come out as
 * the WebClient's do (`code` PlatformError with `data.error`, RateLimitedError with `retryAfter`), so
 * callers handle both alike. Like the WebClient here, it never retries by itself.
 */
export async function callWebApi<T extends { ok: boolean; error?: string }>(apiUrl: string, token: string, method: string, args: Record<string, unknown>): Promise<T> {
  const url = `${apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`}${method}`;
  const response = await postJson(url, JSON.stringify(args), { authorization: `Bearer ${token}` }, 10_000, true);
  if (response.status === 429) throw rateLimited(response.retryAfter);
  if (response.status < 200 || response.status >= 300) throw new Error(`${method} answered HTTP ${response.status}`);
  const answer = JSON.parse(response.body ?? '{}') as T;
  if (!answer.ok) throw Object.assign(new Error(`An API error occurred: ${answer.error ?? 'unknown'}`), { code: SlackErrorCode.PlatformError, data: answer });
  return answer;
}

function rateLimited(retryAfter: string | undefined): Error {
  const seconds = Number(retryAfter ?? '1');
  return Object.assign(new Error('rate limited'), { code: SlackErrorCode.RateLimitedError, retryAfter: Number.isFinite(seconds) ? seconds : 1 });
}

const keepAlive = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

/** One JSON POST; the answer's body is kept if asked for, else read and dropped. Fails when nothing moves for `timeoutMs`. */
function postJson(url: string, json: string, headers: Record<string, string>, timeoutMs: number, keepBody = false): Promise<{ status: number; retryAfter?: string; body?: string }> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  const agent = target.protocol === 'https:' ? keepAlive['https:'] : keepAlive['http:'];
  return new Promise((resolve, reject) => {
    const request = client.request(
      target,
      { method: 'POST', agent, timeout: timeoutMs, headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json), ...headers } },
      (response) => {
        const chunks: Buffer[] = [];
        if (keepBody) response.on('data', (chunk: Buffer) => chunks.push(chunk));
        else response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'], body: keepBody ? Buffer.concat(chunks).toString('utf8') : undefined }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`${target.pathname} did not answer within ${timeoutMs / 1000} s`)));
    request.on('error', reject);
    request.end(json);
  });
}

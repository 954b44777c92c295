import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { messageProblems, viewProblems } from './block-kit-limits.js';

/** One call the bot made to the fake Slack. */
export interface SlackCall {
  /** Web API method ("chat.postMessage"), or "response_url" for posts to an interaction's response_url. */
  method: string;
  params: Record<string, any>;
  /** Bearer token the call carried (Web API only). */
  token?: string;
  /** When it arrived (ms since the epoch): the benchmarks measure delivery times with it. */
  at?: number;
}

/** A workspace member as users.info describes them. */
export interface FakeSlackUser {
  id: string;
  name: string;
  real_name: string;
  tz: string;
  locale: string;
  email?: string;
  /** The workspace the account belongs to (default T1, the workspace the tests' requests come from). */
  team_id?: string;
  is_email_confirmed?: boolean;
  is_bot?: boolean;
  deleted?: boolean;
}

/** What an OAuth code the fake hands out installs: a workspace, or a whole org (Enterprise Grid). */
export interface FakeInstall {
  teamId?: string;
  teamName?: string;
  enterpriseId?: string;
  enterpriseName?: string;
  isEnterpriseInstall?: boolean;
  installerUserId?: string;
}

type Waiter = { match: (call: SlackCall) => boolean; resolve: (call: SlackCall) => void };

/**
 * A local Slack Web API over real HTTP: the bot's WebClient talks to it through SLACK_API_URL.
 * It records every call, answers like Slack (`ok: true` with the fields the bot reads), refuses
 * payloads real Slack would refuse (Block Kit limits → invalid_blocks), can be told to answer
 * 429 with Retry-After, and serves response_url endpoints. Replacements are recorded like any call:
 * `chat.update`, `views.update`, and response_url posts with `replace_original`.
 */
export class FakeSlack {
  readonly calls: SlackCall[] = [];
  private server?: Server;
  private waiters: Waiter[] = [];
  private rateLimits = new Map<string, { times: number; retryAfter: number; token?: string }>();
  private failures = new Map<string, { times: number; error: string }>();
  private holds = new Map<string, number>();
  private users = new Map<string, FakeSlackUser>();
  /** Slack's per-channel pace for chat.postMessage, when switched on: last post per channel. */
  private channelInterval = 0;
  private lastPost = new Map<string, number>();
  private counter = 0;
  /** OAuth: the app's credentials oauth.v2.access accepts, codes not yet exchanged, and issued bot tokens. */
  oauthApp = { clientId: '111.222', clientSecret: 'fake-client-secret' };
  private codes = new Map<string, FakeInstall>();
  private issued = new Map<string, FakeInstall & { botUserId: string; botId: string }>();
  private revoked = new Set<string>();
  private readonly sockets = new WebSocket.Server({ noServer: true });
  /** Envelopes the bot acknowledged over Socket Mode, by envelope id. */
  readonly socketAcks = new Map<string, Record<string, unknown>>();
  private ackWaiters = new Map<string, (ack: Record<string, unknown>) => void>();
  baseUrl = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body, headers }) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      });
    });
    // Socket Mode: apps.connections.open hands out this WebSocket; Slack greets with "hello".
    this.server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/socket')) return socket.destroy();
      this.sockets.handleUpgrade(req, socket as never, head, (ws) => {
        ws.on('message', (data) => {
          const ack = JSON.parse(String(data)) as { envelope_id?: string };
          if (!ack.envelope_id) return;
          this.socketAcks.set(ack.envelope_id, ack);
          this.ackWaiters.get(ack.envelope_id)?.(ack);
        });
        ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake' }, connection_info: { app_id: 'A1' } }));
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const client of this.sockets.clients) client.terminate();
    this.sockets.close();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** SLACK_API_URL for the bot. */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  /** A response_url this fake answers (what Slack puts in commands and interactions). */
  responseUrl(id = String(++this.counter)): string {
    return `${this.baseUrl}/response/${id}`;
  }

  addUser(user: Partial<FakeSlackUser> & { id: string }): void {
    this.users.set(user.id, { name: user.id.toLowerCase(), real_name: `User ${user.id}`, tz: 'Europe/Belgrade', locale: 'en-US', ...user });
  }

  /**
   * Delivers an envelope over every open Socket Mode connection, as Slack does, and resolves with
   * the bot's acknowledgement of it.
   */
  sendOverSocket(type: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    const envelopeId = `env-${++this.counter}`;
    const acked = new Promise<Record<string, unknown>>((resolve) => this.ackWaiters.set(envelopeId, resolve));
    const open = [...this.sockets.clients].filter((c) => c.readyState === WebSocket.OPEN);
    if (open.length === 0) throw new Error('fake Slack: no Socket Mode connection is open');
    open[0].send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api', retry_attempt: 0, retry_reason: '' }));
    return acked;
  }

  /**
   * A code Slack's consent screen would hand back to the redirect URL: exchanged once through
   * oauth.v2.access for a bot token of that workspace, `xoxb-test-<team or org id>`.
   */
  oauthCode(install: FakeInstall): string {
    const code = `code-${++this.counter}-${Math.random().toString(36).slice(2)}`;
    this.codes.set(code, install);
    return code;
  }

  /** The bot token issued to a workspace or org by an install, as oauth.v2.access returns it. */
  tokenFor(installationKey: string): string {
    return `xoxb-test-${installationKey}`;
  }

  /** The token stops working (uninstalled, revoked): calls with it answer token_revoked. */
  revoke(token: string): void {
    this.revoked.add(token);
  }

  /**
   * The next `times` calls of `method` answer HTTP 429 with Retry-After; with `token`, only calls
   * made with that token (one workspace's installation), as Slack counts limits per workspace.
   */
  rateLimit(method: string, retryAfterSeconds: number, times = 1, only: { token?: string } = {}): void {
    this.rateLimits.set(method, { times, retryAfter: retryAfterSeconds, token: only.token });
  }

  /**
   * The next `times` calls of `method` are held "in the network": recorded as `<method>:held`, never
   * processed (nothing is posted) and never answered, as when a request is still on its way when
   * the sender dies. The held connection closes when the caller goes away.
   */
  hold(method: string, times = 1): void {
    this.holds.set(method, times);
  }

  /**
   * Switches on Slack's per-channel limit for chat.postMessage (about one message per second per
   * channel): a post sooner than `intervalMs` after the channel's last one answers 429 with Retry-After.
   */
  limitPerChannel(intervalMs = 1_000): void {
    this.channelInterval = intervalMs;
  }

  /** The next `times` calls of `method` answer `ok: false` with `error`. */
  fail(method: string, error: string, times = 1): void {
    this.failures.set(method, { times, error });
  }

  callsOf(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves with the first call (past or future) that matches; fails the test after `timeoutMs`. */
  waitFor(method: string, match: (params: Record<string, any>) => boolean = () => true, timeoutMs = 10_000): Promise<SlackCall> {
    const test = (c: SlackCall) => c.method === method && match(c.params);
    const seen = this.calls.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fake Slack: no ${method} call arrived; calls were ${this.calls.map((c) => c.method).join(', ')}`)), timeoutMs);
      this.waiters.push({ match: test, resolve: (call) => (clearTimeout(timer), resolve(call)) });
    });
  }

  private record(call: SlackCall): void {
    call.at ??= Date.now();
    this.calls.push(call);
    const ready = this.waiters.filter((w) => w.match(call));
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve(call);
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.baseUrl);
    const params = parseBody(raw, req.headers['content-type'] ?? '');

    if (url.pathname.startsWith('/response/')) {
      const limited = this.takeRateLimit('response_url', undefined);
      if (limited) return limited;
      // Slack's response_urls expire after 30 minutes (or 5 uses): ids starting with "expired" act so.
      if (url.pathname.startsWith('/response/expired')) {
        this.record({ method: 'response_url:expired', params: { ...params, url: url.toString() } });
        return { status: 404, body: { ok: false, error: 'expired_url' } };
      }
      const problems = messageProblems(params);
      this.record({ method: 'response_url', params: { ...params, url: url.toString() } });
      return problems.length ? { status: 400, body: { ok: false, error: 'invalid_blocks', problems } } : { status: 200, body: { ok: true } };
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '') || params.token;
    const limited = this.takeRateLimit(method, token) ?? this.takeChannelLimit(method, params.channel);
    if (limited) {
      this.record({ method: `${method}:429`, params, token });
      return limited;
    }
    const held = this.holds.get(method) ?? 0;
    if (held > 0) {
      this.holds.set(method, held - 1);
      this.record({ method: `${method}:held`, params, token });
      return new Promise(() => undefined);
    }
    this.record({ method, params, token });
    if (method === 'apps.connections.open') {
      return token === 'xapp-test' ? { status: 200, body: { ok: true, url: `${this.baseUrl.replace('http', 'ws')}/socket` } } : { status: 200, body: { ok: false, error: 'invalid_auth' } };
    }
    if (method === 'oauth.v2.access') return { status: 200, body: this.exchange(params, req.headers.authorization) };
    // "xoxb-test", or "xoxb-test-<name>" so a test can tell several bot processes' calls apart.
    if (token !== 'xoxb-test' && !token?.startsWith('xoxb-test-')) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
    if (this.revoked.has(token)) return { status: 200, body: { ok: false, error: 'token_revoked' } };
    const failure = this.failures.get(method);
    if (failure && failure.times > 0) {
      failure.times--;
      return { status: 200, body: { ok: false, error: failure.error } };
    }
    return { status: 200, body: this.answer(method, params, token) };
  }

  /**
   * oauth.v2.access as Slack answers it (api.slack.com/methods/oauth.v2.access): the app's client id
   * and secret (form fields or HTTP Basic), a code used once, and the bot token with its workspace.
   */
  private exchange(params: Record<string, any>, authorization: string | undefined): Record<string, unknown> {
    let [clientId, clientSecret] = [params.client_id, params.client_secret];
    if (authorization?.startsWith('Basic ')) [clientId, clientSecret] = Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':');
    if (clientId !== this.oauthApp.clientId) return { ok: false, error: 'invalid_client_id' };
    if (clientSecret !== this.oauthApp.clientSecret) return { ok: false, error: 'bad_client_secret' };
    const install = this.codes.get(params.code);
    if (!install) return { ok: false, error: 'invalid_code' };
    this.codes.delete(params.code);
    const org = Boolean(install.isEnterpriseInstall);
    const key = org ? install.enterpriseId! : install.teamId!;
    const token = this.tokenFor(key);
    const issued = { ...install, botUserId: `UBOT${key}`, botId: `BBOT${key}` };
    this.issued.set(token, issued);
    this.revoked.delete(token);
    return {
      ok: true,
      access_token: token,
      token_type: 'bot',
      scope: 'commands,chat:write,im:write,im:history,app_mentions:read,users:read,users:read.email',
      bot_user_id: issued.botUserId,
      app_id: 'A1',
      team: org ? null : { id: install.teamId, name: install.teamName ?? install.teamId },
      enterprise: install.enterpriseId ? { id: install.enterpriseId, name: install.enterpriseName ?? install.enterpriseId } : null,
      is_enterprise_install: org,
      authed_user: { id: install.installerUserId ?? 'UADMIN' },
    };
  }

  private takeChannelLimit(method: string, channel: unknown) {
    if (!this.channelInterval || method !== 'chat.postMessage' || typeof channel !== 'string') return null;
    const now = Date.now();
    const last = this.lastPost.get(channel);
    // Slack tolerates a little jitter ("short bursts are allowed"): 10 % here.
    if (last !== undefined && now - last < this.channelInterval * 0.9) {
      return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(Math.ceil((this.channelInterval - (now - last)) / 1000)) } };
    }
    this.lastPost.set(channel, now);
    return null;
  }

  private takeRateLimit(method: string, token: string | undefined) {
    const limit = this.rateLimits.get(method);
    if (!limit || limit.times <= 0 || (limit.token !== undefined && limit.token !== token)) return null;
    limit.times--;
    return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(limit.retryAfter) } };
  }

  private answer(method: string, p: Record<string, any>, token?: string): Record<string, unknown> {
    const invalid = (problems: string[]) => ({ ok: false, error: 'invalid_blocks', response_metadata: { messages: problems } });
    switch (method) {
      case 'auth.test': {
        const install = this.issued.get(token ?? '');
        if (install) {
          return { ok: true, url: 'https://fake.slack.com/', team: install.teamName ?? 'Fake', user: 'clusterbot', team_id: install.teamId ?? install.enterpriseId, user_id: install.botUserId, bot_id: install.botId, ...(install.enterpriseId ? { enterprise_id: install.enterpriseId } : {}), is_enterprise_install: Boolean(install.isEnterpriseInstall) };
        }
        return { ok: true, url: 'https://fake.slack.com/', team: 'Fake', user: 'clusterbot', team_id: 'T1', user_id: 'UBOT', bot_id: 'BBOT' };
      }
      case 'users.info': {
        const user = this.users.get(p.user);
        if (!user) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: {
            id: user.id,
            team_id: user.team_id ?? 'T1',
            name: user.name,
            real_name: user.real_name,
            tz: user.tz,
            locale: p.include_locale ? user.locale : undefined,
            deleted: user.deleted ?? false,
            is_bot: user.is_bot ?? false,
            is_email_confirmed: user.is_email_confirmed ?? true,
            profile: { real_name: user.real_name, display_name: '', email: user.email },
          },
        };
      }
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(p.users).replace(/^U/, '')}` } };
      case 'chat.postMessage':
      case 'chat.postEphemeral': {
        const problems = messageProblems(p);
        if (problems.length) return invalid(problems);
        const ts = `${1_700_000_000 + ++this.counter}.000100`;
        return method === 'chat.postMessage' ? { ok: true, channel: p.channel, ts, message: { text: p.text, ts } } : { ok: true, message_ts: ts };
      }
      case 'chat.update': {
        // The message a used button was on, replaced in place: held to the same limits as a new one.
        const problems = messageProblems(p);
        if (problems.length) return invalid(problems);
        if (!p.channel || !p.ts) return { ok: false, error: 'message_not_found' };
        return { ok: true, channel: p.channel, ts: p.ts, text: p.text };
      }
      case 'views.open':
      case 'views.update':
      case 'views.push':
      case 'views.publish': {
        if (method === 'views.open' && String(p.trigger_id).startsWith('expired')) return { ok: false, error: 'expired_trigger_id' };
        const problems = viewProblems(p.view ?? {});
        if (problems.length) return invalid(problems);
        return { ok: true, view: { id: `V${++this.counter}`, ...p.view } };
      }
      default:
        return { ok: true };
    }
  }
}

/** The WebClient sends form-encoded params with JSON-encoded objects; response_url posts are JSON. */
function parseBody(raw: string, contentType: string): Record<string, any> {
  if (!raw) return {};
  if (contentType.includes('application/json')) return JSON.parse(raw);
  const params: Record<string, any> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    params[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return params;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

/** One call the bot made to the connector. */
export interface ConnectorCall {
  method: string;
  path: string;
  conversationId: string;
  /** For replies (POST …/activities/{id}) and updates (PUT …/activities/{id}). */
  activityId?: string;
  body: any;
  authorization?: string;
  /** When it arrived, by the clock the test gave the connector (Date.now by default). */
  at: number;
}

/** A scripted answer for the next matching call(s), instead of 200. */
export interface ScriptedAnswer {
  /** Omit (with pass: true) to handle the call normally and count it in the script. */
  status?: number;
  pass?: boolean;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * A local Bot Connector service speaking the real REST protocol the bot uses for Teams:
 * POST /v3/conversations/{id}/activities[/{replyToId}] (send), PUT …/activities/{id} (update),
 * POST /v3/conversations (open a personal chat) and GET …/members/{id} (member info). It records
 * every accepted activity and can be told to answer 403, 429, 502… for the next calls.
 */
export class FakeBotConnector {
  readonly calls: ConnectorCall[] = [];
  /** Every request that sends or updates an activity, accepted or not, in order. */
  readonly attempts: ConnectorCall[] = [];
  /** Every request of any kind (member lookups, opening chats, activities), in order. */
  readonly requests: { method: string; path: string; authorization?: string }[] = [];
  private readonly script: ScriptedAnswer[] = [];
  private readonly members = new Map<string, Record<string, unknown>>();
  private server?: Server;
  private waiters: (() => void)[] = [];
  url = '';

  /** `now`: the clock arrivals are stamped with, e.g. the hand-moved clock the bot's rate limiter reads. */
  constructor(private readonly now: () => number = Date.now) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.onRequest(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  /** The next calls that send or update activities get these answers, in order. */
  answerNext(...answers: ScriptedAnswer[]): void {
    this.script.push(...answers);
  }

  /** What GET /v3/conversations/{id}/members/{userId} answers for a user (TeamsInfo.getMember). */
  setMember(userId: string, member: Record<string, unknown>): void {
    this.members.set(userId, member);
  }

  /** Activities sent (not updated) into a conversation. */
  sent(conversationId?: string): ConnectorCall[] {
    return this.calls.filter((c) => c.method === 'POST' && c.path.includes('/activities') && (!conversationId || c.conversationId === conversationId));
  }

  updates(): ConnectorCall[] {
    return this.calls.filter((c) => c.method === 'PUT');
  }

  clear(): void {
    this.calls.length = 0;
    this.attempts.length = 0;
    this.requests.length = 0;
  }

  /** Resolves once at least `count` activities were accepted (proactive sends run after the request). */
  async waitForCalls(count: number): Promise<void> {
    while (this.calls.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = raw ? JSON.parse(raw) : undefined;
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = decodeURIComponent(url.pathname);
    this.requests.push({ method: req.method ?? 'GET', path, authorization: req.headers.authorization });
    const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };

    const member = /^\/v3\/conversations\/(.+)\/members\/(.+)$/.exec(path);
    if (req.method === 'GET' && member) {
      const found = this.members.get(member[2]);
      return found ? send(200, { id: member[2], ...found }) : send(404, { error: { code: 'MemberNotFoundInConversation', message: 'not found' } });
    }
    if (req.method === 'POST' && path === '/v3/conversations') {
      const id = `a:personal-${body?.members?.[0]?.id ?? randomUUID()}`;
      return send(201, { id, activityId: randomUUID() });
    }
    const activity = /^\/v3\/conversations\/(.+?)\/activities(?:\/([^/]+))?$/.exec(path);
    if (!activity) return send(404, { error: { code: 'NotFound', message: `no route ${req.method} ${path}` } });
    const call: ConnectorCall = {
      method: req.method ?? 'GET',
      path,
      conversationId: activity[1],
      activityId: activity[2],
      body,
      authorization: req.headers.authorization,
      at: this.now(),
    };
    this.attempts.push(call);
    const scripted = this.script.shift();
    if (scripted && !scripted.pass) return send(scripted.status ?? 500, scripted.body ?? { error: { code: 'Scripted', message: `scripted ${scripted.status}` } }, scripted.headers);
    this.calls.push(call);
    for (const wake of this.waiters.splice(0)) wake();
    return send(req.method === 'PUT' ? 200 : 201, { id: req.method === 'PUT' ? activity[2] : `act-${this.calls.length}` });
  }
}

/** Text of every TextBlock, fact and action title of the cards an activity carries. */
export function cardText(activity: any): string {
  const out: string[] = [];
  const walk = (node: any) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node.text === 'string') out.push(node.text);
    if (typeof node.title === 'string') out.push(node.title);
    if (typeof node.label === 'string') out.push(node.label);
    if (typeof node.value === 'string' && node.type === undefined) out.push(node.value);
    for (const value of Object.values(node)) if (typeof value === 'object') walk(value);
  };
  walk(activity?.attachments ?? activity);
  return out.join('\n');
}

/** Activities as the Teams service would POST them to the bot, with the fields the bot reads. */
export function teamsActivity(serviceUrl: string, overrides: Record<string, unknown> & { from?: Record<string, unknown>; conversation?: Record<string, unknown> } = {}) {
  const { from, conversation, ...rest } = overrides;
  return {
    type: 'message',
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    locale: 'en-US',
    from: { id: '29:user-1', name: 'Ada Teams', aadObjectId: 'aad-user-1', ...from },
    recipient: { id: '28:bot', name: 'Cluster Bot' },
    conversation: { id: 'a:personal-user-1', conversationType: 'personal', tenantId: 'tenant-1', ...conversation },
    channelData: { tenant: { id: 'tenant-1' } },
    ...rest,
  };
}

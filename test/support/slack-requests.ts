import { createHmac, randomUUID } from 'node:crypto';

export type SlashCommandFields = Record<string, string> & { team_id: string; user_id: string; text: string; response_url: string; trigger_id: string };

/**
 * A slash command's form fields as Slack posts them: `/lc <text>` by `user` in workspace T1's channel
 * C100, with a fresh trigger id; `extra` overrides any field (another team, a direct message).
 */
export function slashCommandFields(responseUrl: string, user: string, text: string, extra: Record<string, string> = {}): SlashCommandFields {
  return {
    token: 'legacy',
    team_id: 'T1',
    team_domain: 'clusters',
    channel_id: 'C100',
    channel_name: 'lc1-general',
    user_id: user,
    user_name: user.toLowerCase(),
    text,
    response_url: responseUrl,
    trigger_id: `trigger-${user}-${randomUUID()}`,
    api_app_id: 'A1',
    ...extra,
  };
}

/** Signs a body the way Slack does (v0 HMAC-SHA256 over "v0:<timestamp>:<body>"). */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** How to sign and send one request (defaults: now, the right secret). */
export interface SendOptions {
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  /** Sign with another secret (a forged request). */
  secret?: string;
  headers?: Record<string, string>;
}

/** The bot's HTTP answer, as Slack would see it. */
export interface SlackHttpResponse {
  status: number;
  body: string;
  json<T = any>(): T;
}

/**
 * Slack's side of the HTTP protocol: signed requests to the bot's /slack/events, as form posts
 * (slash commands, interactivity) or JSON (Events API), over real HTTP.
 */
export function slackClient(eventsUrl: string, secret: string) {
  async function send(body: string, contentType: string, options: SendOptions = {}): Promise<SlackHttpResponse> {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const response = await fetch(eventsUrl, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': slackSignature(options.secret ?? secret, timestamp, body),
        ...options.headers,
      },
      body,
    });
    const text = await response.text();
    return { status: response.status, body: text, json: () => JSON.parse(text) };
  }
  return {
    send,
    /** A slash command as Slack posts it. */
    command(fields: Record<string, string>, options?: SendOptions) {
      return send(new URLSearchParams({ command: '/lc', ...fields }).toString(), 'application/x-www-form-urlencoded', options);
    },
    /** An interactivity payload (block_actions, view_submission). */
    interaction(payload: Record<string, unknown>, options?: SendOptions) {
      return send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded', options);
    },
    /** An Events API callback. */
    event(body: Record<string, unknown>, options?: SendOptions) {
      return send(JSON.stringify(body), 'application/json', options);
    },
  };
}

/** A press of a button the bot posted (its Block Kit element) on a message in `container`, as Slack sends it. */
export function buttonPress(user: string, button: { action_id: string; value?: string; text?: unknown }, container: Record<string, unknown>, responseUrl: string) {
  return {
    type: 'block_actions',
    team: { id: 'T1' },
    user: { id: user, team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    response_url: responseUrl,
    channel: { id: container.channel_id },
    container,
    actions: [{ type: 'button', action_id: button.action_id, block_id: 'b1', value: button.value, text: button.text, action_ts: '1700000001.000200' }],
  };
}

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/config.js';

const base = { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/x', REDIS_URL: 'redis://127.0.0.1:6379' };

function problemWith(env: Record<string, string>): string {
  try {
    loadConfig({ ...base, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('when the environment is valid', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(base);
    expect(config.PORT).toBe(3000);
    expect(config.DEFAULT_LOCALE).toBe('en');
    expect(config.SLACK_API_URL).toBe('https://slack.com/api/');
    expect(config.PUBLIC_URL).toBe('http://localhost:3000');
    expect(config.webChatEnabled).toBe(true);
    expect(config.slackEnabled).toBe(false);
    expect(config.WORKER_CONCURRENCY).toBe(20);
    expect(config.REQUEST_DEADLINE_MS).toBe(10_000);
    expect(config.MAX_ACTIVE_PER_IDENTITY).toBe(2);
    expect(config.MAX_QUEUED_PER_IDENTITY).toBe(10);
    // A smaller instance gives one person a smaller share by default, not a refusal.
    expect(loadConfig({ ...base, MAX_ACTIVE_REQUESTS: '1' }).MAX_ACTIVE_PER_IDENTITY).toBe(1);
  });

  it('turns the web chat off by default once Slack is configured', () => {
    const config = loadConfig({ ...base, SLACK_SIGNING_SECRET: 'secret', SLACK_BOT_TOKEN: 'xoxb-1' });
    expect(config.slackEnabled).toBe(true);
    expect(config.webChatEnabled).toBe(false);
  });

  it('uses local PostgreSQL and Redis outside production when the URLs are not set', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toMatch(/^postgresql:\/\/.*127\.0\.0\.1/);
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });
});

describe('when a variable is wrong, start-up stops with one line naming it and a valid example', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['PORT', { PORT: 'eighty' }, /^Configuration error: PORT is invalid \(.+\)\. Example: PORT=3000$/],
    ['PORT out of range', { PORT: '70000' }, /^Configuration error: PORT is invalid .*Example: PORT=3000$/],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }, /^Configuration error: DATABASE_URL is invalid \(must be a postgresql:\/\/ URL\)\. Example: DATABASE_URL=postgresql:\/\//],
    ['REDIS_URL', { REDIS_URL: 'localhost:6379' }, /^Configuration error: REDIS_URL is invalid \(must be a redis:\/\/ URL\)\. Example: REDIS_URL=redis:\/\//],
    ['REDIS_PREFIX', { REDIS_PREFIX: 'has spaces' }, /^Configuration error: REDIS_PREFIX is invalid/],
    ['SLACK_BOT_TOKEN', { SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxp-user-token' }, /^Configuration error: SLACK_BOT_TOKEN is invalid \(must start with xoxb-\)\. Example: SLACK_BOT_TOKEN=xoxb-/],
    ['SLACK_BOT_TOKEN without secret', { SLACK_SIGNING_SECRET: 'secret' }, /^Configuration error: SLACK_BOT_TOKEN is missing \(Slack needs both/],
    ['SLACK_SIGNING_SECRET without token', { SLACK_BOT_TOKEN: 'xoxb-1' }, /^Configuration error: SLACK_SIGNING_SECRET is missing/],
    ['SLACK_APP_TOKEN', { SLACK_APP_TOKEN: 'xoxb-wrong' }, /^Configuration error: SLACK_APP_TOKEN is invalid \(must start with xapp-\)/],
    ['SLACK_API_URL', { SLACK_API_URL: 'not a url' }, /^Configuration error: SLACK_API_URL is invalid .*Example: SLACK_API_URL=https:\/\/slack\.com\/api\/$/],
    ['MICROSOFT_APP_PASSWORD', { MICROSOFT_APP_ID: 'abc' }, /^Configuration error: MICROSOFT_APP_PASSWORD is missing \(it goes with MICROSOFT_APP_ID\)/],
    ['MICROSOFT_APP_TYPE', { MICROSOFT_APP_TYPE: 'AnyTenant' }, /^Configuration error: MICROSOFT_APP_TYPE is invalid .*Example: MICROSOFT_APP_TYPE=SingleTenant$/],
    ['DEFAULT_LOCALE', { DEFAULT_LOCALE: 'English' }, /^Configuration error: DEFAULT_LOCALE is invalid \(must be a language tag\)\. Example: DEFAULT_LOCALE=en$/],
    ['DEFAULT_TIMEZONE', { DEFAULT_TIMEZONE: 'Mars/Olympus' }, /^Configuration error: DEFAULT_TIMEZONE is invalid \(is not an IANA time zone\)\. Example: DEFAULT_TIMEZONE=Europe\/Belgrade$/],
    ['WEB_CHAT', { WEB_CHAT: 'maybe' }, /^Configuration error: WEB_CHAT is invalid .*Example: WEB_CHAT=auto$/],
    ['ADMIN_TOKEN', { ADMIN_TOKEN: 'short' }, /^Configuration error: ADMIN_TOKEN is invalid \(must be at least 16 characters\)/],
    ['PUBLIC_URL', { PUBLIC_URL: 'clusterbot' }, /^Configuration error: PUBLIC_URL is invalid/],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }, /^Configuration error: LOG_LEVEL is invalid/],
    ['REQUEST_DEADLINE_MS too short', { REQUEST_DEADLINE_MS: '200' }, /^Configuration error: REQUEST_DEADLINE_MS is invalid .*Example: REQUEST_DEADLINE_MS=10000$/],
    ['REQUEST_DEADLINE_MS not a number', { REQUEST_DEADLINE_MS: 'ten seconds' }, /^Configuration error: REQUEST_DEADLINE_MS is invalid/],
    ['MAX_ACTIVE_PER_IDENTITY above the whole', { MAX_ACTIVE_REQUESTS: '4', MAX_ACTIVE_PER_IDENTITY: '5' }, /^Configuration error: MAX_ACTIVE_PER_IDENTITY is invalid \(at most MAX_ACTIVE_REQUESTS, 4\)\. Example: MAX_ACTIVE_PER_IDENTITY=2$/],
    ['MAX_QUEUED_PER_IDENTITY', { MAX_QUEUED_PER_IDENTITY: '-1' }, /^Configuration error: MAX_QUEUED_PER_IDENTITY is invalid/],
  ];
  for (const [name, env, expected] of cases) {
    it(`explains a bad ${name}`, () => {
      const message = problemWith(env);
      expect(message).toMatch(expected);
      expect(message).not.toContain('\n');
    });
  }

  it('requires DATABASE_URL in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', REDIS_URL: base.REDIS_URL })).toThrow(
      /^Configuration error: DATABASE_URL is missing\. Example: DATABASE_URL=postgresql:\/\//,
    );
  });
});

describe('when NODE_ENV=production', () => {
  const production = { ...base, NODE_ENV: 'production' };
  const slack = { SLACK_SIGNING_SECRET: 'secret', SLACK_BOT_TOKEN: 'xoxb-1' };

  it('switches every local convenience off: no demo mode, no demo data, no web chat, no unauthenticated Teams', () => {
    const config = loadConfig({ ...production, ...slack });
    expect(config.DEMO_MODE).toBe(false);
    expect(config.SEED_DEMO_ON_EMPTY).toBe(false);
    expect(config.webChatEnabled).toBe(false);
    expect(config.teamsMode).toBe('off');
  });

  it('runs the web chat only with sign-in when WEB_CHAT=on', () => {
    const config = loadConfig({ ...production, ...slack, WEB_CHAT: 'on', PUBLIC_URL: 'https://bot.example.org' });
    expect(config.webChatEnabled).toBe(true);
    expect(config.webChatAccess).toBe('sign-in');
  });

  it('authenticates Teams when its credentials are set, and trusts addresses only from the configured tenant', () => {
    const config = loadConfig({ ...production, MICROSOFT_APP_ID: 'id', MICROSOFT_APP_PASSWORD: 'pw', MICROSOFT_APP_TENANT_ID: 'tenant-a' });
    expect(config.teamsMode).toBe('authenticated');
    expect(config.TEAMS_TRUSTED_TENANTS).toEqual(['tenant-a']);
    expect(loadConfig({ ...production, MICROSOFT_APP_ID: 'id', MICROSOFT_APP_PASSWORD: 'pw', TEAMS_TRUSTED_TENANTS: 'a, b' }).TEAMS_TRUSTED_TENANTS).toEqual(['a', 'b']);
  });

  const unsafe: [string, Record<string, string>, RegExp][] = [
    ['demo mode', { ...slack, DEMO_MODE: 'true' }, /^Unsafe configuration: DEMO_MODE=true with NODE_ENV=production lets anyone act as anyone in the web chat\. Remove DEMO_MODE in production, or set NODE_ENV=development for a local demo\.$/],
    ['demo data', { ...slack, SEED_DEMO_ON_EMPTY: 'true' }, /^Unsafe configuration: SEED_DEMO_ON_EMPTY=true with NODE_ENV=production loads made-up demo people .*run npm run seed:demo once\.$/],
    ['a web chat nobody can sign in to', { WEB_CHAT: 'on', PUBLIC_URL: 'https://bot.example.org' }, /^Unsafe configuration: WEB_CHAT=on with NODE_ENV=production needs sign-in, .*Set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN \(or MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD\), or set WEB_CHAT=off\.$/],
    ['a web chat on plain HTTP', { ...slack, WEB_CHAT: 'on', PUBLIC_URL: 'http://bot.example.org' }, /^Unsafe configuration: WEB_CHAT=on with NODE_ENV=production signs people in with a Secure cookie, .*Set PUBLIC_URL=https:\/\//],
    ['a Slack API over plain HTTP', { ...slack, SLACK_API_URL: 'http://slack-proxy.example.org/api/' }, /^Unsafe configuration: SLACK_API_URL=http:\/\/slack-proxy\.example\.org\/api\/ with NODE_ENV=production would send the Slack bot token unencrypted\./],
    ['Teams signing keys over plain HTTP', { MICROSOFT_APP_ID: 'id', MICROSOFT_APP_PASSWORD: 'pw', TEAMS_OPENID_METADATA_URL: 'http://keys.example.org/openid' }, /^Unsafe configuration: TEAMS_OPENID_METADATA_URL=http:\/\/keys\.example\.org\/openid with NODE_ENV=production lets anyone on the network hand the bot signing keys/],
  ];
  for (const [what, env, expected] of unsafe) {
    it(`refuses ${what} with one line naming it and what to set`, () => {
      const message = problemWith({ NODE_ENV: 'production', ...env });
      expect(message).toMatch(expected);
      expect(message).not.toContain('\n');
    });
  }

  it('allows plain HTTP to this machine (a local Slack-compatible server, tests)', () => {
    expect(loadConfig({ ...production, ...slack, SLACK_API_URL: 'http://127.0.0.1:9999/api/' }).SLACK_API_URL).toBe('http://127.0.0.1:9999/api/');
  });
});

describe('outside production', () => {
  it('runs the local demo by default: demo identities, demo data, Teams without credentials for the Emulator', () => {
    const config = loadConfig(base);
    expect(config.DEMO_MODE).toBe(true);
    expect(config.SEED_DEMO_ON_EMPTY).toBe(true);
    expect(config.webChatAccess).toBe('demo');
    expect(config.teamsMode).toBe('emulator');
  });

  it('lets a developer try the production behaviour with DEMO_MODE=false: sign-in, no demo data', () => {
    const config = loadConfig({ ...base, DEMO_MODE: 'false', WEB_CHAT: 'on' });
    expect(config.webChatAccess).toBe('sign-in');
    expect(config.SEED_DEMO_ON_EMPTY).toBe(false);
  });
});

describe('when Slack is installed through OAuth (many workspaces)', () => {
  const oauth = {
    SLACK_SIGNING_SECRET: 'secret',
    SLACK_CLIENT_ID: '111.222',
    SLACK_CLIENT_SECRET: 'client-secret',
    SLACK_STATE_SECRET: 'a-long-state-secret',
    SLACK_TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
  };

  it('runs OAuth mode with the client id, secret, signing secret and state secret', () => {
    const config = loadConfig({ ...base, ...oauth, SLACK_TOKEN_ENCRYPTION_OLD_KEYS: `${'ab'.repeat(32)}, ${Buffer.alloc(32, 4).toString('base64')}` });
    expect(config.slackMode).toBe('oauth');
    expect(config.slackEnabled).toBe(true);
    expect(config.SLACK_TOKEN_ENCRYPTION_OLD_KEYS).toHaveLength(2);
    expect(loadConfig({ ...base, SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1' }).slackMode).toBe('single');
    expect(loadConfig(base).slackMode).toBe('off');
  });

  it('refuses SLACK_BOT_TOKEN together with the client id and secret, saying to choose one', () => {
    expect(problemWith({ ...oauth, SLACK_BOT_TOKEN: 'xoxb-1' })).toMatch(/SLACK_BOT_TOKEN is set together with SLACK_CLIENT_ID.*choose one mode/);
  });

  it('names what OAuth is missing', () => {
    expect(problemWith({ ...oauth, SLACK_STATE_SECRET: '' })).toMatch(/SLACK_STATE_SECRET is missing/);
    expect(problemWith({ ...oauth, SLACK_CLIENT_SECRET: '' })).toMatch(/SLACK_CLIENT_SECRET is missing/);
    expect(problemWith({ ...oauth, SLACK_APP_TOKEN: 'xapp-1' })).toMatch(/SLACK_APP_TOKEN is set together with SLACK_CLIENT_ID/);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(problemWith({ ...oauth, SLACK_TOKEN_ENCRYPTION_KEY: 'short' })).toMatch(/SLACK_TOKEN_ENCRYPTION_KEY is invalid \(must be 32 bytes/);
    expect(problemWith({ ...oauth, SLACK_TOKEN_ENCRYPTION_OLD_KEYS: 'short' })).toMatch(/SLACK_TOKEN_ENCRYPTION_OLD_KEYS is invalid/);
  });

  it('in production, requires the encryption key with a sentence saying what to set', () => {
    const production = { NODE_ENV: 'production', PUBLIC_URL: 'https://bot.example.org' };
    expect(problemWith({ ...production, ...oauth, SLACK_TOKEN_ENCRYPTION_KEY: '' })).toMatch(/SLACK_TOKEN_ENCRYPTION_KEY is missing \(.*openssl rand -base64 32/);
    expect(loadConfig({ ...base, ...production, ...oauth }).slackMode).toBe('oauth');
    // Outside production a development key stands in, so a local try-out needs no key.
    expect(loadConfig({ ...base, ...oauth, SLACK_TOKEN_ENCRYPTION_KEY: '' }).slackMode).toBe('oauth');
  });
});

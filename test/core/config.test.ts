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

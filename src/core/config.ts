import { z } from 'zod';

/**
 * The bot's whole configuration, read once from the environment and validated with zod,
 * so a typo stops start-up with one line that names the variable instead of failing later.
 */
const localDefaults = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/clusterbot',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

const ianaZone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not an IANA time zone' },
);

const optionalSecret = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes')
  .optional();

/** Each variable with the example shown when it is wrong. */
export const configSpec = {
  NODE_ENV: { schema: z.enum(['development', 'production', 'test']).default('development'), example: 'production' },
  PORT: { schema: z.coerce.number().int().min(1).max(65535).default(3000), example: '3000' },
  DATABASE_URL: {
    schema: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgresql:// URL'),
    example: localDefaults.DATABASE_URL,
  },
  REDIS_URL: { schema: z.string().regex(/^rediss?:\/\/\S+$/, 'must be a redis:// URL'), example: localDefaults.REDIS_URL },
  REDIS_PREFIX: { schema: z.string().regex(/^[\w:.-]{1,40}$/, 'letters, digits, : . - only').default('cb'), example: 'cb' },
  SLACK_SIGNING_SECRET: { schema: optionalSecret, example: '8f742231b10e8888abcd99yyyzzz85a5' },
  SLACK_BOT_TOKEN: {
    schema: optionalSecret.refine((v) => v === undefined || v.startsWith('xoxb-'), 'must start with xoxb-'),
    example: 'xoxb-1234-5678-abcdef',
  },
  SLACK_APP_TOKEN: {
    schema: optionalSecret.refine((v) => v === undefined || v.startsWith('xapp-'), 'must start with xapp-'),
    example: 'xapp-1-A123-456-abcdef',
  },
  SLACK_API_URL: { schema: z.url().default('https://slack.com/api/'), example: 'https://slack.com/api/' },
  // OAuth mode (many workspaces install the bot through /slack/install): the app's client id and secret,
  // the secret that signs the install state, and the key that seals the stored bot tokens (docs/slack.md).
  SLACK_CLIENT_ID: { schema: optionalSecret, example: '1234567890.1234567890' },
  SLACK_CLIENT_SECRET: { schema: optionalSecret, example: 'your-client-secret' },
  SLACK_STATE_SECRET: { schema: optionalSecret.refine((v) => v === undefined || v.length >= 16, 'must be at least 16 characters'), example: 'a-long-random-state-secret' },
  SLACK_TOKEN_ENCRYPTION_KEY: {
    schema: optionalSecret.refine((v) => v === undefined || isKey32(v), 'must be 32 bytes as base64 (44 characters) or hex (64 characters)'),
    example: 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=',
  },
  /** Keys used before SLACK_TOKEN_ENCRYPTION_KEY, still accepted for reading while tokens are re-sealed. Comma-separated. */
  SLACK_TOKEN_ENCRYPTION_OLD_KEYS: {
    schema: optionalSecret
      .transform((v) => (v ? v.split(',').map((k) => k.trim()).filter(Boolean) : []))
      .refine((keys) => keys.every(isKey32), 'each key must be 32 bytes as base64 (44 characters) or hex (64 characters)'),
    example: 'old-key-1-base64,old-key-2-base64',
  },
  MICROSOFT_APP_ID: { schema: optionalSecret, example: '00000000-0000-0000-0000-000000000000' },
  MICROSOFT_APP_PASSWORD: { schema: optionalSecret, example: 'your-client-secret' },
  MICROSOFT_APP_TENANT_ID: { schema: optionalSecret, example: '00000000-0000-0000-0000-000000000000' },
  MICROSOFT_APP_TYPE: { schema: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).optional(), example: 'SingleTenant' },
  /** Where the Bot Framework publishes its token signing keys; only for sovereign clouds and auth tests. */
  TEAMS_OPENID_METADATA_URL: { schema: z.url().optional(), example: 'https://login.botframework.com/v1/.well-known/openidconfiguration' },
  /** The issuer Bot Framework tokens must carry; goes with TEAMS_OPENID_METADATA_URL. */
  TEAMS_TOKEN_ISSUER: { schema: z.string().min(1).optional(), example: 'https://api.botframework.com' },
  /**
   * Tenants whose directory e-mail addresses the bot links Teams accounts by (email invitations, the
   * same person on Slack). Any tenant's admin can give a user any address, so only tenants you trust.
   * Default: MICROSOFT_APP_TENANT_ID. Comma-separated.
   */
  TEAMS_TRUSTED_TENANTS: {
    schema: optionalSecret.transform((v) => (v ? v.split(',').map((t) => t.trim()).filter(Boolean) : undefined)),
    example: '00000000-0000-0000-0000-000000000000,11111111-1111-1111-1111-111111111111',
  },
  DEFAULT_LOCALE: { schema: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag').default('en'), example: 'en' },
  DEFAULT_TIMEZONE: { schema: ianaZone.default('Europe/Belgrade'), example: 'Europe/Belgrade' },
  PUBLIC_URL: {
    schema: z.url().optional() as z.ZodType<string>,
    example: 'https://clusterbot.example.org',
  },
  WEB_CHAT: { schema: z.enum(['auto', 'on', 'off']).default('auto'), example: 'auto' },
  /**
   * The local demo: the web chat lets anyone pick who they are (demo identities, guests) and the
   * demo clusters are loaded. Default on outside production, off in production, where it is refused.
   */
  DEMO_MODE: { schema: booleanFlag, example: 'false' },
  /** Default: DEMO_MODE's value (so false in production, where true is refused). */
  SEED_DEMO_ON_EMPTY: { schema: booleanFlag, example: 'false' },
  /** How long a web chat sign-in lasts on one device; unused for WEB_SESSION_IDLE_DAYS it ends earlier. */
  WEB_SESSION_DAYS: { schema: z.coerce.number().int().min(1).max(365).default(30), example: '30' },
  WEB_SESSION_IDLE_DAYS: { schema: z.coerce.number().int().min(1).max(365).default(7), example: '7' },
  ADMIN_TOKEN: { schema: z.string().min(16, 'must be at least 16 characters').optional(), example: 'a-long-random-admin-token' },
  // Requests one instance works on at once, and how many more may wait; beyond that "try again in a moment".
  MAX_ACTIVE_REQUESTS: { schema: z.coerce.number().int().min(1).max(1000).default(20), example: '20' },
  MAX_QUEUED_REQUESTS: { schema: z.coerce.number().int().min(0).max(100_000).default(1000), example: '1000' },
  // One person's (one platform identity's) share of those: a flood from one client waits or is refused, others go on.
  MAX_ACTIVE_PER_IDENTITY: { schema: z.coerce.number().int().min(1).max(1000).default(2), example: '2' },
  MAX_QUEUED_PER_IDENTITY: { schema: z.coerce.number().int().min(0).max(100_000).default(10), example: '10' },
  // How long one request may take, waiting in line included; later it is answered "try again in a moment" and undone.
  REQUEST_DEADLINE_MS: { schema: z.coerce.number().int().min(1_000).max(120_000).default(10_000), example: '10000' },
  // Scheduler: workers run inside the bot by default; `npm run worker` runs them on their own.
  RUN_WORKERS: { schema: booleanFlag.default(true), example: 'true' },
  // A delivery holds a database connection only for its two short statements (claim, record) and
  // mostly waits on Slack, Redis and PostgreSQL round trips, so 20 at once fit the default pool of 10.
  WORKER_CONCURRENCY: { schema: z.coerce.number().int().min(1).max(100).default(20), example: '20' },
  RECONCILE_EVERY_SECONDS: { schema: z.coerce.number().int().min(5).max(86_400).default(300), example: '300' },
  LOG_LEVEL: { schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), example: 'info' },
} as const;

type Spec = typeof configSpec;
export type Config = { -readonly [K in Exclude<keyof Spec, keyof Defaulted>]: z.output<Spec[K]['schema']> } & Defaulted & {
  slackEnabled: boolean;
  /**
   * How the bot reaches Slack: `single` with SLACK_BOT_TOKEN (one workspace), `oauth` with the app's
   * client id and secret (any number of workspaces install it through /slack/install), `off` without either.
   */
  slackMode: 'single' | 'oauth' | 'off';
  /** Teams credentials are set: /api/messages authenticates every request. */
  teamsEnabled: boolean;
  /**
   * How /api/messages works: `authenticated` with credentials; `emulator` (no tokens, replies only to
   * loopback service URLs) without them outside production; `off` (404) without them in production.
   */
  teamsMode: 'authenticated' | 'emulator' | 'off';
  webChatEnabled: boolean;
  /**
   * Who the web chat may act as: `demo` lets the page pick (demo identities, guests; a session if it has
   * one), `sign-in` only the person of the session cookie (a one-time code from Slack or Teams).
   */
  webChatAccess: 'demo' | 'sign-in';
};

/** Variables whose default depends on others (NODE_ENV, MICROSOFT_APP_TENANT_ID), always set after loadConfig. */
type Defaulted = { DEMO_MODE: boolean; SEED_DEMO_ON_EMPTY: boolean; TEAMS_TRUSTED_TENANTS: string[] };

/** Thrown when the environment is wrong; its message is the one line shown to the operator. */
export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string, example: string) {
    super(`Configuration error: ${variable} ${problem}. Example: ${variable}=${example}`);
    this.name = 'ConfigError';
  }
}

/**
 * Thrown for a combination that would open the bot to the internet in production (docs/security.md,
 * production checklist): one line naming the combination, why it is refused, and what to set instead.
 */
export class UnsafeConfigError extends ConfigError {
  constructor(variable: string, line: string) {
    super(variable, '', '');
    this.message = `Unsafe configuration: ${line}`;
    this.name = 'UnsafeConfigError';
  }
}

/** Reads and validates the environment. Local defaults for the two URLs apply outside production. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const out: Record<string, unknown> = {};
  const production = env.NODE_ENV === 'production';
  for (const [name, { schema, example }] of Object.entries(configSpec)) {
    // Empty means "not set" (.env.example, docker compose's ${VAR:-}), so defaults apply.
    let raw = env[name] === '' ? undefined : env[name];
    if (raw === undefined && !production && name in localDefaults) raw = localDefaults[name as keyof typeof localDefaults];
    const parsed = (schema as z.ZodType).safeParse(raw);
    if (!parsed.success) {
      const problem = raw === undefined || raw === '' ? 'is missing' : `is invalid (${firstIssue(parsed.error)})`;
      throw new ConfigError(name, problem, example);
    }
    out[name] = parsed.data;
  }
  const config = out as Config;
  // Links in messages (exports, charts) point here; locally the bot's own port.
  config.PUBLIC_URL = (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/$/, '');
  config.slackMode = slackModeOf(config, production);
  config.slackEnabled = config.slackMode !== 'off';
  if (config.MICROSOFT_APP_ID && !config.MICROSOFT_APP_PASSWORD) {
    throw new ConfigError('MICROSOFT_APP_PASSWORD', 'is missing (it goes with MICROSOFT_APP_ID)', configSpec.MICROSOFT_APP_PASSWORD.example);
  }
  if (config.MICROSOFT_APP_TYPE === 'SingleTenant' && config.MICROSOFT_APP_ID && !config.MICROSOFT_APP_TENANT_ID) {
    throw new ConfigError('MICROSOFT_APP_TENANT_ID', 'is missing (a single-tenant bot needs its tenant id)', configSpec.MICROSOFT_APP_TENANT_ID.example);
  }
  // The default share (2) shrinks with a smaller instance; a share set larger than the whole is refused.
  if (env.MAX_ACTIVE_PER_IDENTITY === undefined || env.MAX_ACTIVE_PER_IDENTITY === '') config.MAX_ACTIVE_PER_IDENTITY = Math.min(config.MAX_ACTIVE_PER_IDENTITY, config.MAX_ACTIVE_REQUESTS);
  if (config.MAX_ACTIVE_PER_IDENTITY > config.MAX_ACTIVE_REQUESTS) {
    throw new ConfigError('MAX_ACTIVE_PER_IDENTITY', `is invalid (at most MAX_ACTIVE_REQUESTS, ${config.MAX_ACTIVE_REQUESTS})`, configSpec.MAX_ACTIVE_PER_IDENTITY.example);
  }
  config.DEMO_MODE ??= !production;
  config.SEED_DEMO_ON_EMPTY ??= config.DEMO_MODE;
  // Teams works without credentials outside production (emulator mode); it is "enabled" as a real channel only with them.
  config.teamsEnabled = Boolean(config.MICROSOFT_APP_ID);
  config.teamsMode = config.teamsEnabled ? 'authenticated' : production ? 'off' : 'emulator';
  config.TEAMS_TRUSTED_TENANTS ??= config.MICROSOFT_APP_TENANT_ID ? [config.MICROSOFT_APP_TENANT_ID] : [];
  config.webChatAccess = config.DEMO_MODE ? 'demo' : 'sign-in';
  // `auto` is the try-it-locally web chat: on in demo mode when no platform is configured.
  config.webChatEnabled = config.WEB_CHAT === 'on' || (config.WEB_CHAT === 'auto' && config.DEMO_MODE && !config.slackEnabled && !config.teamsEnabled);
  if (production) refuseUnsafeProduction(config);
  return config;
}

/**
 * Single workspace (SLACK_BOT_TOKEN) or OAuth (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET), never both: a
 * deployment with both would answer some workspaces with the one token and others with theirs.
 */
function slackModeOf(config: Config, production: boolean): Config['slackMode'] {
  const oauth = Boolean(config.SLACK_CLIENT_ID || config.SLACK_CLIENT_SECRET);
  if (config.SLACK_BOT_TOKEN && oauth) {
    throw new ConfigError('SLACK_BOT_TOKEN', 'is set together with SLACK_CLIENT_ID/SLACK_CLIENT_SECRET (choose one mode: SLACK_BOT_TOKEN for one workspace, or the client id and secret for installs through /slack/install, and remove the other)', configSpec.SLACK_BOT_TOKEN.example);
  }
  if (oauth) {
    const missing = (['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_SIGNING_SECRET', 'SLACK_STATE_SECRET'] as const).find((name) => !config[name]);
    if (missing) throw new ConfigError(missing, 'is missing (Slack OAuth needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_SIGNING_SECRET and SLACK_STATE_SECRET)', configSpec[missing].example);
    if (config.SLACK_APP_TOKEN) {
      throw new ConfigError('SLACK_APP_TOKEN', 'is set together with SLACK_CLIENT_ID (installs through /slack/install need Slack to reach the bot over HTTP: remove SLACK_APP_TOKEN, or use SLACK_BOT_TOKEN for one workspace over Socket Mode)', configSpec.SLACK_APP_TOKEN.example);
    }
    if (!config.SLACK_TOKEN_ENCRYPTION_KEY && production) {
      throw new ConfigError('SLACK_TOKEN_ENCRYPTION_KEY', 'is missing (Slack OAuth stores every workspace\'s bot token in the database, sealed with this key: set it to 32 random bytes, e.g. the output of `openssl rand -base64 32`)', configSpec.SLACK_TOKEN_ENCRYPTION_KEY.example);
    }
    return 'oauth';
  }
  if (Boolean(config.SLACK_SIGNING_SECRET) !== Boolean(config.SLACK_BOT_TOKEN)) {
    const missing = config.SLACK_SIGNING_SECRET ? 'SLACK_BOT_TOKEN' : 'SLACK_SIGNING_SECRET';
    throw new ConfigError(missing, 'is missing (Slack needs both the signing secret and the bot token)', configSpec[missing].example);
  }
  return config.SLACK_BOT_TOKEN ? 'single' : 'off';
}

/** 32 bytes written as base64 or hex: an AES-256 key (src/core/secret-box.ts). */
function isKey32(value: string): boolean {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return true;
  return /^[A-Za-z0-9+/_-]{43}=?$/.test(value) && Buffer.from(value, 'base64').length === 32;
}

/** A URL whose host is this machine: plain HTTP to it never crosses a network. */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
  } catch {
    return false;
  }
}

const httpsOrLoopback = (url: string) => url.startsWith('https://') || isLoopbackUrl(url);

/**
 * Every combination that is fine on a laptop and dangerous on the internet, refused in production
 * with one line (docs/security.md lists them). Checked after the single variables, so each message
 * can assume well-formed values.
 */
function refuseUnsafeProduction(config: Config): void {
  if (config.DEMO_MODE) {
    throw new UnsafeConfigError('DEMO_MODE', 'DEMO_MODE=true with NODE_ENV=production lets anyone act as anyone in the web chat. Remove DEMO_MODE in production, or set NODE_ENV=development for a local demo.');
  }
  if (config.SEED_DEMO_ON_EMPTY) {
    throw new UnsafeConfigError('SEED_DEMO_ON_EMPTY', 'SEED_DEMO_ON_EMPTY=true with NODE_ENV=production loads made-up demo people into a production database. Remove it (the production default is false); to load the demo on purpose, run npm run seed:demo once.');
  }
  if (config.WEB_CHAT === 'on' && !config.slackEnabled && !config.teamsEnabled) {
    throw new UnsafeConfigError('WEB_CHAT', 'WEB_CHAT=on with NODE_ENV=production needs sign-in, and sign-in codes come from /lc link in Slack or Teams. Set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (or MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD), or set WEB_CHAT=off.');
  }
  if (config.webChatEnabled && !httpsOrLoopback(config.PUBLIC_URL)) {
    throw new UnsafeConfigError('PUBLIC_URL', `WEB_CHAT=on with NODE_ENV=production signs people in with a Secure cookie, which browsers keep only over HTTPS, but PUBLIC_URL is ${config.PUBLIC_URL}. Set PUBLIC_URL=https://<your bot's address>.`);
  }
  if (!httpsOrLoopback(config.SLACK_API_URL)) {
    throw new UnsafeConfigError('SLACK_API_URL', `SLACK_API_URL=${config.SLACK_API_URL} with NODE_ENV=production would send the Slack bot token unencrypted. Remove SLACK_API_URL (default https://slack.com/api/) or use an https:// URL.`);
  }
  if (config.TEAMS_OPENID_METADATA_URL && !httpsOrLoopback(config.TEAMS_OPENID_METADATA_URL)) {
    throw new UnsafeConfigError('TEAMS_OPENID_METADATA_URL', `TEAMS_OPENID_METADATA_URL=${config.TEAMS_OPENID_METADATA_URL} with NODE_ENV=production lets anyone on the network hand the bot signing keys for forged Teams tokens. Remove it (Microsoft's public cloud is the default) or use an https:// URL.`);
  }
}

function firstIssue(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'invalid value';
}

/** For entry points (bot, worker, scripts): the configuration, or its one-line problem on stderr and exit 1. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

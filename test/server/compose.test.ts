import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { projectPath } from '../../src/core/paths.js';

/**
 * The bot's environment as Docker Compose would build it from docker-compose.yml (and, for a
 * deployment, docker-compose.production.yml on top), read through the bot's own configuration.
 * No Docker engine runs here, so Compose's interpolation is done the way Compose does it:
 * ${VAR:-default}, ${VAR:?message} (an error when VAR is empty), values from `.env`.
 */
function composeEnv(files: string[], dotEnv: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const file of files) {
    const service = parse(readFileSync(projectPath(file), 'utf8')).services.bot as { environment: Record<string, string> };
    for (const [name, value] of Object.entries(service.environment ?? {})) env[name] = interpolate(String(value), dotEnv);
  }
  return env;
}

function interpolate(value: string, dotEnv: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, kind?: string, arg?: string) => {
    const set = dotEnv[name];
    if (set) return set;
    if (kind === '?') throw new Error(`compose: ${arg}`);
    return kind === '-' ? (arg ?? '') : '';
  });
}

describe('when someone runs docker compose up with no .env', () => {
  it('starts the local demo: a demo web chat out of the box and the demo clusters', () => {
    const config = loadConfig(composeEnv(['docker-compose.yml'], {}));
    expect(config.NODE_ENV).toBe('development');
    expect(config.webChatEnabled).toBe(true);
    expect(config.webChatAccess).toBe('demo');
    expect(config.SEED_DEMO_ON_EMPTY).toBe(true);
  });
});

describe('when the production file is added', () => {
  const dotEnv = { POSTGRES_PASSWORD: 'a-strong-password', PUBLIC_URL: 'https://clusterbot.example.org', SLACK_SIGNING_SECRET: 'secret', SLACK_BOT_TOKEN: 'xoxb-1' };

  it('runs with NODE_ENV=production and the safe defaults: no demo, no demo data, no web chat, Teams off without credentials', () => {
    const config = loadConfig(composeEnv(['docker-compose.yml', 'docker-compose.production.yml'], dotEnv));
    expect(config.NODE_ENV).toBe('production');
    expect(config.DEMO_MODE).toBe(false);
    expect(config.SEED_DEMO_ON_EMPTY).toBe(false);
    expect(config.webChatEnabled).toBe(false);
    expect(config.teamsMode).toBe('off');
    expect(config.DATABASE_URL).toBe('postgresql://postgres:a-strong-password@postgres:5432/clusterbot');
  });

  it('offers the web chat with sign-in when .env says WEB_CHAT=on', () => {
    const config = loadConfig(composeEnv(['docker-compose.yml', 'docker-compose.production.yml'], { ...dotEnv, WEB_CHAT: 'on' }));
    expect(config.webChatAccess).toBe('sign-in');
  });

  it('stops when PUBLIC_URL or POSTGRES_PASSWORD is missing from .env, naming it', () => {
    expect(() => composeEnv(['docker-compose.yml', 'docker-compose.production.yml'], { ...dotEnv, PUBLIC_URL: '' })).toThrow(/set PUBLIC_URL in \.env/);
    expect(() => composeEnv(['docker-compose.yml', 'docker-compose.production.yml'], { ...dotEnv, POSTGRES_PASSWORD: '' })).toThrow(/set POSTGRES_PASSWORD in \.env/);
  });
});

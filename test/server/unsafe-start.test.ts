import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../../src/core/paths.js';

/**
 * `npm start`'s entry point as a process, with an unsafe production environment: it must stop before
 * touching anything, with exit code 1 and one line on stderr. Run from an empty directory with only
 * the given variables, so no developer's .env can change the outcome.
 */
function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = spawn(process.execPath, ['--import', tsx, projectPath('src', 'server', 'main.ts')], {
    cwd: mkdtempSync(join(tmpdir(), 'cb-start-')),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr, stdout })));
}

describe('when npm start is run in production with a web chat nobody can sign in to', () => {
  it('exits with code 1 and one line naming WEB_CHAT=on and what to set, before connecting to anything', async () => {
    // Unreachable database and Redis: had it tried to connect, the message would be another one.
    const result = await start({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none', REDIS_URL: 'redis://127.0.0.1:1', WEB_CHAT: 'on' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      'Unsafe configuration: WEB_CHAT=on with NODE_ENV=production needs sign-in, and sign-in codes come from /lc link in Slack or Teams. Set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (or MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD), or set WEB_CHAT=off.',
    ]);
  }, 30_000);
});

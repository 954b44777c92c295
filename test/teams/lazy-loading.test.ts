import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freshDatabase, freshRedisPrefix } from '../support/harness.js';

/**
 * In a process of its own (module caches are per process): builds the production runtime, reports
 * whether botbuilder is loaded, then sends one Teams activity and reports again.
 */
const script = `
import { createRequire } from 'node:module';
import { loadConfig } from './src/core/config.ts';
import { createLogger } from './src/core/logger.ts';
import { createRuntime } from './src/server/runtime.ts';
const require = createRequire(import.meta.url);
const loaded = () => Object.keys(require.cache).some((path) => path.includes('/node_modules/botbuilder/'));
const runtime = createRuntime(loadConfig(), createLogger('silent'), { questionWorker: false });
const atStart = loaded();
const port = await runtime.listen(0);
const response = await fetch('http://127.0.0.1:' + port + '/api/messages', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ type: 'typing', id: 'a1', channelId: 'msteams', serviceUrl: 'http://127.0.0.1:9/', from: { id: 'u1' }, recipient: { id: 'bot' }, conversation: { id: 'c1' } }),
});
console.log(JSON.stringify({ atStart, afterTeamsRequest: loaded(), status: response.status }));
await runtime.stop();
process.exit(0);
`;

describe('a bot process that never talks to Teams', () => {
  it('does not load botbuilder (about 40 MiB) until the first Teams request arrives', async () => {
    const env = { ...process.env, DATABASE_URL: await freshDatabase(), REDIS_PREFIX: freshRedisPrefix(), LOG_LEVEL: 'silent', WEB_CHAT: 'off' };
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env, cwd: process.cwd(), timeout: 60_000 });
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(report).toMatchObject({ atStart: false, afterTeamsRequest: true });
    expect(report.status).toBeLessThan(500);
  });
});

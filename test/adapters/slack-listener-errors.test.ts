import { Writable } from 'node:stream';
import { AuthorizationError } from '@slack/bolt';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { logListenerError } from '../../adapters/slack/listener-errors.js';
import { NotInstalledError } from '../../adapters/slack/workspace-clients.js';

/** A logger whose JSON lines are kept, to read their level (pino: 30 info, 50 error). */
function capturingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe("Bolt's error handler", () => {
  it('logs a request from a workspace without an installation at info level, not as an error', () => {
    const { logger, lines } = capturingLogger();
    // What Bolt hands app.error when the installation store found nothing for the workspace: Bolt's
    // AuthorizationError around @slack/oauth's (code and `original`, as it builds it) around ours.
    const notInstalled = new NotInstalledError({ teamId: 'TGONE' });
    const fromInstaller = Object.assign(new Error(notInstalled.message, { cause: notInstalled }), { code: 'slack_oauth_authorization_error', original: notInstalled });
    logListenerError(logger, new AuthorizationError(`Authorization of incoming event did not succeed. ${fromInstaller.message}`, fromInstaller));
    expect(lines).toHaveLength(1);
    expect(lines[0].level).toBe(30);
    expect(lines[0].msg).toMatch(/without an installation/);
  });

  it('still logs any other listener failure as an error, even one Bolt wraps the same way', () => {
    const { logger, lines } = capturingLogger();
    logListenerError(logger, new Error('database is down'));
    logListenerError(logger, new AuthorizationError('Authorization of incoming event did not succeed.', new Error('connection refused')));
    expect(lines.map((l) => [l.level, l.msg])).toEqual([[50, 'slack listener failed'], [50, 'slack listener failed']]);
  });
});

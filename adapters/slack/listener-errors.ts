import type { Logger } from '../../src/core/logger.js';
import { NotInstalledError } from './workspace-clients.js';

/**
 * Whether the error is, at its root, a request from a workspace the bot is not installed in (never was,
 * or uninstalled since). Bolt wraps what its authorize threw in an AuthorizationError (`original`).
 */
export function isNotInstalled(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (e instanceof NotInstalledError || (e as { code?: unknown }).code === 'slack_not_installed') return true;
    e = (e as { original?: unknown; cause?: unknown }).original ?? (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Bolt's global error handler. A workspace without an installation keeps sending what it had subscribed
 * to until Slack notices; that is expected in OAuth mode and not the bot's failure, so it is an info
 * line, not an error that pages someone. Every other listener failure stays an error.
 */
export function logListenerError(logger: Logger, error: unknown): void {
  if (isNotInstalled(error)) {
    logger.info({ reason: String((error as { original?: unknown }).original ?? error) }, 'slack request from a workspace without an installation; ignored');
    return;
  }
  logger.error({ err: error }, 'slack listener failed');
}

/**
 * One error type with codes. Flows and domain code throw it; one place (the bot's
 * dispatcher) turns it into a friendly, translated message for the user and a log line.
 */
export const ErrorCode = {
  NotAllowed: 'not_allowed',
  NotFound: 'not_found',
  InvalidInput: 'invalid_input',
  Conflict: 'conflict',
  StaleConversation: 'stale_conversation',
  Unavailable: 'unavailable',
  Internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class BotError extends Error {
  /**
   * @param code what went wrong, for logs and tests
   * @param messageKey i18n key of the text shown to the user
   * @param vars interpolation values for that text
   */
  constructor(
    readonly code: ErrorCode,
    readonly messageKey: string,
    readonly vars: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${messageKey}`, options);
    this.name = 'BotError';
  }
}

/** A message variable that is itself translated when the message is shown (e.g. a role name). */
export interface TranslatedVar {
  key: string;
}

/** Role names as translated message variables: "a coordinator or resource person" in the person's language. */
export function roleVars(roles: string[]): TranslatedVar[] {
  return roles.map((role) => ({ key: `roles.${role}` }));
}

export function isBotError(error: unknown): error is BotError {
  return error instanceof BotError;
}

/** True for errors that mean "a backing service is briefly away": the user is asked to retry. */
export function isTransientInfraError(error: unknown): boolean {
  const text = String((error as { code?: string })?.code ?? '') + ' ' + String((error as Error)?.message ?? '');
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection terminated|Can't reach database|P1001|P2024|timeout exceeded when trying to connect|Connection is closed|MaxRetriesPerRequest|Query read timeout/i.test(text);
}

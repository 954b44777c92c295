import { pino, type Logger } from 'pino';

/** Structured JSON logs for operators; pretty in a terminal during development. */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  const pretty = process.stdout.isTTY && process.env.NODE_ENV !== 'production';
  return pino({
    level,
    base: { service: 'cluster-bot' },
    redact: ['req.headers.authorization', '*.token', '*.password'],
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } } } : {}),
  });
}

export type { Logger };

import { pino, type Logger as Pino } from 'pino';
import { type LogLevel } from './cli.js';

/** JSON lines on stdout: `{"level":"info","time":...,"msg":"...",...fields}`. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function createLogger(level: LogLevel, base: Record<string, unknown> = {}): Logger {
  const logger: Pino = pino({ level, base, formatters: { level: (label) => ({ level: label }) }, timestamp: pino.stdTimeFunctions.isoTime }, process.stdout);
  const at =
    (method: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields?: Record<string, unknown>): void =>
      fields ? logger[method](fields, message) : logger[method](message);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

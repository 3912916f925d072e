import { pino, type Logger as Pino } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** JSON lines: `{"level":"info","time":"…","msg":"…",…fields}`, the shape log collectors parse. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A logger writing to `destination` (stdout by default) with `base` fields on every line. */
export function createLogger(level: LogLevel, base: Record<string, unknown> = {}, destination?: NodeJS.WritableStream): Logger {
  const logger: Pino = pino(
    { level, base, formatters: { level: (label) => ({ level: label }) }, timestamp: pino.stdTimeFunctions.isoTime },
    destination ?? process.stdout,
  );
  const at =
    (method: LogLevel) =>
    (message: string, fields?: Record<string, unknown>): void =>
      fields ? logger[method](fields, message) : logger[method](message);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

import { type Logger } from './log.js';

export interface Stoppable {
  stop(): Promise<void>;
}

export interface SignalOptions {
  readonly signals?: readonly NodeJS.Signals[];
  /** Ends the process with this code; replaceable so that tests can watch instead of exiting. */
  readonly exit?: (code: number) => void;
  /** Where `process.once` is called; replaceable for tests. */
  readonly on?: (signal: NodeJS.Signals, handler: () => void) => void;
}

/**
 * Stops `running` on the first SIGTERM or SIGINT and exits 0, or 1 when stopping failed. Exiting
 * explicitly matters: a client library's keep-alive agent or a pending retry timer would
 * otherwise keep a stopped process alive until the kubelet kills it.
 */
export function stopOnSignals(running: Stoppable, log: Logger, options: SignalOptions = {}): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const on = options.on ?? ((signal, handler) => process.once(signal, handler));
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    running.stop().then(
      () => exit(0),
      (error: unknown) => {
        log.error('shutdown failed', { error: error instanceof Error ? error.message : String(error) });
        exit(1);
      },
    );
  };
  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) on(signal, () => shutdown(signal));
}

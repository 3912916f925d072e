export interface WaitOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /**
   * Checked before each poll: a message ends the wait at once with that error (the process being
   * waited for exited, say). Errors thrown by `check` itself are retried until the timeout.
   */
  readonly abortIf?: () => string | undefined | false;
}

/** Polls `check` every `intervalMs` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  { timeoutMs = 15_000, intervalMs = 100, abortIf }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const abort = abortIf?.();
    if (abort) throw new Error(`gave up waiting for ${what}: ${abort}`);
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
}

/** For `abortIf`: a message when the process has exited. */
export function exitedWith(child: { exitCode: number | null; signalCode: NodeJS.Signals | null }, output: () => string): () => string | undefined {
  return () => (child.exitCode !== null || child.signalCode !== null ? `it exited (${child.exitCode ?? child.signalCode}):\n${output().slice(-3000)}` : undefined);
}

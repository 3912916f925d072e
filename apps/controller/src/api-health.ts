// Whether the Kubernetes API answers, judged from the informers: a watch (or list) failing for
// longer than a few seconds means the controller runs on its cache alone. Pure: the clock and the
// informers' states come in, what to report goes out.

/** One informer's state, as Informer.failingSince and lastError give it. */
export interface WatchState {
  readonly resource: string;
  /** Clock milliseconds since which its lists and watches fail; undefined while they work. */
  readonly failingSince: number | undefined;
  readonly lastError: unknown;
}

export interface HealthReport {
  /** False once some watch has failed for longer than the threshold. */
  readonly healthy: boolean;
  /** How long the longest-failing watch has been failing, in seconds (0 when none fails). */
  readonly failingSeconds: number;
  /** A line for the log, when there is news: the API lost (and every so often while it stays lost), or back. */
  readonly log?: { readonly level: 'warn' | 'info'; readonly message: string; readonly fields: Record<string, unknown> };
}

export interface ApiHealthOptions {
  /** Failures shorter than this are a blip, not an outage (default 5 s). */
  readonly thresholdMs?: number;
  /** While the outage lasts, the warning is repeated this often (default 30 s). */
  readonly repeatMs?: number;
}

export class ApiHealth {
  private readonly thresholdMs: number;
  private readonly repeatMs: number;
  private warnedAt: number | undefined;
  private outageFrom: number | undefined;

  constructor(options: ApiHealthOptions = {}) {
    this.thresholdMs = options.thresholdMs ?? 5000;
    this.repeatMs = options.repeatMs ?? 30_000;
  }

  check(now: number, watches: readonly WatchState[]): HealthReport {
    const failing = watches.filter((w) => w.failingSince !== undefined);
    const since = failing.reduce((min, w) => Math.min(min, w.failingSince as number), Infinity);
    const failingMs = failing.length > 0 ? Math.max(0, now - since) : 0;
    const failingSeconds = Math.round(failingMs / 100) / 10;
    if (failingMs >= this.thresholdMs) {
      this.outageFrom ??= since;
      if (this.warnedAt !== undefined && now - this.warnedAt < this.repeatMs) return { healthy: false, failingSeconds };
      this.warnedAt = now;
      const message = 'Kubernetes API unreachable: watches failing, serving from the cache';
      const newest = failing.map((w) => w.lastError).find((e) => e !== undefined);
      const fields = {
        failingSeconds,
        resources: failing.map((w) => w.resource),
        ...(newest !== undefined ? { error: newest instanceof Error ? newest.message : String(newest) } : {}),
      };
      return { healthy: false, failingSeconds, log: { level: 'warn', message, fields } };
    }
    if (this.warnedAt === undefined) return { healthy: true, failingSeconds };
    // Back: every watch that failed works again (or fails only briefly).
    const outage = Math.round((now - (this.outageFrom ?? now)) / 100) / 10;
    this.warnedAt = undefined;
    this.outageFrom = undefined;
    return { healthy: true, failingSeconds, log: { level: 'info', message: 'Kubernetes API reachable again', fields: { outageSeconds: outage } } };
  }
}

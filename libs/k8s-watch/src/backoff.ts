// Exponential backoff with jitter, for retrying after API errors. Pure: the random source is a
// parameter, and time is the caller's business (this only says how long to wait).

export interface BackoffOptions {
  /** First delay, in milliseconds. */
  readonly initialMs: number;
  /** Largest delay; jitter only ever shortens it, so this is a true ceiling. */
  readonly maxMs: number;
  /** Growth per attempt (default 2). */
  readonly factor?: number;
  /**
   * Fraction of each delay drawn at random (0..1, default 0.5): the delay is uniform in
   * [d·(1-jitter), d]. Spreads clients that failed together so that they do not retry together.
   */
  readonly jitter?: number;
  /** Source of uniform numbers in [0, 1) (default Math.random). */
  readonly random?: () => number;
}

export class Backoff {
  private failures = 0;
  private exponent = 0;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions) {
    if (!(options.initialMs >= 0) || !(options.maxMs >= options.initialMs)) {
      throw new RangeError(`backoff: need 0 <= initialMs <= maxMs, got initialMs=${options.initialMs} maxMs=${options.maxMs}`);
    }
    this.factor = options.factor ?? 2;
    this.jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
    this.random = options.random ?? Math.random;
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.failures;
  }

  /** The delay before the next retry; each call counts one more failure. */
  next(): number {
    const base = Math.min(this.options.maxMs, this.options.initialMs * this.factor ** this.exponent);
    this.failures++;
    // Stop growing the exponent at the cap so that it never overflows to Infinity.
    if (base < this.options.maxMs) this.exponent++;
    return base * (1 - this.jitter * this.random());
  }

  reset(): void {
    this.failures = 0;
    this.exponent = 0;
  }
}

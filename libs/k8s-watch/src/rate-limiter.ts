// How long a failed key waits before it is processed again. Per-key exponential growth keeps one
// broken object from being hammered; a shared token bucket keeps a burst of failures across many
// keys from hammering the API server.
import { type Clock } from './clock.js';

export interface RateLimiter<K> {
  /** Milliseconds the key should wait now; counts as one more retry of it. */
  when(key: K): number;
  /** The key succeeded: its next failure starts from the smallest delay again. */
  forget(key: K): void;
  /** Retries counted for the key since it was last forgotten. */
  retries(key: K): number;
}

export interface ExponentialLimiterOptions {
  /** Delay after the first failure (default 5 ms). */
  readonly baseMs?: number;
  /** Cap on the delay (default 5 minutes). */
  readonly maxMs?: number;
}

export class PerKeyExponentialLimiter<K> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(options: ExponentialLimiterOptions = {}) {
    this.baseMs = options.baseMs ?? 5;
    this.maxMs = options.maxMs ?? 300_000;
    if (!(this.baseMs > 0) || !(this.maxMs >= this.baseMs)) {
      throw new RangeError(`rate limiter: need 0 < baseMs <= maxMs, got baseMs=${this.baseMs} maxMs=${this.maxMs}`);
    }
  }

  when(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2**n overflows to Infinity past n=1023; Math.min keeps the cap either way.
    return Math.min(this.maxMs, this.baseMs * 2 ** n);
  }

  forget(key: K): void {
    this.failures.delete(key);
  }

  retries(key: K): number {
    return this.failures.get(key) ?? 0;
  }
}

export interface TokenBucketOptions {
  /** Sustained rate, tokens per second. */
  readonly qps: number;
  /** Tokens available at once. */
  readonly burst: number;
  readonly clock: Clock;
}

/** One bucket for all keys; `when` reserves a token, so callers queue up behind each other. */
export class TokenBucketLimiter<K> implements RateLimiter<K> {
  private tokens: number;
  private last: number;

  constructor(private readonly options: TokenBucketOptions) {
    if (!(options.qps > 0) || !(options.burst >= 1)) {
      throw new RangeError(`token bucket: need qps > 0 and burst >= 1, got qps=${options.qps} burst=${options.burst}`);
    }
    this.tokens = options.burst;
    this.last = options.clock.now();
  }

  when(_key: K): number {
    const now = this.options.clock.now();
    this.tokens = Math.min(this.options.burst, this.tokens + ((now - this.last) / 1000) * this.options.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.options.qps) * 1000;
  }

  forget(_key: K): void {}

  retries(_key: K): number {
    return 0;
  }
}

/** The longest wait any of the limiters asks for; every limiter sees every call. */
export class MaxOfLimiter<K> implements RateLimiter<K> {
  private readonly limiters: readonly RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    this.limiters = limiters;
  }

  when(key: K): number {
    let wait = 0;
    for (const l of this.limiters) wait = Math.max(wait, l.when(key));
    return wait;
  }

  forget(key: K): void {
    for (const l of this.limiters) l.forget(key);
  }

  retries(key: K): number {
    let n = 0;
    for (const l of this.limiters) n = Math.max(n, l.retries(key));
    return n;
  }
}

export interface ControllerLimiterOptions extends ExponentialLimiterOptions {
  /** Overall retry rate (default 10/s). */
  readonly qps?: number;
  /** Overall retry burst (default 100). */
  readonly burst?: number;
}

/** Per-key exponential backoff (5 ms doubling to 5 min) under a shared 10/s, burst 100 bucket. */
export function controllerRateLimiter<K>(clock: Clock, options: ControllerLimiterOptions = {}): RateLimiter<K> {
  return new MaxOfLimiter<K>(
    new PerKeyExponentialLimiter<K>(options),
    new TokenBucketLimiter<K>({ qps: options.qps ?? 10, burst: options.burst ?? 100, clock }),
  );
}

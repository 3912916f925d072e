// A work queue keyed by object, with the semantics controllers rely on: a key queued twice is
// processed once; a key is never handed to two workers at once (re-adds while it is processed are
// held until `done`); failures come back after a per-key growing delay; shutdown drains. Pure apart
// from the clock, so its behaviour is tested step by step without real time.
import { type Clock, systemClock, type Timer } from './clock.js';
import { controllerRateLimiter, type RateLimiter } from './rate-limiter.js';

/** What the queue reports as it works; the metrics adapter implements it. */
export interface WorkQueueObserver {
  /** A key entered the queue (not counted when it was already queued). */
  added?(): void;
  /** Keys ready to be handed out (queued, not processing, not waiting on a delay). */
  depth?(n: number): void;
  /** A key was re-queued through the rate limiter. */
  retried?(): void;
  /** A key waited this long between entering the queue and being handed out. */
  queued?(ms: number): void;
  /** A key was processed for this long (get → done). */
  processed?(ms: number): void;
}

export interface WorkQueueOptions<K> {
  readonly clock?: Clock;
  /** Delays for `addRateLimited` (default: per-key 5 ms doubling to 5 min, under 10/s burst 100). */
  readonly rateLimiter?: RateLimiter<K>;
  readonly observer?: WorkQueueObserver;
}

interface Waiter<K> {
  resolve(key: K | undefined): void;
}

export class WorkQueue<K = string> {
  private readonly clock: Clock;
  private readonly limiter: RateLimiter<K>;
  private readonly observer: WorkQueueObserver;
  /** Keys ready to be handed out, in order; a key is here at most once. */
  private readonly ready: K[] = [];
  private readyHead = 0;
  /** Keys that need processing (queued or re-added while processing), with when they were added. */
  private readonly dirty = new Map<K, number>();
  /** Keys handed out and not yet done, with when they were handed out. */
  private readonly active = new Map<K, number>();
  /** Keys waiting on a delay, with the time they become ready and the timer that will add them. */
  private readonly delayed = new Map<K, { at: number; timer: Timer }>();
  private readonly getters: Waiter<K>[] = [];
  private closing = false;
  private drained: (() => void)[] = [];

  constructor(options: WorkQueueOptions<K> = {}) {
    this.clock = options.clock ?? systemClock;
    this.limiter = options.rateLimiter ?? controllerRateLimiter<K>(this.clock);
    this.observer = options.observer ?? {};
  }

  /** Keys ready to be handed out. */
  get length(): number {
    return this.ready.length - this.readyHead;
  }

  /** Keys handed out and not yet done. */
  get processing(): number {
    return this.active.size;
  }

  /** Keys waiting on a delay before they are queued. */
  get waiting(): number {
    return this.delayed.size;
  }

  get shuttingDown(): boolean {
    return this.closing;
  }

  /** Queues `key` unless it is already queued; a key being processed is queued again once done. */
  add(key: K): void {
    if (this.closing || this.dirty.has(key)) return;
    this.dirty.set(key, this.clock.now());
    this.observer.added?.();
    if (this.active.has(key)) return;
    this.push(key);
  }

  /** Queues `key` after `ms`; when it is already waiting, the earlier of the two times wins. */
  addAfter(key: K, ms: number): void {
    if (this.closing) return;
    if (!(ms > 0)) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + ms;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return;
    existing?.timer.cancel();
    const timer = this.clock.setTimer(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { at, timer });
  }

  /** Queues `key` after the rate limiter's delay for it (one more retry). */
  addRateLimited(key: K): void {
    if (this.closing) return;
    this.observer.retried?.();
    this.addAfter(key, this.limiter.when(key));
  }

  /** The key succeeded: stop counting its retries. */
  forget(key: K): void {
    this.limiter.forget(key);
  }

  retries(key: K): number {
    return this.limiter.retries(key);
  }

  /** The next key, waiting for one if none is ready; `undefined` once shut down and empty. */
  get(): Promise<K | undefined> {
    const key = this.tryGet();
    if (key !== undefined || this.closing) return Promise.resolve(key);
    return new Promise((resolve) => this.getters.push({ resolve }));
  }

  /** The next ready key, or `undefined` when none is ready now. */
  tryGet(): K | undefined {
    if (this.length === 0) return undefined;
    const key = this.ready[this.readyHead] as K;
    this.readyHead++;
    // Reclaim the consumed head in bulk rather than shifting the array on every get.
    if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
      this.ready.splice(0, this.readyHead);
      this.readyHead = 0;
    }
    const now = this.clock.now();
    const addedAt = this.dirty.get(key) ?? now;
    this.dirty.delete(key);
    this.active.set(key, now);
    this.observer.queued?.(now - addedAt);
    this.observer.depth?.(this.length);
    return key;
  }

  /** Processing of `key` finished; if it was re-added meanwhile it is queued again now. */
  done(key: K): void {
    const startedAt = this.active.get(key);
    if (startedAt === undefined) return;
    this.active.delete(key);
    this.observer.processed?.(this.clock.now() - startedAt);
    if (this.dirty.has(key)) {
      if (this.closing) this.dirty.delete(key);
      else this.push(key);
    }
    this.checkDrained();
  }

  /**
   * Stops accepting keys and drops those waiting on a delay; keys already queued are still handed
   * out. Resolves once the queue is empty and every handed-out key is done.
   */
  shutDown(): Promise<void> {
    this.close();
    return this.whenDrained();
  }

  /** Like shutDown, but also drops the queued keys: only keys being processed are waited for. */
  shutDownNow(): Promise<void> {
    this.close();
    for (let i = this.readyHead; i < this.ready.length; i++) this.dirty.delete(this.ready[i] as K);
    this.ready.length = 0;
    this.readyHead = 0;
    this.observer.depth?.(0);
    this.wakeGettersOnClose();
    return this.whenDrained();
  }

  private close(): void {
    if (this.closing) return;
    this.closing = true;
    for (const { timer } of this.delayed.values()) timer.cancel();
    this.delayed.clear();
    this.wakeGettersOnClose();
  }

  private wakeGettersOnClose(): void {
    // Getters only wait while the queue is empty, so once closed they are all done.
    if (this.length > 0) return;
    for (const g of this.getters.splice(0)) g.resolve(undefined);
  }

  private whenDrained(): Promise<void> {
    return new Promise((resolve) => {
      this.drained.push(resolve);
      this.checkDrained();
    });
  }

  private checkDrained(): void {
    if (!this.closing || this.length > 0 || this.active.size > 0) return;
    this.wakeGettersOnClose();
    for (const resolve of this.drained.splice(0)) resolve();
  }

  private push(key: K): void {
    const getter = this.getters.shift();
    if (getter) {
      // Hand it straight to a waiting worker; it goes through the queue so accounting stays in one place.
      this.ready.push(key);
      getter.resolve(this.tryGet());
      return;
    }
    this.ready.push(key);
    this.observer.depth?.(this.length);
  }
}

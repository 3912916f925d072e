// Leader election over the API: the loop that reads, creates, takes and renews the Lease, with the
// decisions left to ElectionState. Leadership is announced through callbacks and an AbortSignal
// that aborts the moment it ends (deadline passed, lease taken, or stop()).
import { type KubeClient } from './client.js';
import { type Clock, sleep, systemClock, type Timer } from './clock.js';
import { ElectionState, type ElectionTiming } from './election.js';
import { isAlreadyExists, isConflict, isNotFound } from './errors.js';
import { type Lease } from './objects.js';
import { Leases } from './resources.js';

/** What an elector reports; the metrics adapter implements it. */
export interface LeaderElectionObserver {
  leading?(isLeader: boolean): void;
  error?(error: unknown): void;
}

export interface LeaderElectorOptions extends Partial<ElectionTiming> {
  readonly client: KubeClient;
  readonly namespace: string;
  /** The Lease's name. */
  readonly name: string;
  /** Unique per candidate (the pod name, usually). */
  readonly identity: string;
  /** Leadership began; `signal` aborts when it ends. Work started here must stop on that signal. */
  readonly onStartedLeading?: (signal: AbortSignal) => void | Promise<void>;
  /** Leadership ended; awaited before the lease is released on stop(). */
  readonly onStoppedLeading?: () => void | Promise<void>;
  /** The holder of the lease, as seen, changed (an empty string: nobody holds it). */
  readonly onNewLeader?: (identity: string) => void;
  readonly clock?: Clock;
  /** Wall-clock time for the Lease's acquireTime/renewTime (default: now). */
  readonly wallClock?: () => Date;
  readonly random?: () => number;
  readonly observer?: LeaderElectionObserver;
}

/** client-go's defaults: 15 s lease, 10 s renew deadline, 2 s retry period. */
export const DEFAULT_ELECTION_TIMING: ElectionTiming = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

export class LeaderElector {
  private readonly state: ElectionState;
  private readonly clock: Clock;
  private readonly wallClock: () => Date;
  private readonly random: () => number;
  private readonly abort = new AbortController();
  private leadership: AbortController | undefined;
  private deadlineTimer: Timer | undefined;
  private running: Promise<void> | undefined;
  private lastHolder: string | undefined;
  private stopping: Promise<void> | undefined;
  private ending: Promise<void> | undefined;

  constructor(private readonly options: LeaderElectorOptions) {
    this.state = new ElectionState(options.identity, {
      leaseDurationMs: options.leaseDurationMs ?? DEFAULT_ELECTION_TIMING.leaseDurationMs,
      renewDeadlineMs: options.renewDeadlineMs ?? DEFAULT_ELECTION_TIMING.renewDeadlineMs,
      retryPeriodMs: options.retryPeriodMs ?? DEFAULT_ELECTION_TIMING.retryPeriodMs,
    });
    this.clock = options.clock ?? systemClock;
    this.wallClock = options.wallClock ?? (() => new Date());
    this.random = options.random ?? Math.random;
  }

  get identity(): string {
    return this.options.identity;
  }

  /** True only while the current term lasts; check it before acting as the leader. */
  isLeader(): boolean {
    return this.leadership !== undefined && this.state.isLeader(this.clock.now());
  }

  /** The holder of the lease as last seen ('' when nobody holds it). */
  get leader(): string {
    return this.state.holder;
  }

  start(): void {
    if (this.running || this.abort.signal.aborted) return;
    this.running = this.run();
  }

  /**
   * Stops campaigning. A leader first stops leading (onStoppedLeading is awaited), then, unless
   * `release` is false, gives the lease up so that another candidate takes over at once.
   * `release: false` behaves like a crash: others take over once the lease expires.
   */
  stop(options: { release?: boolean } = {}): Promise<void> {
    this.stopping ??= this.shutdown(options.release ?? true);
    return this.stopping;
  }

  private async shutdown(release: boolean): Promise<void> {
    this.abort.abort(new Error('leader elector stopped'));
    await this.endLeadership();
    await this.running;
    const lease = this.state.lease;
    if (release && lease && lease.spec?.holderIdentity === this.options.identity) {
      try {
        await this.options.client.update(Leases, { ...lease, spec: this.state.releasedSpec(this.wallClock()) }, { timeoutMs: this.requestTimeout() });
      } catch (error) {
        // Someone took it already, or the server is away: the lease expires by itself.
        this.options.observer?.error?.(error);
      }
    }
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      if (this.leadership) await this.lead(this.leadership.signal);
      else await this.campaign(signal);
    }
  }

  /** Lease requests give up after a renew deadline: an answer later than that is of no use. */
  private requestTimeout(): number {
    return this.state.timing.renewDeadlineMs;
  }

  private retryDelay(): number {
    // Up to 20% shorter, never longer: candidates spread out and the takeover bound still holds.
    return this.state.timing.retryPeriodMs * (1 - 0.2 * this.random());
  }

  /** One candidate round: read the lease, then create it, take it, or wait. */
  private async campaign(signal: AbortSignal): Promise<void> {
    const { client, namespace, name } = this.options;
    try {
      let lease: Lease | undefined;
      try {
        lease = await client.get(Leases, namespace, name, { signal, timeoutMs: this.requestTimeout() });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      this.state.observe(lease, this.clock.now());
      this.noticeHolder();
      const action = this.state.decide(this.clock.now());
      if (action.kind === 'wait') {
        await sleep(this.clock, Math.min(this.retryDelay(), Math.max(action.ms, 0)), signal);
        return;
      }
      const sentAt = this.clock.now();
      const spec = this.state.specFor(action.kind === 'create' ? 'create' : 'acquire', this.wallClock());
      const written =
        action.kind === 'create'
          ? await client.create(Leases, { metadata: { name, namespace }, spec }, { timeoutMs: this.requestTimeout() })
          : await client.update(Leases, { ...(lease as Lease), spec }, { timeoutMs: this.requestTimeout() });
      this.state.wrote(written, sentAt, this.clock.now());
      if (signal.aborted) {
        // Stopped meanwhile: do not start leading; stop() releases what was just taken.
        this.state.lose();
        return;
      }
      this.noticeHolder();
      if (this.state.isLeader(this.clock.now())) this.beginLeadership();
    } catch (error) {
      if (signal.aborted) return;
      // Someone else wrote first: read again at once. Anything else: wait a retry period.
      if (isConflict(error) || isAlreadyExists(error)) return;
      this.options.observer?.error?.(error);
      await sleep(this.clock, this.retryDelay(), signal).catch(() => {});
    }
  }

  /** Renews every retry period until the term lapses, the lease is taken, or we stop. */
  private async lead(signal: AbortSignal): Promise<void> {
    const { client, namespace, name } = this.options;
    while (!signal.aborted) {
      await sleep(this.clock, this.state.timing.retryPeriodMs, signal).catch(() => {});
      if (signal.aborted) break;
      const current = this.state.lease;
      if (!current) break;
      const sentAt = this.clock.now();
      try {
        const written = await this.withSignal(client.update(Leases, { ...current, spec: this.state.specFor('renew', this.wallClock()) }, { timeoutMs: this.requestTimeout() }), signal);
        if (signal.aborted) break;
        this.state.wrote(written, sentAt, this.clock.now());
        this.armDeadline();
      } catch (error) {
        if (signal.aborted) break;
        if (!isConflict(error)) {
          this.options.observer?.error?.(error);
          continue;
        }
        // The lease changed under us: if it is no longer ours, leadership is over now.
        try {
          const lease = await this.withSignal(client.get(Leases, namespace, name, { timeoutMs: this.requestTimeout() }), signal);
          this.state.observe(lease, this.clock.now());
          this.noticeHolder();
          if (lease.spec?.holderIdentity !== this.options.identity) await this.endLeadership();
        } catch (readError) {
          if (isNotFound(readError)) await this.endLeadership();
          else this.options.observer?.error?.(readError);
        }
      }
    }
    // Leave through endLeadership in every case, so callbacks run exactly once.
    await this.endLeadership();
  }

  /** Races a request against the end of leadership; the request itself is left to finish. */
  private withSignal<T>(request: Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      request.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e as Error);
        },
      );
    });
  }

  private beginLeadership(): void {
    const leadership = new AbortController();
    this.leadership = leadership;
    this.armDeadline();
    this.options.observer?.leading?.(true);
    const start = this.options.onStartedLeading;
    if (start) {
      void (async () => {
        try {
          await start(leadership.signal);
        } catch (error) {
          this.options.observer?.error?.(error);
        }
      })();
    }
  }

  /** Fires when the term runs out without a renewal: leadership ends then, whatever is in flight. */
  private armDeadline(): void {
    this.deadlineTimer?.cancel();
    const wait = this.state.leaderDeadline - this.clock.now();
    this.deadlineTimer = this.clock.setTimer(() => {
      if (!this.state.isLeader(this.clock.now())) void this.endLeadership();
      else this.armDeadline();
    }, wait);
  }

  /** Ends the current term once; every caller waits for onStoppedLeading to finish. */
  private endLeadership(): Promise<void> {
    const leadership = this.leadership;
    if (!leadership) return this.ending ?? Promise.resolve();
    this.leadership = undefined;
    this.ending = this.finishTerm(leadership);
    return this.ending;
  }

  private async finishTerm(leadership: AbortController): Promise<void> {
    this.state.lose();
    this.deadlineTimer?.cancel();
    this.deadlineTimer = undefined;
    leadership.abort(new Error('leadership ended'));
    this.options.observer?.leading?.(false);
    try {
      await this.options.onStoppedLeading?.();
    } catch (error) {
      this.options.observer?.error?.(error);
    }
  }

  private noticeHolder(): void {
    const holder = this.state.holder;
    if (holder === this.lastHolder) return;
    this.lastHolder = holder;
    try {
      this.options.onNewLeader?.(holder);
    } catch (error) {
      this.options.observer?.error?.(error);
    }
  }
}

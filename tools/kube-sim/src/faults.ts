// Fault injection for tests: failing or delaying matching requests, dropping every watch,
// refusing connections for a while (an API outage) and compacting history (forcing 410 Gone).
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, internalError, tooManyRequests } from './status.js';

/** Which requests a fault applies to; every given condition must hold. */
export interface RequestMatch {
  readonly method?: string;
  /** A substring of the path, or a regular expression tested against it. */
  readonly path?: string | RegExp;
  /** Only watches (true) or only non-watch requests (false). */
  readonly watch?: boolean;
}

export interface FailOptions extends RequestMatch {
  /** 500 (default), 429, 503 or any other error code. */
  readonly status?: number;
  /** Sent as `Retry-After` (and in the Status details); default 1 for 429. */
  readonly retryAfterSeconds?: number;
  /** How many matching requests fail; unlimited until clear() when absent. */
  readonly count?: number;
}

export interface DelayOptions extends RequestMatch {
  readonly count?: number;
}

export interface RequestInfo {
  readonly method: string;
  readonly path: string;
  readonly watch: boolean;
}

interface Rule<T> {
  readonly match: RequestMatch;
  remaining: number;
  readonly value: T;
}

function matches(m: RequestMatch, r: RequestInfo): boolean {
  if (m.method && m.method.toUpperCase() !== r.method.toUpperCase()) return false;
  if (m.watch !== undefined && m.watch !== r.watch) return false;
  if (m.path !== undefined) {
    if (typeof m.path === 'string' ? !r.path.includes(m.path) : !m.path.test(r.path)) return false;
  }
  return true;
}

function take<T>(rules: Array<Rule<T>>, r: RequestInfo): T | undefined {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] as Rule<T>;
    if (!matches(rule.match, r)) continue;
    rule.remaining--;
    if (rule.remaining <= 0) rules.splice(i, 1);
    return rule.value;
  }
  return undefined;
}

function errorFor(status: number, retryAfterSeconds: number | undefined): ApiError {
  if (status === 429) return tooManyRequests(retryAfterSeconds ?? 1);
  if (status === 500) return internalError('injected fault');
  const reason = status === 503 ? 'ServiceUnavailable' : status === 504 ? 'Timeout' : 'InternalError';
  const details = retryAfterSeconds !== undefined ? { retryAfterSeconds } : undefined;
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'injected fault', reason, code: status, ...(details ? { details } : {}) });
}

/** Hooks into the parts of the server that faults reach. */
export interface FaultTargets {
  closeWatches(): number;
  refuseConnections(ms: number): Promise<void>;
  compact(): void;
}

export class Faults {
  private failures: Array<Rule<{ status: number; retryAfterSeconds: number | undefined }>> = [];
  private delays: Array<Rule<number>> = [];
  /** Requests that failed or were delayed by a fault, for assertions. */
  injected = 0;

  constructor(private readonly targets: FaultTargets) {}

  /** Fails matching requests with `status` (500 by default), `count` times or until clear(). */
  failRequests(options: FailOptions = {}): void {
    const { status = 500, retryAfterSeconds, count, ...match } = options;
    this.failures.push({ match, remaining: count ?? Infinity, value: { status, retryAfterSeconds } });
  }

  /** Delays matching requests by `ms` before they are served. */
  delayRequests(ms: number, options: DelayOptions = {}): void {
    const { count, ...match } = options;
    this.delays.push({ match, remaining: count ?? Infinity, value: ms });
  }

  /** Ends every open watch stream now; returns how many were closed. */
  closeWatches(): number {
    return this.targets.closeWatches();
  }

  /** Closes the listener and every connection, refusing new ones for `ms`; resolves when back. */
  outage(ms: number): Promise<void> {
    return this.targets.refuseConnections(ms);
  }

  /** Forgets the event history: watches and continues from any older resourceVersion get 410. */
  compactHistory(): void {
    this.targets.compact();
  }

  clear(): void {
    this.failures = [];
    this.delays = [];
  }

  /** Called by the HTTP adapter before serving a request: waits out delays, throws failures. */
  async before(request: RequestInfo): Promise<void> {
    const delay = take(this.delays, request);
    if (delay !== undefined) {
      this.injected++;
      await sleep(delay);
    }
    const failure = take(this.failures, request);
    if (failure) {
      this.injected++;
      throw errorFor(failure.status, failure.retryAfterSeconds);
    }
  }
}

// Leader election decisions on a coordination.k8s.io/v1 Lease, without I/O. Two rules keep two
// leaders from overlapping:
//  - a leader counts its term from when it *sent* its last successful renewal and stops leading
//    `renewDeadline` later unless another renewal succeeds; the server applied that renewal no
//    earlier than it was sent;
//  - a candidate counts a lease as expired only when it has seen the same version of it for a full
//    `leaseDuration` on its own clock, starting when it *received* that version; and it takes the
//    lease with an update conditional on that version, so any renewal in between makes it fail.
// Since renewDeadline < leaseDuration, the old leader stops before the new one can start.
import { type Lease } from './objects.js';

export interface ElectionTiming {
  /** How long others wait on an unrenewed lease before taking it. Sent as leaseDurationSeconds (rounded up). */
  readonly leaseDurationMs: number;
  /** A leader that has not renewed for this long stops leading; must be shorter than leaseDurationMs. */
  readonly renewDeadlineMs: number;
  /** Pause between attempts to acquire or renew; must be shorter than renewDeadlineMs. */
  readonly retryPeriodMs: number;
}

/** Every problem with the timing at once, or none. */
export function timingErrors(t: ElectionTiming): string[] {
  const errors: string[] = [];
  if (!(t.leaseDurationMs >= 1000)) errors.push(`leaseDurationMs must be at least 1000 (a Lease counts whole seconds), got ${t.leaseDurationMs}`);
  if (!(t.renewDeadlineMs > 0)) errors.push(`renewDeadlineMs must be positive, got ${t.renewDeadlineMs}`);
  if (!(t.retryPeriodMs > 0)) errors.push(`retryPeriodMs must be positive, got ${t.retryPeriodMs}`);
  if (t.renewDeadlineMs >= t.leaseDurationMs) errors.push(`renewDeadlineMs (${t.renewDeadlineMs}) must be less than leaseDurationMs (${t.leaseDurationMs})`);
  if (t.retryPeriodMs >= t.renewDeadlineMs) errors.push(`retryPeriodMs (${t.retryPeriodMs}) must be less than renewDeadlineMs (${t.renewDeadlineMs})`);
  return errors;
}

export type ElectionAction =
  /** No lease exists: create it holding it ourselves. */
  | { readonly kind: 'create' }
  /** Take the lease (free, expired, or already ours) with an update conditional on its version. */
  | { readonly kind: 'acquire' }
  /** We lead: renew. */
  | { readonly kind: 'renew' }
  /** Someone else holds a live lease: look again after `ms`. */
  | { readonly kind: 'wait'; readonly ms: number; readonly holder: string };

/** MicroTime as the API writes it: RFC 3339 with microseconds, UTC. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class ElectionState {
  private observed: Lease | undefined;
  private observedVersion: string | undefined;
  private observedAt = Number.NEGATIVE_INFINITY;
  private seen = false;
  private leadingUntil = Number.NEGATIVE_INFINITY;

  constructor(
    readonly identity: string,
    readonly timing: ElectionTiming,
  ) {
    const errors = timingErrors(timing);
    if (errors.length > 0) throw new RangeError(`leader election: ${errors.join('; ')}`);
    if (identity === '') throw new RangeError('leader election: identity must not be empty');
  }

  /** The lease as last read or written (undefined: none seen, or it does not exist). */
  get lease(): Lease | undefined {
    return this.observed;
  }

  /** Who holds the lease as last seen ('' when nobody). */
  get holder(): string {
    return this.observed?.spec?.holderIdentity ?? '';
  }

  /** Until when (monotonic ms) we lead, if no renewal succeeds meanwhile. */
  get leaderDeadline(): number {
    return this.leadingUntil;
  }

  isLeader(now: number): boolean {
    return now < this.leadingUntil;
  }

  /** A read of the lease arrived at `receivedAt` (undefined: it does not exist). */
  observe(lease: Lease | undefined, receivedAt: number): void {
    const version = lease?.metadata?.resourceVersion;
    if (!this.seen || lease === undefined || version !== this.observedVersion) {
      this.observedVersion = version;
      this.observedAt = receivedAt;
    }
    this.observed = lease;
    this.seen = true;
  }

  /** Our create or update, sent at `sentAt`, succeeded: we lead until sentAt + renewDeadline. */
  wrote(lease: Lease, sentAt: number, receivedAt: number): void {
    this.observe(lease, receivedAt);
    this.leadingUntil = Math.max(this.leadingUntil, sentAt + this.timing.renewDeadlineMs);
  }

  /** We stop leading now (deadline passed, lease taken, or shutting down). */
  lose(): void {
    this.leadingUntil = Number.NEGATIVE_INFINITY;
  }

  decide(now: number): ElectionAction {
    if (this.isLeader(now)) return { kind: 'renew' };
    const lease = this.observed;
    if (!this.seen) return { kind: 'wait', ms: 0, holder: '' };
    if (!lease) return { kind: 'create' };
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder === '' || holder === this.identity) return { kind: 'acquire' };
    const durationMs = Math.max(1, lease.spec?.leaseDurationSeconds ?? Math.ceil(this.timing.leaseDurationMs / 1000)) * 1000;
    const expiresIn = this.observedAt + durationMs - now;
    if (expiresIn <= 0) return { kind: 'acquire' };
    return { kind: 'wait', ms: expiresIn, holder };
  }

  /** The Lease spec to write for `action` at wall-clock time `wallNow`. */
  specFor(action: 'create' | 'acquire' | 'renew', wallNow: Date): NonNullable<Lease['spec']> {
    const now = microTime(wallNow);
    const current = action === 'create' ? undefined : this.observed?.spec;
    const durationSeconds = Math.ceil(this.timing.leaseDurationMs / 1000);
    const keep = current !== undefined && current.holderIdentity === this.identity;
    return {
      ...(current ?? {}),
      holderIdentity: this.identity,
      leaseDurationSeconds: durationSeconds,
      acquireTime: keep && current?.acquireTime ? current.acquireTime : now,
      renewTime: now,
      leaseTransitions: (current?.leaseTransitions ?? 0) + (current !== undefined && !keep ? 1 : 0),
    };
  }

  /** The spec that gives the lease up: no holder, and a 1 s duration for anyone still reading it. */
  releasedSpec(wallNow: Date): NonNullable<Lease['spec']> {
    const now = microTime(wallNow);
    return { ...(this.observed?.spec ?? {}), holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now };
  }
}

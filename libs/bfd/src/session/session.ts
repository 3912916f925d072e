// One BFD session as RFC 5880 §6 describes it: events in (a received packet, the clock reaching
// the session's deadline, an administrative command), actions out (packets to send, state
// changes, the next deadline). No sockets, no clocks: `now` is whatever millisecond clock the
// caller runs, real or virtual.
import { type ControlPacket } from '../codec/control-packet.js';
import { Diagnostic, type SessionState } from '../codec/constants.js';
import { type EchoPacket } from './echo-packet.js';
import { jitteredInterval } from './jitter.js';
import { ECHO_CONTROL_RX_INTERVAL_MS, SLOW_START_INTERVAL_MS, sessionOptionProblems, type SessionOptions, type SessionTimers } from './options.js';

/** Why the state changed; the `down` event of the manager carries it as its reason. */
export type StateCause =
  /** The three-way handshake advanced: the peer's packet said Down, Init or Up. */
  | 'handshake'
  /** RFC 5880 §6.8.4: no control packet for a detection time (diagnostic 1). */
  | 'detection-time-expired'
  /** RFC 5880 §6.8.5: our echo packets stopped coming back (diagnostic 2). */
  | 'echo-failed'
  /** The peer said Down while we were Up (diagnostic 3). */
  | 'neighbor-down'
  /** The peer said AdminDown (diagnostic 3). */
  | 'neighbor-admin-down'
  /** `adminDown()` here. */
  | 'admin-down'
  /** `adminUp()` here. */
  | 'admin-up';

/** The intervals in force, in milliseconds; what the peer last told us besides. */
export interface NegotiatedTimers {
  /** Between our periodic control packets (before jitter): max(our Desired Min TX, their Required Min RX). */
  readonly transmitInterval: number;
  /** Silence that takes the session down: their Detect Mult × max(our Required Min RX, their Desired Min TX); 0 before their first packet. */
  readonly detectionTime: number;
  /** Between our echo packets while the echo function is active, else 0. */
  readonly echoInterval: number;
  readonly echoDetectionTime: number;
  readonly remoteDetectMultiplier: number;
  readonly remoteDesiredMinTxInterval: number;
  readonly remoteRequiredMinRxInterval: number;
  readonly remoteRequiredMinEchoRxInterval: number;
}

/** Why the session discarded a packet the manager gave it. */
export type SessionDropReason =
  /** A bit set: authentication is not in use on our side (RFC 5880 §6.8.6). */
  | 'authentication'
  /** An echo packet came back while the echo function is not active. */
  | 'echo-inactive';

/** A change of state, as the session reports it and the manager's events carry it. */
export interface StateChange {
  readonly from: SessionState;
  readonly to: SessionState;
  readonly cause: StateCause;
  /** Our diagnostic after the change (what our packets now carry). */
  readonly diagnostic: number;
  /** The diagnostic in the peer's last packet. */
  readonly remoteDiagnostic: number;
}

export type SessionAction =
  | { readonly type: 'send'; readonly packet: ControlPacket }
  | { readonly type: 'send-echo'; readonly packet: EchoPacket }
  | ({ readonly type: 'state' } & StateChange)
  | { readonly type: 'timers'; readonly timers: NegotiatedTimers }
  | { readonly type: 'dropped'; readonly reason: SessionDropReason }
  /** Call `tick(at)` then (or earlier: ticking early is harmless); Infinity when nothing is due. */
  | { readonly type: 'timer'; readonly at: number };

export interface SessionStats {
  controlSent: number;
  controlReceived: number;
  echoSent: number;
  echoReceived: number;
  stateChanges: number;
  pollsStarted: number;
  finalsSent: number;
  dropped: Record<SessionDropReason, number>;
}

/** Thrown by the Session constructor: every problem with the options. */
export class SessionOptionsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid BFD session options:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SessionOptionsError';
  }
}

const NONE = Number.POSITIVE_INFINITY;
/** bfd.RemoteMinRxInterval starts at 1 µs (RFC 5880 §6.8.1). */
const INITIAL_REMOTE_MIN_RX_MS = 0.001;

const toMicros = (ms: number): number => Math.min(0xffffffff, Math.round(ms * 1000));

export class Session {
  readonly localDiscriminator: number;
  readonly passive: boolean;
  readonly stats: SessionStats = {
    controlSent: 0,
    controlReceived: 0,
    echoSent: 0,
    echoReceived: 0,
    stateChanges: 0,
    pollsStarted: 0,
    finalsSent: 0,
    dropped: { authentication: 0, 'echo-inactive': 0 },
  };

  private sessionState: SessionState;
  private remoteSessionState: SessionState = 'Down';
  private remoteDiscr = 0;
  private localDiag: number = Diagnostic.None;
  private remoteDiag: number = Diagnostic.None;
  private configured: SessionTimers;
  private readonly echoTarget: number | undefined;
  private readonly random: () => number;

  /** bfd.DesiredMinTxInterval and bfd.RequiredMinRxInterval: what our packets advertise. */
  private advertisedTx: number;
  private advertisedRx: number;
  /**
   * The values in force locally. They follow the advertised ones, except that a raised Desired
   * Min TX and a lowered Required Min RX wait for the peer's Final while Up (RFC 5880 §6.8.3).
   */
  private txInEffect: number;
  private rxInEffect: number;

  private remoteMinRx = INITIAL_REMOTE_MIN_RX_MS;
  private remoteDesiredTx = 0;
  private remoteMultiplier = 0;
  private remoteMinEchoRx = 0;
  private remoteDemand = false;

  private pollActive = false;
  /** A timer change that came while a Poll was outstanding; it starts after Final and one more packet. */
  private pollQueued = false;
  private pollSnapshot = { tx: 0, rx: 0 };

  private lastPeriodicTxAt = -NONE;
  private nextTxAt = NONE;
  private scheduledInterval = 0;
  private detectAt = NONE;
  private echoNextAt = NONE;
  private echoDetectAt = NONE;
  private echoSequence = 0;

  /** Collected during one call: a packet is owed now, and whether it must carry Final. */
  private sendNow = false;
  private finalOwed = false;
  private out: SessionAction[] = [];
  private lastDeadline = NONE;
  private lastTimers: NegotiatedTimers | undefined;

  constructor(options: SessionOptions) {
    const problems = sessionOptionProblems(options);
    if (problems.length > 0) throw new SessionOptionsError(problems);
    this.localDiscriminator = options.localDiscriminator;
    this.passive = options.passive ?? false;
    this.echoTarget = options.echo?.interval;
    this.random = options.random ?? Math.random;
    this.configured = { desiredMinTxInterval: options.desiredMinTxInterval, requiredMinRxInterval: options.requiredMinRxInterval, detectMultiplier: options.detectMultiplier };
    this.sessionState = options.adminDown ? 'AdminDown' : 'Down';
    if (options.adminDown) this.localDiag = Diagnostic.AdministrativelyDown;
    this.advertisedTx = this.txTarget();
    this.advertisedRx = this.rxTarget();
    this.txInEffect = this.advertisedTx;
    this.rxInEffect = this.advertisedRx;
  }

  get state(): SessionState {
    return this.sessionState;
  }
  get remoteState(): SessionState {
    return this.remoteSessionState;
  }
  get remoteDiscriminator(): number {
    return this.remoteDiscr;
  }
  get diagnostic(): number {
    return this.localDiag;
  }
  get remoteDiagnostic(): number {
    return this.remoteDiag;
  }
  get timers(): SessionTimers {
    return this.configured;
  }
  get pollInProgress(): boolean {
    return this.pollActive;
  }
  get echoActive(): boolean {
    return this.echoTarget !== undefined && this.sessionState === 'Up' && this.remoteMinEchoRx > 0;
  }
  /** When `tick` must next be called; Infinity when nothing is scheduled. */
  get deadline(): number {
    return Math.min(this.nextTxAt, this.detectAt, this.echoNextAt, this.echoDetectAt);
  }

  negotiated(): NegotiatedTimers {
    const echo = this.echoActive;
    return {
      transmitInterval: this.transmitInterval(),
      detectionTime: this.detectionTime() === NONE ? 0 : this.detectionTime(),
      echoInterval: echo ? this.echoInterval() : 0,
      echoDetectionTime: echo ? this.echoInterval() * this.configured.detectMultiplier : 0,
      remoteDetectMultiplier: this.remoteMultiplier,
      remoteDesiredMinTxInterval: this.remoteDesiredTx,
      remoteRequiredMinRxInterval: this.remoteMinRx,
      remoteRequiredMinEchoRxInterval: this.remoteMinEchoRx,
    };
  }

  /** Begins the session: an active session sends its first packet at once. */
  start(now: number): SessionAction[] {
    if (this.mayTransmitPeriodically()) this.sendNow = true;
    this.rescheduleTx(now);
    return this.finish(now);
  }

  /** A control packet for this session that passed the stateless checks (`receptionProblem`). */
  receive(packet: ControlPacket, now: number): SessionAction[] {
    if (packet.authentication) {
      this.stats.dropped.authentication += 1;
      this.out.push({ type: 'dropped', reason: 'authentication' });
      return this.finish(now);
    }
    this.stats.controlReceived += 1;
    this.remoteDiscr = packet.myDiscriminator;
    this.remoteSessionState = packet.state;
    this.remoteDemand = packet.demand;
    this.remoteDiag = packet.diagnostic;
    this.remoteMinRx = packet.requiredMinRxInterval / 1000;
    this.remoteDesiredTx = packet.desiredMinTxInterval / 1000;
    this.remoteMultiplier = packet.detectMultiplier;
    this.remoteMinEchoRx = packet.requiredMinEchoRxInterval / 1000;
    if (this.pollActive && packet.final) this.endPoll();
    else if (this.pollQueued && !this.pollActive && !packet.final) this.beginPoll();
    if (packet.poll) this.finalOwed = true;

    if (this.sessionState !== 'AdminDown') {
      if (packet.state === 'AdminDown') {
        if (this.sessionState !== 'Down') this.transition('Down', Diagnostic.NeighborSignaledSessionDown, 'neighbor-admin-down', now);
      } else if (this.sessionState === 'Down') {
        if (packet.state === 'Down') this.transition('Init', this.localDiag, 'handshake', now);
        else if (packet.state === 'Init') this.transition('Up', Diagnostic.None, 'handshake', now);
      } else if (this.sessionState === 'Init') {
        if (packet.state === 'Init' || packet.state === 'Up') this.transition('Up', Diagnostic.None, 'handshake', now);
      } else if (packet.state === 'Down') {
        this.transition('Down', Diagnostic.NeighborSignaledSessionDown, 'neighbor-down', now);
      }
    }
    this.refreshEcho(now);
    // Armed after the state machine, which may have changed the intervals; not in AdminDown.
    this.detectAt = this.sessionState === 'AdminDown' ? NONE : now + this.detectionTime();
    this.rescheduleTx(now);
    return this.finish(now);
  }

  /** One of our echo packets came back (already matched to this session by its discriminator). */
  receiveEcho(now: number): SessionAction[] {
    if (!this.echoActive) {
      this.stats.dropped['echo-inactive'] += 1;
      this.out.push({ type: 'dropped', reason: 'echo-inactive' });
      return this.finish(now);
    }
    this.stats.echoReceived += 1;
    this.echoDetectAt = now + this.echoInterval() * this.configured.detectMultiplier;
    return this.finish(now);
  }

  /** Runs whatever is due at `now`: detection timeouts first, then transmissions. */
  tick(now: number): SessionAction[] {
    if (this.detectAt <= now) this.detectionExpired(now);
    if (this.echoDetectAt <= now) {
      this.echoDetectAt = NONE;
      if (this.sessionState === 'Up') this.transition('Down', Diagnostic.EchoFunctionFailed, 'echo-failed', now);
    }
    if (this.nextTxAt <= now) this.sendNow = true;
    if (this.echoNextAt <= now) {
      this.echoSequence = (this.echoSequence + 1) >>> 0;
      this.stats.echoSent += 1;
      this.out.push({ type: 'send-echo', packet: { myDiscriminator: this.localDiscriminator, sequence: this.echoSequence } });
      this.echoNextAt = now + jitteredInterval(this.echoInterval(), this.configured.detectMultiplier, this.random);
    }
    return this.finish(now);
  }

  /** New intervals or multiplier (a changed BFDProfile); interval changes run a Poll Sequence. */
  setTimers(timers: SessionTimers, now: number): SessionAction[] {
    const multiplierChanged = timers.detectMultiplier !== this.configured.detectMultiplier;
    this.configured = { desiredMinTxInterval: timers.desiredMinTxInterval, requiredMinRxInterval: timers.requiredMinRxInterval, detectMultiplier: timers.detectMultiplier };
    this.applyTimerTargets();
    // RFC 5880 §6.8.7: a packet whose contents change goes out between the periodic ones.
    if (multiplierChanged) this.sendNow = true;
    this.rescheduleTx(now);
    return this.finish(now);
  }

  /** RFC 5880 §6.8.16: stop the session and tell the peer why (diagnostic 7 unless given). */
  adminDown(now: number, diagnostic: number = Diagnostic.AdministrativelyDown): SessionAction[] {
    if (this.sessionState !== 'AdminDown') {
      this.transition('AdminDown', diagnostic, 'admin-down', now);
      this.detectAt = NONE;
      this.refreshEcho(now);
      this.rescheduleTx(now);
    }
    return this.finish(now);
  }

  adminUp(now: number): SessionAction[] {
    if (this.sessionState === 'AdminDown') {
      this.transition('Down', this.localDiag, 'admin-up', now);
      this.rescheduleTx(now);
    }
    return this.finish(now);
  }

  private detectionExpired(now: number): void {
    this.detectAt = NONE;
    if (this.sessionState === 'Init' || this.sessionState === 'Up') this.transition('Down', Diagnostic.ControlDetectionTimeExpired, 'detection-time-expired', now);
    // RFC 5880 §6.8.1 and §6.8.18: forget the peer, so that a passive session falls silent and we
    // no longer pace ourselves by what it asked for.
    this.remoteDiscr = 0;
    this.remoteSessionState = 'Down';
    this.remoteMinRx = INITIAL_REMOTE_MIN_RX_MS;
    this.remoteDesiredTx = 0;
    this.remoteMultiplier = 0;
    this.remoteMinEchoRx = 0;
    this.remoteDemand = false;
    this.refreshEcho(now);
    this.rescheduleTx(now);
  }

  private transition(to: SessionState, diagnostic: number, cause: StateCause, now: number): void {
    const from = this.sessionState;
    this.sessionState = to;
    this.localDiag = diagnostic;
    this.stats.stateChanges += 1;
    this.out.push({ type: 'state', from, to, cause, diagnostic, remoteDiagnostic: this.remoteDiag });
    this.refreshEcho(now);
    this.applyTimerTargets();
    this.sendNow = true;
  }

  /** RFC 5880 §6.8.3: 1 s while not Up; Required Min RX of 1 s while echo carries the detection. */
  private txTarget(): number {
    const tx = this.configured.desiredMinTxInterval;
    return this.sessionState === 'Up' ? tx : Math.max(tx, SLOW_START_INTERVAL_MS);
  }
  private rxTarget(): number {
    const rx = this.configured.requiredMinRxInterval;
    return this.echoActive ? Math.max(rx, ECHO_CONTROL_RX_INTERVAL_MS) : rx;
  }

  private applyTimerTargets(): void {
    const tx = this.txTarget();
    const rx = this.rxTarget();
    if (tx === this.advertisedTx && rx === this.advertisedRx) return;
    const up = this.sessionState === 'Up';
    // Sending faster and accepting slower are safe at once; the rest waits for the Final.
    if (tx < this.advertisedTx || !up) this.txInEffect = up ? Math.min(this.txInEffect, tx) : tx;
    if (rx > this.advertisedRx || !up) this.rxInEffect = up ? Math.max(this.rxInEffect, rx) : rx;
    this.advertisedTx = tx;
    this.advertisedRx = rx;
    if (this.pollActive) this.pollQueued = true;
    else this.beginPoll();
  }

  private beginPoll(): void {
    this.pollActive = true;
    this.pollQueued = false;
    this.pollSnapshot = { tx: this.advertisedTx, rx: this.advertisedRx };
    this.stats.pollsStarted += 1;
  }

  private endPoll(): void {
    this.pollActive = false;
    // What the Final confirms is what the Poll carried; later changes wait for their own Poll.
    this.txInEffect = Math.min(this.advertisedTx, this.pollSnapshot.tx);
    this.rxInEffect = Math.max(this.advertisedRx, this.pollSnapshot.rx);
  }

  private transmitInterval(): number {
    return Math.max(this.txInEffect, this.remoteMinRx);
  }

  private detectionTime(): number {
    return this.remoteMultiplier === 0 ? NONE : this.remoteMultiplier * Math.max(this.rxInEffect, this.remoteDesiredTx);
  }

  private echoInterval(): number {
    return Math.max(this.echoTarget ?? 0, this.remoteMinEchoRx);
  }

  /** RFC 5880 §6.8.7: when periodic packets may go out at all. */
  private mayTransmitPeriodically(): boolean {
    if (this.passive && this.remoteDiscr === 0) return false;
    if (this.remoteMinRx === 0) return false;
    const remoteDemandActive = this.remoteDemand && this.sessionState === 'Up' && this.remoteSessionState === 'Up';
    return !remoteDemandActive || this.pollActive;
  }

  /** Keeps the next periodic transmission consistent with the interval now in force. */
  private rescheduleTx(now: number): void {
    if (!this.mayTransmitPeriodically()) {
      this.nextTxAt = NONE;
      return;
    }
    const interval = this.transmitInterval();
    if (this.nextTxAt === NONE) {
      this.nextTxAt = this.lastPeriodicTxAt === -NONE ? now : Math.max(now, this.lastPeriodicTxAt + jitteredInterval(interval, this.configured.detectMultiplier, this.random));
    } else if (interval !== this.scheduledInterval) {
      this.nextTxAt = Math.max(now, this.lastPeriodicTxAt + jitteredInterval(interval, this.configured.detectMultiplier, this.random));
    }
    this.scheduledInterval = interval;
  }

  private refreshEcho(now: number): void {
    if (this.echoActive) {
      if (this.echoNextAt === NONE) {
        this.echoNextAt = now;
        this.echoDetectAt = now + this.echoInterval() * this.configured.detectMultiplier;
      }
    } else {
      this.echoNextAt = NONE;
      this.echoDetectAt = NONE;
    }
    if (this.rxTarget() !== this.advertisedRx) this.applyTimerTargets();
  }

  private buildPacket(final: boolean): ControlPacket {
    return {
      diagnostic: this.localDiag,
      state: this.sessionState,
      poll: this.pollActive && !final,
      final,
      controlPlaneIndependent: false,
      demand: false,
      multipoint: false,
      detectMultiplier: this.configured.detectMultiplier,
      myDiscriminator: this.localDiscriminator,
      yourDiscriminator: this.remoteDiscr,
      desiredMinTxInterval: toMicros(this.advertisedTx),
      requiredMinRxInterval: toMicros(this.advertisedRx),
      requiredMinEchoRxInterval: this.echoTarget === undefined ? 0 : toMicros(this.echoTarget),
    };
  }

  private timersChanged(): boolean {
    const last = this.lastTimers;
    if (!last) return true;
    const detection = this.detectionTime();
    return (
      last.transmitInterval !== this.transmitInterval() ||
      last.detectionTime !== (detection === NONE ? 0 : detection) ||
      last.echoInterval !== (this.echoActive ? this.echoInterval() : 0) ||
      last.remoteDetectMultiplier !== this.remoteMultiplier ||
      last.remoteDesiredMinTxInterval !== this.remoteDesiredTx ||
      last.remoteRequiredMinRxInterval !== this.remoteMinRx ||
      last.remoteRequiredMinEchoRxInterval !== this.remoteMinEchoRx
    );
  }

  /** Ends every public call: the owed packet (one, carrying Final when a Poll came in), timers, deadline. */
  private finish(now: number): SessionAction[] {
    const silent = this.passive && this.remoteDiscr === 0;
    if ((this.sendNow || this.finalOwed) && !silent) {
      this.stats.controlSent += 1;
      if (this.finalOwed) this.stats.finalsSent += 1;
      this.out.push({ type: 'send', packet: this.buildPacket(this.finalOwed) });
      // Any packet we send restarts the periodic interval: the peer hears from us at least as often.
      this.lastPeriodicTxAt = now;
      if (this.mayTransmitPeriodically()) {
        this.scheduledInterval = this.transmitInterval();
        this.nextTxAt = now + jitteredInterval(this.scheduledInterval, this.configured.detectMultiplier, this.random);
      }
    }
    this.sendNow = false;
    this.finalOwed = false;
    // Compared field by field first: this runs for every packet, a change is rare.
    if (this.timersChanged()) {
      const timers = this.negotiated();
      this.lastTimers = timers;
      this.out.push({ type: 'timers', timers });
    }
    const deadline = this.deadline;
    if (deadline !== this.lastDeadline) {
      this.lastDeadline = deadline;
      this.out.push({ type: 'timer', at: deadline });
    }
    const out = this.out;
    this.out = [];
    return out;
  }
}


// Many sessions in one process, still without sockets or clocks: demultiplexes received packets
// to sessions (RFC 5880 §6.8.6, RFC 5881 §5, RFC 5883 §5), applies the TTL rules, keeps one
// deadline for all sessions, counts everything, and turns session actions into datagrams to send
// and events for the BGP speaker.
import { type IpFamily } from '@lb/ip';
import { parseAddress } from '../address.js';
import { controlPacket, receptionProblem, type ReceptionProblem } from '../codec/control-packet.js';
import { ECHO_PORT, MULTIHOP_CONTROL_PORT, SINGLE_HOP_CONTROL_PORT, diagnosticText, type SessionState } from '../codec/constants.js';
import { type DecodeFailure } from '../codec/errors.js';
import { err, ok, type Result } from '../result.js';
import { echoPacket } from '../session/echo-packet.js';
import { Session, type NegotiatedTimers, type SessionAction, type SessionDropReason, type SessionStats, type StateCause, type StateChange } from '../session/session.js';
import { DeadlineHeap, type HeapEntry } from './deadline-heap.js';
import { resolveProfile, type BfdProfile, type ResolvedProfile } from './profile.js';

/** What a session is for: a peer reached from a local address, one hop or several away. */
export interface SessionSpec {
  readonly peerAddress: string;
  /** The address our packets come from and the peer's arrive at. */
  readonly localAddress: string;
  /** RFC 5883 multihop (port 4784, `minimumTtl`) instead of RFC 5881 single hop (port 3784, TTL 255). */
  readonly multihop?: boolean;
  readonly profile?: BfdProfile;
  /** Create the session in AdminDown. */
  readonly adminDown?: boolean;
}

/** A datagram that arrived on a control or echo port. */
export interface ReceivedDatagram {
  readonly bytes: Uint8Array;
  readonly sourceAddress: string;
  readonly sourcePort: number;
  /** Our address it was sent to. */
  readonly destinationAddress: string;
  /** Arrived on the multihop port (4784) rather than the single-hop one (3784). */
  readonly multihop: boolean;
  /** IP TTL / IPv6 hop limit as received; undefined when the socket cannot tell (no check then). */
  readonly ttl: number | undefined;
}

export type DropReason =
  /** Not a well-formed control packet (details under `malformed`). */
  | 'malformed'
  /** RFC 5881 §5: single hop needs TTL 255; RFC 5883 §5: multihop needs at least `minimumTtl`. */
  | 'ttl'
  /** Your Discriminator names no session, or (when zero) no session has these addresses. */
  | 'no-session'
  /** Your Discriminator names a session of another peer, or of the other hop kind. */
  | 'wrong-peer'
  | ReceptionProblem
  | SessionDropReason
  /** Something on the echo port that is not one of our echo packets, or of no session. */
  | 'echo-unknown';

export const DROP_REASONS: readonly DropReason[] = [
  'malformed',
  'ttl',
  'no-session',
  'wrong-peer',
  'zero-detect-multiplier',
  'multipoint',
  'zero-my-discriminator',
  'zero-your-discriminator',
  'authentication',
  'echo-inactive',
  'echo-unknown',
];

export interface ManagerCounters {
  controlIn: number;
  controlOut: number;
  echoIn: number;
  echoOut: number;
  stateChanges: number;
  /** Transitions into Up, and out of Up. */
  up: number;
  down: number;
  dropped: Record<DropReason, number>;
  /** Malformed packets by what was wrong. */
  malformed: Record<DecodeFailure, number>;
  /** Control packets accepted without a TTL check because the socket could not report it. */
  ttlUnchecked: number;
}

interface SessionIdentity {
  /** `single-hop 192.0.2.1 -> 192.0.2.2` (local first): stable, readable, unique. */
  readonly session: string;
  readonly peerAddress: string;
  readonly localAddress: string;
  readonly family: IpFamily;
  readonly multihop: boolean;
}

/** What the BGP speaker listens to; see the README's "Events" section. */
export type BfdEvent =
  | ({ readonly type: 'up'; readonly timers: NegotiatedTimers } & SessionIdentity)
  | ({
      readonly type: 'down';
      /** One line for logs: the cause and both diagnostics in words. */
      readonly reason: string;
      /** When the last control packet of the peer arrived (the manager's clock), if one did. */
      readonly lastReceivedAt: number | undefined;
    } & StateChange &
      SessionIdentity)
  | ({ readonly type: 'state' } & StateChange & SessionIdentity)
  | ({ readonly type: 'timers'; readonly timers: NegotiatedTimers } & SessionIdentity)
  | ({ readonly type: 'removed' } & SessionIdentity);

export type ManagerAction =
  | {
      readonly type: 'send';
      readonly session: string;
      readonly family: IpFamily;
      readonly multihop: boolean;
      readonly localAddress: string;
      readonly peerAddress: string;
      readonly port: number;
      readonly bytes: Uint8Array;
    }
  | { readonly type: 'send-echo'; readonly session: string; readonly family: IpFamily; readonly localAddress: string; readonly peerAddress: string; readonly port: number; readonly bytes: Uint8Array }
  | { readonly type: 'event'; readonly event: BfdEvent };

export interface SessionInfo extends SessionIdentity {
  readonly state: SessionState;
  readonly remoteState: SessionState;
  readonly localDiscriminator: number;
  readonly remoteDiscriminator: number;
  readonly diagnostic: number;
  readonly remoteDiagnostic: number;
  readonly profile: ResolvedProfile;
  readonly timers: NegotiatedTimers;
  readonly stats: Readonly<SessionStats> & { readonly droppedTtl: number };
  readonly pollInProgress: boolean;
  /** When the last control packet of the peer arrived (the manager's clock), if one did. */
  readonly lastReceivedAt: number | undefined;
  /** Being removed: sending AdminDown until the peer has surely noticed. */
  readonly removing: boolean;
}

export interface ManagerOptions {
  /** Uniform [0, 1) for discriminators and jitter. */
  readonly random?: () => number;
  /**
   * Whether echo packets can be sent, and if not why; `echoMode` profiles are refused with that
   * reason. The Node adapter says what its sockets can do.
   */
  readonly echo?: { readonly available: true } | { readonly available: false; readonly reason: string };
}

interface Entry extends HeapEntry, SessionIdentity {
  readonly core: Session;
  profile: ResolvedProfile;
  removeAt: number;
  droppedTtl: number;
  lastReceivedAt: number | undefined;
  /** Still in the maps (false once forgotten). */
  live: boolean;
}

const NONE = Number.POSITIVE_INFINITY;

export class SessionManager {
  readonly counters: ManagerCounters = {
    controlIn: 0,
    controlOut: 0,
    echoIn: 0,
    echoOut: 0,
    stateChanges: 0,
    up: 0,
    down: 0,
    dropped: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>,
    malformed: { truncated: 0, 'unsupported-version': 0, 'bad-length': 0, 'bad-authentication': 0 },
    ttlUnchecked: 0,
  };
  private readonly random: () => number;
  private readonly echo: NonNullable<ManagerOptions['echo']>;
  private readonly byKey = new Map<string, Entry>();
  private readonly byDiscriminator = new Map<number, Entry>();
  private readonly heap = new DeadlineHeap<Entry>();

  constructor(options: ManagerOptions = {}) {
    this.random = options.random ?? Math.random;
    this.echo = options.echo ?? { available: true };
  }

  /** The key `add` would give `spec`, or undefined when its addresses are not addresses. */
  static keyOf(spec: Pick<SessionSpec, 'peerAddress' | 'localAddress' | 'multihop'>): string | undefined {
    const peer = parseAddress(spec.peerAddress);
    const local = parseAddress(spec.localAddress);
    return peer && local ? sessionKey(spec.multihop === true, local.address, peer.address) : undefined;
  }

  /** Every problem with `spec`, each naming its field. */
  problems(spec: SessionSpec): string[] {
    const problems: string[] = [];
    const peer = parseAddress(spec.peerAddress);
    const local = parseAddress(spec.localAddress);
    if (!peer) problems.push(`peerAddress: ${JSON.stringify(spec.peerAddress)} is not an IP address`);
    if (!local) problems.push(`localAddress: ${JSON.stringify(spec.localAddress)} is not an IP address`);
    if (peer && local && peer.family !== local.family) problems.push(`localAddress: ${local.address} is ${local.family} but peerAddress ${peer.address} is ${peer.family}`);
    const { profile, problems: profileProblems } = resolveProfile(spec.profile);
    problems.push(...profileProblems);
    if (profile.echoMode) {
      if (spec.multihop) problems.push('profile.echoMode: the echo function runs on single-hop sessions only (RFC 5883 §3)');
      else if (peer?.family === 'IPv6') problems.push('profile.echoMode: echo is implemented for IPv4 sessions only');
      else if (!this.echo.available) problems.push(`profile.echoMode: echo packets cannot be sent here: ${this.echo.reason}`);
    }
    return problems;
  }

  /** Adds a session, or refuses with every problem at once. An active session sends at once. */
  add(spec: SessionSpec, now: number): Result<{ readonly session: string; readonly actions: ManagerAction[] }, string[]> {
    const problems = this.problems(spec);
    if (problems.length > 0) return err(problems);
    const peer = parseAddress(spec.peerAddress) as { address: string; family: IpFamily };
    const local = parseAddress(spec.localAddress) as { address: string };
    const multihop = spec.multihop === true;
    const key = sessionKey(multihop, local.address, peer.address);
    const existing = this.byKey.get(key);
    if (existing && existing.removeAt === NONE) return err([`a session ${key} exists already`]);
    if (existing) this.forget(existing);
    const { profile } = resolveProfile(spec.profile);
    const core = new Session({
      localDiscriminator: this.newDiscriminator(),
      desiredMinTxInterval: profile.transmitInterval,
      requiredMinRxInterval: profile.receiveInterval,
      detectMultiplier: profile.detectMultiplier,
      passive: profile.passiveMode,
      ...(profile.echoMode ? { echo: { interval: profile.echoInterval } } : {}),
      ...(spec.adminDown ? { adminDown: true } : {}),
      random: this.random,
    });
    const entry: Entry = { session: key, peerAddress: peer.address, localAddress: local.address, family: peer.family, multihop, core, profile, removeAt: NONE, droppedTtl: 0, lastReceivedAt: undefined, live: true, at: NONE, index: -1 };
    this.byKey.set(key, entry);
    this.byDiscriminator.set(core.localDiscriminator, entry);
    const actions: ManagerAction[] = [];
    this.apply(entry, core.start(now), actions);
    return ok({ session: key, actions });
  }

  /**
   * A new profile for a session: interval changes run a Poll Sequence (RFC 5880 §6.8.3).
   * `passiveMode`, `echoMode` and `minimumTtl` changes take effect only on a new session; they
   * are refused here so that nothing is silently half-applied.
   */
  update(session: string, profile: BfdProfile, now: number): Result<ManagerAction[], string[]> {
    const entry = this.byKey.get(session);
    if (!entry || entry.removeAt !== NONE) return err([`no session ${session}`]);
    const { profile: resolved, problems } = resolveProfile(profile);
    for (const field of ['passiveMode', 'echoMode'] as const) {
      if (resolved[field] !== entry.profile[field]) problems.push(`profile.${field}: changing it needs a new session (remove and add)`);
    }
    if (problems.length > 0) return err(problems);
    entry.profile = resolved;
    const actions: ManagerAction[] = [];
    this.apply(entry, entry.core.setTimers({ desiredMinTxInterval: resolved.transmitInterval, requiredMinRxInterval: resolved.receiveInterval, detectMultiplier: resolved.detectMultiplier }, now), actions);
    return ok(actions);
  }

  adminDown(session: string, now: number): Result<ManagerAction[], string[]> {
    return this.command(session, (core) => core.adminDown(now));
  }

  adminUp(session: string, now: number): Result<ManagerAction[], string[]> {
    return this.command(session, (core) => core.adminUp(now));
  }

  /**
   * Removes a session: it goes AdminDown and keeps telling the peer so for a detection time
   * (RFC 5880 §6.8.16), then is forgotten (a `removed` event). `immediately` forgets it at once,
   * after one AdminDown packet, as a process does when it exits.
   */
  remove(session: string, now: number, options: { immediately?: boolean } = {}): Result<ManagerAction[], string[]> {
    const entry = this.byKey.get(session);
    if (!entry || (entry.removeAt !== NONE && !options.immediately)) return err([`no session ${session}`]);
    const actions: ManagerAction[] = [];
    if (entry.removeAt !== NONE) {
      // Already saying AdminDown; only the waiting is cut short.
      this.forget(entry);
      actions.push({ type: 'event', event: { type: 'removed', ...identity(entry) } });
      return ok(actions);
    }
    const detection = entry.core.negotiated().detectionTime;
    this.apply(entry, entry.core.adminDown(now), actions);
    if (options.immediately) {
      this.forget(entry);
      actions.push({ type: 'event', event: { type: 'removed', ...identity(entry) } });
    } else {
      entry.removeAt = now + Math.max(detection, 3 * entry.core.negotiated().transmitInterval);
      this.heap.set(entry, Math.min(entry.core.deadline, entry.removeAt));
    }
    return ok(actions);
  }

  /** A datagram from a control port (3784 or 4784). Never throws; a refused packet is counted. */
  receiveControl(datagram: ReceivedDatagram, now: number): ManagerAction[] {
    const actions: ManagerAction[] = [];
    this.counters.controlIn += 1;
    const decoded = controlPacket.decode(datagram.bytes);
    if (!decoded.ok) {
      this.counters.dropped.malformed += 1;
      this.counters.malformed[decoded.error.reason] += 1;
      return actions;
    }
    const packet = decoded.value;
    // RFC 5881 §5: a single-hop packet that crossed a router is not from our neighbour. Checked
    // before anything else reads the packet.
    if (!datagram.multihop && datagram.ttl !== undefined && datagram.ttl !== 255) {
      this.counters.dropped.ttl += 1;
      const owner = this.demultiplex(datagram, packet.yourDiscriminator);
      if (typeof owner !== 'string') owner.droppedTtl += 1;
      return actions;
    }
    const problem = receptionProblem(packet);
    if (problem) {
      this.counters.dropped[problem] += 1;
      return actions;
    }
    const entry = this.demultiplex(datagram, packet.yourDiscriminator);
    if (typeof entry === 'string') {
      this.counters.dropped[entry] += 1;
      return actions;
    }
    if (datagram.multihop && datagram.ttl !== undefined && datagram.ttl < entry.profile.minimumTtl) {
      this.counters.dropped.ttl += 1;
      entry.droppedTtl += 1;
      return actions;
    }
    if (datagram.ttl === undefined) this.counters.ttlUnchecked += 1;
    if (!packet.authentication) entry.lastReceivedAt = now;
    this.apply(entry, entry.core.receive(packet, now), actions);
    return actions;
  }

  /** A datagram from the echo port (3785): one of our echo packets, looped back by the peer. */
  receiveEcho(datagram: ReceivedDatagram, now: number): ManagerAction[] {
    const actions: ManagerAction[] = [];
    this.counters.echoIn += 1;
    const decoded = echoPacket.decode(datagram.bytes);
    const entry = decoded.ok ? this.byDiscriminator.get(decoded.value.myDiscriminator) : undefined;
    // It left with TTL 255 and crossed the peer's forwarding plane once.
    if (!entry || entry.localAddress !== datagram.destinationAddress || (datagram.ttl !== undefined && datagram.ttl < 254)) {
      this.counters.dropped['echo-unknown'] += 1;
      return actions;
    }
    this.apply(entry, entry.core.receiveEcho(now), actions);
    return actions;
  }

  /** Runs every session whose deadline has come. */
  tick(now: number): ManagerAction[] {
    const actions: ManagerAction[] = [];
    for (let top = this.heap.peek(); top && top.at <= now; top = this.heap.peek()) {
      if (top.removeAt <= now) {
        this.forget(top);
        actions.push({ type: 'event', event: { type: 'removed', ...identity(top) } });
        continue;
      }
      const before = top.at;
      this.apply(top, top.core.tick(now), actions);
      // A session always moves its deadline past `now`; this guards the loop if it ever did not.
      if (top.index >= 0 && top.at <= before) this.heap.set(top, now + 1);
    }
    return actions;
  }

  /** When `tick` must next run; Infinity when no session has anything scheduled. */
  nextDeadline(): number {
    return this.heap.peek()?.at ?? NONE;
  }

  session(session: string): SessionInfo | undefined {
    const entry = this.byKey.get(session);
    return entry && info(entry);
  }

  sessions(): SessionInfo[] {
    return [...this.byKey.values()].map(info);
  }

  get size(): number {
    return this.byKey.size;
  }

  private command(session: string, run: (core: Session) => SessionAction[]): Result<ManagerAction[], string[]> {
    const entry = this.byKey.get(session);
    if (!entry || entry.removeAt !== NONE) return err([`no session ${session}`]);
    const actions: ManagerAction[] = [];
    this.apply(entry, run(entry.core), actions);
    return ok(actions);
  }

  /** RFC 5880 §6.8.6 by Your Discriminator; when it is zero, by the addresses (RFC 5881 §3, RFC 5883 §4). */
  private demultiplex(datagram: ReceivedDatagram, yourDiscriminator: number): Entry | 'no-session' | 'wrong-peer' {
    if (yourDiscriminator !== 0) {
      const entry = this.byDiscriminator.get(yourDiscriminator);
      if (!entry) return 'no-session';
      if (entry.multihop !== datagram.multihop || entry.peerAddress !== datagram.sourceAddress || entry.localAddress !== datagram.destinationAddress) return 'wrong-peer';
      return entry;
    }
    return this.byKey.get(sessionKey(datagram.multihop, datagram.destinationAddress, datagram.sourceAddress)) ?? 'no-session';
  }

  private apply(entry: Entry, sessionActions: readonly SessionAction[], out: ManagerAction[]): void {
    for (const action of sessionActions) {
      switch (action.type) {
        case 'send':
          this.counters.controlOut += 1;
          out.push({
            type: 'send',
            session: entry.session,
            family: entry.family,
            multihop: entry.multihop,
            localAddress: entry.localAddress,
            peerAddress: entry.peerAddress,
            port: entry.multihop ? MULTIHOP_CONTROL_PORT : SINGLE_HOP_CONTROL_PORT,
            bytes: controlPacket.encode(action.packet),
          });
          break;
        case 'send-echo':
          this.counters.echoOut += 1;
          out.push({ type: 'send-echo', session: entry.session, family: entry.family, localAddress: entry.localAddress, peerAddress: entry.peerAddress, port: ECHO_PORT, bytes: echoPacket.encode(action.packet) });
          break;
        case 'state': {
          this.counters.stateChanges += 1;
          const id = identity(entry);
          const change = { from: action.from, to: action.to, cause: action.cause, diagnostic: action.diagnostic, remoteDiagnostic: action.remoteDiagnostic };
          out.push({ type: 'event', event: { type: 'state', ...id, ...change } });
          if (action.to === 'Up') {
            this.counters.up += 1;
            out.push({ type: 'event', event: { type: 'up', ...id, timers: entry.core.negotiated() } });
          } else if (action.from === 'Up') {
            this.counters.down += 1;
            out.push({ type: 'event', event: { type: 'down', ...id, ...change, reason: downReason(action.cause, action.diagnostic, action.remoteDiagnostic), lastReceivedAt: entry.lastReceivedAt } });
          }
          break;
        }
        case 'timers':
          out.push({ type: 'event', event: { type: 'timers', ...identity(entry), timers: action.timers } });
          break;
        case 'dropped':
          this.counters.dropped[action.reason] += 1;
          break;
        case 'timer':
          break;
      }
    }
    if (entry.live) this.heap.set(entry, Math.min(entry.core.deadline, entry.removeAt));
  }

  private forget(entry: Entry): void {
    entry.live = false;
    this.heap.remove(entry);
    this.byKey.delete(entry.session);
    this.byDiscriminator.delete(entry.core.localDiscriminator);
  }

  /** RFC 5880 §6.8.1: nonzero, unique here, random rather than sequential. */
  private newDiscriminator(): number {
    for (;;) {
      const candidate = Math.floor(this.random() * 0xffffffff) + 1;
      if (candidate <= 0xffffffff && !this.byDiscriminator.has(candidate)) return candidate;
    }
  }
}

function sessionKey(multihop: boolean, local: string, peer: string): string {
  return `${multihop ? 'multihop' : 'single-hop'} ${local} -> ${peer}`;
}

function identity(entry: Entry): SessionIdentity {
  return { session: entry.session, peerAddress: entry.peerAddress, localAddress: entry.localAddress, family: entry.family, multihop: entry.multihop };
}

function info(entry: Entry): SessionInfo {
  const core = entry.core;
  return {
    ...identity(entry),
    state: core.state,
    remoteState: core.remoteState,
    localDiscriminator: core.localDiscriminator,
    remoteDiscriminator: core.remoteDiscriminator,
    diagnostic: core.diagnostic,
    remoteDiagnostic: core.remoteDiagnostic,
    profile: entry.profile,
    timers: core.negotiated(),
    stats: { ...core.stats, dropped: { ...core.stats.dropped }, droppedTtl: entry.droppedTtl },
    removing: entry.removeAt !== NONE,
    pollInProgress: core.pollInProgress,
    lastReceivedAt: entry.lastReceivedAt,
  };
}

const CAUSE_TEXT: Readonly<Record<StateCause, string>> = {
  handshake: 'the peer went down',
  'detection-time-expired': 'no control packet from the peer for a detection time',
  'echo-failed': 'our echo packets stopped coming back',
  'neighbor-down': 'the peer said Down',
  'neighbor-admin-down': 'the peer was administratively disabled',
  'admin-down': 'administratively disabled here',
  'admin-up': 'administratively enabled here',
};

function downReason(cause: StateCause, diagnostic: number, remoteDiagnostic: number): string {
  const remote = remoteDiagnostic === 0 ? '' : `; peer's diagnostic: ${diagnosticText(remoteDiagnostic)}`;
  return `${CAUSE_TEXT[cause]} (diagnostic ${diagnostic}: ${diagnosticText(diagnostic)}${remote})`;
}

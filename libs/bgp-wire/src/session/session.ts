import { type DecodeContext } from '../codec/attributes.js';
import { CeaseSubcode, ErrorCode, FsmErrorSubcode, MAX_EXTENDED_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH } from '../codec/constants.js';
import { BgpError } from '../codec/errors.js';
import { type DecodedMessage, decode, encode } from '../codec/message.js';
import { type NotificationMessage, notification, shutdownNotification } from '../codec/notification.js';
import { type OpenMessage } from '../codec/open.js';
import { RouteRefreshSubtype } from '../codec/route-refresh.js';
import { type UpdateMessage, endOfRib, endOfRibFamily } from '../codec/update.js';
import { AdjRibOut } from './adj-rib-out.js';
import { type ResolvedSessionConfig, type SessionConfig, resolveConfig } from './config.js';
import { Framer } from './framer.js';
import { type Negotiated, buildOpen, negotiate } from './negotiation.js';
import { type RouteFamily, familyCode, familyOf } from './route-family.js';
import { type CompiledRoute, type CompiledRouteCache, type Route, compileRoutes } from './routes.js';
import { type MessageCounts, type SessionStats, countMessage, emptyCounts } from './stats.js';
import { type ConnectionId, type SessionAction, type SessionEvent, type SessionInput, type SessionState } from './types.js';
import { type PackContext, announcementTooLarge, packAnnouncements, packWithdrawals } from './update-packer.js';

/** RFC 4271 §8: the hold timer while waiting for the peer's OPEN ("a large value", 4 minutes). */
const OPEN_HOLD_SECONDS = 240;

type ConnectionState = 'open-sent' | 'open-confirm' | 'established';

interface Connection {
  readonly id: ConnectionId;
  readonly direction: 'outbound' | 'inbound';
  state: ConnectionState;
  readonly framer: Framer;
  negotiated: Negotiated | undefined;
}

const stateRank: Record<SessionState, number> = { idle: 0, active: 1, connect: 2, 'open-sent': 3, 'open-confirm': 4, established: 5 };

/**
 * Compiled routes by the frozen route they came from, per compilation key (see Session.compile):
 * no copy of the route is kept, so remembering costs an entry per route, not a route.
 */
const compiledRoutes = new Map<string, WeakMap<Route, CompiledRoute>>();

function routeCache(key: string): CompiledRouteCache {
  let byRoute = compiledRoutes.get(key);
  if (!byRoute) {
    byRoute = new WeakMap();
    compiledRoutes.set(key, byRoute);
  }
  const cache = byRoute;
  return {
    get: (route) => (Object.isFrozen(route) ? cache.get(route) : undefined),
    set: (route, compiled) => {
      if (Object.isFrozen(route)) cache.set(route, compiled);
    },
  };
}

/** Compiled route sets by the frozen array they came from (see Session.compile). */
const sharedCompilations = new WeakMap<readonly Route[], { readonly key: string; readonly compiled: Map<string, CompiledRoute> | string[] }>();

/** Why `setRoutes` refused a route set; nothing of it was applied. */
export interface RoutesError {
  readonly kind: 'family-not-configured' | 'invalid-routes';
  /** Every issue, one per line. */
  readonly message: string;
  /** One per problem, each naming the route (`routes[3] ("192.0.2.1/32")`) and the field. */
  readonly issues: readonly string[];
}

/** The result of `setRoutes`: the actions to carry out, or every problem with the route set. */
export type SetRoutesResult = { readonly ok: true; readonly value: SessionAction[] } | { readonly ok: false; readonly error: RoutesError };

function routesError(kind: RoutesError['kind'], issues: readonly string[]): { readonly ok: false; readonly error: RoutesError } {
  return { ok: false, error: { kind, message: issues.join('\n'), issues } };
}

/**
 * One BGP session with one peer, as a pure state machine (RFC 4271 §8): `handle` takes an input
 * (bytes, timer expiry, connection up/down, admin start/stop) and returns the actions for the
 * adapter to carry out. It never touches sockets or clocks, so every behaviour is testable
 * with plain values.
 */
export class Session {
  readonly config: ResolvedSessionConfig;
  private readonly rib = new AdjRibOut();
  private readonly connections = new Map<ConnectionId, Connection>();
  private readonly sent = emptyCounts();
  private readonly received = emptyCounts();
  private out: SessionAction[] = [];
  private adminUp = false;
  /** Waiting for the adapter to report on the outbound connection we asked for. */
  private connecting = false;
  private retryArmed = false;
  private failures = 0;
  private lastState: SessionState = 'idle';
  /** Why the state is about to change, for the state event. */
  private stateReason: string | undefined;
  private receivedPrefixes = 0;
  private withdrawnPrefixesReceived = 0;
  private malformedUpdates = 0;
  private establishedTransitions = 0;
  /**
   * RFC 4724's Restart State bit, while this session has not yet been established: a later
   * reconnection (the peer restarted, the link flapped) is not a restart of ours.
   */
  private restarting: boolean;

  constructor(config: SessionConfig) {
    this.config = resolveConfig(config);
    this.restarting = this.config.gracefulRestart?.restarting === true;
  }

  /** RFC 4271 §8.2.2 state of the session (its most advanced connection). */
  get state(): SessionState {
    let best: SessionState = !this.adminUp ? 'idle' : this.connecting ? 'connect' : 'active';
    for (const c of this.connections.values()) if (stateRank[c.state] > stateRank[best]) best = c.state;
    return best;
  }

  /** What the established connection negotiated, if the session is established. */
  get negotiated(): Negotiated | undefined {
    return this.established()?.negotiated;
  }

  stats(): SessionStats {
    const announced = this.rib.announcedCount();
    return {
      established: this.established() !== undefined,
      sent: { ...this.sent },
      received: { ...this.received },
      announcedPrefixes: announced,
      pendingPrefixes: Math.max(0, this.rib.desiredCount() - announced),
      receivedPrefixes: this.receivedPrefixes,
      withdrawnPrefixesReceived: this.withdrawnPrefixesReceived,
      malformedUpdates: this.malformedUpdates,
      establishedTransitions: this.establishedTransitions,
    };
  }

  handle(input: SessionInput): SessionAction[] {
    switch (input.type) {
      case 'start':
        this.start();
        break;
      case 'stop':
        this.stop(input.graceful === true, input.reason);
        break;
      case 'connection-open':
        this.connectionOpen(input.connection, input.direction);
        break;
      case 'connect-failed':
        this.connecting = false;
        this.connectionLost(`connect failed: ${input.reason}`);
        break;
      case 'data':
        this.data(input.connection, input.bytes);
        break;
      case 'connection-closed': {
        const conn = this.connections.get(input.connection);
        if (conn) this.drop(conn, input.reason ?? 'connection closed by peer');
        break;
      }
      case 'timer':
        this.timer(input.timer);
        break;
    }
    return this.flush();
  }

  /**
   * Replaces the routes announced in `family`. When the session is established, the difference
   * from what the peer holds goes out at once (as few UPDATEs as fit); otherwise it is sent on
   * establishment. A set with any invalid route is rejected whole, and so is a route whose
   * UPDATE would exceed 4096 bytes (too many communities): whatever the peer later negotiates,
   * such a route could not be sent. Never throws. A frozen array (`Object.freeze`) given to several
   * sessions is compiled once and shared by them.
   */
  setRoutes(family: RouteFamily, routes: readonly Route[]): SetRoutesResult {
    if (!this.config.families.includes(family)) return routesError('family-not-configured', [`family ${family} is not configured on this session`]);
    const compiled = this.compile(family, routes);
    if (Array.isArray(compiled)) return routesError('invalid-routes', compiled);
    this.rib.setRoutes(family, compiled);
    const conn = this.established();
    if (conn?.negotiated?.families.includes(family)) this.sendChanges(conn, family);
    return { ok: true, value: this.flush() };
  }

  /**
   * The compiled set, shared with every session that was given the same frozen array and checks
   * routes the same way: a speaker announcing 10,000 prefixes to several peers keeps one copy.
   */
  private compile(family: RouteFamily, routes: readonly Route[]): Map<string, CompiledRoute> | string[] {
    // What the checks depend on: a route compiled for one session is valid for any with the same key.
    const key = `${family}|${this.config.internal}|${this.config.localAs}|${this.config.defaultLocalPref}`;
    const build = () => compileRoutes(family, routes, (attributes, nlri) => this.tooLarge(family, attributes, nlri), routeCache(key));
    if (!Object.isFrozen(routes)) return build();
    const cached = sharedCompilations.get(routes);
    if (cached?.key === key) return cached.compiled;
    const compiled = build();
    sharedCompilations.set(routes, { key, compiled });
    return compiled;
  }

  /**
   * Why a route would not fit in an UPDATE on any connection of this session: checked against
   * RFC 4271's 4096 bytes and the largest encoding (2-octet AS with AS4_PATH, ADD-PATH path ids).
   */
  private tooLarge(family: RouteFamily, attributes: CompiledRoute['attributes'], nlri: Uint8Array): string | undefined {
    const base = { family, internal: this.config.internal, localAs: this.config.localAs, maxMessageLength: MAX_MESSAGE_LENGTH, addPath: true, defaultLocalPref: this.config.defaultLocalPref };
    return announcementTooLarge({ ...base, fourOctetAs: false }, attributes, nlri) ?? announcementTooLarge({ ...base, fourOctetAs: true }, attributes, nlri);
  }

  // --- administrative events -------------------------------------------------------------

  private start(): void {
    if (this.adminUp) return;
    this.adminUp = true;
    this.failures = 0;
    if (this.config.mode !== 'passive') this.requestConnect();
  }

  private stop(graceful: boolean, reason: string | undefined): void {
    this.adminUp = false;
    this.connecting = false;
    this.cancelRetry();
    for (const conn of [...this.connections.values()]) {
      const keepRoutes = graceful && conn.state === 'established' && conn.negotiated?.gracefulRestart === true;
      if (!keepRoutes) this.notify(conn, shutdownNotification(reason ?? 'administratively stopped'), reason ?? 'administrative stop');
      this.close(conn, keepRoutes ? 'stopped for graceful restart' : 'administrative stop');
    }
  }

  private requestConnect(): void {
    this.connecting = true;
    this.emit({ type: 'connect' });
  }

  /** Retry after a failure: RFC 4271 §10 jitter (×0.75..1) on a doubling backoff. */
  private scheduleRetry(): void {
    if (!this.adminUp || this.config.mode === 'passive' || this.connecting || this.retryArmed || this.connections.size > 0) return;
    const { connectRetryTime, maxConnectRetryTime, random } = this.config;
    const base = Math.min(maxConnectRetryTime, connectRetryTime * 2 ** Math.min(this.failures - 1, 30));
    const delay = Math.max(0, base) * (0.75 + 0.25 * random());
    this.retryArmed = true;
    this.emit({ type: 'timer', timer: 'connect-retry', ms: Math.round(delay * 1000) });
  }

  private cancelRetry(): void {
    if (!this.retryArmed) return;
    this.retryArmed = false;
    this.emit({ type: 'timer', timer: 'connect-retry', ms: null });
  }

  private connectionLost(reason: string): void {
    this.failures++;
    this.stateReason = reason;
    this.scheduleRetry();
  }

  // --- connections -------------------------------------------------------------------------

  private connectionOpen(id: ConnectionId, direction: 'outbound' | 'inbound'): void {
    if (direction === 'outbound') this.connecting = false;
    if (!this.adminUp || (direction === 'inbound' && this.config.mode === 'active')) {
      this.emit({ type: 'close', connection: id });
      return;
    }
    const conn: Connection = { id, direction, state: 'open-sent', framer: new Framer(), negotiated: undefined };
    if (this.established()) {
      // RFC 4271 §6.8: a collision with an Established connection closes the new one.
      this.connections.set(id, conn);
      this.notify(conn, notification(ErrorCode.CEASE, CeaseSubcode.CONNECTION_COLLISION_RESOLUTION), 'session already established');
      this.close(conn, 'collision with the established connection');
      return;
    }
    for (const other of this.connections.values()) {
      if (other.direction === direction) this.close(other, `replaced by a new ${direction} connection`);
    }
    this.connections.set(id, conn);
    this.cancelRetry();
    this.send(conn, encode(buildOpen(this.config, { restarting: this.restarting })));
    this.armHold(conn, OPEN_HOLD_SECONDS);
  }

  private data(id: ConnectionId, bytes: Uint8Array): void {
    const conn = this.connections.get(id);
    if (!conn) return;
    conn.framer.push(bytes);
    // The connection can be closed by a message in the middle of the batch.
    while (this.connections.get(id) === conn) {
      // Per message: an OPEN early in the batch changes how the UPDATEs after it are read.
      const max = conn.negotiated?.extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH;
      const context: DecodeContext = conn.negotiated?.decodeContext ?? { internal: this.config.internal };
      const raw = conn.framer.next(max);
      if (!raw) break;
      countMessage(this.received, raw);
      const decoded = decode(raw, 0, raw.length, context);
      if (decoded.ok) this.message(conn, decoded.value);
      else this.badMessage(conn, decoded.error);
    }
  }

  private badMessage(conn: Connection, error: BgpError): void {
    if (error.action === 'session-reset' || error.action === 'afi-safi-disable') {
      this.notify(conn, notification(error.code, error.subcode, error.data), error.message);
      this.drop(conn, `received a malformed message: ${error.message}`);
      return;
    }
    this.malformedUpdates++;
    for (const w of error.withdrawn) this.withdrawnPrefixesReceived += w.nlri.length;
    this.event({ type: 'malformed-update', error });
    this.armHold(conn);
  }

  private message(conn: Connection, message: DecodedMessage): void {
    if (message.type === 'notification') {
      this.event({ type: 'notification-received', notification: message });
      this.drop(conn, `peer sent NOTIFICATION ${message.code}/${message.subcode}`);
      return;
    }
    switch (conn.state) {
      case 'open-sent':
        if (message.type === 'open') this.receiveOpen(conn, message);
        else this.fsmError(conn, FsmErrorSubcode.UNEXPECTED_MESSAGE_IN_OPEN_SENT, message.type);
        return;
      case 'open-confirm':
        if (message.type === 'keepalive') this.becomeEstablished(conn);
        else this.fsmError(conn, FsmErrorSubcode.UNEXPECTED_MESSAGE_IN_OPEN_CONFIRM, message.type);
        return;
      case 'established':
        if (message.type === 'open') return this.fsmError(conn, FsmErrorSubcode.UNEXPECTED_MESSAGE_IN_ESTABLISHED, message.type);
        this.armHold(conn);
        if (message.type === 'update') this.receiveUpdate(message);
        if (message.type === 'route-refresh') this.receiveRouteRefresh(conn, message.afi, message.safi, message.subtype);
        return;
    }
  }

  private fsmError(conn: Connection, subcode: number, got: string): void {
    this.notify(conn, notification(ErrorCode.FSM, subcode), `unexpected ${got} in ${conn.state}`);
    this.drop(conn, `unexpected ${got} in ${conn.state}`);
  }

  private receiveOpen(conn: Connection, open: OpenMessage): void {
    const negotiated = negotiate(this.config, open);
    if (negotiated instanceof BgpError) {
      this.notify(conn, notification(negotiated.code, negotiated.subcode, negotiated.data), negotiated.message);
      this.drop(conn, negotiated.message);
      return;
    }
    conn.negotiated = negotiated;
    if (!this.resolveCollision(conn, negotiated.peerBgpId)) return;
    conn.state = 'open-confirm';
    this.send(conn, encode({ type: 'keepalive' }));
    this.armHold(conn);
    this.armKeepalive(conn);
  }

  /**
   * RFC 4271 §6.8: with two connections to the same peer, the one opened by the side with the
   * higher BGP identifier survives, except that an Established one always stays and the newer one
   * goes (the connection can predate establishment and bring its OPEN only now). Returns false
   * when `conn` itself lost.
   */
  private resolveCollision(conn: Connection, peerBgpId: string): boolean {
    const other = [...this.connections.values()].find((c) => c !== conn);
    if (!other) return true;
    const weWin = ipToNumber(this.config.routerId) > ipToNumber(peerBgpId);
    const keep = other.state === 'established' || (weWin ? 'outbound' : 'inbound') !== conn.direction ? other : conn;
    const loser = keep === conn ? other : conn;
    this.notify(loser, notification(ErrorCode.CEASE, CeaseSubcode.CONNECTION_COLLISION_RESOLUTION), 'connection collision');
    this.close(loser, 'lost connection collision resolution');
    return keep === conn;
  }

  private becomeEstablished(conn: Connection): void {
    const negotiated = conn.negotiated as Negotiated;
    conn.state = 'established';
    this.failures = 0;
    this.restarting = false;
    this.establishedTransitions++;
    this.armHold(conn);
    this.event({ type: 'established', negotiated });
    this.rib.forget();
    for (const family of negotiated.families) {
      this.sendChanges(conn, family);
      this.send(conn, encode(endOfRib(familyCode(family).afi, familyCode(family).safi)));
      this.event({ type: 'end-of-rib-sent', family });
    }
  }

  private receiveUpdate(update: UpdateMessage): void {
    if (update.discarded) {
      this.malformedUpdates++;
      for (const error of update.discarded) this.event({ type: 'malformed-update', error });
    }
    const eor = endOfRibFamily(update);
    if (eor) {
      const family = familyOf(eor.afi, eor.safi);
      if (family) this.event({ type: 'end-of-rib-received', family });
      return;
    }
    this.receivedPrefixes += update.nlri.length;
    this.withdrawnPrefixesReceived += update.withdrawn.length;
    for (const attr of update.attributes) {
      if (attr.type === 'mp-reach') this.receivedPrefixes += attr.nlri.length;
      if (attr.type === 'mp-unreach') this.withdrawnPrefixesReceived += attr.withdrawn.length;
    }
  }

  /** RFC 2918 / RFC 7313: resend the whole family, bracketed by BoRR/EoRR when enhanced. */
  private receiveRouteRefresh(conn: Connection, afi: number, safi: number, subtype: number): void {
    const family = familyOf(afi, safi);
    const negotiated = conn.negotiated as Negotiated;
    if (subtype !== RouteRefreshSubtype.REQUEST || !family || !negotiated.families.includes(family)) return;
    this.event({ type: 'route-refresh-received', family });
    const enhanced = negotiated.enhancedRouteRefresh;
    if (enhanced) this.send(conn, encode({ type: 'route-refresh', afi, safi, subtype: RouteRefreshSubtype.BEGIN }));
    this.rib.forget(family);
    this.sendChanges(conn, family);
    if (enhanced) this.send(conn, encode({ type: 'route-refresh', afi, safi, subtype: RouteRefreshSubtype.END }));
  }

  /** Sends the Adj-RIB-Out differences of one family: withdrawals first, then announcements. */
  private sendChanges(conn: Connection, family: RouteFamily): void {
    const negotiated = conn.negotiated as Negotiated;
    const ctx: PackContext = {
      family,
      internal: this.config.internal,
      localAs: this.config.localAs,
      fourOctetAs: negotiated.fourOctetAs,
      maxMessageLength: negotiated.extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH,
      addPath: negotiated.addPathSend.includes(family),
      defaultLocalPref: this.config.defaultLocalPref,
    };
    const sendable = (route: CompiledRoute): boolean =>
      family !== 'ipv4-unicast' || route.attributes.nextHop.length === 4 || negotiated.ipv4OverIpv6NextHop;
    const changes = this.rib.takeChanges(family, sendable);
    if (changes.unsendable.length > 0) {
      this.event({
        type: 'routes-unsendable',
        family,
        prefixes: changes.unsendable.map((r) => r.prefix),
        reason: 'IPv6 next hop for IPv4 routes, and the peer did not offer RFC 8950 extended next hop',
      });
    }
    const messages: Uint8Array[] = [];
    packWithdrawals(ctx, changes.withdraw, messages);
    for (const group of changes.announce.values()) {
      const left = packAnnouncements(
        ctx,
        group.attributes,
        group.routes.map((r) => r.nlri),
        messages,
      );
      // setRoutes refuses such routes; should one get here, it is reported, never thrown.
      if (left.length > 0) {
        const prefixes = group.routes.filter((r) => left.includes(r.nlri)).map((r) => r.prefix);
        this.event({ type: 'routes-unsendable', family, prefixes, reason: `their path attributes leave no room for NLRI in a ${ctx.maxMessageLength}-byte UPDATE` });
      }
    }
    if (messages.length === 0) return;
    this.send(conn, concat(messages));
    // RFC 4271 §10: an UPDATE restarts the keepalive timer.
    this.armKeepalive(conn);
  }

  // --- timers ------------------------------------------------------------------------------

  private timer(name: string): void {
    if (name === 'connect-retry') {
      this.retryArmed = false;
      if (this.adminUp && this.connections.size === 0 && !this.connecting) this.requestConnect();
      return;
    }
    const [kind, idText] = name.split(':');
    const conn = this.connections.get(Number(idText));
    if (!conn) return;
    if (kind === 'hold') {
      this.notify(conn, notification(ErrorCode.HOLD_TIMER_EXPIRED, 0), 'hold timer expired');
      this.drop(conn, 'hold timer expired');
    } else if (kind === 'keepalive') {
      this.send(conn, encode({ type: 'keepalive' }));
      this.armKeepalive(conn);
    }
  }

  private armHold(conn: Connection, seconds = conn.negotiated?.holdTime ?? OPEN_HOLD_SECONDS): void {
    this.emit({ type: 'timer', timer: `hold:${conn.id}`, ms: seconds === 0 ? null : seconds * 1000 });
  }

  private armKeepalive(conn: Connection): void {
    const seconds = conn.negotiated?.keepaliveTime ?? 0;
    this.emit({ type: 'timer', timer: `keepalive:${conn.id}`, ms: seconds === 0 ? null : Math.round(seconds * 1000) });
  }

  // --- output ------------------------------------------------------------------------------

  private established(): Connection | undefined {
    for (const c of this.connections.values()) if (c.state === 'established') return c;
    return undefined;
  }

  private send(conn: Connection, bytes: Uint8Array): void {
    countSent(this.sent, bytes);
    this.emit({ type: 'send', connection: conn.id, bytes });
  }

  private notify(conn: Connection, message: NotificationMessage, reason: string): void {
    this.send(conn, encode(message));
    this.event({ type: 'notification-sent', notification: message, reason });
  }

  /** Closes a connection and forgets it; the session's routes are gone from the peer with it. */
  private close(conn: Connection, reason: string): void {
    if (!this.connections.delete(conn.id)) return;
    this.stateReason = reason;
    this.emit({ type: 'timer', timer: `hold:${conn.id}`, ms: null });
    this.emit({ type: 'timer', timer: `keepalive:${conn.id}`, ms: null });
    this.emit({ type: 'close', connection: conn.id });
    if (conn.state === 'established') this.rib.forget();
  }

  /** A connection failed: close it and, if none is left, retry with backoff. */
  private drop(conn: Connection, reason: string): void {
    this.close(conn, reason);
    if (this.connections.size === 0) this.connectionLost(reason);
  }

  private event(event: SessionEvent): void {
    this.emit({ type: 'event', event });
  }

  private emit(action: SessionAction): void {
    this.out.push(action);
  }

  /** Returns the queued actions, adding a state-change event when the state moved. */
  private flush(): SessionAction[] {
    const now = this.state;
    if (now !== this.lastState) {
      const reason = this.stateReason;
      this.event(reason === undefined ? { type: 'state', from: this.lastState, to: now } : { type: 'state', from: this.lastState, to: now, reason });
      this.lastState = now;
    }
    this.stateReason = undefined;
    const out = this.out;
    this.out = [];
    return out;
  }
}

function countSent(counts: MessageCounts, bytes: Uint8Array): void {
  // A send may carry several messages (a batch of UPDATEs): count each by its header.
  for (let at = 0; at + 19 <= bytes.length; ) {
    countMessage(counts, bytes.subarray(at, at + 19));
    const length = ((bytes[at + 16] as number) << 8) | (bytes[at + 17] as number);
    at += Math.max(19, length);
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function ipToNumber(text: string): number {
  return text.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

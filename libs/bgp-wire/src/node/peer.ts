import { EventEmitter } from 'node:events';
import { type Socket, isIP, Socket as NetSocket } from 'node:net';
import { type SessionConfig, sessionConfigIssues } from '../session/config.js';
import { type Negotiated } from '../session/negotiation.js';
import { type RouteFamily } from '../session/route-family.js';
import { type Route } from '../session/routes.js';
import { type RoutesError, Session } from '../session/session.js';
import { type SessionStats } from '../session/stats.js';
import { type SessionAction, type SessionEvent, type SessionState } from '../session/types.js';
import { type BgpListener, normalize } from './listener.js';
import { type Sockopt, fdOf, loadSockopt } from './sockopt.js';

export interface BgpPeerOptions extends SessionConfig {
  readonly peerAddress: string;
  /** Default 179. */
  readonly peerPort?: number;
  /** Source address of our outbound connections. */
  readonly localAddress?: string;
  /** Give up on an outbound connection attempt after this long. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * IP TTL / IPv6 hop limit of our packets: 1 for a directly connected eBGP peer, more for eBGP
   * multihop. Needs the @lb/bgp-sockopt addon; unset leaves the system default (64).
   */
  readonly ttl?: number;
  /** RFC 2385 TCP MD5 password shared with the peer. Needs the @lb/bgp-sockopt addon. */
  readonly password?: string;
  /** Where inbound connections arrive (mode 'passive' or 'both'); without one there are none. */
  readonly listener?: BgpListener;
}

/** Session events plus what only the adapter sees. */
export type BgpPeerEvent =
  | SessionEvent
  | { readonly type: 'socket-error'; readonly message: string; readonly code?: string }
  | { readonly type: 'connecting'; readonly address: string; readonly port: number }
  /**
   * A socket or timer handler failed (a bug, never the peer's input): the connection it served
   * is dropped and the session carries on, as after any lost connection.
   */
  | { readonly type: 'internal-error'; readonly message: string };

/**
 * Options with problems, listing every one (`issues`). Returned by `validatePeerOptions`; thrown
 * by the BgpPeer constructor, which cannot return it.
 */
export class BgpPeerConfigError extends Error {
  readonly kind = 'invalid-peer-options';
  readonly issues: readonly string[];
  constructor(issues: readonly string[]) {
    super(`invalid BGP peer options:\n  - ${issues.join('\n  - ')}`);
    this.name = 'BgpPeerConfigError';
    this.issues = issues;
  }
}

export type PeerOptionsResult = { readonly ok: true; readonly value: BgpPeerOptions } | { readonly ok: false; readonly error: BgpPeerConfigError };

/** What `BgpPeer.setRoutes` answers: nothing to add when accepted, or why the set was refused. */
export type PeerRoutesResult = { readonly ok: true; readonly value: undefined } | { readonly ok: false; readonly error: RoutesError };

/** Why `waitForEstablished` gave up. */
export class EstablishedWaitError extends Error {
  readonly kind: 'timeout' | 'aborted' | 'stopped';
  constructor(kind: EstablishedWaitError['kind'], message: string) {
    super(message);
    this.name = 'EstablishedWaitError';
    this.kind = kind;
  }
}

/** Checks options as the BgpPeer constructor does (session config, addresses, the native addon), without throwing. */
export function validatePeerOptions(options: BgpPeerOptions): PeerOptionsResult {
  const issues = peerOptionIssues(options);
  return issues.length > 0 ? { ok: false, error: new BgpPeerConfigError(issues) } : { ok: true, value: options };
}

function peerOptionIssues(options: BgpPeerOptions): string[] {
  const problems = sessionConfigIssues(options);
  if (isIP(options.peerAddress ?? '') === 0) problems.push(`peerAddress: ${JSON.stringify(options.peerAddress)} is not an IP address`);
  if (options.localAddress !== undefined && isIP(options.localAddress) === 0) problems.push(`localAddress: ${JSON.stringify(options.localAddress)} is not an IP address`);
  if (options.peerPort !== undefined && (!Number.isInteger(options.peerPort) || options.peerPort < 1 || options.peerPort > 65535)) problems.push(`peerPort: ${options.peerPort} is not a port number`);
  if (options.connectTimeoutMs !== undefined && !(options.connectTimeoutMs > 0)) problems.push(`connectTimeoutMs: ${options.connectTimeoutMs} must be positive`);
  if (options.ttl !== undefined && (!Number.isInteger(options.ttl) || options.ttl < 1 || options.ttl > 255)) problems.push(`ttl: ${options.ttl} must be an integer from 1 to 255`);
  if (options.password !== undefined && (options.password.length === 0 || Buffer.byteLength(options.password) > 80)) problems.push('password: must be 1 to 80 bytes (TCP_MD5SIG_MAXKEYLEN)');
  if (options.password !== undefined || options.ttl !== undefined) {
    const native = loadSockopt();
    if ('error' in native) {
      const what = options.password !== undefined ? 'password (TCP MD5)' : 'ttl';
      problems.push(`${what} needs the optional native addon @lb/bgp-sockopt, which is unavailable: ${native.error}`);
    }
  }
  return problems;
}

/**
 * A BGP session with one peer over real TCP: the pure `Session` driven by sockets and timers.
 * Emits every session event (state changes, NOTIFICATIONs, End-of-RIB...) and socket errors as
 * 'event'. Inbound routes are decoded, counted and ignored.
 */
export class BgpPeer extends EventEmitter<{ event: [BgpPeerEvent] }> {
  readonly options: BgpPeerOptions;
  private readonly session: Session;
  private readonly sockets = new Map<number, Socket>();
  /** Sockets we asked to close that have not finished closing. */
  private readonly closing = new Set<Socket>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly native: Sockopt | undefined;
  private nextConnection = 1;
  private pendingConnect: Socket | undefined;
  /** Rejecters of `waitForEstablished` calls still waiting, so that `stop` can end them. */
  private readonly waiters = new Set<(error: EstablishedWaitError) => void>();

  constructor(options: BgpPeerOptions) {
    super();
    const problems = peerOptionIssues(options);
    if (problems.length > 0) throw new BgpPeerConfigError(problems);
    this.options = options;
    this.session = new Session(options);
    const native = loadSockopt();
    this.native = 'sockopt' in native ? native.sockopt : undefined;
  }

  get peerAddress(): string {
    return normalize(this.options.peerAddress);
  }

  get password(): string | undefined {
    return this.options.password;
  }

  get state(): SessionState {
    return this.session.state;
  }

  get negotiated(): Negotiated | undefined {
    return this.session.negotiated;
  }

  stats(): SessionStats {
    return this.session.stats();
  }

  start(): void {
    this.options.listener?.add(this);
    this.run(this.session.handle({ type: 'start' }));
  }

  /**
   * Resolves with what was negotiated once the session is Established (at once if it is);
   * rejects with an EstablishedWaitError after `timeoutMs`, when `signal` aborts or on `stop()`.
   */
  waitForEstablished(options: { readonly timeoutMs?: number; readonly signal?: AbortSignal } = {}): Promise<Negotiated> {
    const now = this.session.negotiated;
    if (now) return Promise.resolve(now);
    return new Promise<Negotiated>((resolve, reject) => {
      const { timeoutMs, signal } = options;
      const done = (): void => {
        clearTimeout(timer);
        this.off('event', onEvent);
        signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(fail);
      };
      const fail = (error: EstablishedWaitError): void => {
        done();
        reject(error);
      };
      const onEvent = (event: BgpPeerEvent): void => {
        if (event.type !== 'established') return;
        done();
        resolve(event.negotiated);
      };
      const onAbort = (): void => fail(new EstablishedWaitError('aborted', `waiting for the BGP session with ${this.peerAddress} was aborted`));
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => fail(new EstablishedWaitError('timeout', `BGP session with ${this.peerAddress} not established within ${timeoutMs} ms (state ${this.state})`)), timeoutMs);
      this.on('event', onEvent);
      this.waiters.add(fail);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Stops the session. `graceful` (with graceful restart negotiated) drops the connection without
   * a NOTIFICATION so the peer keeps our routes until we are back; otherwise the peer gets a
   * Cease with `reason` as the shutdown communication. Resolves when every socket is closed.
   */
  async stop(options: { graceful?: boolean; reason?: string } = {}): Promise<void> {
    for (const fail of [...this.waiters]) fail(new EstablishedWaitError('stopped', `the BGP peer ${this.peerAddress} was stopped`));
    this.options.listener?.remove(this);
    this.run(this.session.handle({ type: 'stop', ...options }));
    this.pendingConnect?.destroy();
    this.pendingConnect = undefined;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    const open = [...this.sockets.values(), ...this.closing].filter((s) => !s.closed);
    await Promise.all(open.map((s) => new Promise<void>((resolve) => s.once('close', () => resolve()))));
  }

  /** Replaces the routes of `family`; see Session.setRoutes. Never throws. */
  setRoutes(family: RouteFamily, routes: readonly Route[]): PeerRoutesResult {
    const result = this.session.setRoutes(family, routes);
    if (!result.ok) return result;
    this.guard('sending routes', undefined, () => this.run(result.value));
    return { ok: true, value: undefined };
  }

  /** Called by the listener for a connection from our peer's address. */
  acceptConnection(socket: Socket): void {
    const id = this.nextConnection++;
    this.applyTtl(socket);
    this.attach(id, socket);
    this.guard('an inbound connection', id, () => this.run(this.session.handle({ type: 'connection-open', connection: id, direction: 'inbound' })));
  }

  /**
   * Runs a socket or timer handler. Nothing may escape one: an exception there would end the
   * process. Input from the peer never throws (decode returns errors); this catches bugs, drops
   * the connection concerned and says so.
   */
  private guard(what: string, connection: number | undefined, handler: () => void): void {
    try {
      handler();
    } catch (error) {
      const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;
      try {
        this.emit('event', { type: 'internal-error', message });
      } catch {
        // A listener that throws on the report too: nothing more can be said.
      }
      if (connection !== undefined) this.sockets.get(connection)?.destroy();
    }
  }

  private run(actions: SessionAction[]): void {
    for (const action of actions) {
      switch (action.type) {
        case 'connect':
          this.connect();
          break;
        case 'send':
          this.sockets.get(action.connection)?.write(action.bytes);
          break;
        case 'close':
          this.closeSocket(action.connection);
          break;
        case 'timer':
          this.setTimer(action.timer, action.ms);
          break;
        case 'event':
          this.emit('event', action.event);
          break;
      }
    }
  }

  private setTimer(name: string, ms: number | null): void {
    const old = this.timers.get(name);
    if (old) clearTimeout(old);
    this.timers.delete(name);
    if (ms === null) return;
    this.timers.set(
      name,
      setTimeout(() => {
        this.timers.delete(name);
        this.guard(`timer ${name}`, connectionOfTimer(name), () => this.run(this.session.handle({ type: 'timer', timer: name })));
      }, ms),
    );
  }

  private connect(): void {
    const host = this.options.peerAddress;
    const port = this.options.peerPort ?? 179;
    this.emit('event', { type: 'connecting', address: host, port });
    let socket: Socket;
    try {
      socket = this.createOutboundSocket();
    } catch (error) {
      this.run(this.session.handle({ type: 'connect-failed', reason: (error as Error).message }));
      return;
    }
    this.pendingConnect = socket;
    const timeout = setTimeout(() => socket.destroy(new Error(`connect timed out after ${this.options.connectTimeoutMs ?? 5000} ms`)), this.options.connectTimeoutMs ?? 5000);
    const failed = (error: Error): void => {
      clearTimeout(timeout);
      if (this.pendingConnect !== socket) return;
      this.pendingConnect = undefined;
      this.guard('a failed connection attempt', undefined, () =>
        this.run(this.session.handle({ type: 'connect-failed', reason: (error as NodeJS.ErrnoException).code ?? error.message })),
      );
    };
    socket.once('error', failed);
    socket.once('connect', () => {
      clearTimeout(timeout);
      socket.off('error', failed);
      this.pendingConnect = undefined;
      socket.setNoDelay(true);
      const id = this.nextConnection++;
      this.attach(id, socket);
      this.guard('an outbound connection', id, () => this.run(this.session.handle({ type: 'connection-open', connection: id, direction: 'outbound' })));
    });
    const local = this.options.localAddress;
    socket.connect(local === undefined ? { host, port } : { host, port, localAddress: local });
  }

  /** MD5 has to be on the socket before the SYN: such sockets are made by the addon, then adopted. */
  private createOutboundSocket(): Socket {
    const { password, ttl, peerAddress } = this.options;
    if (password === undefined && ttl === undefined) return new NetSocket();
    const native = this.native as Sockopt;
    const family = isIP(peerAddress) === 6 ? 6 : 4;
    const fd = native.createSocket(family);
    try {
      if (password !== undefined) native.setMd5(fd, peerAddress, password);
      if (ttl !== undefined) native.setTtl(fd, family, ttl);
    } catch (error) {
      native.closeSocket(fd);
      throw error;
    }
    return new NetSocket({ fd, readable: true, writable: true });
  }

  private applyTtl(socket: Socket): void {
    const ttl = this.options.ttl;
    const fd = fdOf(socket);
    if (ttl === undefined || !this.native || fd === undefined) return;
    try {
      this.native.setTtl(fd, isIP(socket.localAddress ?? '') === 6 ? 6 : 4, ttl);
    } catch (error) {
      this.emit('event', { type: 'socket-error', message: `setting TTL ${ttl} on an inbound connection: ${(error as Error).message}` });
    }
  }

  private attach(id: number, socket: Socket): void {
    this.sockets.set(id, socket);
    socket.on('data', (bytes: Buffer) => this.guard('received data', id, () => this.run(this.session.handle({ type: 'data', connection: id, bytes }))));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.guard('a socket error', undefined, () => this.emit('event', { type: 'socket-error', message: error.message, ...(error.code ? { code: error.code } : {}) }));
    });
    socket.on('close', () => {
      if (this.sockets.get(id) !== socket) return;
      this.sockets.delete(id);
      this.guard('a closed connection', undefined, () => this.run(this.session.handle({ type: 'connection-closed', connection: id, reason: 'TCP connection closed' })));
    });
  }

  private closeSocket(id: number): void {
    const socket = this.sockets.get(id);
    if (!socket) return;
    this.sockets.delete(id);
    this.closing.add(socket);
    // FIN after what is queued (a NOTIFICATION) is sent; a peer that never acknowledges gets a reset.
    socket.end();
    const force = setTimeout(() => socket.destroy(), 1000);
    socket.once('close', () => {
      clearTimeout(force);
      this.closing.delete(socket);
    });
  }
}

/** The connection a `hold:N` or `keepalive:N` timer belongs to. */
function connectionOfTimer(name: string): number | undefined {
  const id = Number(name.split(':')[1]);
  return Number.isInteger(id) ? id : undefined;
}

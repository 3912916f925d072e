// The session manager over real sockets and one timer: what a node's speaker runs. Sockets are
// shared per local address (one receiver per port, one sender whose source port is in
// 49152-65535) and closed when their last session is gone.
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { parseAddress } from '../address.js';
import { ECHO_PORT, MULTIHOP_CONTROL_PORT, SINGLE_HOP_CONTROL_PORT } from '../codec/constants.js';
import { SessionManager, type BfdEvent, type ManagerAction, type ManagerCounters, type SessionInfo, type SessionSpec } from '../manager/manager.js';
import { resolveProfile, type BfdProfile } from '../manager/profile.js';
import { err, ok, type Result } from '../result.js';
import { echoIpv4Packet, interfaceOf, neighborMac } from './echo-frame.js';
import { selectTransport, type EchoEndpoint, type Endpoint, type Sender, type Transport } from './transport.js';

export interface BfdManagerOptions {
  /**
   * 'auto' (default): the native addon @lb/bfd-socket when it loads, else node:dgram with a
   * `warning` event saying what protection is lost; 'native': refuse to run without it;
   * 'dgram': never use it.
   */
  readonly transport?: 'auto' | 'native' | 'dgram';
  /** Other UDP ports than 3784/4784/3785, for tests beside another BFD implementation. */
  readonly ports?: { readonly singleHop?: number; readonly multihop?: number; readonly echo?: number };
  readonly random?: () => number;
  /** Milliseconds; performance.now() by default. */
  readonly clock?: () => number;
}

export interface BfdSessionOptions extends SessionSpec {
  /** The interface of an IPv6 link-local `localAddress`, or the one echo packets leave by. */
  readonly interface?: string;
}

export type BfdUpEvent = Extract<BfdEvent, { type: 'up' }>;
export type BfdDownEvent = Extract<BfdEvent, { type: 'down' }>;
export type BfdStateEvent = Extract<BfdEvent, { type: 'state' }>;
export type BfdTimersEvent = Extract<BfdEvent, { type: 'timers' }>;
export type BfdRemovedEvent = Extract<BfdEvent, { type: 'removed' }>;

export interface BfdManagerEvents {
  up: [BfdUpEvent];
  down: [BfdDownEvent];
  state: [BfdStateEvent];
  timers: [BfdTimersEvent];
  removed: [BfdRemovedEvent];
  /** Something the operator should know that stops nothing (the fallback transport, send errors). */
  warning: [{ readonly message: string }];
}

export interface BfdCounters extends ManagerCounters {
  /** Failed sends by errno name, plus `no-neighbor` for echo packets to a peer without an ARP entry. */
  readonly sendErrors: Readonly<Record<string, number>>;
}

export interface BfdStatus {
  readonly transport: 'native' | 'dgram';
  /** Whether received TTLs are checked (RFC 5881 §5 / RFC 5883 §5). */
  readonly ttlChecked: boolean;
  /** What is lost with this transport, in words; undefined when nothing is. */
  readonly limitation: string | undefined;
  readonly echoAvailable: boolean;
}

interface SharedSocket {
  readonly opened: Promise<Endpoint>;
  users: number;
}

const MAC_CACHE_MS = 5000;

export class BfdManager extends EventEmitter<BfdManagerEvents> {
  private readonly transport: Transport;
  private readonly core: SessionManager;
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly ports: { singleHop: number; multihop: number; echo: number };
  private readonly shared = new Map<string, SharedSocket>();
  private readonly senders = new Map<string, Sender>();
  private readonly echoEndpoints = new Map<string, EchoEndpoint>();
  private readonly socketsOf = new Map<string, string[]>();
  private readonly echoDevice = new Map<string, string>();
  private readonly macs = new Map<string, { mac: Uint8Array | undefined; at: number }>();
  private readonly canonical = new Map<string, string>();
  private readonly sendErrors: Record<string, number> = {};
  private timer: NodeJS.Timeout | undefined;
  private armedAt = Number.POSITIVE_INFINITY;
  private closed = false;

  /** Throws when `transport: 'native'` is asked for and the addon is missing. */
  constructor(options: BfdManagerOptions = {}) {
    super();
    const selected = selectTransport(options.transport ?? 'auto');
    if ('error' in selected) throw new Error(`BfdManager: ${selected.error}`);
    this.transport = selected.transport;
    this.clock = options.clock ?? (() => performance.now());
    this.random = options.random ?? Math.random;
    this.ports = { singleHop: options.ports?.singleHop ?? SINGLE_HOP_CONTROL_PORT, multihop: options.ports?.multihop ?? MULTIHOP_CONTROL_PORT, echo: options.ports?.echo ?? ECHO_PORT };
    const echoUnavailable = this.transport.echoUnavailable;
    this.core = new SessionManager({ random: this.random, echo: echoUnavailable === undefined ? { available: true } : { available: false, reason: echoUnavailable } });
    const limitation = this.transport.limitation;
    if (limitation !== undefined) process.nextTick(() => this.emit('warning', { message: `BFD: ${limitation}` }));
  }

  get status(): BfdStatus {
    return { transport: this.transport.kind, ttlChecked: this.transport.receivesTtl, limitation: this.transport.limitation, echoAvailable: this.transport.echoUnavailable === undefined };
  }

  /**
   * Opens what the session needs and starts it. Resolves to its key, or to every problem with
   * the options (or the socket that could not be opened).
   */
  async addSession(options: BfdSessionOptions): Promise<Result<string, string[]>> {
    if (this.closed) return err(['the manager is closed']);
    const problems = this.core.problems(options);
    const local = parseAddress(options.localAddress);
    if (local?.family === 'IPv6' && local.address.startsWith('fe80:') && !options.interface) problems.push('interface: an IPv6 link-local localAddress needs its interface');
    const { profile } = resolveProfile(options.profile);
    const device = profile.echoMode && local ? (options.interface ?? interfaceOf(local.address)) : undefined;
    if (profile.echoMode && local && !device) problems.push(`profile.echoMode: no interface holds ${local.address}, so echo packets have no way out`);
    if (problems.length > 0 || !local) return err(problems);
    const key = SessionManager.keyOf(options) as string;
    const existing = this.core.session(key);
    if (existing && !existing.removing) return err([`a session ${key} exists already`]);

    const multihop = options.multihop === true;
    const bind = { family: local.family, address: local.address, ...(options.interface ? { device: options.interface } : {}) };
    const wanted: Array<[string, () => Promise<Endpoint>]> = [
      [`sender ${local.address}`, () => this.transport.openSender(bind, (code) => this.countSendError(code), this.random)],
      [
        `${multihop ? 'multihop' : 'single-hop'} ${local.address}`,
        () => this.transport.openReceiver({ ...bind, port: multihop ? this.ports.multihop : this.ports.singleHop }, (bytes, source, sourcePort, ttl, destination) => {
          this.execute(this.core.receiveControl({ bytes, sourceAddress: this.canonicalOf(source), sourcePort, destinationAddress: this.canonicalOf(destination), multihop, ttl }, this.clock()));
        }),
      ],
    ];
    if (device) {
      wanted.push([
        `echo ${device}`,
        async () =>
          this.transport.openEcho(
            device,
            this.ports.echo,
            (bytes, source, sourcePort, ttl, destination) => this.execute(this.core.receiveEcho({ bytes, sourceAddress: source, sourcePort, destinationAddress: destination, multihop: false, ttl }, this.clock())),
            (code) => this.countSendError(code),
          ),
      ]);
    }
    const acquired: string[] = [];
    try {
      for (const [socketKey, open] of wanted) {
        await this.acquire(socketKey, open);
        acquired.push(socketKey);
      }
    } catch (error) {
      for (const socketKey of acquired) this.release(socketKey);
      const e = error as NodeJS.ErrnoException;
      return err([`cannot open the sockets of ${key}: ${e.message}${e.code ? ` (${e.code})` : ''}`]);
    }
    const added = this.core.add(options, this.clock());
    if (!added.ok) {
      for (const socketKey of acquired) this.release(socketKey);
      return err(added.error);
    }
    this.socketsOf.set(key, acquired);
    if (device) this.echoDevice.set(key, device);
    this.execute(added.value.actions);
    return ok(key);
  }

  /** New timers from a changed BFDProfile; the session runs a Poll Sequence. */
  updateSession(session: string, profile: BfdProfile): Result<void, string[]> {
    return this.run(this.core.update(session, profile, this.clock()));
  }

  adminDown(session: string): Result<void, string[]> {
    return this.run(this.core.adminDown(session, this.clock()));
  }

  adminUp(session: string): Result<void, string[]> {
    return this.run(this.core.adminUp(session, this.clock()));
  }

  /**
   * Takes the session AdminDown and forgets it once the peer has surely seen that (a `removed`
   * event follows); `immediately` forgets it after one AdminDown packet.
   */
  removeSession(session: string, options: { immediately?: boolean } = {}): Result<void, string[]> {
    return this.run(this.core.remove(session, this.clock(), options));
  }

  session(session: string): SessionInfo | undefined {
    return this.core.session(session);
  }

  sessions(): SessionInfo[] {
    return this.core.sessions();
  }

  counters(): BfdCounters {
    const c = this.core.counters;
    return { ...c, dropped: { ...c.dropped }, malformed: { ...c.malformed }, sendErrors: { ...this.sendErrors } };
  }

  /** Says AdminDown once on every session, then closes every socket and the timer. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const info of this.core.sessions()) this.run(this.core.remove(info.session, this.clock(), { immediately: true }));
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    // node:dgram sends complete asynchronously; let the last AdminDown packets leave first.
    await new Promise((resolve) => setImmediate(resolve));
    const endpoints = await Promise.allSettled([...this.shared.values()].map((s) => s.opened));
    for (const result of endpoints) if (result.status === 'fulfilled') result.value.close();
    this.shared.clear();
    this.senders.clear();
    this.echoEndpoints.clear();
  }

  private run(result: Result<ManagerAction[], string[]>): Result<void, string[]> {
    if (!result.ok) return result;
    this.execute(result.value);
    return ok(undefined);
  }

  private execute(actions: readonly ManagerAction[]): void {
    for (const action of actions) {
      switch (action.type) {
        case 'send': {
          const port = action.multihop ? this.ports.multihop : this.ports.singleHop;
          this.senders.get(action.localAddress)?.send(action.bytes, action.peerAddress, port);
          break;
        }
        case 'send-echo':
          this.sendEcho(action.session, action.localAddress, action.peerAddress, action.bytes);
          break;
        case 'event':
          this.dispatch(action.event);
          break;
      }
    }
    this.rearm();
  }

  private dispatch(event: BfdEvent): void {
    if (event.type === 'removed') {
      for (const socketKey of this.socketsOf.get(event.session) ?? []) this.release(socketKey);
      this.socketsOf.delete(event.session);
      this.echoDevice.delete(event.session);
    }
    // Each event goes out under its own type's name (the map in BfdManagerEvents).
    (this.emit as (name: BfdEvent['type'], event: BfdEvent) => boolean)(event.type, event);
  }

  private sendEcho(session: string, localAddress: string, peerAddress: string, payload: Uint8Array): void {
    const device = this.echoDevice.get(session);
    const endpoint = device && this.echoEndpoints.get(device);
    if (!device || !endpoint) return;
    const mac = this.macOf(peerAddress, device);
    if (!mac) {
      this.countSendError('no-neighbor');
      return;
    }
    endpoint.send(mac, echoIpv4Packet(localAddress, payload, { port: this.ports.echo }));
  }

  private macOf(address: string, device: string): Uint8Array | undefined {
    const now = this.clock();
    const key = `${device} ${address}`;
    const cached = this.macs.get(key);
    if (cached && now - cached.at < MAC_CACHE_MS) return cached.mac;
    const mac = neighborMac(address, device);
    this.macs.set(key, { mac, at: now });
    return mac;
  }

  private rearm(): void {
    if (this.closed) return;
    const next = this.core.nextDeadline();
    if (next === Number.POSITIVE_INFINITY) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.armedAt = next;
      return;
    }
    // A later deadline needs no new timer: the armed one fires early, finds nothing due, re-arms.
    if (this.timer && next >= this.armedAt) return;
    clearTimeout(this.timer);
    this.armedAt = next;
    this.timer = setTimeout(() => {
      // Node runs timers before it polls sockets. After a stall (GC, a starved CPU) packets that
      // arrived meanwhile would be read only after their session's detection time had expired,
      // so the tick waits for this loop iteration's poll phase.
      setImmediate(() => {
        this.timer = undefined;
        this.armedAt = Number.POSITIVE_INFINITY;
        if (!this.closed) this.execute(this.core.tick(this.clock()));
      });
    }, Math.max(0, Math.ceil(next - this.clock())));
  }

  private async acquire(key: string, open: () => Promise<Endpoint>): Promise<void> {
    let socket = this.shared.get(key);
    if (!socket) {
      const opened = open();
      socket = { opened, users: 0 };
      this.shared.set(key, socket);
      opened.then(
        (endpoint) => {
          if (key.startsWith('sender ')) this.senders.set(key.slice('sender '.length), endpoint as Sender);
          if (key.startsWith('echo ')) this.echoEndpoints.set(key.slice('echo '.length), endpoint as EchoEndpoint);
        },
        () => this.shared.delete(key),
      );
    }
    socket.users += 1;
    try {
      await socket.opened;
    } catch (error) {
      socket.users -= 1;
      throw error;
    }
  }

  private release(key: string): void {
    const socket = this.shared.get(key);
    if (!socket) return;
    socket.users -= 1;
    if (socket.users > 0) return;
    this.shared.delete(key);
    if (key.startsWith('sender ')) this.senders.delete(key.slice('sender '.length));
    if (key.startsWith('echo ')) this.echoEndpoints.delete(key.slice('echo '.length));
    void socket.opened.then((endpoint) => endpoint.close(), () => undefined);
  }

  private countSendError(code: string): void {
    const first = this.sendErrors[code] === undefined;
    this.sendErrors[code] = (this.sendErrors[code] ?? 0) + 1;
    if (first) this.emit('warning', { message: `BFD: a packet could not be sent (${code}); further ${code} failures are only counted` });
  }

  /** The kernel's address text in the library's canonical form (IPv6 only can differ). */
  private canonicalOf(address: string): string {
    if (!address.includes(':')) return address;
    let text = this.canonical.get(address);
    if (text === undefined) {
      text = parseAddress(address)?.address ?? address;
      if (this.canonical.size > 10_000) this.canonical.clear();
      this.canonical.set(address, text);
    }
    return text;
  }
}

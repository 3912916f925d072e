// The BGP adapter: holds one @lb/bgp-wire session per BGPPeer of the desired state, keeps each
// peer's routes equal to the desired prefixes, runs BFD for peers with a BFDProfile, and drains
// on shutdown. It owns sockets and timers; every decision comes from desiredBgp() and
// peer-options.ts.
import { type MessageCounts, type Route, type RouteFamily, type SessionState } from '@lb/bgp-wire';
import { BgpPeer, type BgpPeerEvent } from '@lb/bgp-wire/node';
import { BfdManager, type BfdManagerOptions } from '@lb/bfd/node';
import { type Registry } from 'prom-client';
import { type BgpDesiredState, type DesiredPeer, type DesiredPrefix } from './desired.js';
import { localAddressTowards } from './local-address.js';
import { registerBgpMetrics, type PeerMetricSample } from './metrics.js';
import { ROUTE_FAMILY, routesOf, sameRoutes, sessionOptions, type NodeAddresses, type SessionOptions } from './peer-options.js';
import { type PeerSession } from './sessions.js';

export interface BgpModeOptions {
  /** This node's name: the FQDN capability's host name, and the status objects' node. */
  readonly nodeName: string;
  /** This node's addresses (next hops of the other family, the router ID when none is set). */
  readonly nodeAddresses?: NodeAddresses;
  /** MetalLB's metric names are registered here. */
  readonly registry?: Registry;
  /** Seconds routers keep our routes across a restart (peers with enableGracefulRestart). Default 120. */
  readonly restartTime?: number;
  /**
   * This process has just (re)started: sessions opened within the restart time of the BgpMode's
   * creation set graceful restart's Restart State bit until a session with that peer address is
   * first established (a later one, after BFD or the peer reset it, is not a restart). A process
   * cannot tell a first start from a restart after kill -9 (nothing of the old one survives), and
   * the bit only tells the router not to wait for our End-of-RIB, so the speaker always sets it.
   */
  readonly restarting?: boolean;
  /** A BFD manager to share, or options for the one created when a BFDProfile is first used. */
  readonly bfd?: BfdManager | BfdManagerOptions;
  /** Every session and BFD event, for logs. */
  readonly onEvent?: (event: BgpModeEvent) => void;
}

export type BgpModeEvent =
  | { readonly type: 'bgp'; readonly peer: string; readonly event: BgpPeerEvent }
  | { readonly type: 'bfd'; readonly peer: string; readonly state: 'up' | 'down'; readonly reason?: string }
  | { readonly type: 'problem'; readonly peer: string; readonly message: string };

/** The state of one peer's session, for status objects and logs. */
export interface BgpSessionStatus {
  readonly peer: string;
  readonly address: string;
  readonly state: SessionState;
  /** FRR's words: Established, Active, Connect, OpenSent, OpenConfirm, Idle. */
  readonly bgpStatus: string;
  /** Up, Down, or N/A without a BFDProfile. */
  readonly bfdStatus: 'Up' | 'Down' | 'N/A';
  readonly announcedPrefixes: number;
  readonly pendingPrefixes: number;
  /** Why the session is not (fully) what the BGPPeer asks: reported in the status and an Event. */
  readonly problems: readonly string[];
}

export interface BgpStopOptions {
  /** Seconds to wait between the drain and closing the sessions. Default 0. */
  readonly drainSeconds?: number;
  /**
   * withdraw (default): withdraw every route, wait, close with a Cease. graceful-shutdown: keep the
   * routes with RFC 8326's GRACEFUL_SHUTDOWN community (and LOCAL_PREF 0), wait, close.
   * restart: close without a NOTIFICATION so that peers with graceful restart keep our routes.
   */
  readonly mode?: 'withdraw' | 'graceful-shutdown' | 'restart';
}

const FRR_STATE: Readonly<Record<SessionState, string>> = {
  idle: 'Idle',
  connect: 'Connect',
  active: 'Active',
  'open-sent': 'OpenSent',
  'open-confirm': 'OpenConfirm',
  established: 'Established',
};

const BFD_BIND_RETRIES = 20;

interface Counts {
  sent: MessageCounts;
  received: MessageCounts;
}

interface PeerEntry {
  readonly name: string;
  readonly key: string;
  readonly session: PeerSession;
  desired: DesiredPeer;
  peer: BgpPeer | undefined;
  options: SessionOptions | undefined;
  bfdKey: string | undefined;
  bfdUp: boolean | undefined;
  bfdEvents: { up: number; down: number };
  problems: string[];
  /** Route set last given to the session, per family. */
  sent: Map<RouteFamily, readonly Route[]>;
  /** Counts of this peer's earlier sessions (before a reset), so that counters never go back. */
  retired: Counts;
  closed: boolean;
  ready: Promise<void>;
}

/**
 * BGP for one node. `update(desired)` after every change of the desired state; `sessions()` for
 * status; `stop()` on SIGTERM. Never throws on what the network or the configuration does:
 * problems land in `sessions()[i].problems` and `onEvent`.
 */
export class BgpMode {
  private readonly entries = new Map<string, PeerEntry>();
  /** Peers whose sessions are being closed, by name; a replacement waits for its predecessor. */
  private readonly closing = new Map<string, Promise<void>>();
  /** Desired peers whose session cannot be opened at all. */
  private failed: Array<{ name: string; address: string; problems: readonly string[] }> = [];
  private bfd: BfdManager | undefined;
  private readonly ownsBfd: boolean;
  private draining: BgpStopOptions['mode'] | undefined;
  private stopped = false;
  private readonly restarting: boolean;
  private readonly createdAt = performance.now();
  /** Peer addresses this process has had an established session with: no more Restart State bit. */
  private readonly establishedWith = new Set<string>();
  private nativeSockopt: boolean | undefined;
  /**
   * Route sets by the prefix list they came from, then family, next hop and drain mode: peers with
   * the same prefixes (desiredBgp shares their list, and returns the same list while it is
   * unchanged) get one frozen array, which @lb/bgp-wire then compiles once for all of them.
   */
  private readonly routeSets = new WeakMap<readonly DesiredPrefix[], Map<string, readonly Route[]>>();
  /** Routes by the prefix they came from, per family, next hop and draining: a changed list builds only its new prefixes' routes. */
  private readonly routeMemos = new Map<string, WeakMap<DesiredPrefix, Route>>();

  constructor(private readonly options: BgpModeOptions) {
    this.restarting = options.restarting ?? false;
    this.ownsBfd = !(options.bfd instanceof BfdManager);
    if (options.bfd instanceof BfdManager) this.attachBfd(options.bfd);
    if (options.registry) registerBgpMetrics(options.registry, () => this.metricSamples());
  }

  update(desired: BgpDesiredState): void {
    if (this.stopped) return;
    const wanted = new Map(desired.peers.map((p) => [p.name, p]));
    for (const [name, entry] of this.entries) {
      const next = wanted.get(name);
      if (next?.session.ok && next.session.key === entry.key) continue;
      this.entries.delete(name);
      this.retire(entry);
    }
    this.failed = [];
    for (const desiredPeer of desired.peers) {
      const session = desiredPeer.session;
      if (!session.ok) {
        this.failed.push({ name: desiredPeer.name, address: '', problems: session.error.issues });
        this.report(desiredPeer.name, session.error.message);
        continue;
      }
      const entry = this.entries.get(desiredPeer.name);
      if (entry) {
        entry.desired = desiredPeer;
        this.pushRoutes(entry);
      } else this.open(desiredPeer, session.value, session.key);
    }
  }

  /** Resolves when every session wanted so far has been set up (or failed to): for tests and start-up logs. */
  async settled(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.ready));
  }

  sessions(): BgpSessionStatus[] {
    const out: BgpSessionStatus[] = [];
    for (const entry of this.entries.values()) {
      const stats = entry.peer?.stats();
      const state = entry.peer?.state ?? 'idle';
      out.push({
        peer: entry.name,
        address: entry.session.peerAddress,
        state,
        bgpStatus: FRR_STATE[state],
        bfdStatus: entry.bfdUp === undefined ? 'N/A' : entry.bfdUp ? 'Up' : 'Down',
        announcedPrefixes: stats?.announcedPrefixes ?? 0,
        pendingPrefixes: stats?.pendingPrefixes ?? entry.desired.prefixes.length,
        problems: [...entry.problems, ...(entry.options?.warnings ?? []), ...entry.desired.unsendable.map((p) => `${p}: family not carried by this session (set dualStackAddressFamily)`)],
      });
    }
    for (const f of this.failed) {
      out.push({ peer: f.name, address: f.address, state: 'idle', bgpStatus: 'Idle', bfdStatus: 'N/A', announcedPrefixes: 0, pendingPrefixes: 0, problems: f.problems });
    }
    return out.sort((a, b) => (a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0));
  }

  /**
   * Drains and closes every session (see BgpStopOptions), then BFD. Later updates are ignored.
   */
  async stop(options: BgpStopOptions = {}): Promise<void> {
    if (this.stopped) return;
    const mode = options.mode ?? 'withdraw';
    this.draining = mode;
    if (mode !== 'restart') {
      for (const entry of this.entries.values()) this.pushRoutes(entry);
      const drain = (options.drainSeconds ?? 0) * 1000;
      if (drain > 0) await new Promise((resolve) => setTimeout(resolve, drain));
    }
    this.stopped = true;
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((e) => this.close(e, mode === 'restart')));
    await Promise.all(this.closing.values());
    if (this.bfd && this.ownsBfd) await this.bfd.close();
  }

  private open(desired: DesiredPeer, session: PeerSession, key: string): void {
    const entry: PeerEntry = {
      name: desired.name,
      key,
      session,
      desired,
      peer: undefined,
      options: undefined,
      bfdKey: undefined,
      bfdUp: session.bfdProfile ? false : undefined,
      bfdEvents: { up: 0, down: 0 },
      problems: [],
      sent: new Map(),
      retired: { sent: zeroCounts(), received: zeroCounts() },
      closed: false,
      ready: Promise.resolve(),
    };
    this.entries.set(desired.name, entry);
    const before = this.closing.get(desired.name) ?? Promise.resolve();
    entry.ready = before.then(() => this.start(entry)).catch((error: unknown) => this.problem(entry, `starting the session: ${error instanceof Error ? error.message : String(error)}`));
  }

  private async start(entry: PeerEntry): Promise<void> {
    const localAddress = entry.session.sourceAddress ?? (await localAddressTowards(entry.session.peerAddress, entry.session.peerPort));
    if (entry.closed) return;
    const restartTime = this.options.restartTime ?? 120;
    const built = sessionOptions({
      session: entry.session,
      localAddress,
      node: this.options.nodeAddresses ?? {},
      nodeName: this.options.nodeName,
      restartTime,
      restarting: this.restarting && performance.now() - this.createdAt < restartTime * 1000,
      nativeSockopt: this.sockoptLoads(),
    });
    if ('error' in built) {
      this.problem(entry, built.error);
      return;
    }
    entry.options = built;
    this.startPeer(entry);
    if (entry.session.bfdProfile) {
      const bfd = this.bfdManager();
      const spec = { localAddress, peerAddress: entry.session.peerAddress, multihop: entry.session.ebgpMultiHop, profile: entry.session.bfdProfile };
      let added = await bfd.addSession(spec);
      // A session being replaced frees its UDP ports a moment after its removal: try again briefly.
      for (let attempt = 0; attempt < BFD_BIND_RETRIES && !added.ok && added.error.some((e) => e.includes('EADDRINUSE')) && !entry.closed; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        added = await bfd.addSession(spec);
      }
      if (!added.ok) this.problem(entry, `BFD: ${added.error.join('; ')}`);
      else if (entry.closed) bfd.removeSession(added.value, { immediately: true });
      else entry.bfdKey = added.value;
    }
  }

  private startPeer(entry: PeerEntry): void {
    const built = entry.options as SessionOptions;
    const address = entry.session.peerAddress;
    const gr = built.options.gracefulRestart;
    const options = gr?.restarting && this.establishedWith.has(address) ? { ...built.options, gracefulRestart: { ...gr, restarting: false } } : built.options;
    let peer: BgpPeer;
    try {
      peer = new BgpPeer(options);
    } catch (error) {
      this.problem(entry, error instanceof Error ? error.message : String(error));
      return;
    }
    peer.on('event', (event) => {
      if (event.type === 'established') this.establishedWith.add(address);
      this.options.onEvent?.({ type: 'bgp', peer: entry.name, event });
    });
    entry.peer = peer;
    entry.sent.clear();
    this.pushRoutes(entry);
    peer.start();
  }

  private pushRoutes(entry: PeerEntry): void {
    const peer = entry.peer;
    const built = entry.options;
    if (!peer || !built || entry.closed) return;
    for (const family of entry.session.families) {
      const routeFamily = ROUTE_FAMILY[family];
      const routes = this.draining === 'withdraw' ? [] : this.routeSet(entry.desired.prefixes, family, built.nextHops[family]);
      if (sameRoutes(entry.sent.get(routeFamily), routes)) continue;
      const result = peer.setRoutes(routeFamily, routes);
      if (result.ok) entry.sent.set(routeFamily, routes);
      else this.problem(entry, `routes refused: ${result.error.message}`);
    }
  }

  private routeSet(prefixes: readonly DesiredPrefix[], family: DesiredPrefix['family'], nextHop: string): readonly Route[] {
    const gracefulShutdown = this.draining === 'graceful-shutdown';
    let byKey = this.routeSets.get(prefixes);
    if (!byKey) {
      byKey = new Map();
      this.routeSets.set(prefixes, byKey);
    }
    const key = `${family}|${nextHop}|${gracefulShutdown}`;
    let routes = byKey.get(key);
    if (!routes) {
      let memo = this.routeMemos.get(key);
      if (!memo) {
        memo = new WeakMap();
        this.routeMemos.set(key, memo);
      }
      routes = Object.freeze(routesOf(prefixes, family, nextHop, { gracefulShutdown, memo }));
      byKey.set(key, routes);
    }
    return routes;
  }

  /**
   * BFD says the path is down: the BGP session cannot be up either, so it is replaced by a new one.
   * BFD up again while the session is not: replaced too, so that it connects at once rather than
   * after its retry backoff.
   */
  private async restartSession(entry: PeerEntry, reason: string): Promise<void> {
    const peer = entry.peer;
    if (!peer || entry.closed) return;
    entry.peer = undefined;
    this.retireCounts(entry, peer);
    await peer.stop({ reason });
    if (!entry.closed && this.entries.get(entry.name) === entry) this.startPeer(entry);
  }

  private retire(entry: PeerEntry): void {
    const done = this.close(entry, false).finally(() => {
      if (this.closing.get(entry.name) === done) this.closing.delete(entry.name);
    });
    this.closing.set(entry.name, done);
  }

  private async close(entry: PeerEntry, graceful: boolean): Promise<void> {
    entry.closed = true;
    await entry.ready;
    if (entry.bfdKey && this.bfd) this.bfd.removeSession(entry.bfdKey, { immediately: true });
    const peer = entry.peer;
    if (peer) await peer.stop(graceful ? { graceful: true } : { reason: 'shutting down' });
  }

  private bfdManager(): BfdManager {
    if (!this.bfd) {
      const bfd = new BfdManager(this.options.bfd instanceof BfdManager ? {} : this.options.bfd);
      this.attachBfd(bfd);
    }
    return this.bfd as BfdManager;
  }

  private attachBfd(bfd: BfdManager): void {
    this.bfd = bfd;
    const find = (session: string): PeerEntry | undefined => [...this.entries.values()].find((e) => e.bfdKey === session);
    bfd.on('up', (event) => {
      const entry = find(event.session);
      if (!entry) return;
      entry.bfdUp = true;
      entry.bfdEvents.up++;
      this.options.onEvent?.({ type: 'bfd', peer: entry.name, state: 'up' });
      if (entry.peer && entry.peer.state !== 'established') void this.restartSession(entry, 'BFD up');
    });
    bfd.on('down', (event) => {
      const entry = find(event.session);
      if (!entry) return;
      entry.bfdUp = false;
      entry.bfdEvents.down++;
      this.options.onEvent?.({ type: 'bfd', peer: entry.name, state: 'down', reason: event.reason });
      void this.restartSession(entry, 'BFD down');
    });
    bfd.on('warning', ({ message }) => this.options.onEvent?.({ type: 'problem', peer: '', message }));
  }

  private sockoptLoads(): boolean {
    if (this.nativeSockopt === undefined) {
      // BgpPeer's own check: a peer with a TTL validates only when the addon loads.
      const probe = { localAs: 1, peerAs: 2, routerId: '192.0.2.1', peerAddress: '192.0.2.2', ttl: 1 };
      try {
        new BgpPeer(probe);
        this.nativeSockopt = true;
      } catch {
        this.nativeSockopt = false;
      }
    }
    return this.nativeSockopt;
  }

  private retireCounts(entry: PeerEntry, peer: BgpPeer): void {
    const stats = peer.stats();
    for (const key of Object.keys(entry.retired.sent) as Array<keyof MessageCounts>) {
      entry.retired.sent[key] += stats.sent[key];
      entry.retired.received[key] += stats.received[key];
    }
  }

  private metricSamples(): PeerMetricSample[] {
    return [...this.entries.values()].map((entry) => {
      const stats = entry.peer?.stats();
      const sent = (key: keyof MessageCounts): number => entry.retired.sent[key] + (stats?.sent[key] ?? 0);
      const received = (key: keyof MessageCounts): number => entry.retired.received[key] + (stats?.received[key] ?? 0);
      return {
        address: entry.session.peerAddress,
        up: stats?.established ?? false,
        updatesSent: sent('update'),
        updatesReceived: received('update'),
        opensSent: sent('open'),
        opensReceived: received('open'),
        notificationsSent: sent('notification'),
        keepalivesSent: sent('keepalive'),
        keepalivesReceived: received('keepalive'),
        announcedPrefixes: stats?.announcedPrefixes ?? 0,
        pendingPrefixes: stats?.pendingPrefixes ?? 0,
        bfdUp: entry.bfdUp,
        bfdUpEvents: entry.bfdEvents.up,
        bfdDownEvents: entry.bfdEvents.down,
      };
    });
  }

  private problem(entry: PeerEntry, message: string): void {
    entry.problems.push(message);
    this.report(entry.name, message);
  }

  private report(peer: string, message: string): void {
    this.options.onEvent?.({ type: 'problem', peer, message });
  }
}

function zeroCounts(): MessageCounts {
  return { open: 0, update: 0, notification: 0, keepalive: 0, routeRefresh: 0, total: 0 };
}

// The BGP lab shared by test/bgp-lab.test.ts and bench/bgp.bench.ts: test/lab.ts's SpeakerLab
// (kube-sim, the real controller, three real lb-speaker processes, each node's HTTP server answering
// its name) with netlab's FRR router (zebra installing ECMP routes, L4 multipath hash, bfdd, graceful
// restart helper) and the client behind it. The configuration is applied through the API as a user
// would; scenarios (rolling restarts, a frozen node) are measured from the client's request stream.
import { type KubeObject, type ResourceType, Services } from '@lb/k8s-watch';
import { requireNetworkLab, waitFor, type FrrRouter, type RequestStream, type StreamRecord, type StreamSummary } from '@lb/netlab';
import { CONFIG_TYPES } from '../src/process/api.js';
import { NAMESPACE, SpeakerLab } from './lab.js';

/** Seed 002's first pool, advertised over BGP only (no L2Advertisement names it). */
export const BGP_POOL = '192.168.10.0/24';
/** A pool for bulk Services over BGP (10,000 and more). */
export const BULK_BGP_POOL = '10.100.0.0/18';
export const ROUTER = '172.30.0.3';
export const ROUTER_V6 = 'fd30::3';
/** The lab's node addresses on its default LAN (netlab's plan: .11, .12, .13). */
const NODE_ADDRESSES = ['172.30.0.11', '172.30.0.12', '172.30.0.13'];
/** The BGP lab's speakers wait this long after withdrawing on SIGTERM. */
export const DRAIN_SECONDS = 2;
/** A request of a stream not answered in this time failed. */
const STUCK_MS = 1000;

const typeOf = (kind: string): ResourceType<KubeObject> => {
  const type = CONFIG_TYPES.find((t) => t.kind === kind);
  if (!type) throw new Error(`no resource type for ${kind}`);
  return type;
};

export interface PeerSettings {
  /** BFDProfile 'fast' (3 × 100 ms) on the peer. */
  readonly bfd?: boolean;
  /** Go duration; default 9s. */
  readonly holdTime?: string;
  readonly gracefulRestart?: boolean;
  /** A second BGPPeer to the router's IPv6 address, both families on each (2 peers per node). */
  readonly secondPeer?: boolean;
}

/** The metallb.io objects of the lab's BGP mode. */
export function bgpObjects(settings: PeerSettings = {}): KubeObject[] {
  const meta = (name: string) => ({ name, namespace: NAMESPACE });
  const peer = (name: string, address: string) => ({
    apiVersion: 'metallb.io/v1beta2',
    kind: 'BGPPeer',
    metadata: meta(name),
    spec: {
      myASN: 64512,
      peerASN: 64512,
      peerAddress: address,
      holdTime: settings.holdTime ?? '9s',
      connectTime: '1s',
      enableGracefulRestart: settings.gracefulRestart ?? true,
      ...(settings.bfd ? { bfdProfile: 'fast' } : {}),
      ...(settings.secondPeer ? { dualStackAddressFamily: true } : {}),
    },
  });
  return ([
    { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: meta('bgp'), spec: { addresses: [BGP_POOL], autoAssign: false } },
    { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: meta('bulk-bgp'), spec: { addresses: [BULK_BGP_POOL], autoAssign: false } },
    { apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: meta('fast'), spec: { receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3 } },
    peer('router', ROUTER),
    ...(settings.secondPeer ? [peer('router-v6', ROUTER_V6)] : []),
    { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: meta('bgp'), spec: { ipAddressPools: ['bgp', 'bulk-bgp'] } },
  ] as object[]) as KubeObject[];
}

export interface RollingResult {
  readonly summary: StreamSummary;
  /** Per node, from its signal to its route back at the router. */
  readonly perNodeMs: number[];
  readonly failures: StreamRecord[];
  /** Wall-clock times of each step, to place failures. */
  readonly marks: ReadonlyArray<{ readonly t: number; readonly what: string }>;
}

export interface FreezeResult {
  readonly victim: string;
  /** From the freeze to the start of the last request that failed (new requests still sent to the frozen node). */
  readonly gapMs: number;
  /** From the freeze until the router's kernel route no longer had the node (polled every 20 ms). */
  readonly routerMs: number;
  readonly failed: number;
  readonly sent: number;
}

export class BgpLab {
  private constructor(readonly speakers: SpeakerLab) {}

  /** The lab with FRR (bfdd, graceful restart helper, ECMP) and the BGP configuration applied. */
  static async start(options: { tag?: string; peer?: PeerSettings } = {}): Promise<BgpLab> {
    requireNetworkLab(['zebra', 'bgpd', 'bfdd', 'vtysh', 'curl', 'nft']);
    const speakers = await SpeakerLab.start({
      tag: options.tag ?? 'bgb',
      speakerArgs: ['--drain-seconds', String(DRAIN_SECONDS)],
      // The nodes as static neighbours (besides the listen range): FRR's bfdd does not take up BFD
      // again for a dynamic neighbour re-created after a session closed with a Cease (a SIGTERM
      // drain), while a static neighbour keeps its BFD registration across sessions.
      router: { bfd: { receiveMs: 100, transmitMs: 100, multiplier: 3 }, extraConfig: ['bgp graceful-restart'], neighbors: NODE_ADDRESSES },
      serviceRanges: [BULK_BGP_POOL],
    });
    const lab = new BgpLab(speakers);
    try {
      await lab.configure(options.peer ?? {});
    } catch (error) {
      await speakers.cleanup();
      throw error;
    }
    return lab;
  }

  get router(): FrrRouter {
    const router = this.speakers.cluster.router;
    if (!router) throw new Error('the lab has no router');
    return router;
  }

  get nodeAddresses(): string[] {
    return this.speakers.cluster.nodes.map((n) => n.lan.ipv4);
  }

  /** Creates or updates the BGP objects; the peers' sessions reset when their settings change. */
  async configure(settings: PeerSettings): Promise<void> {
    const client = this.speakers.client;
    const wanted = bgpObjects(settings);
    for (const object of wanted) {
      const type = typeOf(object.kind as string);
      const name = object.metadata?.name as string;
      const existing = await client.get(type, NAMESPACE, name).catch(() => undefined);
      if (existing) await client.update(type, { ...existing, spec: (object as { spec?: unknown }).spec } as KubeObject);
      else await client.create(type, object);
    }
    if (!settings.secondPeer) await client.delete(typeOf('BGPPeer'), NAMESPACE, 'router-v6').catch(() => undefined);
  }

  /** A Service from the BGP pool with a ready endpoint on every node; resolves with its address. */
  async service(name: string, pool = 'bgp'): Promise<string> {
    return this.speakers.service(name, { annotations: { 'metallb.io/address-pool': pool } });
  }

  /** The gateways of the router's kernel route for `address`. */
  paths(address: string): string[] {
    return this.router.kernelNextHops(`${address}/32`);
  }

  /** Waits until the router's kernel routes `address` over every node, and (with BFD) every BFD session is up. */
  async allPaths(address: string, options: { bfd?: boolean; timeoutMs?: number } = {}): Promise<void> {
    const want = this.nodeAddresses;
    await waitFor(`the router's kernel to route ${address} over ${want.join(', ')}`, () => want.every((a) => this.paths(address).includes(a)), {
      timeoutMs: options.timeoutMs ?? 30_000,
      intervalMs: 100,
    });
    if (options.bfd) {
      await waitFor('BFD up with every node at the router', () => want.every((a) => this.router.bfdPeers().some((p) => p.peer === a && p.status === 'up')), {
        timeoutMs: options.timeoutMs ?? 30_000,
        intervalMs: 200,
      });
    }
  }

  /** Neighbour state and stale routes at the router, per node address (for waiting after a restart). */
  peerState(address: string): { state: string; received: number } {
    const json = JSON.parse(this.router.vtysh(`show bgp neighbors ${address} json`) || '{}') as Record<string, { bgpState?: string; addressFamilyInfo?: Record<string, { acceptedPrefixCounter?: number }> }>;
    const n = json[address];
    return { state: n?.bgpState ?? 'none', received: n?.addressFamilyInfo?.['ipv4Unicast']?.acceptedPrefixCounter ?? 0 };
  }

  /**
   * Restarts every speaker in turn while the client behind the router sends a request every 10 ms:
   * 'kill9' (SIGKILL, then started again at once: the router keeps the routes by graceful restart)
   * or 'sigterm' (the speaker withdraws, waits --drain-seconds and exits; then it is started again).
   * Each next node waits until the restarted one is established again with its route back.
   */
  async rollingRestart(address: string, how: 'kill9' | 'sigterm'): Promise<RollingResult> {
    await this.allPaths(address);
    const stream = await this.speakers.cluster.requestStream(address, { intervalMs: 10, from: 'remote' });
    const perNodeMs: number[] = [];
    const marks: Array<{ t: number; what: string }> = [];
    const mark = (what: string): void => {
      marks.push({ t: Date.now(), what });
    };
    try {
      await sleep(300);
      for (let i = 0; i < this.speakers.cluster.nodes.length; i++) {
        const started = performance.now();
        const nodeAddress = this.nodeAddresses[i] as string;
        mark(`signal ${i}`);
        await this.speakers.signalSpeaker(i, how === 'kill9' ? 'SIGKILL' : 'SIGTERM');
        mark(`exited ${i}`);
        await this.speakers.startSpeaker(i, ['--drain-seconds', String(DRAIN_SECONDS)]);
        mark(`started ${i}`);
        await waitFor(`${nodeAddress} established again with its routes`, () => {
          const s = this.peerState(nodeAddress);
          if (s.state === 'Established' && s.received > 0 && this.paths(address).includes(nodeAddress)) return true;
          throw new Error(`router: ${s.state}, ${s.received} prefixes; kernel paths ${this.paths(address).join(', ')}`);
        }, { timeoutMs: 30_000, intervalMs: 100 });
        mark(`back ${i}`);
        perNodeMs.push(performance.now() - started);
        // The router has taken the new session's End-of-RIB (stale routes swept) before the next one goes.
        await sleep(500);
      }
    } catch (error) {
      await stream.stop();
      throw error;
    }
    const { records, summary } = await stream.stop();
    return { summary, perNodeMs, failures: records.filter((r) => r.error !== undefined), marks };
  }

  /**
   * Freezes (SIGSTOP of every process in its namespace: speaker and HTTP server; its kernel still
   * completes handshakes) a node the client's stream reaches, and measures from the stream how long
   * new requests still went to it: from the freeze to the start of the last request that failed
   * (requests to the frozen node time out). Also the time until the router's kernel route lost it
   * (polled). Thaws the node before returning.
   */
  async freezeNode(address: string, options: { bfd: boolean; timeoutMs: number }): Promise<FreezeResult> {
    await this.allPaths(address, { bfd: options.bfd, timeoutMs: 60_000 });
    await sleep(300);
    const stream: RequestStream = await this.speakers.cluster.requestStream(address, { intervalMs: 10, from: 'remote', timeoutMs: STUCK_MS });
    let victim: string | undefined;
    let frozenAt = 0;
    let routerMs = 0;
    try {
      const answered = await waitFor(`answers from ${address} at the client behind the router`, () => {
        const ok = stream.records().filter((r) => r.node && !r.error);
        return ok.length >= 20 ? ok : undefined;
      }, { timeoutMs: 10_000, intervalMs: 100 });
      victim = answered.at(-1)?.node as string;
      const victimIp = this.speakers.cluster.node(victim).lan.ipv4;
      this.speakers.cluster.freeze(victim);
      frozenAt = Date.now();
      await waitFor(`the router to drop frozen ${victim}`, () => !this.paths(address).includes(victimIp), { timeoutMs: options.timeoutMs, intervalMs: 20 });
      routerMs = Date.now() - frozenAt;
      // Requests stuck at the frozen node time out (and are recorded as failed) before it thaws.
      await sleep(STUCK_MS + 300);
    } finally {
      await stream.stop().finally(() => victim && this.speakers.cluster.thaw(victim));
    }
    const records = stream.records();
    const failed = records.filter((r) => r.error !== undefined && r.t >= frozenAt);
    const lastFailed = failed.reduce((a, r) => Math.max(a, r.t), frozenAt);
    return { victim, gapMs: Math.round(lastFailed - frozenAt), routerMs, failed: failed.length, sent: records.length };
  }

  /**
   * kill -9 of the router's bgpd (zebra drops its routes), then bgpd started again with the same
   * configuration: the speakers reconnect and announce everything again.
   */
  async restartRouterBgpd(): Promise<void> {
    const old = this.router.process;
    const [, , , ns, command, ...args] = old.child.spawnargs as string[];
    const exited = new Promise((resolve) => old.child.once('exit', resolve));
    old.child.kill('SIGKILL');
    await exited;
    this.speakers.cluster.lab.spawn(ns as string, command as string, args, { logFile: `${old.logFile ?? '/dev/null'}.restarted` });
    await waitFor('the restarted bgpd to answer', () => {
      try {
        return this.router.vtysh('show bgp summary json').includes('{');
      } catch {
        return false;
      }
    }, { timeoutMs: 15_000, intervalMs: 100 });
  }

  async cleanup(): Promise<void> {
    await this.speakers.cleanup();
  }
}

/** Creates `count` Services (with EndpointSlices) in the bulk BGP pool through the API, `parallel` at a time. */
export async function createBulkServices(lab: BgpLab, count: number, parallel = 32): Promise<void> {
  await inParallel(count, parallel, (i) => lab.speakers.createService(`bulk-${i}`, { annotations: { 'metallb.io/address-pool': 'bulk-bgp' } }));
}

/** Deletes what createBulkServices created: each Service and its EndpointSlice. */
export async function deleteBulkServices(lab: BgpLab, count: number, parallel = 32): Promise<void> {
  await inParallel(count, parallel, (i) => lab.speakers.deleteService(`bulk-${i}`));
}

/** Calls `task(0 … count - 1)`, `parallel` at a time. */
async function inParallel(count: number, parallel: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

/** How many bulk Services have their address (the controller's part). */
export async function assignedCount(lab: BgpLab): Promise<number> {
  const list = await lab.speakers.client.list(Services, { namespace: 'default' });
  return list.items.filter((s) => s.metadata?.name?.startsWith('bulk-') && (s as { status?: { loadBalancer?: { ingress?: unknown[] } } }).status?.loadBalancer?.ingress?.length).length;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

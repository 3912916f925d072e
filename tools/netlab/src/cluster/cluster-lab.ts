import { chmodSync, chownSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFrrRouter, type FrrRouter } from '../daemons/frr-router.js';
import { Lab, type SpawnedProcess } from '../lab.js';
import { arping, ndisc6, neighbors, startTcpdump, type ArpingOptions, type ArpingResult, type Neighbor } from '../l2/clients.js';
import { neighborFrames, type NeighborFrame } from '../l2/neighbor-frames.js';
import { exitedWith, waitFor } from '../wait.js';
import { renderRuleset, type NamespaceFilter, type PortCut } from './firewall.js';
import { startKubeSim, type KubeSimProcess } from './kube-sim.js';
import { nodeObjects } from './node-objects.js';
import { planCluster, type ClusterOptions, type ClusterPlan, type DualAddress, type DualSubnets, type PlannedNode } from './plan.js';
import { startRequestStream, type RequestStream, type RequestStreamOptions } from './request-stream.js';
import { scriptPath } from './scripts.js';
import { overlaps, parseSubnet, type Subnet } from './subnet.js';

export interface ClusterNode extends PlannedNode {
  /** Its network namespace. */
  readonly ns: string;
  readonly lanInterface: string;
  /** MAC of its LAN interface (fixed: 02:4c:00:00:00:<host number>). */
  readonly mac: string;
  /** Its HTTP server (the kube-proxy stand-in). */
  readonly http: SpawnedProcess;
}

/** Who sends: the client on the LAN (default) or the one behind the router. */
export type ClientName = 'client' | 'remote';

/** What a node's HTTP server does: answer with its name, refuse connections, or answer 503. */
export type HttpMode = 'serve' | 'refuse' | 'error';

export interface CurlResult {
  readonly ok: boolean;
  /** HTTP status, 0 when no answer came. */
  readonly status: number;
  /** The answering node, from the body. */
  readonly node?: string;
  readonly error?: string;
}

export interface NeighborCapture {
  readonly file: string;
  /** Stops tcpdump and returns the ARP and NDP frames it saw, in order. */
  stop(): Promise<NeighborFrame[]>;
}

export interface ProcessOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly stdin?: 'pipe' | 'ignore';
}

const macFor = (host: number): string => `02:4c:00:00:00:${host.toString(16).padStart(2, '0')}`;

/**
 * A cluster on one LAN, built from network namespaces: N nodes, a client, optionally an FRR router
 * with a client behind it, and kube-sim on the host reached over a separate management link. See
 * README.md ("Cluster lab") for the topology and the reasons behind it.
 */
export class ClusterLab {
  readonly lab: Lab;
  readonly plan: ClusterPlan;
  readonly nodes: readonly ClusterNode[];
  /** The namespace holding the two bridges, `lan` and `mgmt`. */
  readonly switchNs: string;
  readonly clientNs: string;
  readonly routerNs: string | undefined;
  readonly remoteNs: string | undefined;
  /** The client's (and the remote client's) only interface. */
  readonly clientInterface = 'eth0';
  /** The root namespace's end of the management link. */
  readonly apiLink: string;
  kubeSim: KubeSimProcess | undefined;
  router: FrrRouter | undefined;
  /** Milliseconds `start()` took, in all and per part (network, kubeSim, router, http; the last three overlap). */
  startupMs = 0;
  readonly startupPhases: Record<string, number> = {};
  private readonly filters = new Map<string, { cuts: Array<PortCut & { peerName: string }>; api?: NamespaceFilter['api'] }>();
  private readonly logDir: string;
  private readonly kubeSimStarting: Promise<KubeSimProcess> | undefined;

  private constructor(lab: Lab, plan: ClusterPlan, options: ClusterOptions) {
    this.lab = lab;
    this.plan = plan;
    this.logDir = join(lab.workDir, 'logs');
    mkdirSync(this.logDir, { recursive: true });

    // Everything is gathered first and made in a few batches (namespaces, sysctls, veths, then
    // one `ip -batch` per namespace): about 20 processes build the lab instead of a few hundred,
    // which is what keeps the start short on a busy 2-core machine.
    const names = ['switch', ...plan.nodes.map((n) => n.name), 'client', ...(plan.router ? ['router', 'remote'] : [])];
    const [switchNs, ...rest] = lab.addNamespaces(names);
    const nsOf = (name: string): string => rest[names.indexOf(name) - 1] as string;
    this.switchNs = switchNs as string;
    this.clientNs = nsOf('client');
    this.routerNs = plan.router ? nsOf('router') : undefined;
    this.remoteNs = plan.router ? nsOf('remote') : undefined;
    this.apiLink = `${lab.prefix.slice(0, 12)}m`;

    const sysctls = new Map<string, Readonly<Record<string, number>>>();
    const veths: Array<{ nsA: string | null; a: string; nsB: string; b: string }> = [];
    const batches = new Map<string | null, string[][]>();
    const ip = (ns: string | null, ...args: string[]): void => {
      const list = batches.get(ns) ?? [];
      list.push(args);
      batches.set(ns, list);
    };
    const addresses = (ns: string | null, iface: string, address: DualAddress, subnets: { ipv4: Subnet; ipv6: Subnet }): void => {
      ip(ns, 'addr', 'add', `${address.ipv4}/${subnets.ipv4.length}`, 'dev', iface);
      ip(ns, 'addr', 'add', `${address.ipv6}/${subnets.ipv6.length}`, 'dev', iface, 'nodad');
    };
    const link = (nsA: string | null, nsB: string, a: string, b: string, mac?: string): void => {
      veths.push({ nsA, a, nsB, b });
      if (mac) ip(nsA, 'link', 'set', a, 'address', mac);
      ip(nsA, 'link', 'set', a, 'up');
      ip(nsB, 'link', 'set', b, 'up');
    };
    const defaultRoutes = (ns: string, via: DualAddress): void => {
      ip(ns, 'route', 'add', 'default', 'via', via.ipv4);
      ip(ns, 'route', 'add', 'default', 'via', via.ipv6);
    };
    for (const ns of lab.namespaceNames) if (ns !== this.switchNs) ip(ns, 'link', 'set', 'lo', 'up');

    // Nothing on the bridges speaks IPv6 itself: no DAD, MLD or router solicitations in captures.
    sysctls.set(this.switchNs, { 'net.ipv6.conf.all.disable_ipv6': 1, 'net.ipv6.conf.default.disable_ipv6': 1 });
    const lanPorts: string[] = [];
    const mgmtPorts: string[] = ['mh'];
    link(null, this.switchNs, this.apiLink, 'mh');
    addresses(null, this.apiLink, plan.api, plan.management);

    const nodes: Array<Omit<ClusterNode, 'http'>> = plan.nodes.map((n, i) => {
      const ns = nsOf(n.name);
      sysctls.set(ns, {
        ...quickIpv6,
        // Answer ARP only for addresses of the interface asked on, and never use a Service
        // address as the sender of our own ARP: the kernel must not announce the Service ranges
        // routed here as local (the speaker does that).
        'net.ipv4.conf.all.arp_ignore': 1,
        'net.ipv4.conf.all.arp_announce': 2,
      });
      const mac = macFor(11 + i);
      lanPorts.push(`ln${i + 1}`);
      mgmtPorts.push(`mn${i + 1}`);
      link(ns, this.switchNs, plan.lanInterface, `ln${i + 1}`, mac);
      link(ns, this.switchNs, 'mgmt0', `mn${i + 1}`);
      addresses(ns, plan.lanInterface, n.lan, plan.lan);
      addresses(ns, 'mgmt0', n.management, plan.management);
      // AnyIP: every Service address is local here, so the HTTP server accepts its traffic; with
      // arp_ignore the kernel still never answers ARP for it, and NDP answers only configured addresses.
      for (const range of plan.serviceRanges) ip(ns, 'route', 'add', 'local', range.text, 'dev', 'lo');
      return { ...n, ns, lanInterface: plan.lanInterface, mac };
    });

    sysctls.set(this.clientNs, quickIpv6);
    lanPorts.push('lc');
    link(this.clientNs, this.switchNs, this.clientInterface, 'lc', macFor(100));
    addresses(this.clientNs, this.clientInterface, plan.client, plan.lan);
    // The Service ranges are on-link: the client asks the LAN (ARP/NDP) who has a Service address.
    for (const range of plan.serviceRanges) ip(this.clientNs, 'route', 'add', range.text, 'dev', this.clientInterface);

    if (plan.router && plan.remote && plan.outside && this.routerNs && this.remoteNs) {
      const r = plan.router;
      sysctls.set(this.routerNs, {
        ...quickIpv6,
        'net.ipv4.ip_forward': 1,
        'net.ipv6.conf.all.forwarding': 1,
        // ECMP by the 5-tuple, so connections from one client spread over every node.
        'net.ipv4.fib_multipath_hash_policy': 1,
        'net.ipv6.fib_multipath_hash_policy': 1,
      });
      sysctls.set(this.remoteNs, quickIpv6);
      lanPorts.push('lr');
      link(this.routerNs, this.switchNs, 'eth0', 'lr', macFor(3));
      addresses(this.routerNs, 'eth0', r.lan, plan.lan);
      link(this.routerNs, this.remoteNs, 'eth1', this.clientInterface);
      addresses(this.routerNs, 'eth1', r.outside, plan.outside);
      addresses(this.remoteNs, this.clientInterface, plan.remote, plan.outside);
      defaultRoutes(this.remoteNs, r.outside);
      for (const n of nodes) defaultRoutes(n.ns, r.lan);
    }

    for (const [name, ports] of [['lan', lanPorts], ['mgmt', mgmtPorts]] as const) {
      // Multicast snooping off: see Lab.bridge.
      ip(this.switchNs, 'link', 'add', name, 'type', 'bridge', 'mcast_snooping', '0');
      for (const port of ports) ip(this.switchNs, 'link', 'set', port, 'master', name);
      ip(this.switchNs, 'link', 'set', name, 'up');
    }

    // Sysctls before the links: links made in a namespace take its defaults (no DAD) when created.
    const script = [...sysctls].map(([ns, values]) => `ip netns exec ${ns} sysctl -q -w ${Object.entries(values).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    lab.ns(null, 'sh', ['-ec', script.join('\n')]);
    lab.addVeths(veths);
    // The root namespace's end first, so that kube-sim (the slowest to start) starts on its
    // address while the rest is set up.
    lab.ipBatch(null, batches.get(null) ?? []);
    batches.delete(null);
    this.kubeSimStarting = this.launchKubeSim(options);
    for (const [ns, commands] of batches) lab.ipBatch(ns, commands);

    const extraPorts = plan.router?.options.extraPorts ?? [180];
    if (this.routerNs && extraPorts.length > 0) {
      const rules = `table inet netlab-nat {\n  chain prerouting {\n    type nat hook prerouting priority -100; policy accept;\n${extraPorts.map((p) => `    tcp dport ${p} redirect to :179\n`).join('')}  }\n}\n`;
      lab.ns(this.routerNs, 'nft', ['-f', '-'], { input: rules });
    }

    this.nodes = nodes.map((n) => ({
      ...n,
      http: lab.spawn(n.ns, process.execPath, [scriptPath('node-http.mjs'), n.name, plan.httpPorts.join(',')], {
        stdin: 'pipe',
        logFile: this.logFile(n.name, 'http'),
      }),
    }));
    this.kubeSim = undefined;
    this.router = undefined;
  }

  /**
   * Builds the lab and starts its processes (node HTTP servers, kube-sim, the router's FRR);
   * resolves when all of them answer. A failure removes whatever was made before it is thrown.
   */
  static async start(options: ClusterOptions = {}): Promise<ClusterLab> {
    const started = performance.now();
    const lab = new Lab(options.tag ?? 'cl');
    try {
      const plan = planCluster(options, managementSubnets(lab, options.management));
      const cluster = new ClusterLab(lab, plan, options);
      cluster.startupPhases['network'] = Math.round(performance.now() - started);
      await cluster.startProcesses();
      cluster.startupMs = Math.round(performance.now() - started);
      return cluster;
    } catch (error) {
      await lab.cleanup();
      throw error;
    }
  }

  private launchKubeSim(options: ClusterOptions): Promise<KubeSimProcess> | undefined {
    if (options.kubeSim === false) return undefined;
    const extra = typeof options.kubeSim === 'object' ? options.kubeSim : {};
    const files: string[] = [];
    if (extra.nodeObjects !== false) {
      const file = join(this.lab.workDir, 'nodes.json');
      // JSON is YAML: kube-sim loads it as a manifest.
      writeFileSync(file, JSON.stringify(nodeObjects(this.plan.nodes)));
      files.push(file);
    }
    const starting = startKubeSim(this.lab, { host: this.plan.api.ipv4, port: this.plan.apiPort, files: [...files, ...(extra.files ?? [])] });
    // Awaited in startProcesses; if building the rest fails first, its failure is the one reported.
    starting.catch(() => undefined);
    return starting;
  }

  private async startProcesses(): Promise<void> {
    const plan = this.plan;
    const kubeSim = this.kubeSimStarting;
    const router = plan.router && this.routerNs ? this.startRouter(plan.router.options, plan.router.lan) : undefined;
    const http = Promise.all(
      this.nodes.map((n) => waitFor(`${n.name}'s HTTP server`, () => n.http.output().includes('ready'), { timeoutMs: 10_000, intervalMs: 20, abortIf: exitedWith(n.http.child, n.http.output) })),
    );
    const t0 = performance.now();
    const timed = <T>(name: string, p: Promise<T> | undefined): Promise<T | undefined> =>
      p === undefined ? Promise.resolve(undefined) : p.finally(() => (this.startupPhases[name] = Math.round(performance.now() - t0)));
    // Settle all before failing, so that cleanup does not race a start still in progress.
    const [k, r, h] = await Promise.allSettled([timed('kubeSim', kubeSim), timed('router', router), timed('http', http)]);
    if (k.status === 'fulfilled') this.kubeSim = k.value;
    if (r.status === 'fulfilled') this.router = r.value;
    for (const result of [k, r, h]) if (result.status === 'rejected') throw result.reason;
  }

  private startRouter(options: NonNullable<ClusterPlan['router']>['options'], address: DualAddress): Promise<FrrRouter> {
    const bfd = options.bfd === true ? {} : options.bfd || undefined;
    return startFrrRouter(this.lab, this.routerNs as string, {
      asn: options.asn ?? 64512,
      routerId: address.ipv4,
      listenRanges: [this.plan.lan.ipv4.text, this.plan.lan.ipv6.text],
      peerAsn: options.peerAsn ?? 'internal',
      maximumPaths: options.maximumPaths ?? 16,
      timers: options.timers ?? { keepalive: 3, hold: 9 },
      ...(options.neighbors ? { neighbors: options.neighbors } : {}),
      ...(options.password ? { password: options.password } : {}),
      ...(bfd ? { bfd: { receiveMs: bfd.receiveMs ?? 100, transmitMs: bfd.transmitMs ?? 100, multiplier: bfd.multiplier ?? 3 } } : {}),
      ...(options.extraConfig ? { extraConfig: options.extraConfig } : {}),
    });
  }

  /** A node by name or 0-based index. */
  node(which: string | number): ClusterNode {
    const node = typeof which === 'number' ? this.nodes[which] : this.nodes.find((n) => n.name === which);
    if (!node) throw new Error(`no node ${which} in the lab (${this.nodes.map((n) => n.name).join(', ')})`);
    return node;
  }

  /** The node whose LAN MAC is `mac`, if any. */
  nodeByMac(mac: string): ClusterNode | undefined {
    return this.nodes.find((n) => n.mac === mac.toLowerCase());
  }

  /** The namespace of a client. */
  clientNamespace(from: ClientName = 'client'): string {
    const ns = from === 'client' ? this.clientNs : this.remoteNs;
    if (!ns) throw new Error('this lab has no router, so no remote client');
    return ns;
  }

  // ---- processes ----

  /** Where the lab writes the log of process `name` run for `owner` (a node name, 'host', …). */
  logFile(owner: string, name: string): string {
    return join(this.logDir, `${owner}-${name}.log`);
  }

  /**
   * Starts a long-running process in a node's namespace (the speaker), its output in
   * `logFile(node, name)`. NODE_NAME and KUBECONFIG (the lab's, reaching kube-sim over the
   * management link) are set; `env` adds to or overrides them.
   */
  startInNode(node: string | number, name: string, command: string, args: readonly string[], options: ProcessOptions = {}): SpawnedProcess {
    const n = this.node(node);
    return this.startIn(n.ns, n.name, name, command, args, { ...options, env: { NODE_NAME: n.name, ...options.env } });
  }

  /** The same on the host (root namespace), e.g. the controller. */
  startOnHost(name: string, command: string, args: readonly string[], options: ProcessOptions = {}): SpawnedProcess {
    return this.startIn(null, 'host', name, command, args, options);
  }

  private startIn(ns: string | null, owner: string, name: string, command: string, args: readonly string[], options: ProcessOptions): SpawnedProcess {
    const env = { ...process.env, ...(this.kubeSim ? { KUBECONFIG: this.kubeSim.kubeconfigPath } : {}), ...options.env };
    return this.lab.spawn(ns, command, args, { env, logFile: this.logFile(owner, name), ...(options.stdin ? { stdin: options.stdin } : {}) });
  }

  /**
   * A copy of the kubeconfig owned by `uid`:`gid` (mode 0600), for a process run as that user
   * (e.g. the speaker under `setpriv`); the work dir is made traversable for it.
   */
  kubeconfigFor(uid: number, gid: number): string {
    if (!this.kubeSim) throw new Error('this lab runs no kube-sim');
    const file = join(this.lab.workDir, `kubeconfig-${uid}`);
    copyFileSync(this.kubeSim.kubeconfigPath, file);
    chownSync(file, uid, gid);
    chmodSync(this.lab.workDir, 0o711);
    return file;
  }

  /** Runs a command in a node's namespace and returns its stdout; throws with stderr on failure. */
  exec(node: string | number, command: string, args: readonly string[]): string {
    return this.lab.ns(this.node(node).ns, command, args).stdout;
  }

  /** Makes a node's HTTP server answer with its name, refuse connections, or answer 503 (ETP Local without a local endpoint). */
  async setHttpMode(node: string | number, mode: HttpMode): Promise<void> {
    const n = this.node(node);
    const before = n.http.output().split(`mode ${mode}`).length;
    n.http.child.stdin?.write(`mode ${mode}\n`);
    await waitFor(`${n.name}'s HTTP server in mode ${mode}`, () => n.http.output().split(`mode ${mode}`).length > before, { timeoutMs: 5000, intervalMs: 10 });
  }

  // ---- client tools ----

  /** One HTTP GET from a client with curl; never throws. */
  curl(address: string, options: { from?: ClientName; port?: number; timeoutMs?: number } = {}): CurlResult {
    const host = address.includes(':') ? `[${address}]` : address;
    const url = `http://${host}:${options.port ?? 80}/`;
    const seconds = String((options.timeoutMs ?? 2000) / 1000);
    const r = this.lab.tryNs(this.clientNamespace(options.from), 'curl', ['-sS', '-m', seconds, '-o', '-', '-w', '\n%{http_code}', url], { timeoutMs: (options.timeoutMs ?? 2000) + 5000 });
    const lines = r.stdout.trimEnd().split('\n');
    const status = Number(lines.pop() ?? 0) || 0;
    const node = lines.join('\n').trim().split(/\s+/)[0];
    return { ok: r.ok && status === 200, status, ...(node ? { node } : {}), ...(r.ok && status === 200 ? {} : { error: r.stderr.trim() || `HTTP ${status}` }) };
  }

  /** arping from a client for `address` (reuses `arping`). */
  arping(address: string, options: ArpingOptions & { from?: ClientName } = {}): ArpingResult {
    return arping(this.lab, this.clientNamespace(options.from), this.clientInterface, address, options);
  }

  /** ndisc6 from a client: the MAC that answered the solicitation for `address`, if any. */
  ndisc6(address: string, options: { from?: ClientName; tries?: number; waitMs?: number } = {}): string | undefined {
    return ndisc6(this.lab, this.clientNamespace(options.from), this.clientInterface, address, options);
  }

  /** A client's neighbour table (`ip neigh`). */
  neighbors(from: ClientName = 'client'): Neighbor[] {
    return neighbors(this.lab, this.clientNamespace(from), this.clientInterface);
  }

  /** A static (permanent) neighbour entry on the LAN client: `address` is at `mac`. */
  setNeighbor(address: string, mac: string): void {
    this.lab.ns(this.clientNs, 'ip', ['neigh', 'replace', address, 'lladdr', mac, 'dev', this.clientInterface, 'nud', 'permanent']);
  }

  /** Empties the LAN client's neighbour table (static entries included). */
  flushNeighbors(): void {
    for (const family of ['-4', '-6']) this.lab.ns(this.clientNs, 'ip', [family, 'neigh', 'flush', 'dev', this.clientInterface, 'nud', 'all']);
  }

  /** Starts a request stream from a client to `address` (see `startRequestStream`). */
  requestStream(address: string, options: RequestStreamOptions & { from?: ClientName } = {}): Promise<RequestStream> {
    return startRequestStream(this.lab, this.clientNamespace(options.from), address, options);
  }

  /** Captures ARP and NDP (NS/NA) on the LAN client's interface with nanosecond timestamps. */
  async captureNeighbors(): Promise<NeighborCapture> {
    const capture = await startTcpdump(this.lab, this.clientNs, this.clientInterface, 'arp or (icmp6 and (ip6[40] == 135 or ip6[40] == 136))');
    return { file: capture.file, stop: async () => neighborFrames(await capture.stop()) };
  }

  // ---- faults ----

  /**
   * Takes a node's LAN (or management) link down. By default the switch's end goes down, as a
   * pulled cable: the node sees no carrier but keeps its addresses and routes. `side: 'node'`
   * sets the node's own interface down instead.
   */
  linkDown(node: string | number, options: { link?: 'lan' | 'management'; side?: 'switch' | 'node' } = {}): void {
    this.setLink(node, 'down', options);
  }

  linkUp(node: string | number, options: { link?: 'lan' | 'management'; side?: 'switch' | 'node' } = {}): void {
    this.setLink(node, 'up', options);
  }

  private setLink(node: string | number, state: 'up' | 'down', options: { link?: 'lan' | 'management'; side?: 'switch' | 'node' }): void {
    const n = this.node(node);
    const index = this.nodes.indexOf(n) + 1;
    const lan = (options.link ?? 'lan') === 'lan';
    if (options.side !== 'node') {
      this.lab.ns(this.switchNs, 'ip', ['link', 'set', `${lan ? 'ln' : 'mn'}${index}`, state]);
      return;
    }
    this.lab.ns(n.ns, 'ip', ['link', 'set', lan ? n.lanInterface : 'mgmt0', state]);
    // Setting an interface down deletes the routes through it; the addresses stay (keep_addr_on_down).
    const via = this.plan.router?.lan;
    if (state === 'up' && lan && via) {
      this.lab.ipBatch(n.ns, [
        ['route', 'replace', 'default', 'via', via.ipv4],
        ['route', 'replace', 'default', 'via', via.ipv6],
      ]);
    }
  }

  /** SIGSTOP to every process of a node's namespace (the node hangs; its kernel still answers). */
  freeze(node: string | number): number[] {
    return this.signalNode(node, 'SIGSTOP');
  }

  /** SIGCONT to every process of a node's namespace. */
  thaw(node: string | number): number[] {
    return this.signalNode(node, 'SIGCONT');
  }

  private signalNode(node: string | number, signal: NodeJS.Signals): number[] {
    const pids = this.lab.ns(null, 'ip', ['netns', 'pids', this.node(node).ns]).stdout.split(/\s+/).filter(Boolean).map(Number);
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // exited meanwhile
      }
    }
    return pids;
  }

  /**
   * Drops traffic on `port` (default UDP 7946, the membership port) between two nodes only, both
   * ways, on every address of each; everything else between them still flows.
   */
  cutMembership(a: string | number, b: string | number, options: { port?: number; protocol?: 'udp' | 'tcp' } = {}): void {
    const [na, nb] = [this.node(a), this.node(b)];
    const cut = { port: options.port ?? 7946, protocol: options.protocol ?? 'udp' } as const;
    for (const [self, peer] of [[na, nb], [nb, na]] as const) {
      const f = this.filterOf(self.name);
      if (!f.cuts.some((c) => c.peerName === peer.name && c.port === cut.port && c.protocol === cut.protocol)) {
        f.cuts.push({ ...cut, peerName: peer.name, peer: [peer.lan.ipv4, peer.lan.ipv6, peer.management.ipv4, peer.management.ipv6] });
      }
      this.applyFilter(self);
    }
  }

  /** Lifts `cutMembership` between two nodes (every port, or only `port`). */
  restoreMembership(a: string | number, b: string | number, options: { port?: number } = {}): void {
    const [na, nb] = [this.node(a), this.node(b)];
    for (const [self, peer] of [[na, nb], [nb, na]] as const) {
      const f = this.filterOf(self.name);
      f.cuts = f.cuts.filter((c) => !(c.peerName === peer.name && (options.port === undefined || c.port === options.port)));
      this.applyFilter(self);
    }
  }

  /**
   * Cuts a node off the API server, its LAN untouched: 'drop' (default) loses packets silently,
   * as a partition; 'reject' refuses new connections and resets open ones, as a dead API server.
   */
  cutApi(node: string | number, mode: 'drop' | 'reject' = 'drop'): void {
    const n = this.node(node);
    const port = this.kubeSim?.port ?? this.plan.apiPort;
    this.filterOf(n.name).api = { addresses: [this.plan.api.ipv4, this.plan.api.ipv6], port, mode };
    this.applyFilter(n);
    if (mode === 'reject') {
      // The rule stops new packets; open connections (watches) are ended here at once.
      this.lab.tryNs(n.ns, 'ss', ['-K', 'dst', this.plan.api.ipv4, 'dport', '=', String(port)]);
    }
  }

  restoreApi(node: string | number): void {
    const n = this.node(node);
    delete this.filterOf(n.name).api;
    this.applyFilter(n);
  }

  /**
   * Every node loses the API server (`cutApi` on each); kube-sim keeps running with its objects,
   * and the host (a controller there) still reaches it. `kubeSim.pause()` freezes it for everyone.
   */
  apiOutage(mode: 'drop' | 'reject' = 'drop'): void {
    for (const n of this.nodes) this.cutApi(n.name, mode);
  }

  endApiOutage(): void {
    for (const n of this.nodes) this.restoreApi(n.name);
  }

  private filterOf(name: string): { cuts: Array<PortCut & { peerName: string }>; api?: NamespaceFilter['api'] } {
    let f = this.filters.get(name);
    if (!f) {
      f = { cuts: [] };
      this.filters.set(name, f);
    }
    return f;
  }

  private applyFilter(node: ClusterNode): void {
    const f = this.filterOf(node.name);
    this.lab.ns(node.ns, 'nft', ['-f', '-'], { input: renderRuleset({ cuts: f.cuts, ...(f.api ? { api: f.api } : {}) }) });
  }

  // ---- cleanup ----

  /** Stops every process and removes every namespace and link of the lab (nftables rules go with their namespaces). */
  async cleanup(options: { keepWorkDir?: boolean } = {}): Promise<void> {
    await this.lab.cleanup(options);
  }

}

/** Links created in a namespace after these are set come up without DAD, and keep IPv6 addresses when down. */
const quickIpv6 = {
  'net.ipv6.conf.all.accept_dad': 0,
  'net.ipv6.conf.default.accept_dad': 0,
  'net.ipv6.conf.all.keep_addr_on_down': 1,
  'net.ipv6.conf.default.keep_addr_on_down': 1,
};

/**
 * The management subnet pair: the one given, checked, or one the root namespace does not route yet
 * (10.254.N.0/24 and fd54:0:0:N::/64, N derived from the lab's prefix), so that two labs at once,
 * or a lab and the host's own networks, never collide.
 */
function managementSubnets(lab: Lab, given: DualSubnets | undefined): DualSubnets {
  const routes: Subnet[] = [];
  for (const family of ['-4', '-6']) {
    const parsed = JSON.parse(lab.ns(null, 'ip', [family, '-j', 'route', 'show', 'table', 'all']).stdout || '[]') as Array<{ dst?: string; type?: string }>;
    for (const r of parsed) {
      if (!r.dst || r.dst === 'default' || r.type === 'multicast') continue;
      const s = parseSubnet(r.dst);
      if (s) routes.push(s);
    }
  }
  const clash = (pair: DualSubnets): Subnet | undefined => {
    const mine = [parseSubnet(pair.ipv4), parseSubnet(pair.ipv6)].filter((s): s is Subnet => s !== undefined);
    return routes.find((r) => mine.some((m) => overlaps(r, m)));
  };
  if (given) {
    const taken = clash(given);
    if (taken) throw new Error(`management subnets ${given.ipv4}, ${given.ipv6}: the root namespace already routes ${taken.text}`);
    return given;
  }
  let seed = 0;
  for (const c of lab.prefix) seed = (seed * 31 + c.charCodeAt(0)) % 250;
  for (let i = 0; i < 250; i++) {
    const n = ((seed + i) % 250) + 1;
    const candidate = { ipv4: `10.254.${n}.0/24`, ipv6: `fd54:0:0:${n}::/64` };
    if (!clash(candidate)) return candidate;
  }
  throw new Error('no free management subnet in 10.254.1-250.0/24: the root namespace routes all of them');
}

import { hostAddress, overlaps, parseSubnet, type Subnet } from './subnet.js';

/** An IPv4 and an IPv6 subnet (`10.0.0.0/24`, `fd00::/64`). */
export interface DualSubnets {
  readonly ipv4: string;
  readonly ipv6: string;
}

/** One address of each family on a link, without the prefix length. */
export interface DualAddress {
  readonly ipv4: string;
  readonly ipv6: string;
}

export interface NodeSpec {
  /** The Kubernetes node name; also names the namespace (`<prefix>-<name>`). */
  readonly name: string;
  /** Labels of the Node object the lab creates in kube-sim (`kubernetes.io/hostname` is added). */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The FRR router between the LAN and the outside network. */
export interface RouterOptions {
  /** Default 64512, the AS of seed 002's BGPPeer (iBGP with the speakers). */
  readonly asn?: number;
  /** The speakers' AS: 'internal' (the router's own, default), 'external' (any other) or a number. */
  readonly peerAsn?: number | 'internal' | 'external';
  /** Also accept BGP on these ports (redirected to 179 by nftables); default [180] for seed 002's `peerPort: 180`. */
  readonly extraPorts?: readonly number[];
  /** ECMP width for eBGP and iBGP paths; default 16. */
  readonly maximumPaths?: number;
  /** BGP keepalive and hold time in seconds; default 3 and 9 (FRR's own default is 60/180). */
  readonly timers?: { readonly keepalive: number; readonly hold: number };
  /**
   * Speakers the router connects to itself, besides accepting any LAN address (for peers that only
   * listen, such as a passive gobgpd: gobgpd waits 5-10 s before its first connection attempt).
   */
  readonly neighbors?: readonly string[];
  /** TCP MD5 password every speaker must use. */
  readonly password?: string;
  /** Start bfdd and ask for BFD with every speaker (intervals in ms, default 100/100 × 3). */
  readonly bfd?: boolean | { readonly receiveMs?: number; readonly transmitMs?: number; readonly multiplier?: number };
  /** Extra lines inside `router bgp` (one space of indentation is added), e.g. ['bgp graceful-restart']. */
  readonly extraConfig?: readonly string[];
}

export interface ClusterOptions {
  /** Namespace prefix tag (the lab's names start with it); default 'cl'. */
  readonly tag?: string;
  /** A node count (names lb-node-1…) or the nodes; default 3. */
  readonly nodes?: number | readonly (string | NodeSpec)[];
  /** The LAN the nodes, the client and the router share; default 172.30.0.0/24 and fd30::/64. */
  readonly lan?: Partial<DualSubnets>;
  /** The nodes' LAN interface name; default eth0 (what seed 002's L2Advertisement lists). */
  readonly lanInterface?: string;
  /**
   * Service address ranges: routed as local to every node (AnyIP, so its HTTP server accepts them)
   * and on-link from the LAN client (so the client ARPs / solicits for them on the LAN). Default
   * `seedServiceRanges`.
   */
  readonly serviceRanges?: readonly string[];
  /** TCP ports each node's HTTP server listens on; default 80, 443, 8080. */
  readonly httpPorts?: readonly number[];
  /** Add the FRR router and the network behind it with its own client; default no router. */
  readonly router?: boolean | RouterOptions;
  /** The network behind the router; default 172.31.0.0/24 and fd31::/64. */
  readonly outside?: Partial<DualSubnets>;
  /** The management link to the root namespace (kube-sim); default a free 10.254.N.0/24 and fd54:0:0:N::/64. */
  readonly management?: DualSubnets;
  /** kube-sim's port on the management address; default 6443. */
  readonly apiPort?: number;
  /** Start kube-sim with the lab (default true), with manifests loaded after the lab's Node objects. */
  readonly kubeSim?: boolean | { readonly files?: readonly string[]; readonly nodeObjects?: boolean };
}

/**
 * The pool ranges of the seed examples (examples/seeds/*.yaml) and of the MetalLoadBalancerClass in
 * examples/classes, so that every example's addresses are reachable in the lab as written.
 */
export const seedServiceRanges: readonly string[] = [
  '10.220.2.0/24', // seed 000: first-pool, 10.220.2.214
  '172.16.16.0/24', // seed 001: cheap, 172.16.16.150-
  '192.168.1.0/24', // seed 004: my-ip-pool, 192.168.1.200-250
  '192.168.10.0/24', // seed 002: first-pool
  '192.168.9.0/24', // seed 002: first-pool, 192.168.9.1-5
  'fc00:f853:ccd:e799::/64', // seed 002: first-pool, fc00:f853:0ccd:e799::/124
  '192.168.20.0/24', // seed 002: the namespace and service selector pools
  '192.168.2.0/24', // examples/classes: 192.168.2.100-150
  '10.42.0.0/24', // examples/classes
];

export interface PlannedNode {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly lan: DualAddress;
  readonly management: DualAddress;
}

/** Every address of a cluster lab, decided before anything is created. */
export interface ClusterPlan {
  readonly lan: { readonly ipv4: Subnet; readonly ipv6: Subnet };
  readonly management: { readonly ipv4: Subnet; readonly ipv6: Subnet };
  readonly outside?: { readonly ipv4: Subnet; readonly ipv6: Subnet };
  readonly lanInterface: string;
  readonly nodes: readonly PlannedNode[];
  readonly client: DualAddress;
  /** The root namespace's end of the management link: where kube-sim listens. */
  readonly api: DualAddress;
  readonly apiPort: number;
  readonly router?: { readonly lan: DualAddress; readonly outside: DualAddress; readonly options: RouterOptions };
  /** The client behind the router. */
  readonly remote?: DualAddress;
  readonly serviceRanges: readonly Subnet[];
  readonly httpPorts: readonly number[];
}

// Host numbers: the router is .3 (seed 002's BGPPeer peerAddress 172.30.0.3), nodes .11, .12, …,
// the clients .100; in IPv6 the same digits (fd30::3, fd30::11, fd30::100), so both read alike.
const routerHost = 3;
const firstNodeHost = 11;
const clientHost = 100;
const maxNodes = clientHost - firstNodeHost;

const hostIndex = (subnet: Subnet, n: number): bigint => (subnet.family === 'IPv4' ? BigInt(n) : BigInt(`0x${n}`));
const dual = (s: { ipv4: Subnet; ipv6: Subnet }, n: number): DualAddress => ({ ipv4: hostAddress(s.ipv4, hostIndex(s.ipv4, n)), ipv6: hostAddress(s.ipv6, hostIndex(s.ipv6, n)) });

/**
 * Checks the options (every problem at once) and assigns every address. `management` is the
 * management pair chosen by the caller when the options leave it out.
 */
export function planCluster(options: ClusterOptions, management: DualSubnets): ClusterPlan {
  const problems: string[] = [];
  const subnetPair = (what: string, given: Partial<DualSubnets> | undefined, defaults: DualSubnets): { ipv4: Subnet; ipv6: Subnet } | undefined => {
    const ipv4 = parseSubnet(given?.ipv4 ?? defaults.ipv4);
    const ipv6 = parseSubnet(given?.ipv6 ?? defaults.ipv6);
    if (ipv4?.family !== 'IPv4') problems.push(`${what}.ipv4: "${given?.ipv4 ?? defaults.ipv4}" is not an IPv4 subnet`);
    if (ipv6?.family !== 'IPv6') problems.push(`${what}.ipv6: "${given?.ipv6 ?? defaults.ipv6}" is not an IPv6 subnet`);
    for (const s of [ipv4, ipv6]) {
      if (s && s.length > (s.family === 'IPv4' ? 24 : 120)) problems.push(`${what}: ${s.text} is too small (at most /${s.family === 'IPv4' ? 24 : 120})`);
    }
    return ipv4?.family === 'IPv4' && ipv6?.family === 'IPv6' ? { ipv4, ipv6 } : undefined;
  };
  const lan = subnetPair('lan', options.lan, { ipv4: '172.30.0.0/24', ipv6: 'fd30::/64' });
  const mgmt = subnetPair('management', options.management, management);
  const withRouter = options.router !== undefined && options.router !== false;
  const outside = withRouter ? subnetPair('outside', options.outside, { ipv4: '172.31.0.0/24', ipv6: 'fd31::/64' }) : undefined;

  const specs: NodeSpec[] = (typeof options.nodes === 'number' || options.nodes === undefined
    ? Array.from({ length: options.nodes ?? 3 }, (_, i) => `lb-node-${i + 1}`)
    : options.nodes
  ).map((n) => (typeof n === 'string' ? { name: n } : n));
  if (specs.length < 1 || specs.length > maxNodes) problems.push(`nodes: ${specs.length} nodes; the lab holds 1 to ${maxNodes}`);
  const seen = new Set<string>();
  for (const { name } of specs) {
    if (!/^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/.test(name)) problems.push(`nodes: "${name}" is not a DNS label of at most 40 characters`);
    if (seen.has(name)) problems.push(`nodes: "${name}" appears twice`);
    seen.add(name);
  }
  const lanInterface = options.lanInterface ?? 'eth0';
  if (!/^[a-zA-Z0-9_.-]{1,15}$/.test(lanInterface) || lanInterface === 'mgmt0' || lanInterface === 'lo') {
    problems.push(`lanInterface: "${lanInterface}" is not a free interface name of at most 15 characters`);
  }

  const serviceRanges: Subnet[] = [];
  for (const text of options.serviceRanges ?? seedServiceRanges) {
    const s = parseSubnet(text);
    if (!s) problems.push(`serviceRanges: "${text}" is not a subnet`);
    else serviceRanges.push(s);
  }
  const httpPorts = options.httpPorts ?? [80, 443, 8080];
  for (const p of httpPorts) if (!Number.isInteger(p) || p < 1 || p > 65535) problems.push(`httpPorts: ${p} is not a TCP port`);
  const apiPort = options.apiPort ?? 6443;
  if (!Number.isInteger(apiPort) || apiPort < 1 || apiPort > 65535) problems.push(`apiPort: ${apiPort} is not a TCP port`);

  const networks = [
    ['lan', lan],
    ['management', mgmt],
    ['outside', outside],
  ] as const;
  const all: Array<[string, Subnet]> = [
    ...networks.flatMap(([name, pair]) => (pair ? ([[`${name}.ipv4`, pair.ipv4], [`${name}.ipv6`, pair.ipv6]] as Array<[string, Subnet]>) : [])),
    ...serviceRanges.map((s): [string, Subnet] => [`serviceRanges ${s.text}`, s]),
  ];
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const [nameA, a] = all[i] as [string, Subnet];
      const [nameB, b] = all[j] as [string, Subnet];
      if (overlaps(a, b)) problems.push(`${nameA} (${a.text}) overlaps ${nameB} (${b.text})`);
    }
  }
  if (problems.length > 0 || !lan || !mgmt || (withRouter && !outside)) throw new Error(`cluster lab options are invalid:\n  - ${problems.join('\n  - ')}`);

  const nodes = specs.map((spec, i) => ({
    name: spec.name,
    labels: { 'kubernetes.io/hostname': spec.name, 'kubernetes.io/os': 'linux', ...(spec.labels ?? {}) },
    lan: dual(lan, firstNodeHost + i),
    management: dual(mgmt, firstNodeHost + i),
  }));
  const routerOptions = typeof options.router === 'object' ? options.router : {};
  return {
    lan,
    management: mgmt,
    lanInterface,
    nodes,
    client: dual(lan, clientHost),
    api: dual(mgmt, 1),
    apiPort,
    serviceRanges,
    httpPorts,
    ...(outside
      ? { outside, router: { lan: dual(lan, routerHost), outside: dual(outside, 1), options: routerOptions }, remote: dual(outside, clientHost) }
      : {}),
  };
}

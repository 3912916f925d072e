// The pure half of the BGP adapter: a desired peer, and the local addresses its session uses,
// turned into @lb/bgp-wire's peer options and route sets. Kept apart so that every mapping from
// MetalLB's fields to the wire is tested without sockets.
import { type Route, type RouteFamily } from '@lb/bgp-wire';
import { formatIp, ipFamily, type IpFamily } from '@lb/ip';
import { type DesiredPrefix } from './desired.js';
import { type PeerSession } from './sessions.js';

/** This node's addresses: next hops, and the router ID when the BGPPeer sets none. */
export interface NodeAddresses {
  readonly IPv4?: string;
  readonly IPv6?: string;
}

export interface SessionOptionsInput {
  readonly session: PeerSession;
  /** The address our TCP connection leaves from (sourceAddress, or the kernel's choice towards the peer). */
  readonly localAddress: string;
  readonly node: NodeAddresses;
  readonly nodeName: string;
  /** Seconds the peer keeps our routes across a restart (RFC 4724), when the peer enables graceful restart. */
  readonly restartTime: number;
  /** Set on the first sessions after a restart: the Restart State bit. */
  readonly restarting: boolean;
  /** Whether @lb/bgp-sockopt loaded (TTL and MD5 need it). */
  readonly nativeSockopt: boolean;
}

/** What @lb/bgp-wire's BgpPeer takes (less the listener), plus what could not be applied. */
export interface SessionOptions {
  readonly options: {
    readonly localAs: number;
    readonly peerAs: number;
    readonly routerId: string;
    readonly peerAddress: string;
    readonly peerPort: number;
    readonly localAddress?: string;
    readonly holdTime: number;
    readonly keepaliveTime?: number;
    readonly connectRetryTime?: number;
    readonly maxConnectRetryTime?: number;
    readonly mode: 'active';
    readonly families: readonly RouteFamily[];
    readonly gracefulRestart?: { readonly restartTime: number; readonly restarting: boolean; readonly forwardingState: boolean };
    readonly hostname: string;
    readonly ttl?: number;
    readonly password?: string;
  };
  /** Next hop per family. */
  readonly nextHops: Readonly<Record<IpFamily, string>>;
  /** Settings honoured only in part, for the status (e.g. no TTL without the native addon). */
  readonly warnings: readonly string[];
}

export const ROUTE_FAMILY: Readonly<Record<IpFamily, RouteFamily>> = { IPv4: 'ipv4-unicast', IPv6: 'ipv6-unicast' };

export function sessionOptions(input: SessionOptionsInput): SessionOptions | { readonly error: string } {
  const { session, localAddress, node } = input;
  const warnings: string[] = [];
  const localFamily = ipFamily(localAddress) as IpFamily;
  const other: IpFamily = localFamily === 'IPv4' ? 'IPv6' : 'IPv4';
  // The other family's next hop: this node's address of that family, else the session's own
  // (bgp-wire sends it IPv4-mapped, or by RFC 8950).
  const nextHops = { [localFamily]: localAddress, [other]: node[other] ?? localAddress } as Record<IpFamily, string>;
  const routerId = session.routerID ?? (localFamily === 'IPv4' ? localAddress : node.IPv4) ?? routerIdFromName(input.nodeName);
  if (session.password !== undefined && !input.nativeSockopt) return { error: 'password (TCP MD5) needs the native addon @lb/bgp-sockopt, which did not load' };
  // eBGP to a neighbour is one hop (as FRR sends it); multihop lets the packets cross routers.
  let ttl: number | undefined = session.internal ? undefined : session.ebgpMultiHop ? 255 : 1;
  if (ttl !== undefined && !input.nativeSockopt) {
    warnings.push(`TTL ${ttl} for eBGP not set: the native addon @lb/bgp-sockopt did not load`);
    ttl = undefined;
  }
  return {
    options: {
      localAs: session.myASN,
      peerAs: session.peerASN,
      routerId,
      peerAddress: session.peerAddress,
      peerPort: session.peerPort,
      ...(session.sourceAddress !== undefined ? { localAddress: session.sourceAddress } : {}),
      holdTime: session.holdTime,
      // MetalLB's keepaliveTime 0 with a hold time means "the default", a third of it.
      ...(session.keepaliveTime > 0 && session.holdTime > 0 ? { keepaliveTime: session.keepaliveTime } : {}),
      ...(session.connectTime !== undefined && session.connectTime > 0 ? { connectRetryTime: session.connectTime, maxConnectRetryTime: session.connectTime } : {}),
      mode: 'active',
      families: session.families.map((f) => ROUTE_FAMILY[f]),
      ...(session.enableGracefulRestart ? { gracefulRestart: { restartTime: input.restartTime, restarting: input.restarting, forwardingState: true } } : {}),
      hostname: input.nodeName.slice(0, 255),
      ...(ttl !== undefined ? { ttl } : {}),
      ...(session.password !== undefined ? { password: session.password } : {}),
    },
    nextHops,
    warnings,
  };
}

/** A stable non-zero IPv4 identifier for a node with no IPv4 address at all. */
function routerIdFromName(name: string): string {
  let hash = 0x811c9dc5;
  for (const ch of name) hash = Math.imul(hash ^ (ch.codePointAt(0) as number), 0x01000193) >>> 0;
  const bytes = new Uint8Array([(hash >>> 24) | 1, hash >>> 16, hash >>> 8, hash]);
  return formatIp(bytes);
}

/** RFC 8326's GRACEFUL_SHUTDOWN community, added while draining. */
export const GRACEFUL_SHUTDOWN = 'GRACEFUL_SHUTDOWN';

/** The route set of one family for one peer. */
export function routesOf(
  prefixes: readonly DesiredPrefix[],
  family: IpFamily,
  nextHop: string,
  options: { readonly gracefulShutdown?: boolean; readonly memo?: WeakMap<DesiredPrefix, Route> } = {},
): Route[] {
  const routes: Route[] = [];
  for (const p of prefixes) {
    if (p.family !== family) continue;
    let route = options.memo?.get(p);
    if (!route) {
      const communities = options.gracefulShutdown ? [...p.communities, GRACEFUL_SHUTDOWN] : p.communities;
      // Frozen: @lb/bgp-wire then compiles the route once, whichever set it is in.
      route = Object.freeze({
        prefix: p.prefix,
        nextHop,
        ...(communities.length > 0 ? { communities } : {}),
        ...(p.largeCommunities.length > 0 ? { largeCommunities: p.largeCommunities } : {}),
        // RFC 8326: while draining, iBGP peers get LOCAL_PREF 0 as well.
        ...(options.gracefulShutdown ? { localPref: 0 } : p.localPref !== undefined ? { localPref: p.localPref } : {}),
      });
      options.memo?.set(p, route);
    }
    routes.push(route);
  }
  return routes;
}

/**
 * Whether two route sets of routesOf() are equal, element by element in order (routesOf keeps the
 * desired prefixes' order). Cheaper than serializing 10,000 routes on every change to compare them.
 */
export function sameRoutes(a: readonly Route[] | undefined, b: readonly Route[]): boolean {
  if (a === b) return true;
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < b.length; i++) {
    const x = a[i] as Route;
    const y = b[i] as Route;
    if (x.prefix !== y.prefix || x.nextHop !== y.nextHop || x.localPref !== y.localPref || x.med !== y.med) return false;
    if (!sameList(x.communities, y.communities) || !sameList(x.largeCommunities, y.largeCommunities)) return false;
  }
  return true;
}

function sameList(a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  return a.every((v, i) => v === b[i]);
}

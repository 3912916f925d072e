import { type LargeCommunity } from '../codec/attributes.js';
import { formatLargeCommunity, parseCommunity, parseLargeCommunity } from '../codec/communities.js';
import { formatIp, parseIp } from '@lb/ip';
import { parsePrefix } from '../codec/nlri.js';
import { type RouteFamily } from './route-family.js';

/** A route the caller wants announced to the peer. */
export interface Route {
  /** "192.0.2.10/32", "2001:db8::10/128"; host bits must be zero. */
  readonly prefix: string;
  /**
   * Our address the peer forwards to. IPv4 routes with an IPv6 next hop need RFC 8950 on the
   * session; IPv6 routes with an IPv4 next hop are sent with it IPv4-mapped (::ffff:a.b.c.d).
   */
  readonly nextHop: string;
  /** "65000:100", a well-known name ("no-export"), or the 32-bit value. */
  readonly communities?: readonly (string | number)[];
  /** "65000:1:2" (optionally "large:65000:1:2") or the three numbers. */
  readonly largeCommunities?: readonly (string | LargeCommunity)[];
  /** Sent to internal peers only (default from the session config). */
  readonly localPref?: number;
  readonly med?: number;
}

/** The attributes of a route, ready to encode; routes with equal `key`s share UPDATEs. */
export interface RouteAttributes {
  readonly key: string;
  /** 4 or 16 bytes. */
  readonly nextHop: Uint8Array;
  readonly communities: readonly number[];
  readonly largeCommunities: readonly LargeCommunity[];
  readonly localPref: number | undefined;
  readonly med: number | undefined;
}

export interface CompiledRoute {
  /** Canonical prefix text, the Adj-RIB-Out key. */
  readonly prefix: string;
  /** NLRI wire form without path id: length octet and significant address octets. */
  readonly nlri: Uint8Array;
  readonly attributes: RouteAttributes;
}

/**
 * Compiled routes remembered by the route object they came from (see Session.setRoutes: frozen
 * routes), so that a set that differs from the last in a few routes compiles only those.
 */
export interface CompiledRouteCache {
  get(route: Route): CompiledRoute | undefined;
  set(route: Route, compiled: CompiledRoute): void;
}

/** Bytes of NLRI per shared buffer (an IPv4 host route takes 5, an IPv6 one 17). */
const NLRI_SLAB_BYTES = 16 * 1024;

const isU32 = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xffffffff;

/**
 * Checks and compiles a route set for one family. Returns every problem (each naming the route
 * and field) when there is any, so a bad set is rejected whole and nothing half-applies.
 * `tooLarge` says why a route's UPDATE would not fit in a message, if it would not.
 */
export function compileRoutes(
  family: RouteFamily,
  routes: readonly Route[],
  tooLarge: (attributes: RouteAttributes, nlri: Uint8Array) => string | undefined = () => undefined,
  cache?: CompiledRouteCache,
): Map<string, CompiledRoute> | string[] {
  const problems: string[] = [];
  const out = new Map<string, CompiledRoute>();
  let slab = new Uint8Array(0);
  let slabUsed = 0;
  // Each route looked up once; those still to compile size the slabs, so that a set that adds one
  // route to 10,000 cached ones does not pin 16 KiB for its 5 bytes.
  const cached = cache ? routes.map((route) => cache.get(route)) : [];
  let toCompile = routes.length;
  for (const hit of cached) if (hit) toCompile--;
  // Routes share attribute objects when their attributes are equal, which keeps 100k-route tables small.
  const attributeCache = new Map<string, RouteAttributes>();
  const want = family === 'ipv4-unicast' ? 'IPv4' : 'IPv6';
  routes.forEach((route, index) => {
    const where = `routes[${index}] (${JSON.stringify(route?.prefix)})`;
    const known = cached[index];
    if (known) {
      if (out.has(known.prefix)) problems.push(`${where}: prefix ${known.prefix} appears more than once`);
      else out.set(known.prefix, known);
      return;
    }
    toCompile--;
    const before = problems.length;
    const parsed = typeof route?.prefix === 'string' ? parsePrefix(route.prefix) : undefined;
    if (!parsed) {
      problems.push(`${where}: prefix is not a valid CIDR prefix`);
      return;
    }
    if (parsed.family !== want) problems.push(`${where}: prefix is ${parsed.family}, family is ${family}`);
    const octets = (parsed.length + 7) >> 3;
    if (hasHostBits(parsed.address, parsed.length)) problems.push(`${where}: prefix has host bits set past /${parsed.length}`);
    const nextHop = typeof route.nextHop === 'string' ? parseIp(route.nextHop) : undefined;
    if (!nextHop) problems.push(`${where}: nextHop ${JSON.stringify(route.nextHop)} is not an IP address`);
    const communities: number[] = [];
    for (const c of route.communities ?? []) {
      const value = typeof c === 'number' ? (isU32(c) ? c : undefined) : parseCommunity(c);
      if (value === undefined) problems.push(`${where}: community ${JSON.stringify(c)} is not "asn:value", a well-known name or a 32-bit number`);
      else communities.push(value);
    }
    const large: LargeCommunity[] = [];
    for (const c of route.largeCommunities ?? []) {
      const value = typeof c === 'string' ? parseLargeCommunity(c) : isU32(c?.globalAdmin) && isU32(c.localData1) && isU32(c.localData2) ? c : undefined;
      if (value === undefined) problems.push(`${where}: large community ${JSON.stringify(c)} is not "global:local1:local2" of 32-bit numbers`);
      else large.push(value);
    }
    if (route.localPref !== undefined && !isU32(route.localPref)) problems.push(`${where}: localPref ${route.localPref} is not a 32-bit unsigned integer`);
    if (route.med !== undefined && !isU32(route.med)) problems.push(`${where}: med ${route.med} is not a 32-bit unsigned integer`);
    const prefix = `${formatIp(parsed.address)}/${parsed.length}`;
    if (out.has(prefix)) problems.push(`${where}: prefix ${prefix} appears more than once`);
    if (problems.length > before || !nextHop) return;
    const key = `${formatIp(nextHop)}|${route.med ?? ''}|${route.localPref ?? ''}|${communities.join(',')}|${large.map(formatLargeCommunity).join(',')}`;
    let attributes = attributeCache.get(key);
    if (!attributes) {
      attributes = { key, nextHop, communities, largeCommunities: large, localPref: route.localPref, med: route.med };
      attributeCache.set(key, attributes);
    }
    // NLRIs are views into shared slabs: 10,000 routes are a few buffers, not 10,000 (each with its
    // own backing store outside the heap).
    if (slab.length - slabUsed < 1 + octets) {
      slab = new Uint8Array(Math.min(NLRI_SLAB_BYTES, Math.max(1 + octets, (toCompile + 1) * 17)));
      slabUsed = 0;
    }
    const nlri = slab.subarray(slabUsed, slabUsed + 1 + octets);
    slabUsed += 1 + octets;
    nlri[0] = parsed.length;
    nlri.set(parsed.address.subarray(0, octets), 1);
    const size = tooLarge(attributes, nlri);
    if (size !== undefined) {
      problems.push(`${where}: ${size}`);
      return;
    }
    const compiled = { prefix, nlri, attributes };
    out.set(prefix, compiled);
    cache?.set(route, compiled);
  });
  return problems.length > 0 ? problems : out;
}

function hasHostBits(address: Uint8Array, length: number): boolean {
  for (let bit = length; bit < address.length * 8; bit++) {
    if (((address[bit >> 3] as number) & (0x80 >> (bit & 7))) !== 0) return true;
  }
  return false;
}

// What this node announces over BGP, from the API's view alone: for each BGPPeer that selects this
// node, the session to hold and the prefixes to announce on it with their attributes; for each
// Service, the peers it is announced to (ServiceBGPStatus) or why it is not announced. MetalLB's
// rules: the BGPAdvertisements of the Service's pool that select it, this node (nodeSelectors) and
// the peer (peers); aggregation; communities (aliases already resolved by compile()); LOCAL_PREF to
// iBGP peers only; externalTrafficPolicy Local announces only from nodes with a ready endpoint.
import { type BgpAnnouncement, type CompiledConfig, type CompiledPeer, type SecretObject } from '@lb/config-schema';
import { type IpFamily } from '@lb/ip';
import { matchesAnySelector } from '@lb/labels';
import { endpointsByService, endpointsOf } from '../election/endpoints.js';
import { nodeExclusion } from '../election/nodes.js';
import { type EndpointSliceResource, type NodeResource, type ServiceResource } from '../election/resources.js';
import { classLookup, servicePool, sharesIP, type NotAnnouncedReason } from '../election/services.js';
import { aggregatedPrefix, type AggregatedPrefix } from './prefixes.js';
import { peerSession, secretIndex, sessionKey, type PeerSession, type PeerSessionError } from './sessions.js';

export interface BgpInputs {
  readonly config: CompiledConfig;
  readonly services: readonly ServiceResource[];
  readonly endpointSlices: readonly EndpointSliceResource[];
  readonly nodes: readonly NodeResource[];
  /** This node's name (MetalLB's --node-name). */
  readonly nodeName: string;
  /** Secrets of the peers' passwordSecret references (kubernetes.io/basic-auth). */
  readonly secrets?: readonly SecretObject[];
  /** MetalLB's --lb-class. */
  readonly lbClass?: string;
  /** MetalLB's --ignore-exclude-lb. */
  readonly ignoreExcludeLB?: boolean;
  /**
   * The state this function returned last time, if any. Its objects that equal the new ones are
   * returned again (a prefix list whose prefixes are all unchanged is the same array), so that in a
   * burst of 10,000 Services each recomputation allocates only what changed, and what consumes the
   * state (routes, compiled UPDATEs, status objects) can remember its work per object.
   */
  readonly previous?: BgpDesiredState;
}

export interface DesiredPrefix {
  /** Canonical `address/length`. */
  readonly prefix: string;
  readonly family: IpFamily;
  /** Standard communities, `A:B`, sorted. */
  readonly communities: readonly string[];
  /** Large communities, `A:B:C`, sorted. */
  readonly largeCommunities: readonly string[];
  /** Set for iBGP peers only (compile() refuses advertisements that disagree on one prefix). */
  readonly localPref: number | undefined;
  /** The Services (`namespace/name`) behind it, sorted. */
  readonly services: readonly string[];
}

export interface DesiredPeer {
  /** The BGPPeer's name. */
  readonly name: string;
  /** The session, or why it is not opened (reported, never ignored). */
  readonly session: { readonly ok: true; readonly value: PeerSession; readonly key: string } | { readonly ok: false; readonly error: PeerSessionError };
  /** Sorted by prefix. */
  readonly prefixes: readonly DesiredPrefix[];
  /** Prefixes of a family the session does not carry (no dualStackAddressFamily), not announced. */
  readonly unsendable: readonly string[];
}

export type BgpNotAnnouncedReason =
  | NotAnnouncedReason
  /** No BGPAdvertisement covers the pool, or none selects the Service. */
  | 'noBGPAdvertisement'
  /** No advertisement selects this node, or none of their peers is a session of this node. */
  | 'noPeerForNode'
  /** This node never announces (NetworkUnavailable, excluded from load balancers). */
  | 'nodeExcluded'
  /** externalTrafficPolicy Local and no ready endpoint on this node. */
  | 'noLocalEndpoint';

export interface ServiceBgpDecision {
  readonly key: string;
  readonly addresses: readonly string[];
  /** Peers this node announces the Service to (sorted); empty when not announced. */
  readonly peers: readonly string[];
  readonly reason?: BgpNotAnnouncedReason;
}

export interface BgpDesiredState {
  readonly node: string;
  /** Every BGPPeer that selects this node, sorted by name. */
  readonly peers: readonly DesiredPeer[];
  /** Every Service of type LoadBalancer seen, sorted by key. */
  readonly services: readonly ServiceBgpDecision[];
}

interface PrefixBuilder {
  readonly family: IpFamily;
  /** The advertisements behind the prefix (usually one, whose attribute lists are then shared). */
  readonly sources: BgpAnnouncement[];
  readonly services: string[];
  readonly internal: boolean;
}

/** An advertisement's attributes as DesiredPrefix lists, computed once and shared by its prefixes. */
interface Attributes {
  readonly communities: readonly string[];
  readonly largeCommunities: readonly string[];
}

export function desiredBgp(inputs: BgpInputs): BgpDesiredState {
  const node = inputs.nodes.find((n) => n.metadata?.name === inputs.nodeName);
  const labels = node?.metadata?.labels ?? {};
  const excluded = node !== undefined && nodeExclusion(node, inputs.ignoreExcludeLB ? { ignoreExcludeLB: true } : {}) !== undefined;
  const secrets = secretIndex(inputs.secrets ?? []);
  const peers = inputs.config.peers.filter((p) => p.nodeSelectors.length === 0 || matchesAnySelector(p.nodeSelectors, labels)).sort((a, b) => compare(a.name, b.name));
  const routes = new Map<string, Map<string, PrefixBuilder>>(peers.map((p) => [p.name, new Map()]));
  const classes = classLookup(inputs.config);
  const endpoints = endpointsByService(inputs.endpointSlices);
  const decisions: ServiceBgpDecision[] = [];
  const options = inputs.lbClass !== undefined ? { lbClass: inputs.lbClass } : {};
  for (const service of inputs.services) {
    if (service.spec?.type !== 'LoadBalancer') continue;
    const pooled = servicePool(service, inputs.config, classes, options);
    if (!pooled.ok) {
      decisions.push({ key: pooled.key, addresses: pooled.addresses, peers: [], reason: pooled.reason });
      continue;
    }
    const { key, addresses, pool, local } = pooled.service;
    const refuse = (reason: BgpNotAnnouncedReason): void => void decisions.push({ key, addresses, peers: [], reason });
    const serviceLabels = service.metadata?.labels ?? {};
    const advertisements = pool.bgp.filter((a) => a.serviceSelectors.length === 0 || matchesAnySelector(a.serviceSelectors, serviceLabels));
    if (advertisements.length === 0) refuse('noBGPAdvertisement');
    else if (sharesIP(service) && advertisements.some((a) => a.serviceSelectors.length > 0)) refuse('sharedIPWithServiceSelector');
    else if (excluded) refuse('nodeExcluded');
    else if (!endpointsOf(endpoints, key).any) refuse('noReadyEndpoints');
    else if (local && !endpointsOf(endpoints, key).nodes.has(inputs.nodeName)) refuse('noLocalEndpoint');
    else {
      const announcedTo = new Set<string>();
      for (const advertisement of advertisements) {
        if (advertisement.nodeSelectors.length > 0 && !matchesAnySelector(advertisement.nodeSelectors, labels)) continue;
        let prefixes: AggregatedPrefix[] | undefined;
        for (const peer of peers) {
          if (advertisement.peers.length > 0 && !advertisement.peers.includes(peer.name)) continue;
          announcedTo.add(peer.name);
          // Computed once for every peer: the same text then keys each peer's routes.
          prefixes ??= aggregatedPrefixes(addresses, advertisement);
          addRoutes(routes.get(peer.name) as Map<string, PrefixBuilder>, key, prefixes, advertisement, peer);
        }
      }
      if (announcedTo.size === 0) refuse('noPeerForNode');
      else decisions.push({ key, addresses, peers: [...announcedTo].sort(compare) });
    }
  }
  decisions.sort((a, b) => compare(a.key, b.key));
  reuseEarlier(decisions, inputs.previous?.services, (d) => d.key, sameDecision);
  const attributes = new Map<BgpAnnouncement, Attributes>();
  const built: DesiredPeer[] = [];
  const previousPeers = new Map((inputs.previous?.peers ?? []).map((p) => [p.name, p]));
  for (const peer of peers) {
    const desired = desiredPeer(peer, routes.get(peer.name) as Map<string, PrefixBuilder>, secrets, attributes, previousPeers.get(peer.name)?.prefixes);
    // Peers with the same export (the usual case: every peer of the node gets every Service) share
    // one prefix list, so that what is kept per prefix is kept once, not once per peer.
    const same = built.find((other) => samePrefixes(other.prefixes, desired.prefixes));
    built.push(same ? { ...desired, prefixes: same.prefixes } : desired);
  }
  return { node: inputs.nodeName, peers: built, services: decisions };
}

/**
 * Replaces each element of `next` by the element of `earlier` with the same key when the two are
 * equal; both sorted by key (a merge walk: no index of 10,000 entries per recomputation). Returns
 * whether every element of `next` came from `earlier`.
 */
function reuseEarlier<T>(next: T[], earlier: readonly T[] | undefined, key: (item: T) => string, same: (a: T, b: T) => boolean): boolean {
  if (!earlier) return false;
  let all = true;
  let j = 0;
  for (let i = 0; i < next.length; i++) {
    const item = next[i] as T;
    const k = key(item);
    while (j < earlier.length && key(earlier[j] as T) < k) j++;
    const candidate = earlier[j];
    if (candidate !== undefined && key(candidate) === k && same(candidate, item)) next[i] = candidate;
    else all = false;
  }
  return all;
}

function sameDecision(a: ServiceBgpDecision, b: ServiceBgpDecision): boolean {
  return a.reason === b.reason && sameStrings(a.addresses, b.addresses) && sameStrings(a.peers, b.peers);
}

function aggregatedPrefixes(addresses: readonly string[], advertisement: BgpAnnouncement): AggregatedPrefix[] {
  const out: AggregatedPrefix[] = [];
  for (const address of addresses) {
    const aggregated = aggregatedPrefix(address, advertisement.aggregationLength, advertisement.aggregationLengthV6);
    if (aggregated) out.push(aggregated);
  }
  return out;
}

function samePrefixes(a: readonly DesiredPrefix[], b: readonly DesiredPrefix[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  return a.every((x, i) => x === b[i] || samePrefix(x, b[i] as DesiredPrefix));
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a === b || (a.length === b.length && a.every((v, i) => v === b[i]));
}

function addRoutes(into: Map<string, PrefixBuilder>, service: string, prefixes: readonly AggregatedPrefix[], advertisement: BgpAnnouncement, peer: CompiledPeer): void {
  for (const aggregated of prefixes) {
    let entry = into.get(aggregated.prefix);
    if (!entry) {
      entry = { family: aggregated.family, sources: [], services: [], internal: peer.internal };
      into.set(aggregated.prefix, entry);
    }
    if (entry.services.at(-1) !== service) entry.services.push(service);
    if (!entry.sources.includes(advertisement)) entry.sources.push(advertisement);
  }
}

function attributesOf(advertisements: readonly BgpAnnouncement[]): Attributes {
  const communities = new Set<string>();
  const large = new Set<string>();
  for (const advertisement of advertisements) {
    for (const c of advertisement.communities) {
      if (c.kind === 'standard') communities.add(c.text);
      else large.add(`${c.globalAdministrator}:${c.localData1}:${c.localData2}`);
    }
  }
  return { communities: [...communities].sort(compare), largeCommunities: [...large].sort(compare) };
}

/** The highest localPref asked for (compile() refuses advertisements that disagree on one prefix). */
function localPrefOf(entry: PrefixBuilder): number | undefined {
  if (!entry.internal) return undefined;
  let localPref: number | undefined;
  for (const source of entry.sources) if (source.localPref !== undefined) localPref = Math.max(localPref ?? 0, source.localPref);
  return localPref;
}

function samePrefix(x: DesiredPrefix, y: DesiredPrefix): boolean {
  return x.prefix === y.prefix && x.family === y.family && x.localPref === y.localPref && sameStrings(x.communities, y.communities) && sameStrings(x.largeCommunities, y.largeCommunities) && sameStrings(x.services, y.services);
}

function desiredPeer(
  peer: CompiledPeer,
  routes: Map<string, PrefixBuilder>,
  secrets: ReturnType<typeof secretIndex>,
  shared: Map<BgpAnnouncement, Attributes>,
  earlier: readonly DesiredPrefix[] | undefined,
): DesiredPeer {
  const resolved = peerSession(peer, secrets);
  const families = resolved.ok ? resolved.value.families : [];
  const prefixes: DesiredPrefix[] = [];
  const unsendable: string[] = [];
  for (const [prefix, entry] of [...routes].sort(([a], [b]) => compare(a, b))) {
    if (resolved.ok && !families.includes(entry.family)) {
      unsendable.push(prefix);
      continue;
    }
    let attributes: Attributes;
    const only = entry.sources.length === 1 ? entry.sources[0] : undefined;
    if (only) {
      attributes = shared.get(only) ?? attributesOf([only]);
      shared.set(only, attributes);
    } else attributes = attributesOf(entry.sources);
    prefixes.push({
      prefix,
      family: entry.family,
      communities: attributes.communities,
      largeCommunities: attributes.largeCommunities,
      localPref: localPrefOf(entry),
      services: entry.services.length > 1 ? [...new Set(entry.services)].sort(compare) : entry.services,
    });
  }
  const allEarlier = reuseEarlier(prefixes, earlier, (p) => p.prefix, samePrefix);
  const session = resolved.ok ? { ok: true as const, value: resolved.value, key: sessionKey(resolved.value) } : resolved;
  // Nothing changed for this peer: the earlier list itself, so that its routes are not rebuilt.
  const unchanged = earlier !== undefined && allEarlier && earlier.length === prefixes.length;
  return { name: peer.name, session, prefixes: unchanged ? earlier : prefixes, unsendable };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

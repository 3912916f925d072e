// L2Advertisements and BGPAdvertisements: which pools each one covers, resolved to announcements
// attached to those pools, and the checks that need pools and peers together (aggregation against
// the pools' prefixes, LOCAL_PREF conflicts, BFD echo mode on IPv6).
import { type LabelSelector } from '@lb/labels';
import { parseCommunity, type BgpCommunity } from '../community.js';
import { formatResource } from '../issues.js';
import { type BGPAdvertisementResource, type L2AdvertisementResource } from '../resources.js';
import { HOST_ROUTE_LENGTH } from '../schema/bgpadvertisement.js';
import { type LabelSelector as WrittenSelector } from '../schema/kube.js';
import { type IssueSink, type Origin } from './context.js';
import { type PoolDraft } from './pools.js';
import { checkSelectors, checkUniqueNames, selectionsMayOverlap, type NodeInventory, type PoolIndex } from './selectors.js';
import { type BgpAnnouncement, type CompiledPeer, type L2Announcement } from './types.js';

/** Pool name → what is announced for it; filled by the functions below. */
export interface Announcements {
  readonly l2: Map<string, L2Announcement[]>;
  readonly bgp: Map<string, Array<{ announcement: BgpAnnouncement; origin: Origin }>>;
}

export interface AdvertisementInputs {
  readonly pools: ReadonlyMap<string, PoolDraft>;
  readonly poolIndex: PoolIndex;
  readonly peerNames: ReadonlySet<string>;
  readonly communities: ReadonlyMap<string, BgpCommunity>;
}

interface PoolSelection {
  readonly ipAddressPools?: readonly string[];
  readonly ipAddressPoolSelectors?: readonly LabelSelector[];
}

/** The pools an advertisement covers: named ones and selected ones; all of them when it names none. */
function selectedPools(sink: IssueSink, origin: Origin, selection: PoolSelection, inputs: AdvertisementInputs): string[] {
  const names = selection.ipAddressPools ?? [];
  const selectors = selection.ipAddressPoolSelectors ?? [];
  if (names.length === 0 && selectors.length === 0) return [...inputs.pools.keys()].filter((n) => inputs.pools.get(n)?.className === undefined);
  const out = new Set<string>();
  names.forEach((name, i) => {
    // MetalLB skips names of pools that do not exist (yet); say so rather than fail.
    if (inputs.pools.has(name) && inputs.pools.get(name)?.className === undefined) out.add(name);
    else sink.warning(origin, ['spec', 'ipAddressPools', i], `IPAddressPool '${name}' does not exist; nothing is announced for it`);
  });
  for (const name of inputs.poolIndex.select(selectors)) out.add(name);
  return [...out];
}

interface CommonFields {
  readonly ipAddressPools?: readonly string[];
  readonly ipAddressPoolSelectors?: readonly WrittenSelector[];
  readonly nodeSelectors?: readonly WrittenSelector[];
  readonly serviceSelectors?: readonly WrittenSelector[];
}

/** The fields both kinds of advertisement share: pool names, and pool, node and service selectors. */
function checkCommonFields(sink: IssueSink, origin: Origin, spec: CommonFields) {
  checkUniqueNames(sink, origin, ['spec', 'ipAddressPools'], spec.ipAddressPools, 'pool');
  return {
    poolSelectors: checkSelectors(sink, origin, ['spec', 'ipAddressPoolSelectors'], spec.ipAddressPoolSelectors),
    nodeSelectors: checkSelectors(sink, origin, ['spec', 'nodeSelectors'], spec.nodeSelectors),
    serviceSelectors: checkSelectors(sink, origin, ['spec', 'serviceSelectors'], spec.serviceSelectors),
  };
}

export function compileL2Advertisement(
  sink: IssueSink,
  origin: Origin,
  resource: L2AdvertisementResource,
  inputs: AdvertisementInputs,
  into: Announcements,
): void {
  const spec = resource.spec ?? {};
  const before = sink.errors.length;
  const { poolSelectors, nodeSelectors, serviceSelectors } = checkCommonFields(sink, origin, spec);
  const preferredNodes = (spec.preferredNodeSelectors ?? []).map((preferred, i) => {
    const [selector] = checkSelectors(sink, origin, ['spec', 'preferredNodeSelectors', i, 'preference'], [preferred.preference]);
    return { selector: selector ?? {}, weight: preferred.weight };
  });
  checkUniqueNames(sink, origin, ['spec', 'interfaces'], spec.interfaces, 'interface');
  (spec.interfaces ?? []).forEach((name, i) => {
    if (name === '' || name.length > 15 || /[\s/:]/.test(name)) sink.error(origin, ['spec', 'interfaces', i], `'${name}' is not an interface name (1 to 15 characters, no spaces, '/' or ':')`);
  });
  const pools = selectedPools(sink, origin, { ...spec, ipAddressPoolSelectors: poolSelectors }, inputs);
  if (sink.errors.length > before) return;
  const announcement: L2Announcement = {
    source: origin.ref,
    nodeSelectors,
    interfaces: spec.interfaces ?? [],
    serviceSelectors,
    preferredNodes,
    spreadAcrossNodes: false,
    tolerations: [],
  };
  for (const pool of pools) push(into.l2, pool, announcement);
}

export function compileBgpAdvertisement(
  sink: IssueSink,
  origin: Origin,
  resource: BGPAdvertisementResource,
  inputs: AdvertisementInputs,
  into: Announcements,
): void {
  const spec = resource.spec ?? {};
  const before = sink.errors.length;
  const { poolSelectors, nodeSelectors, serviceSelectors } = checkCommonFields(sink, origin, spec);
  checkUniqueNames(sink, origin, ['spec', 'peers'], spec.peers, 'peer');
  checkUniqueNames(sink, origin, ['spec', 'communities'], spec.communities, 'community');

  const aggregationLength = spec.aggregationLength ?? HOST_ROUTE_LENGTH.IPv4;
  const aggregationLengthV6 = spec.aggregationLengthV6 ?? HOST_ROUTE_LENGTH.IPv6;
  if (aggregationLength < 0 || aggregationLength > 32) sink.error(origin, ['spec', 'aggregationLength'], `must be from 1 to 32, got ${aggregationLength}`);
  if (aggregationLengthV6 < 0 || aggregationLengthV6 > 128) sink.error(origin, ['spec', 'aggregationLengthV6'], `must be from 0 to 128, got ${aggregationLengthV6}`);
  if (serviceSelectors.length > 0 && (aggregationLength !== HOST_ROUTE_LENGTH.IPv4 || aggregationLengthV6 !== HOST_ROUTE_LENGTH.IPv6)) {
    sink.error(origin, ['spec', 'serviceSelectors'], 'serviceSelectors need aggregationLength 32 and aggregationLengthV6 128: a shorter prefix would announce addresses of services the selectors leave out');
  }
  if (spec.localPref !== undefined && spec.localPref < 0) sink.error(origin, ['spec', 'localPref'], `must be 0 or more, got ${spec.localPref}`);

  const communities: BgpCommunity[] = [];
  (spec.communities ?? []).forEach((text, i) => {
    const alias = inputs.communities.get(text);
    if (alias) {
      communities.push(alias);
      return;
    }
    const parsed = parseCommunity(text);
    if (parsed.ok) communities.push(parsed.value);
    else if (parsed.error.kind === 'maybe-alias') sink.error(origin, ['spec', 'communities', i], `'${text}' is not a community value nor an alias defined by a Community resource`, { transient: true });
    else sink.error(origin, ['spec', 'communities', i], parsed.error.message);
  });
  (spec.peers ?? []).forEach((peer, i) => {
    if (!inputs.peerNames.has(peer)) sink.warning(origin, ['spec', 'peers', i], `BGPPeer '${peer}' does not exist; nothing is announced to it`);
  });
  const pools = selectedPools(sink, origin, { ...spec, ipAddressPoolSelectors: poolSelectors }, inputs);
  if (sink.errors.length > before) return;
  const announcement: BgpAnnouncement = {
    source: origin.ref,
    aggregationLength,
    aggregationLengthV6,
    localPref: spec.localPref ? spec.localPref : undefined,
    communities: dedupe(communities),
    nodeSelectors,
    peers: spec.peers ?? [],
    serviceSelectors,
  };
  for (const poolName of pools) {
    const pool = inputs.pools.get(poolName);
    if (!pool) continue;
    if (!fitsPool(sink, origin, announcement, pool)) continue;
    push(into.bgp, poolName, { announcement, origin });
  }
}

function dedupe(communities: BgpCommunity[]): BgpCommunity[] {
  const seen = new Set<string>();
  return communities.filter((c) => !seen.has(c.text) && seen.add(c.text));
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** An aggregate shorter than a pool's own prefix would announce addresses outside the pool. */
function fitsPool(sink: IssueSink, origin: Origin, announcement: BgpAnnouncement, pool: PoolDraft): boolean {
  for (const entry of pool.entries) {
    const length = entry.range.family === 'IPv4' ? announcement.aggregationLength : announcement.aggregationLengthV6;
    if (length < entry.widestPrefix) {
      const field = entry.range.family === 'IPv4' ? 'aggregationLength' : 'aggregationLengthV6';
      sink.error(
        origin,
        ['spec', field],
        `${field} ${length} is shorter than the /${entry.widestPrefix} of ${entry.range.text} in ${formatResource(pool.origin.ref)}: the aggregate would cover addresses outside the pool`,
      );
      return false;
    }
  }
  return true;
}

/**
 * Two advertisements of one pool that would send the same prefix to the same peer from the same
 * node with different LOCAL_PREF. Advertisements with service selectors are left out, as in
 * MetalLB: which services they cover is not known until services exist.
 */
export function checkLocalPreferences(
  sink: IssueSink,
  pool: PoolDraft,
  announcements: ReadonlyArray<{ announcement: BgpAnnouncement; origin: Origin }>,
  nodes: NodeInventory | undefined,
  /** Pairs already reported (for another pool): each conflict is told once. */
  reported: Set<string>,
): void {
  const plain = announcements.filter((a) => a.announcement.serviceSelectors.length === 0);
  for (let j = 1; j < plain.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = plain[i] as (typeof plain)[number];
      const b = plain[j] as (typeof plain)[number];
      if ((a.announcement.localPref ?? 0) === (b.announcement.localPref ?? 0)) continue;
      if (!samePrefixes(a.announcement, b.announcement, pool)) continue;
      if (!peersOverlap(a.announcement.peers, b.announcement.peers)) continue;
      if (!selectionsMayOverlap(a.announcement.nodeSelectors, b.announcement.nodeSelectors, nodes)) continue;
      const key = `${formatResource(a.origin.ref)}|${formatResource(b.origin.ref)}`;
      if (reported.has(key)) continue;
      reported.add(key);
      sink.error(
        b.origin,
        ['spec', 'localPref'],
        `localPref ${b.announcement.localPref ?? 0} conflicts with localPref ${a.announcement.localPref ?? 0} of ${formatResource(a.origin.ref)}: both announce ${formatResource(pool.origin.ref)} with the same prefix length to the same peers from the same nodes`,
      );
    }
  }
}

/** Whether the two advertisements produce the same prefixes for some address family of the pool. */
function samePrefixes(a: BgpAnnouncement, b: BgpAnnouncement, pool: PoolDraft): boolean {
  return (
    (pool.families.includes('IPv4') && a.aggregationLength === b.aggregationLength) ||
    (pool.families.includes('IPv6') && a.aggregationLengthV6 === b.aggregationLengthV6)
  );
}

function peersOverlap(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return true;
  return a.some((peer) => b.includes(peer));
}

/** BFD echo packets are IPv4 only: an IPv6 pool must not be announced to a peer whose profile uses echo. */
export function checkBfdEchoWithIPv6(
  sink: IssueSink,
  pool: PoolDraft,
  announcements: ReadonlyArray<{ announcement: BgpAnnouncement; origin: Origin }>,
  peers: readonly CompiledPeer[],
): void {
  if (!pool.families.includes('IPv6')) return;
  for (const { announcement, origin } of announcements) {
    const targets = announcement.peers.length === 0 ? peers : peers.filter((p) => announcement.peers.includes(p.name));
    for (const peer of targets) {
      if (!peer.bfdProfile?.echoMode) continue;
      sink.error(
        origin,
        announcement.peers.length === 0 ? ['spec'] : ['spec', 'peers', announcement.peers.indexOf(peer.name)],
        `announces IPv6 ${formatResource(pool.origin.ref)} to BGPPeer '${peer.name}', whose BFDProfile '${peer.bfdProfile.name}' has echoMode on; BFD echo works for IPv4 only`,
      );
    }
  }
}

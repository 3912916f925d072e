import { type DecodeContext } from '../codec/attributes.js';
import { type AddPathMode, type Capability, GracefulRestartFamilyFlag, GracefulRestartFlag } from '../codec/capabilities.js';
import { AS_TRANS, Afi, ErrorCode, OpenErrorSubcode, Safi } from '../codec/constants.js';
import { BgpError } from '../codec/errors.js';
import { type OpenMessage, openCapabilities } from '../codec/open.js';
import { type ResolvedSessionConfig } from './config.js';
import { type RouteFamily, familyCodes, familyOf } from './route-family.js';

/** What both OPENs agreed on; fixed for the life of one connection. */
export interface Negotiated {
  readonly peerAs: number;
  readonly peerBgpId: string;
  /** Seconds; 0 means no hold timer and no keepalives. */
  readonly holdTime: number;
  /** Seconds between our KEEPALIVEs (0 when the hold time is 0). */
  readonly keepaliveTime: number;
  readonly fourOctetAs: boolean;
  /** Families both sides offered (IPv4 unicast alone when the peer offered none, RFC 4760 §1). */
  readonly families: readonly RouteFamily[];
  readonly extendedMessage: boolean;
  /** RFC 8950: the peer takes IPv6 next hops for IPv4 unicast routes. */
  readonly ipv4OverIpv6NextHop: boolean;
  readonly routeRefresh: boolean;
  readonly enhancedRouteRefresh: boolean;
  /** Families where our NLRI carry path ids (ADD-PATH send). */
  readonly addPathSend: readonly RouteFamily[];
  /** Families where the peer's NLRI carry path ids (ADD-PATH receive). */
  readonly addPathReceive: readonly RouteFamily[];
  /** Both sides advertised graceful restart (the peer will keep our routes if we restart). */
  readonly gracefulRestart: boolean;
  /** The peer's own graceful restart capability, if any. */
  readonly peerGracefulRestart: Extract<Capability, { type: 'graceful-restart' }> | undefined;
  readonly peerHostname: string | undefined;
  readonly peerCapabilities: readonly Capability[];
  /** How to read this peer's UPDATEs. */
  readonly decodeContext: DecodeContext;
}

const addPathModes: Record<string, AddPathMode> = { receive: 1, send: 2, both: 3 };

/**
 * Our OPEN: every capability in one optional parameter, as FRR and GoBGP send it. `restarting`
 * sets graceful restart's Restart State bit (the session decides: only before its first
 * establishment).
 */
export function buildOpen(config: ResolvedSessionConfig, state: { readonly restarting: boolean }): OpenMessage {
  const capabilities: Capability[] = [];
  for (const family of config.families) capabilities.push({ type: 'multiprotocol', ...familyCodes[family] });
  capabilities.push({ type: 'route-refresh' }, { type: 'enhanced-route-refresh' }, { type: 'four-octet-as', asn: config.localAs });
  if (config.extendedMessage) capabilities.push({ type: 'extended-message' });
  if (config.extendedNextHop && config.families.includes('ipv4-unicast')) {
    capabilities.push({ type: 'extended-next-hop', entries: [{ afi: Afi.IPV4, safi: Safi.UNICAST, nextHopAfi: Afi.IPV6 }] });
  }
  const gr = config.gracefulRestart;
  if (gr) {
    const flags = (state.restarting ? GracefulRestartFlag.RESTART_STATE : 0) | (gr.notification ? GracefulRestartFlag.NOTIFICATION : 0);
    const familyFlags = gr.forwardingState === false ? 0 : GracefulRestartFamilyFlag.FORWARDING_STATE;
    capabilities.push({
      type: 'graceful-restart',
      flags,
      restartTime: gr.restartTime,
      families: config.families.map((f) => ({ ...familyCodes[f], flags: familyFlags })),
    });
  }
  if (config.addPath) {
    const mode = addPathModes[config.addPath] as AddPathMode;
    capabilities.push({ type: 'add-path', families: config.families.map((f) => ({ ...familyCodes[f], mode })) });
  }
  if (config.hostname !== undefined) capabilities.push({ type: 'fqdn', hostname: config.hostname, domain: config.domain ?? '' });
  return {
    type: 'open',
    version: 4,
    myAs: config.localAs > 0xffff ? AS_TRANS : config.localAs,
    holdTime: config.holdTime,
    bgpId: config.routerId,
    parameters: [{ type: 'capabilities', capabilities }],
  };
}

function openError(subcode: number, reason: string, data?: Uint8Array): BgpError {
  return new BgpError({ code: ErrorCode.OPEN_MESSAGE, subcode, reason, offset: 0, ...(data ? { data } : {}) });
}

/** Checks the peer's OPEN against our config and works out what the session may use. */
export function negotiate(config: ResolvedSessionConfig, peer: OpenMessage): Negotiated | BgpError {
  const unsupported = peer.parameters.find((p) => p.type === 'unknown');
  if (unsupported && unsupported.type === 'unknown') {
    return openError(OpenErrorSubcode.UNSUPPORTED_OPTIONAL_PARAMETER, `optional parameter type ${unsupported.code} is not supported`);
  }
  const caps = peer.parameters.length > 0 ? openCapabilities(peer) : [];
  const find = <T extends Capability['type']>(type: T): Extract<Capability, { type: T }> | undefined =>
    caps.find((c): c is Extract<Capability, { type: T }> => c.type === type);
  const fourOctet = find('four-octet-as');
  const peerAs = fourOctet ? fourOctet.asn : peer.myAs;
  if (peerAs !== config.peerAs) {
    return openError(OpenErrorSubcode.BAD_PEER_AS, `peer says AS ${peerAs}, configured peer AS is ${config.peerAs}`, Uint8Array.of(peer.myAs >> 8, peer.myAs & 0xff));
  }
  if (config.internal && peer.bgpId === config.routerId) {
    return openError(OpenErrorSubcode.BAD_BGP_IDENTIFIER, `internal peer uses our own BGP identifier ${peer.bgpId}`);
  }
  const holdTime = Math.min(config.holdTime, peer.holdTime);
  const keepaliveTime = holdTime === 0 ? 0 : Math.min(config.keepaliveTime ?? holdTime / 3, holdTime / 3);
  const peerFamilies = new Set<RouteFamily>();
  let sawMultiprotocol = false;
  for (const c of caps) {
    if (c.type !== 'multiprotocol') continue;
    sawMultiprotocol = true;
    const family = familyOf(c.afi, c.safi);
    if (family) peerFamilies.add(family);
  }
  if (!sawMultiprotocol) peerFamilies.add('ipv4-unicast');
  const families = config.families.filter((f) => peerFamilies.has(f));
  const peerAddPath = new Map<RouteFamily, AddPathMode>();
  for (const entry of find('add-path')?.families ?? []) {
    const family = familyOf(entry.afi, entry.safi);
    if (family) peerAddPath.set(family, entry.mode);
  }
  const ours = config.addPath ? (addPathModes[config.addPath] as number) : 0;
  const addPathSend = families.filter((f) => (ours & 2) !== 0 && ((peerAddPath.get(f) ?? 0) & 1) !== 0);
  const addPathReceive = families.filter((f) => (ours & 1) !== 0 && ((peerAddPath.get(f) ?? 0) & 2) !== 0);
  const extendedMessage = config.extendedMessage && find('extended-message') !== undefined;
  const ipv4OverIpv6NextHop =
    config.extendedNextHop && (find('extended-next-hop')?.entries.some((e) => e.afi === Afi.IPV4 && e.safi === Safi.UNICAST && e.nextHopAfi === Afi.IPV6) ?? false);
  const peerGracefulRestart = find('graceful-restart');
  const fourOctetAs = fourOctet !== undefined;
  return {
    peerAs,
    peerBgpId: peer.bgpId,
    holdTime,
    keepaliveTime,
    fourOctetAs,
    families,
    extendedMessage,
    ipv4OverIpv6NextHop,
    routeRefresh: find('route-refresh') !== undefined || caps.some((c) => c.type === 'unknown' && c.code === 128),
    enhancedRouteRefresh: find('enhanced-route-refresh') !== undefined,
    addPathSend,
    addPathReceive,
    gracefulRestart: config.gracefulRestart !== undefined && peerGracefulRestart !== undefined,
    peerGracefulRestart,
    peerHostname: find('fqdn')?.hostname,
    peerCapabilities: caps,
    decodeContext: {
      fourOctetAs,
      extendedMessage,
      internal: config.internal,
      addPath: { ipv4Unicast: addPathReceive.includes('ipv4-unicast'), ipv6Unicast: addPathReceive.includes('ipv6-unicast') },
    },
  };
}

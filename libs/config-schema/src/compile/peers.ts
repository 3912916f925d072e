// BFDProfiles, Community aliases and BGPPeers: defaults applied, timers worked out as MetalLB does,
// references resolved.
import { canonicalIp, ipFamily } from '@lb/ip';
import { parseCommunity, type BgpCommunity } from '../community.js';
import { formatDuration, parseGoDuration } from '../duration.js';
import { formatResource, type PathSegment } from '../issues.js';
import { type BFDProfileResource, type BGPPeerResource, type CommunityResource, type SecretObject } from '../resources.js';
import { type IssueSink, type Origin } from './context.js';
import { checkSelectors, selectionsMayOverlap, type NodeInventory } from './selectors.js';
import { type CompiledBfdProfile, type CompiledPeer } from './types.js';

/** What FRR and MetalLB use when a BFDProfile leaves a field out. */
export const BFD_DEFAULTS = {
  receiveInterval: 300,
  transmitInterval: 300,
  echoInterval: 50,
  detectMultiplier: 3,
  minimumTtl: 254,
} as const;

/** MetalLB's hold time when a peer sets neither hold nor keepalive (RFC 4271 suggests 90 s). */
export const DEFAULT_HOLD_TIME_SECONDS = 90;
export const DEFAULT_BGP_PORT = 179;

export function compileBfdProfiles(sink: IssueSink, profiles: ReadonlyArray<{ resource: BFDProfileResource; origin: Origin }>): Map<string, CompiledBfdProfile> {
  const out = new Map<string, CompiledBfdProfile>();
  for (const { resource, origin } of profiles) {
    const name = resource.metadata.name;
    const existing = out.get(name);
    if (existing) {
      sink.error(origin, ['metadata', 'name'], `BFD profile name '${name}' is already used by ${formatResource(existing.source)}`);
      continue;
    }
    const spec = resource.spec ?? {};
    out.set(name, {
      name,
      source: origin.ref,
      receiveInterval: spec.receiveInterval ?? BFD_DEFAULTS.receiveInterval,
      transmitInterval: spec.transmitInterval ?? BFD_DEFAULTS.transmitInterval,
      echoInterval: spec.echoInterval ?? BFD_DEFAULTS.echoInterval,
      detectMultiplier: spec.detectMultiplier ?? BFD_DEFAULTS.detectMultiplier,
      minimumTtl: spec.minimumTtl ?? BFD_DEFAULTS.minimumTtl,
      echoMode: spec.echoMode ?? false,
      passiveMode: spec.passiveMode ?? false,
    });
  }
  return out;
}

export function compileCommunities(sink: IssueSink, resources: ReadonlyArray<{ resource: CommunityResource; origin: Origin }>): Map<string, BgpCommunity> {
  const out = new Map<string, BgpCommunity>();
  const definedBy = new Map<string, Origin>();
  for (const { resource, origin } of resources) {
    (resource.spec?.communities ?? []).forEach((alias, i) => {
      const at = ['spec', 'communities', i];
      const name = alias.name ?? '';
      if (name === '') sink.error(origin, [...at, 'name'], 'an alias needs a name');
      const parsed = parseCommunity(alias.value ?? '');
      if (!parsed.ok) sink.error(origin, [...at, 'value'], alias.value ? parsed.error.message : 'an alias needs a value (A:B or large:A:B:C)');
      if (name === '') return;
      const first = definedBy.get(name);
      if (first) {
        sink.error(origin, [...at, 'name'], `alias '${name}' is already defined${first === origin ? ' in this resource' : ` by ${formatResource(first.ref)}`}`);
        return;
      }
      definedBy.set(name, origin);
      if (parsed.ok) out.set(name, parsed.value);
    });
  }
  return out;
}

export interface PeerInputs {
  readonly bfdProfiles: ReadonlyMap<string, CompiledBfdProfile>;
  /** Secrets given to compile(), by namespace/name. */
  readonly secrets: ReadonlyMap<string, SecretObject>;
  readonly nodes: NodeInventory | undefined;
}

export function compilePeers(sink: IssueSink, peers: ReadonlyArray<{ resource: BGPPeerResource; origin: Origin }>, inputs: PeerInputs): CompiledPeer[] {
  const compiled: Array<{ peer: CompiledPeer; origin: Origin }> = [];
  const byName = new Map<string, Origin>();
  for (const { resource, origin } of peers) {
    const name = resource.metadata.name;
    const first = byName.get(name);
    if (first) {
      sink.error(origin, ['metadata', 'name'], `peer name '${name}' is already used by ${formatResource(first.ref)}; BGPAdvertisements refer to peers by name`);
      continue;
    }
    byName.set(name, origin);
    const peer = compilePeer(sink, origin, resource, inputs);
    if (peer) compiled.push({ peer, origin });
  }
  checkSessionsUnique(sink, compiled, inputs.nodes);
  return compiled.map((c) => c.peer);
}

function compilePeer(sink: IssueSink, origin: Origin, resource: BGPPeerResource, inputs: PeerInputs): CompiledPeer | undefined {
  const before = sink.errors.length;
  const spec = resource.spec;
  const at = (...path: PathSegment[]): PathSegment[] => ['spec', ...path];
  if (!spec) {
    sink.error(origin, ['spec'], 'a BGPPeer needs a spec with at least myASN, peerASN (or dynamicASN) and peerAddress (or interface)');
    return undefined;
  }
  if (spec.myASN === 0) sink.error(origin, at('myASN'), 'myASN must be set to the local AS number (not 0)');
  const peerASN = spec.peerASN === 0 ? undefined : spec.peerASN;
  if (peerASN === undefined && spec.dynamicASN === undefined) {
    sink.error(origin, at('peerASN'), 'set peerASN to the AS number of the peer, or dynamicASN to internal or external');
  }
  if (peerASN !== undefined && spec.dynamicASN !== undefined) {
    sink.error(origin, at('dynamicASN'), 'peerASN and dynamicASN cannot both be set; keep one');
  }
  const internal = peerASN !== undefined ? peerASN === spec.myASN : spec.dynamicASN === 'internal';
  if (spec.ebgpMultiHop && internal) sink.error(origin, at('ebgpMultiHop'), 'ebgpMultiHop applies to eBGP sessions only; this peer is iBGP (same AS)');

  const hasAddress = spec.peerAddress !== undefined && spec.peerAddress !== '';
  const hasInterface = spec.interface !== undefined && spec.interface !== '';
  if (!hasAddress && !hasInterface) sink.error(origin, at('peerAddress'), 'set peerAddress, or interface for an unnumbered session');
  if (hasAddress && hasInterface) sink.error(origin, at('interface'), 'peerAddress and interface cannot both be set; keep one');
  const address = hasAddress ? addressOf(sink, origin, at('peerAddress'), spec.peerAddress as string, 'peerAddress') : undefined;
  if (hasInterface && /[\s/]/.test(spec.interface as string)) sink.error(origin, at('interface'), `'${spec.interface}' is not an interface name`);
  const sourceAddress = spec.sourceAddress ? addressOf(sink, origin, at('sourceAddress'), spec.sourceAddress, 'sourceAddress') : undefined;
  let routerID: string | undefined;
  if (spec.routerID) {
    if (ipFamily(spec.routerID) !== 'IPv4') sink.error(origin, at('routerID'), `router ID '${spec.routerID}' must be an IPv4 address (a BGP identifier is 32 bits)`);
    else routerID = canonicalIp(spec.routerID);
  }

  const timers = peerTimers(sink, origin, spec.holdTime, spec.keepaliveTime);
  let connectTime: number | undefined;
  if (spec.connectTime !== undefined) {
    const parsed = parseGoDuration(spec.connectTime);
    if (!parsed.ok) sink.error(origin, at('connectTime'), parsed.error.message);
    else connectTime = parsed.value / 1000;
  }

  const nodeSelectors = checkSelectors(sink, origin, at('nodeSelectors'), spec.nodeSelectors);
  if (spec.password && spec.passwordSecret?.name) sink.error(origin, at('passwordSecret'), 'password and passwordSecret cannot both be set; keep one');
  for (const field of ['password', 'vrf'] as const) {
    if (/[\r\n]/.test(spec[field] ?? '')) sink.error(origin, at(field), `${field} must not contain line breaks`);
  }
  const passwordSecret = spec.passwordSecret?.name
    ? { name: spec.passwordSecret.name, namespace: spec.passwordSecret.namespace || resource.metadata.namespace || 'default' }
    : undefined;
  const secretPassword = passwordSecret && passwordFromSecret(sink, origin, passwordSecret, inputs.secrets);

  let bfdProfile: CompiledBfdProfile | undefined;
  if (spec.bfdProfile) {
    bfdProfile = inputs.bfdProfiles.get(spec.bfdProfile);
    if (!bfdProfile) sink.error(origin, at('bfdProfile'), `BFDProfile '${spec.bfdProfile}' does not exist`, { transient: true });
  }
  if (spec.disableMP) sink.warning(origin, at('disableMP'), 'disableMP is deprecated; use dualStackAddressFamily');
  if (sink.errors.length > before || !timers) return undefined;
  return {
    name: resource.metadata.name,
    source: origin.ref,
    myASN: spec.myASN,
    peerASN,
    dynamicASN: peerASN === undefined ? spec.dynamicASN : undefined,
    localASN: spec.localASN,
    address,
    interface: hasInterface ? spec.interface : undefined,
    sourceAddress,
    port: spec.peerPort ?? DEFAULT_BGP_PORT,
    holdTime: timers.holdTime,
    keepaliveTime: timers.keepaliveTime,
    connectTime,
    routerID,
    nodeSelectors,
    password: spec.password || undefined,
    passwordSecret,
    secretPassword,
    bfdProfile,
    enableGracefulRestart: spec.enableGracefulRestart ?? false,
    ebgpMultiHop: spec.ebgpMultiHop ?? false,
    vrf: spec.vrf ?? '',
    dualStackAddressFamily: spec.dualStackAddressFamily ?? false,
    disableMP: spec.disableMP ?? false,
    internal,
  };
}

function addressOf(sink: IssueSink, origin: Origin, path: PathSegment[], text: string, field: string): string | undefined {
  const canonical = canonicalIp(text.trim());
  if (!canonical) sink.error(origin, path, `${field} '${text}' is not an IP address`);
  return canonical;
}

/**
 * Hold and keepalive as MetalLB works them out: either alone implies the other (keepalive is a third
 * of hold); hold, truncated to whole seconds, is 0 or at least 3 s; keepalive is at most hold.
 */
export function peerTimers(
  sink: IssueSink,
  origin: Origin,
  holdText: string | undefined,
  keepaliveText: string | undefined,
): { holdTime: number; keepaliveTime: number } | undefined {
  const hold = holdText === undefined ? undefined : parseGoDuration(holdText);
  const keepalive = keepaliveText === undefined ? undefined : parseGoDuration(keepaliveText);
  if (hold && !hold.ok) sink.error(origin, ['spec', 'holdTime'], hold.error.message);
  if (keepalive && !keepalive.ok) sink.error(origin, ['spec', 'keepaliveTime'], keepalive.error.message);
  if ((hold && !hold.ok) || (keepalive && !keepalive.ok)) return undefined;
  let holdMs = hold?.ok ? hold.value : undefined;
  let keepaliveMs = keepalive?.ok ? keepalive.value : undefined;
  if (holdMs === undefined && keepaliveMs === undefined) {
    holdMs = DEFAULT_HOLD_TIME_SECONDS * 1000;
    keepaliveMs = holdMs / 3;
  } else if (holdMs === undefined) holdMs = (keepaliveMs as number) * 3;
  else if (keepaliveMs === undefined) keepaliveMs = holdMs / 3;
  const holdSeconds = Math.trunc((holdMs as number) / 1000);
  const keepaliveSeconds = Math.trunc((keepaliveMs as number) / 1000);
  let ok = true;
  if ((holdMs as number) < 0 || (holdSeconds !== 0 && holdSeconds < 3)) {
    const path = holdText === undefined ? ['spec', 'keepaliveTime'] : ['spec', 'holdTime'];
    const implied = holdText === undefined ? ` (three times keepaliveTime ${keepaliveText})` : '';
    sink.error(origin, path, `hold time ${formatDuration(holdSeconds * 1000)}${implied} must be 0 or at least 3s`);
    ok = false;
  }
  if ((keepaliveMs as number) < 0) {
    sink.error(origin, ['spec', 'keepaliveTime'], 'keepaliveTime must not be negative');
    ok = false;
  } else if ((keepaliveMs as number) > (holdMs as number)) {
    sink.error(origin, ['spec', 'keepaliveTime'], `keepaliveTime ${keepaliveText} must not be longer than holdTime ${holdText}`);
    ok = false;
  }
  return ok ? { holdTime: holdSeconds, keepaliveTime: keepaliveSeconds } : undefined;
}

function passwordFromSecret(
  sink: IssueSink,
  origin: Origin,
  ref: { name: string; namespace: string },
  secrets: ReadonlyMap<string, SecretObject>,
): string | undefined {
  const secret = secrets.get(`${ref.namespace}/${ref.name}`);
  const at = ['spec', 'passwordSecret'];
  if (!secret) {
    if (secrets.size > 0) sink.warning(origin, at, `Secret ${ref.namespace}/${ref.name} is not among the given resources; it is read when the session starts`);
    return undefined;
  }
  if (secret.type !== 'kubernetes.io/basic-auth') {
    sink.error(origin, at, `Secret ${ref.namespace}/${ref.name} has type '${secret.type ?? 'Opaque'}'; it must be kubernetes.io/basic-auth`);
    return undefined;
  }
  const plain = secret.stringData?.['password'];
  const encoded = secret.data?.['password'];
  const password = plain ?? (encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8'));
  if (password === undefined) {
    sink.error(origin, at, `Secret ${ref.namespace}/${ref.name} has no 'password' key`);
    return undefined;
  }
  if (/[\r\n]/.test(password)) sink.error(origin, at, `the password in Secret ${ref.namespace}/${ref.name} must not contain line breaks`);
  return password;
}

/**
 * Two peers that would open the same session from the same node: the same address (or interface)
 * in the same VRF, on node selections that can share a node.
 */
function checkSessionsUnique(sink: IssueSink, peers: ReadonlyArray<{ peer: CompiledPeer; origin: Origin }>, nodes: NodeInventory | undefined): void {
  const byTarget = new Map<string, Array<{ peer: CompiledPeer; origin: Origin }>>();
  for (const entry of peers) {
    const target = `${entry.peer.address ?? `interface ${entry.peer.interface ?? ''}`} vrf ${entry.peer.vrf}`;
    const group = byTarget.get(target);
    if (!group) {
      byTarget.set(target, [entry]);
      continue;
    }
    const clash = group.find((other) => selectionsMayOverlap(other.peer.nodeSelectors, entry.peer.nodeSelectors, nodes));
    if (clash) {
      const what = entry.peer.address ? `address ${entry.peer.address}` : `interface ${entry.peer.interface ?? ''}`;
      const vrf = entry.peer.vrf ? ` in VRF '${entry.peer.vrf}'` : '';
      sink.error(
        entry.origin,
        ['spec', entry.peer.address ? 'peerAddress' : 'interface'],
        `the same session as ${formatResource(clash.origin.ref)} (${what}${vrf}) from nodes both select; give them node selectors that do not overlap`,
      );
    }
    group.push(entry);
  }
}

// `lbctl convert`: MetalLB's legacy ConfigMap configuration (before v0.13: `address-pools`,
// `peers`, `bgp-communities`, `bfd-profiles`) to the metallb.io resources, as MetalLB's own
// converter did: a pool per address pool, an L2Advertisement or BGPAdvertisements naming it, a
// BGPPeer per peer, a BFDProfile per profile; community aliases are replaced by their values.
// Whatever cannot be carried over is reported, never dropped silently. Pure.
import { parse } from 'yaml';

export interface ConvertOptions {
  /** Namespace of the resources (MetalLB's: metallb-system). */
  readonly namespace?: string;
}

export interface Conversion {
  readonly objects: readonly Record<string, unknown>[];
  /** What could not be carried over, or was changed on the way, each naming where. */
  readonly notes: readonly string[];
}

export type ConvertResult = { readonly ok: true; readonly value: Conversion } | { readonly ok: false; readonly error: { readonly kind: 'invalid-legacy-config'; readonly message: string } };

type Dict = Record<string, unknown>;

const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
const API = 'metallb.io/v1beta1';
const PEER_API = 'metallb.io/v1beta2';

/** Accepts the ConfigMap itself (its `data.config`) or the configuration text alone. */
export function convertLegacy(text: string, options: ConvertOptions = {}): ConvertResult {
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    return fail(`not YAML: ${(error as Error).message}`);
  }
  if (isDict(value) && value['kind'] === 'ConfigMap') {
    const data = value['data'];
    const config = isDict(data) ? data['config'] : undefined;
    if (typeof config !== 'string') return fail('the ConfigMap has no data.config (MetalLB kept its configuration there)');
    try {
      value = parse(config);
    } catch (error) {
      return fail(`data.config is not YAML: ${(error as Error).message}`);
    }
  }
  if (!isDict(value)) return fail('expected a mapping with address-pools, peers, bgp-communities or bfd-profiles');
  return { ok: true, value: convertConfig(value, options.namespace ?? 'metallb-system') };
}

function fail(message: string): ConvertResult {
  return { ok: false, error: { kind: 'invalid-legacy-config', message } };
}

const KNOWN_TOP = new Set(['address-pools', 'peers', 'bgp-communities', 'bfd-profiles']);

function convertConfig(config: Dict, namespace: string): Conversion {
  const notes: string[] = [];
  const objects: Record<string, unknown>[] = [];
  const meta = (name: string): Dict => ({ name, namespace });
  for (const key of Object.keys(config)) if (!KNOWN_TOP.has(key)) notes.push(`${key}: not a MetalLB configuration section; not carried over`);

  const communities = new Map<string, string>();
  const rawCommunities = config['bgp-communities'];
  if (isDict(rawCommunities)) for (const [name, v] of Object.entries(rawCommunities)) communities.set(name, String(v));

  const profiles = list(config['bfd-profiles'], 'bfd-profiles', notes);
  profiles.forEach((p, i) => {
    const where = `bfd-profiles[${i}]`;
    const name = typeof p['name'] === 'string' ? p['name'] : undefined;
    if (!name) return void notes.push(`${where}: no name; not carried over`);
    const spec = mapFields(p, where, notes, {
      'receive-interval': 'receiveInterval',
      'transmit-interval': 'transmitInterval',
      'detect-multiplier': 'detectMultiplier',
      'echo-interval': 'echoInterval',
      'echo-mode': 'echoMode',
      'passive-mode': 'passiveMode',
      'minimum-ttl': 'minimumTtl',
    }, ['name']);
    objects.push({ apiVersion: API, kind: 'BFDProfile', metadata: meta(name), spec });
  });

  const pools = list(config['address-pools'], 'address-pools', notes);
  pools.forEach((p, i) => {
    const where = `address-pools[${i}]`;
    const name = typeof p['name'] === 'string' ? p['name'] : undefined;
    if (!name) return void notes.push(`${where}: no name; not carried over`);
    const spec = mapFields(p, where, notes, { addresses: 'addresses', 'auto-assign': 'autoAssign', 'avoid-buggy-ips': 'avoidBuggyIPs' }, ['name', 'protocol', 'bgp-advertisements']);
    objects.push({ apiVersion: API, kind: 'IPAddressPool', metadata: meta(name), spec });
    const protocol = p['protocol'];
    if (protocol === 'layer2') {
      if (p['bgp-advertisements'] !== undefined) notes.push(`${where}.bgp-advertisements: ignored, the pool's protocol is layer2`);
      objects.push({ apiVersion: API, kind: 'L2Advertisement', metadata: meta(name), spec: { ipAddressPools: [name] } });
    } else if (protocol === 'bgp') {
      const ads = p['bgp-advertisements'] === undefined ? [{}] : list(p['bgp-advertisements'], `${where}.bgp-advertisements`, notes);
      ads.forEach((ad, j) => {
        const adWhere = `${where}.bgp-advertisements[${j}]`;
        const adSpec: Dict = { ipAddressPools: [name], ...mapFields(ad, adWhere, notes, { 'aggregation-length': 'aggregationLength', 'aggregation-length-v6': 'aggregationLengthV6', localpref: 'localPref' }, ['communities']) };
        const list_ = ad['communities'];
        if (Array.isArray(list_)) adSpec['communities'] = list_.map((c) => communities.get(String(c)) ?? String(c));
        objects.push({ apiVersion: API, kind: 'BGPAdvertisement', metadata: meta(ads.length === 1 ? name : `${name}-${j + 1}`), spec: adSpec });
      });
    } else {
      notes.push(`${where}.protocol: ${protocol === undefined ? 'missing' : `'${String(protocol)}' is not layer2 or bgp`}; the pool is converted without an advertisement, so nothing announces its addresses`);
    }
  });

  const peers = list(config['peers'], 'peers', notes);
  peers.forEach((p, i) => {
    const where = `peers[${i}]`;
    const spec = mapFields(p, where, notes, {
      'my-asn': 'myASN',
      'peer-asn': 'peerASN',
      'peer-address': 'peerAddress',
      'peer-port': 'peerPort',
      'source-address': 'sourceAddress',
      'hold-time': 'holdTime',
      'keepalive-time': 'keepaliveTime',
      'router-id': 'routerID',
      password: 'password',
      'bfd-profile': 'bfdProfile',
      'ebgp-multihop': 'ebgpMultiHop',
      vrf: 'vrf',
    }, ['node-selectors']);
    const selectors = p['node-selectors'];
    if (Array.isArray(selectors)) spec['nodeSelectors'] = selectors.map((s, j) => nodeSelector(s, `${where}.node-selectors[${j}]`, notes));
    if (typeof spec['password'] === 'string') notes.push(`${where}.password: carried over in clear text; consider a Secret of type kubernetes.io/basic-auth and passwordSecret`);
    objects.push({ apiVersion: PEER_API, kind: 'BGPPeer', metadata: meta(`peer${i + 1}`), spec });
  });
  return { objects, notes };
}

function list(value: unknown, where: string, notes: string[]): Dict[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    notes.push(`${where}: expected a list; not carried over`);
    return [];
  }
  return value.filter((v, i) => (isDict(v) ? true : (notes.push(`${where}[${i}]: expected a mapping; not carried over`), false))) as Dict[];
}

function mapFields(source: Dict, where: string, notes: string[], names: Record<string, string>, handled: readonly string[]): Dict {
  const out: Dict = {};
  for (const [key, value] of Object.entries(source)) {
    const to = names[key];
    if (to !== undefined) out[to] = value;
    else if (!handled.includes(key)) notes.push(`${where}.${key}: unknown field; not carried over`);
  }
  return out;
}

function nodeSelector(value: unknown, where: string, notes: string[]): Dict {
  if (!isDict(value)) {
    notes.push(`${where}: expected a mapping; not carried over`);
    return {};
  }
  const out: Dict = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'match-labels') out['matchLabels'] = v;
    else if (key === 'match-expressions') out['matchExpressions'] = v;
    else notes.push(`${where}.${key}: unknown field; not carried over`);
  }
  return out;
}

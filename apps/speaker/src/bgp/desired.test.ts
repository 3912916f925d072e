import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { metallbSamplesDir } from '@lb/testdata';
import { describe, expect, it } from 'vitest';
import { config, node, service, slice } from '../../test/fixtures.js';
import { desiredBgp, type BgpDesiredState, type BgpInputs } from './desired.js';
import { bgpAnnouncementEvents, desiredBgpStatuses, serviceBgpStatusObject } from './status.js';

const POOL = `
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: first-pool, namespace: metallb-system, labels: { test: bgp-with-advertisement } }
spec: { addresses: [192.168.10.0/24, 'fc00:f853:ccd:e799::/124'] }
`;
const IBGP = `
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: peer, namespace: metallb-system }
spec: { myASN: 64512, peerASN: 64512, peerAddress: 172.30.0.3 }
`;
const DUAL = IBGP.replace('peerAddress: 172.30.0.3', 'peerAddress: 172.30.0.3, dualStackAddressFamily: true');
const EBGP = `
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: ebgp, namespace: metallb-system }
spec: { myASN: 64512, peerASN: 64513, peerAddress: 172.30.0.4 }
`;
const adv = (spec: string, name = 'adv'): string => `
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: ${name}, namespace: metallb-system }
spec: ${spec}
`;

const NODES = [node('lb-node-1', { rack: 'frontend' }), node('lb-node-2', { rack: 'backend' })];
const web = service('web', { ips: ['192.168.10.5'] });
const webReady = slice('web', ['lb-node-2']);

function run(yaml: string, overrides: Partial<BgpInputs> = {}): BgpDesiredState {
  return desiredBgp({ config: config(yaml), services: [web], endpointSlices: [webReady], nodes: NODES, nodeName: 'lb-node-1', ...overrides });
}

/** peer → "prefix communities large localPref" lines, for compact expectations. */
function routes(state: BgpDesiredState): Record<string, string[]> {
  return Object.fromEntries(
    state.peers.map((p) => [
      p.name,
      p.prefixes.map((r) => [r.prefix, r.communities.join(',') || '-', r.largeCommunities.join(',') || '-', r.localPref ?? '-'].join(' ')),
    ]),
  );
}

describe('desiredBgp: prefixes and attributes per peer', () => {
  const cases: Array<{ name: string; yaml: string; inputs?: Partial<BgpInputs>; want: Record<string, string[]> }> = [
    { name: 'empty advertisement announces every pool /32 to every peer', yaml: POOL + IBGP + adv('{}'), want: { peer: ['192.168.10.5/32 - - -'] } },
    { name: 'no advertisement, nothing', yaml: POOL + IBGP, want: { peer: [] } },
    {
      name: 'aggregation to /24 and /124',
      yaml: POOL + DUAL + adv('{ aggregationLength: 24, aggregationLengthV6: 124 }'),
      inputs: { services: [service('web', { ips: ['192.168.10.5', 'fc00:f853:ccd:e799::3'] })] },
      want: { peer: ['192.168.10.0/24 - - -', 'fc00:f853:ccd:e799::/124 - - -'] },
    },
    {
      name: 'two Services under one aggregate share the prefix',
      yaml: POOL + IBGP + adv('{ aggregationLength: 28 }'),
      inputs: { services: [web, service('api', { ips: ['192.168.10.9'] })], endpointSlices: [webReady, slice('api', ['lb-node-1'])] },
      want: { peer: ['192.168.10.0/28 - - -'] },
    },
    {
      name: 'communities, large communities and localPref to an iBGP peer; no localPref to eBGP',
      yaml: POOL + IBGP + EBGP + adv("{ communities: ['65535:65282', 'large:64512:1:2'], localPref: 150 }"),
      want: { ebgp: ['192.168.10.5/32 65535:65282 64512:1:2 -'], peer: ['192.168.10.5/32 65535:65282 64512:1:2 150'] },
    },
    {
      name: 'Community alias',
      yaml:
        POOL +
        IBGP +
        adv('{ communities: [NO_ADVERTISE] }') +
        '---\napiVersion: metallb.io/v1beta1\nkind: Community\nmetadata: { name: c, namespace: metallb-system }\nspec: { communities: [{ name: NO_ADVERTISE, value: "65535:65282" }] }\n',
      want: { peer: ['192.168.10.5/32 65535:65282 - -'] },
    },
    {
      name: 'two advertisements of one prefix: communities merged',
      yaml: POOL + IBGP + adv("{ communities: ['1:1'], localPref: 200 }", 'a') + adv("{ communities: ['2:2'], localPref: 200 }", 'b'),
      want: { peer: ['192.168.10.5/32 1:1,2:2 - 200'] },
    },
    {
      name: 'peers filter (seed 002-13 shape)',
      yaml: POOL + IBGP + EBGP + adv('{ peers: [ebgp] }'),
      want: { ebgp: ['192.168.10.5/32 - - -'], peer: [] },
    },
    {
      name: 'advertisement nodeSelectors that miss this node',
      yaml: POOL + IBGP + adv('{ nodeSelectors: [{ matchLabels: { rack: backend } }] }'),
      want: { peer: [] },
    },
    {
      name: 'advertisement nodeSelectors that match this node',
      yaml: POOL + IBGP + adv('{ nodeSelectors: [{ matchLabels: { rack: frontend } }] }'),
      want: { peer: ['192.168.10.5/32 - - -'] },
    },
    {
      name: 'peer nodeSelectors that miss this node: no session at all',
      yaml: POOL + IBGP.replace('peerAddress: 172.30.0.3', 'peerAddress: 172.30.0.3, nodeSelectors: [{ matchLabels: { rack: backend } }]') + adv('{}'),
      want: {},
    },
    {
      name: 'ipAddressPoolSelectors',
      yaml: POOL + IBGP + adv('{ ipAddressPoolSelectors: [{ matchLabels: { test: bgp-with-advertisement } }] }'),
      want: { peer: ['192.168.10.5/32 - - -'] },
    },
    {
      name: 'serviceSelectors that miss the Service',
      yaml: POOL + IBGP + adv('{ serviceSelectors: [{ matchLabels: { app: other } }] }'),
      want: { peer: [] },
    },
    {
      name: 'ETP Local without an endpoint here: nothing',
      yaml: POOL + IBGP + adv('{}'),
      inputs: { services: [service('web', { ips: ['192.168.10.5'], local: true })] },
      want: { peer: [] },
    },
    {
      name: 'ETP Local with a ready endpoint here',
      yaml: POOL + IBGP + adv('{}'),
      inputs: { services: [service('web', { ips: ['192.168.10.5'], local: true })], endpointSlices: [slice('web', ['lb-node-1'])] },
      want: { peer: ['192.168.10.5/32 - - -'] },
    },
    {
      name: 'no ready endpoint anywhere: nothing',
      yaml: POOL + IBGP + adv('{}'),
      inputs: { endpointSlices: [slice('web', [], { notReady: ['lb-node-1'] })] },
      want: { peer: [] },
    },
    {
      name: 'excluded node: nothing',
      yaml: POOL + IBGP + adv('{}'),
      inputs: { nodes: [node('lb-node-1', { 'node.kubernetes.io/exclude-from-external-load-balancers': '' })] },
      want: { peer: [] },
    },
    {
      name: 'excluded node with --ignore-exclude-lb',
      yaml: POOL + IBGP + adv('{}'),
      inputs: { nodes: [node('lb-node-1', { 'node.kubernetes.io/exclude-from-external-load-balancers': '' })], ignoreExcludeLB: true },
      want: { peer: ['192.168.10.5/32 - - -'] },
    },
    {
      name: 'another lb class: nothing',
      yaml: POOL + IBGP + adv('{}'),
      inputs: { services: [service('web', { ips: ['192.168.10.5'], loadBalancerClass: 'other' })] },
      want: { peer: [] },
    },
    {
      name: 'IPv6 prefix on an IPv4 session without dualStackAddressFamily is not sent',
      yaml: POOL + IBGP + adv('{}'),
      inputs: { services: [service('web', { ips: ['fc00:f853:ccd:e799::3'] })] },
      want: { peer: [] },
    },
    {
      name: 'IPv6 prefix with dualStackAddressFamily',
      yaml: POOL + DUAL + adv('{}'),
      inputs: { services: [service('web', { ips: ['fc00:f853:ccd:e799::3'] })] },
      want: { peer: ['fc00:f853:ccd:e799::3/128 - - -'] },
    },
  ];
  it.each(cases)('$name', ({ yaml, inputs, want }) => {
    expect(routes(run(yaml, inputs))).toEqual(want);
  });
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));
});

describe('desiredBgp: Service decisions (ServiceBGPStatus)', () => {
  const cases: Array<{ name: string; yaml: string; inputs?: Partial<BgpInputs>; want: { peers: string[]; reason?: string } }> = [
    { name: 'announced to both peers', yaml: POOL + IBGP + EBGP + adv('{}'), want: { peers: ['ebgp', 'peer'] } },
    { name: 'no advertisement', yaml: POOL + IBGP, want: { peers: [], reason: 'noBGPAdvertisement' } },
    { name: 'not in a pool', yaml: POOL + IBGP + adv('{}'), inputs: { services: [service('web', { ips: ['10.9.9.9'] })] }, want: { peers: [], reason: 'ipNotAllowed' } },
    { name: 'no address yet', yaml: POOL + IBGP + adv('{}'), inputs: { services: [service('web')] }, want: { peers: [], reason: 'noIPAllocated' } },
    { name: 'no ready endpoints', yaml: POOL + IBGP + adv('{}'), inputs: { endpointSlices: [] }, want: { peers: [], reason: 'noReadyEndpoints' } },
    {
      name: 'ETP Local elsewhere',
      yaml: POOL + IBGP + adv('{}'),
      inputs: { services: [service('web', { ips: ['192.168.10.5'], local: true })] },
      want: { peers: [], reason: 'noLocalEndpoint' },
    },
    { name: 'node not selected', yaml: POOL + IBGP + adv('{ nodeSelectors: [{ matchLabels: { rack: backend } }] }'), want: { peers: [], reason: 'noPeerForNode' } },
    {
      name: 'excluded node',
      yaml: POOL + IBGP + adv('{}'),
      inputs: { nodes: [node('lb-node-1', {}, [], [{ type: 'NetworkUnavailable', status: 'True' }])] },
      want: { peers: [], reason: 'nodeExcluded' },
    },
    {
      name: 'allow-shared-ip with serviceSelectors',
      yaml: POOL + IBGP + adv('{ serviceSelectors: [{ matchLabels: { app: web } }] }'),
      inputs: { services: [service('web', { ips: ['192.168.10.5'], labels: { app: 'web' }, annotations: { 'metallb.io/allow-shared-ip': 'k' } })] },
      want: { peers: [], reason: 'sharedIPWithServiceSelector' },
    },
  ];
  it.each(cases)('$name', ({ yaml, inputs, want }) => {
    const [decision] = run(yaml, inputs).services;
    expect({ peers: decision?.peers, ...(decision?.reason ? { reason: decision.reason } : {}) }).toEqual(want);
  });
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));

  it('ignores Services that are not LoadBalancers', () => {
    expect(run(POOL + IBGP + adv('{}'), { services: [service('web', { type: 'ClusterIP' })] }).services).toEqual([]);
  });
});

describe('desiredBgp: sessions', () => {
  it('resolves every setting of a peer', () => {
    const yaml = `
apiVersion: metallb.io/v1beta1
kind: BFDProfile
metadata: { name: fast, namespace: metallb-system }
spec: { receiveInterval: 100, transmitInterval: 100 }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: p, namespace: metallb-system }
spec:
  myASN: 64512
  peerASN: 64513
  peerAddress: 172.30.0.3
  peerPort: 1179
  sourceAddress: 172.30.0.11
  routerID: 10.0.0.1
  holdTime: 9s
  connectTime: 2s
  ebgpMultiHop: true
  password: s3cret
  bfdProfile: fast
  enableGracefulRestart: true
`;
    const [peer] = run(yaml).peers;
    expect(peer?.session.ok).toBe(true);
    if (!peer?.session.ok) return;
    expect(peer.session.value).toMatchObject({
      myASN: 64512,
      peerASN: 64513,
      internal: false,
      peerAddress: '172.30.0.3',
      peerPort: 1179,
      sourceAddress: '172.30.0.11',
      routerID: '10.0.0.1',
      holdTime: 9,
      keepaliveTime: 3,
      connectTime: 2,
      ebgpMultiHop: true,
      password: 's3cret',
      enableGracefulRestart: true,
      families: ['IPv4'],
    });
    expect(peer.session.value.bfdProfile).toMatchObject({ name: 'fast', receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3 });
  });

  it('reads passwordSecret from the Secrets given (MetalLB sample bgppeer_withsecret.yaml)', () => {
    const yaml = readFileSync(join(metallbSamplesDir(), 'bgppeer_withsecret.yaml'), 'utf8');
    const secret = { apiVersion: 'v1' as const, kind: 'Secret' as const, metadata: { name: 'secretname', namespace: 'metallb-system' }, type: 'kubernetes.io/basic-auth', data: { password: Buffer.from('pw').toString('base64') } };
    const without = run(yaml).peers[0]?.session;
    expect(without?.ok).toBe(false);
    if (without && !without.ok) expect(without.error).toMatchObject({ kind: 'missing-secret' });
    const withSecret = run(yaml, { secrets: [secret] }).peers[0]?.session;
    expect(withSecret?.ok && withSecret.value).toMatchObject({ password: 'pw', holdTime: 540, keepaliveTime: 0 });
    const wrongType = run(yaml, { secrets: [{ ...secret, type: 'Opaque' }] }).peers[0]?.session;
    expect(wrongType?.ok === false && wrongType.error.message).toContain('kubernetes.io/basic-auth');
  });

  it('reports what it cannot honour, naming each field', () => {
    const yaml = readFileSync(join(metallbSamplesDir(), 'bgppeer_with_vrf.yaml'), 'utf8');
    const session = run(yaml).peers[0]?.session;
    expect(session?.ok).toBe(false);
    if (session && !session.ok) expect(session.error.issues.join()).toContain('spec.vrf');
  });

  it('dynamicASN internal is an iBGP session with our own AS', () => {
    const yaml = IBGP.replace('peerASN: 64512', 'dynamicASN: internal');
    const session = run(yaml).peers[0]?.session;
    expect(session?.ok && session.value).toMatchObject({ peerASN: 64512, internal: true });
  });

  it('a changed setting changes the session key, an unrelated change does not', () => {
    const a = run(POOL + IBGP + adv('{}')).peers[0]?.session;
    const b = run(POOL + IBGP + adv('{ localPref: 5 }')).peers[0]?.session;
    const c = run(POOL + IBGP.replace('peerASN: 64512', 'peerASN: 64512, holdTime: 30s') + adv('{}')).peers[0]?.session;
    expect(a?.ok && b?.ok && a.key === b.key).toBe(true);
    expect(a?.ok && c?.ok && a.key !== c.key).toBe(true);
  });
});

describe('desiredBgp: MetalLB reference samples and seed examples', () => {
  const samples = [
    { file: 'simple_pool_adv_bgp.yaml', want: ['192.168.10.5/32'] },
    { file: 'bgpadvertisement_communities_localpref.yaml', want: ['192.168.10.5/32 65535:65282 150'] },
    { file: 'bgpadvertisement_community_alias.yaml', want: ['192.168.10.5/32 65535:65282 150'] },
    { file: 'bgpadv_selectspool_by_label.yaml', want: ['192.168.10.5/32'] },
    { file: 'bgpadvertisement_with_node_selector.yaml', want: [] },
  ];
  const pool = (name: string): string =>
    `apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: { name: ${name}, namespace: metallb-system, labels: { test: bgp-with-advertisement } }\nspec: { addresses: [192.168.10.0/24] }\n---\n`;
  it.each(samples)('$file', ({ file, want }) => {
    const text = readFileSync(join(metallbSamplesDir(), file), 'utf8');
    const poolName = /ipAddressPools:\s*\n\s*- (\S+)/.exec(text)?.[1] ?? (text.includes('kind: IPAddressPool') ? undefined : 'unused');
    const yaml = (poolName ? pool(poolName) : '') + text + IBGP;
    const state = run(yaml);
    const got = state.peers.find((p) => p.name === 'peer')?.prefixes.map((r) => [r.prefix, r.communities.join(','), r.localPref ?? ''].filter((x) => x !== '').join(' '));
    expect(got).toEqual(want);
  });
  it('has samples', () => expect(samples.length).toBeGreaterThan(0));

  const seeds = join(import.meta.dirname, '..', '..', '..', '..', 'examples', 'seeds');
  const seed = (name: string): string => readFileSync(join(seeds, name), 'utf8');
  const firstPool = seed('002-01-pool-three-ranges.yaml').replace('name: example', 'name: first-pool');
  const seedCases = [
    { name: '002-09 peer + 002-10 empty advertisement', yaml: firstPool + '---\n' + seed('002-09-peer.yaml') + '---\n' + seed('002-10-bgp-empty.yaml'), node: 'lb-node-1', want: { peer: ['192.168.10.5/32'] } },
    { name: '002-09 peer + 002-11 pool list', yaml: firstPool + '---\n' + seed('002-09-peer.yaml') + '---\n' + seed('002-11-bgp-pool-list.yaml'), node: 'lb-node-1', want: { peer: ['192.168.10.5/32'] } },
    {
      name: '002-12 node selector (role=serviceAdvertiser), this node lacks it',
      yaml: firstPool + '---\n' + seed('002-09-peer.yaml') + '---\n' + seed('002-12-bgp-node-selector.yaml'),
      node: 'lb-node-1',
      want: { peer: [] },
    },
    {
      name: '002-12 node selector, this node has it',
      yaml: firstPool + '---\n' + seed('002-09-peer.yaml') + '---\n' + seed('002-12-bgp-node-selector.yaml'),
      node: 'lb-node-2',
      want: { peer: ['192.168.10.5/32'] },
    },
    { name: '002-14 peer node selector (rack=frontend), this node in the rack', yaml: firstPool + '---\n' + seed('002-14-peer-node-selector.yaml') + '---\n' + seed('002-10-bgp-empty.yaml'), node: 'lb-node-1', want: { example: ['192.168.10.5/32'] } },
    { name: '002-14 peer node selector, another rack', yaml: firstPool + '---\n' + seed('002-14-peer-node-selector.yaml') + '---\n' + seed('002-10-bgp-empty.yaml'), node: 'lb-node-2', want: {} },
  ];
  const seedNodes = [node('lb-node-1', { rack: 'frontend' }), node('lb-node-2', { rack: 'backend', role: 'serviceAdvertiser' })];
  it.each(seedCases)('$name', ({ yaml, node: nodeName, want }) => {
    const state = run(yaml, { nodes: seedNodes, nodeName });
    expect(Object.fromEntries(state.peers.map((p) => [p.name, p.prefixes.map((r) => r.prefix)]))).toEqual(want);
  });
  it('has seed cases', () => expect(seedCases.length).toBeGreaterThan(0));
});

describe('status objects', () => {
  it('one ServiceBGPStatus per announced Service, an Event when it starts', () => {
    const state = run(POOL + IBGP + EBGP + adv('{}'), { services: [web, service('idle', { ips: ['192.168.10.7'] })] });
    const statuses = desiredBgpStatuses(state);
    expect([...statuses.keys()]).toEqual(['default/web']);
    expect(serviceBgpStatusObject(statuses.get('default/web')!, 'metallb-system')).toEqual({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'ServiceBGPStatus',
      metadata: { generateName: 'bgp-', namespace: 'metallb-system', labels: { 'metallb.io/node': 'lb-node-1', 'metallb.io/service-name': 'web', 'metallb.io/service-namespace': 'default' } },
      status: { node: 'lb-node-1', serviceName: 'web', serviceNamespace: 'default', peers: ['ebgp', 'peer'] },
    });
    expect(bgpAnnouncementEvents(undefined, state)).toEqual([{ service: 'default/web', type: 'Normal', reason: 'nodeAssigned', message: 'announcing from node "lb-node-1" with protocol "bgp"' }]);
    expect(bgpAnnouncementEvents(state, state)).toEqual([]);
  });
});

describe('desiredBgp: one prefix list for peers with the same export', () => {
  const EBGP2 = EBGP.replace('name: ebgp', 'name: ebgp2').replace('172.30.0.4', '172.30.0.5');
  const cases: Array<{ name: string; yaml: string; shared: boolean }> = [
    { name: 'two eBGP peers, one advertisement: shared', yaml: POOL + EBGP + EBGP2 + adv('{}'), shared: true },
    { name: 'iBGP (LOCAL_PREF) and eBGP: not shared', yaml: POOL + IBGP + EBGP + adv('{ localPref: 50 }'), shared: false },
    { name: 'an advertisement for one peer only: not shared', yaml: POOL + EBGP + EBGP2 + adv('{ peers: [ebgp] }'), shared: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const [a, b] = run(c.yaml).peers;
      expect(a?.prefixes === b?.prefixes).toBe(c.shared);
      if (c.shared) expect(a?.prefixes).toHaveLength(1);
    });
  }
});

describe('desiredBgp: the previous state reused where nothing changed', () => {
  const yaml = POOL + EBGP + EBGP.replace('name: ebgp', 'name: ebgp2').replace('172.30.0.4', '172.30.0.5') + adv('{ communities: [65000:1] }');
  const compiled = config(yaml);
  const db = service('db', { ips: ['192.168.10.6'] });
  const inputs = (services: BgpInputs['services'], previous?: BgpDesiredState): BgpInputs => ({
    config: compiled,
    services,
    endpointSlices: [webReady, slice('db', ['lb-node-2']), slice('api', ['lb-node-2'])],
    nodes: NODES,
    nodeName: 'lb-node-1',
    ...(previous ? { previous } : {}),
  });
  const first = desiredBgp(inputs([web, db]));
  const cases: Array<{ name: string; services: BgpInputs['services']; samePrefixList: boolean; reusedPrefixes: string[]; reusedDecisions: string[] }> = [
    { name: 'nothing changed: the same prefix list and decisions', services: [db, web], samePrefixList: true, reusedPrefixes: ['192.168.10.5/32', '192.168.10.6/32'], reusedDecisions: ['default/db', 'default/web'] },
    {
      name: 'a Service added: a new list that holds the earlier prefixes',
      services: [web, db, service('api', { ips: ['192.168.10.7'] })],
      samePrefixList: false,
      reusedPrefixes: ['192.168.10.5/32', '192.168.10.6/32'],
      reusedDecisions: ['default/db', 'default/web'],
    },
    { name: 'a Service gone: the rest reused', services: [web], samePrefixList: false, reusedPrefixes: ['192.168.10.5/32'], reusedDecisions: ['default/web'] },
    {
      name: 'a Service moved to another address: its prefix and decision are new',
      services: [web, service('db', { ips: ['192.168.10.9'] })],
      samePrefixList: false,
      reusedPrefixes: ['192.168.10.5/32'],
      reusedDecisions: ['default/web'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const next = desiredBgp(inputs(c.services, first));
      const fresh = desiredBgp(inputs(c.services));
      // Equal to a computation without the previous state, whatever is reused.
      expect(next).toEqual(fresh);
      expect(next.peers[0]?.prefixes === first.peers[0]?.prefixes).toBe(c.samePrefixList);
      expect(next.peers[0]?.prefixes).toBe(next.peers[1]?.prefixes);
      const earlier = new Set<unknown>(first.peers[0]?.prefixes);
      expect(next.peers[0]?.prefixes.filter((p) => earlier.has(p)).map((p) => p.prefix)).toEqual(c.reusedPrefixes);
      const earlierDecisions = new Set<unknown>(first.services);
      expect(next.services.filter((d) => earlierDecisions.has(d)).map((d) => d.key)).toEqual(c.reusedDecisions);
      // Status objects follow the decisions: the same object for an unchanged decision.
      const before = desiredBgpStatuses(first);
      const after = desiredBgpStatuses(next);
      for (const key of c.reusedDecisions) expect(after.get(key)).toBe(before.get(key));
    });
  }
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));
});

import { describe, expect, it } from 'vitest';
import { bgpOnly, config, names, node, service, slice, view } from '../../test/fixtures.js';
import { elect, L2Election, type L2Decision } from './elect.js';
import { type ElectionInputs } from './plan.js';
import { type NodeResource } from './resources.js';
import { announcementEvents, desiredL2Statuses, serviceL2StatusObject } from './status.js';

const seed000 = config(`
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: first-pool, namespace: default }
spec: { addresses: [10.220.2.214-10.220.2.214] }
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: { name: default, namespace: default }
spec: { ipAddressPools: [first-pool] }
`);

const pools = config(`
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: lan, namespace: metallb-system }
spec: { addresses: [172.16.16.150-172.16.16.200] }
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: quiet, namespace: metallb-system }
spec: { addresses: [172.16.17.0/24] }
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: edge, namespace: metallb-system }
spec: { addresses: [172.16.18.0/24] }
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: { name: lan, namespace: metallb-system }
spec: { ipAddressPools: [lan] }
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: { name: edge, namespace: metallb-system }
spec:
  ipAddressPools: [edge]
  nodeSelectors: [{ matchLabels: { network: edge } }]
  interfaces: [eth0, eth1]
  serviceSelectors: [{ matchLabels: { exposed: "yes" } }]
---
apiVersion: network.deckhouse.io/v1alpha1
kind: MetalLoadBalancerClass
metadata: { name: ingress }
spec:
  addressPool: [192.168.2.100-192.168.2.150]
  nodeSelector: { node-role.kubernetes.io/loadbalancer: "" }
  tolerations: [{ key: dedicated.example.com, operator: Equal, value: frontend, effect: NoExecute }]
  l2: { interfaces: [eth1] }
`);

const LB = { 'node-role.kubernetes.io/loadbalancer': '' };
const threeNodes = [node('a'), node('b'), node('c')];
const all = (nodes: readonly NodeResource[]) => nodes.map((n) => n.metadata?.name as string);

/** Every node's decision, each from its own (identical) view. */
function everyNode(inputs: ElectionInputs, alive = all(inputs.nodes)): Map<string, L2Decision> {
  return new Map(alive.map((n) => [n, elect(n, inputs, view(n, alive))]));
}

/** address → the nodes announcing it, over every node's own decision. */
function announcers(decisions: ReadonlyMap<string, L2Decision>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [n, d] of decisions) for (const a of d.announcements) out.set(a.ip, [...(out.get(a.ip) ?? []), n]);
  return out;
}

describe('who announces', () => {
  it('seed 000: 10.220.2.214 is announced by exactly one node, the same one every node computes', () => {
    const inputs: ElectionInputs = { config: seed000, nodes: threeNodes, services: [service('ingress', { ips: ['10.220.2.214'] })], endpointSlices: [slice('ingress', ['b'])] };
    const decisions = everyNode(inputs);
    const by = announcers(decisions);
    expect(by.get('10.220.2.214')).toHaveLength(1);
    const owner = (by.get('10.220.2.214') as string[])[0];
    for (const d of decisions.values()) expect(d.services.get('default/ingress')?.owners.get('10.220.2.214')).toBe(owner);
    expect(decisions.get(owner as string)?.announcements).toEqual([{ ip: '10.220.2.214', interfaces: [], service: 'default/ingress' }]);
  });

  it('a BGP-only configuration (no pool in layer 2): nothing announced, every Service says why when asked', () => {
    const services = [service('web', { ips: ['10.100.0.5'] }), service('db', { ips: ['10.9.9.9'] }), service('new')];
    const decision = elect('a', { config: bgpOnly('10.100.0.0/24'), nodes: threeNodes, services, endpointSlices: [slice('web', ['a'])] }, view('a', all(threeNodes)));
    expect(decision.announcements).toEqual([]);
    expect([...decision.services.values()].map((s) => `${s.key} ${s.reason}`)).toEqual(['default/web noL2Advertisement', 'default/db ipNotAllowed', 'default/new noIPAllocated']);
  });

  const base = { config: pools, nodes: [node('a', { network: 'edge' }), node('b', { network: 'edge' }), node('c')], endpointSlices: [slice('web', ['a', 'b', 'c'])] };
  const cases: Array<{ name: string; inputs: Partial<ElectionInputs>; reason?: string; owners?: string[]; interfaces?: string[] }> = [
    { name: 'an address of a pool no L2Advertisement covers is not announced', inputs: { services: [service('web', { ips: ['172.16.17.5'] })] }, reason: 'noL2Advertisement' },
    { name: 'an address outside every pool is not announced', inputs: { services: [service('web', { ips: ['10.9.9.9'] })] }, reason: 'ipNotAllowed' },
    { name: 'no ready endpoint: not announced', inputs: { services: [service('web', { ips: ['172.16.16.150'] })], endpointSlices: [slice('web', [], { notReady: ['a'] })] }, reason: 'noReadyEndpoints' },
    { name: 'no address yet: not announced', inputs: { services: [service('web')] }, reason: 'noIPAllocated' },
    { name: 'not a LoadBalancer', inputs: { services: [service('web', { ips: ['172.16.16.150'], type: 'ClusterIP' })] }, reason: 'notLoadBalancer' },
    { name: "another load balancer's class", inputs: { services: [service('web', { ips: ['172.16.16.150'], loadBalancerClass: 'other' })] }, reason: 'otherClass' },
    { name: '--lb-class other serves class other', inputs: { services: [service('web', { ips: ['172.16.16.150'], loadBalancerClass: 'other' })], lbClass: 'other' }, owners: ['a', 'b', 'c'] },
    { name: '--lb-class other leaves Services without a class', inputs: { services: [service('web', { ips: ['172.16.16.150'] })], lbClass: 'other' }, reason: 'otherClass' },
    { name: 'externalTrafficPolicy Local: only a node with a ready endpoint', inputs: { services: [service('web', { ips: ['172.16.16.150'], local: true })], endpointSlices: [slice('web', ['c'], { notReady: ['a', 'b'] })] }, owners: ['c'] },
    {
      name: 'nodeSelectors and interfaces of the L2Advertisement',
      inputs: { services: [service('web', { ips: ['172.16.18.7'], labels: { exposed: 'yes' } })] },
      owners: ['a', 'b'],
      interfaces: ['eth0', 'eth1'],
    },
    { name: 'serviceSelectors that do not match: not announced', inputs: { services: [service('web', { ips: ['172.16.18.7'], labels: { exposed: 'no' } })] }, reason: 'noL2Advertisement' },
    {
      name: 'allow-shared-ip with serviceSelectors: refused as MetalLB does',
      inputs: { services: [service('web', { ips: ['172.16.18.7'], labels: { exposed: 'yes' }, annotations: { 'metallb.io/allow-shared-ip': 'k' } })] },
      reason: 'sharedIPWithServiceSelector',
    },
    {
      name: 'a node labelled exclude-from-external-load-balancers never announces',
      inputs: { services: [service('web', { ips: ['172.16.16.150'] })], nodes: [node('a', { 'node.kubernetes.io/exclude-from-external-load-balancers': '' }), node('b', { 'node.kubernetes.io/exclude-from-external-load-balancers': 'true' }), node('c')] },
      owners: ['c'],
    },
    {
      name: '…unless --ignore-exclude-lb',
      inputs: { services: [service('web', { ips: ['172.16.16.150'] })], nodes: [node('a', { 'node.kubernetes.io/exclude-from-external-load-balancers': '' })], ignoreExcludeLB: true },
      owners: ['a'],
    },
    {
      name: 'a node with NetworkUnavailable never announces',
      inputs: { services: [service('web', { ips: ['172.16.16.150'] })], nodes: [node('a', {}, [], [{ type: 'NetworkUnavailable', status: 'True' }]), node('b')] },
      owners: ['b'],
    },
    { name: 'no node at all', inputs: { services: [service('web', { ips: ['172.16.16.150'] })], nodes: [] }, reason: 'noAvailableNodes' },
  ];
  it.each(cases)('$name', ({ inputs: overrides, reason, owners, interfaces }) => {
    const inputs = { ...base, services: [], ...overrides } as ElectionInputs;
    const decisions = everyNode(inputs, ['a', 'b', 'c']);
    const decision = decisions.get('a')?.services.get('default/web');
    expect(decision?.reason).toBe(reason);
    const by = announcers(decisions);
    if (reason !== undefined) {
      expect(by.size).toBe(0);
      return;
    }
    const [ip] = decision?.addresses ?? [];
    const announcing = by.get(ip as string) ?? [];
    expect(announcing).toHaveLength(1);
    expect(owners).toContain(announcing[0]);
    const announcement = decisions.get(announcing[0] as string)?.announcements[0];
    expect(announcement?.interfaces).toEqual(interfaces ?? []);
  });
  it('covers the cases', () => expect(cases.length).toBeGreaterThan(0));
});

describe('MetalLoadBalancerClass', () => {
  const lbNodes = [node('lb-1', LB), node('lb-2', LB), node('lb-3', LB), node('worker', {})];
  const web = service('web', { namespace: 'shop', loadBalancerClass: 'ingress', ips: ['192.168.2.100', '192.168.2.101', '192.168.2.102'] });
  const inputs: ElectionInputs = { config: pools, nodes: lbNodes, services: [web], endpointSlices: [slice('web', ['worker'], { namespace: 'shop' })] };

  it('three addresses on three different nodes of the class, on the class’s interfaces', () => {
    const decisions = everyNode(inputs);
    const by = announcers(decisions);
    expect([...by.keys()].sort()).toEqual(['192.168.2.100', '192.168.2.101', '192.168.2.102']);
    const owners = [...by.values()].map((nodes) => {
      expect(nodes).toHaveLength(1);
      return nodes[0];
    });
    expect(new Set(owners)).toEqual(new Set(['lb-1', 'lb-2', 'lb-3']));
    for (const d of decisions.values()) for (const a of d.announcements) expect(a.interfaces).toEqual(['eth1']);
  });

  it('with one class node down, its address goes to a survivor: 2 + 1', () => {
    const alive = ['lb-1', 'lb-2', 'worker'];
    const decisions = new Map(alive.map((n) => [n, elect(n, inputs, view(n, alive, { known: all(lbNodes) }))]));
    const perNode = [...decisions.values()].map((d) => d.announcements.length).sort();
    expect(perNode).toEqual([0, 1, 2]);
  });

  it.each([
    ['an untolerated NoSchedule taint', [{ key: 'x', effect: 'NoSchedule' }], false],
    ['an untolerated NoExecute taint', [{ key: 'dedicated.example.com', value: 'backend', effect: 'NoExecute' }], false],
    ['the tolerated taint', [{ key: 'dedicated.example.com', value: 'frontend', effect: 'NoExecute' }], true],
    ['a PreferNoSchedule taint (a preference, not a bar)', [{ key: 'x', effect: 'PreferNoSchedule' }], true],
  ])('a class node with %s: candidate %s', (_name, taints, candidate) => {
    const nodes = [node('lb-1', LB, taints), node('lb-2', LB)];
    const one = service('web', { namespace: 'shop', loadBalancerClass: 'ingress', ips: ['192.168.2.100', '192.168.2.101'] });
    const by = announcers(everyNode({ ...inputs, nodes, services: [one] }));
    const announcing = new Set([...by.values()].flat());
    expect(announcing.has('lb-1')).toBe(candidate);
  });

  it('taints do not matter to L2Advertisements (MetalLB: where speakers run decides)', () => {
    const tainted = [node('a', {}, [{ key: 'x', effect: 'NoSchedule' }])];
    const by = announcers(everyNode({ config: pools, nodes: tainted, services: [service('web', { ips: ['172.16.16.150'] })], endpointSlices: [slice('web', ['a'])] }));
    expect(by.get('172.16.16.150')).toEqual(['a']);
  });
});

describe('membership', () => {
  const inputs: ElectionInputs = {
    config: pools,
    nodes: names('n', 5).map((n) => node(n)),
    services: Array.from({ length: 40 }, (_, i) => service(`s${i}`, { ips: [`172.16.16.${150 + i}`] })),
    endpointSlices: Array.from({ length: 40 }, (_, i) => slice(`s${i}`, ['n-0'])),
  };

  it('a withdrawn node announces nothing but still computes the owners', () => {
    const d = elect('n-0', inputs, view('n-0', names('n', 5), { withdrawn: true }));
    expect(d.announcements).toEqual([]);
    expect([...d.services.values()].every((s) => s.owners.size === 1)).toBe(true);
  });

  it('every address is announced exactly once, the addresses of a dead node by survivors, and nothing else moves', () => {
    const everyone = names('n', 5);
    const before = announcers(everyNode(inputs, everyone));
    const survivors = everyone.filter((n) => n !== 'n-2');
    const after = announcers(new Map(survivors.map((n) => [n, elect(n, inputs, view(n, survivors, { known: everyone }))])));
    expect(after.size).toBe(40);
    for (const [ip, nodes] of after) {
      expect(nodes).toHaveLength(1);
      const previous = (before.get(ip) as string[])[0];
      if (previous !== 'n-2') expect(nodes[0]).toBe(previous);
    }
  });

  it('the election object keeps its homes across membership changes and agrees with a fresh one', () => {
    const election = new L2Election('n-1');
    election.setInputs(inputs);
    const everyone = names('n', 5);
    const a = election.decide(view('n-1', everyone));
    election.decide(view('n-1', ['n-1', 'n-3'], { known: everyone }));
    const b = election.decide(view('n-1', everyone));
    expect(b).toEqual(a);
    expect(b).toEqual(elect('n-1', inputs, view('n-1', everyone)));
  });

  it('Services sharing an address are announced by the same node', () => {
    const shared = {
      ...inputs,
      services: [service('one', { ips: ['172.16.16.199'], annotations: { 'metallb.io/allow-shared-ip': 'k' } }), service('two', { ips: ['172.16.16.199'], annotations: { 'metallb.io/allow-shared-ip': 'k' } })],
      endpointSlices: [slice('one', ['n-0']), slice('two', ['n-1'])],
    };
    const decisions = everyNode(shared);
    const announcing = [...decisions.values()].filter((d) => d.announcements.length > 0);
    expect(announcing).toHaveLength(1);
    expect(announcing[0]?.announcements.map((a) => a.service).sort()).toEqual(['default/one', 'default/two']);
  });
});

describe('status and events', () => {
  const inputs: ElectionInputs = {
    config: pools,
    nodes: [node('a', { network: 'edge' })],
    services: [service('web', { ips: ['172.16.18.7'], labels: { exposed: 'yes' } }), service('api', { namespace: 'prod', ips: ['172.16.16.160'] })],
    endpointSlices: [slice('web', ['a']), slice('api', ['a'], { namespace: 'prod' })],
  };
  const decision = elect('a', inputs, view('a', ['a']));

  it('one ServiceL2Status per announced Service, labelled as MetalLB labels it, interfaces only when restricted', () => {
    const statuses = desiredL2Statuses(decision);
    expect(statuses.get('default/web')).toEqual({
      service: 'default/web',
      labels: { 'metallb.io/node': 'a', 'metallb.io/service-name': 'web', 'metallb.io/service-namespace': 'default' },
      status: { node: 'a', serviceName: 'web', serviceNamespace: 'default', interfaces: [{ name: 'eth0' }, { name: 'eth1' }] },
    });
    expect(statuses.get('prod/api')?.status).toEqual({ node: 'a', serviceName: 'api', serviceNamespace: 'prod' });
    expect(serviceL2StatusObject(statuses.get('prod/api') as never, 'metallb-system')).toMatchObject({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'ServiceL2Status',
      metadata: { generateName: 'l2-', namespace: 'metallb-system', labels: { 'metallb.io/node': 'a' } },
    });
  });

  it('an Event "announcing from node" for each Service this node starts announcing, once', () => {
    expect(announcementEvents(undefined, decision)).toEqual([
      { service: 'default/web', type: 'Normal', reason: 'nodeAssigned', message: 'announcing from node "a" with protocol "layer2"' },
      { service: 'prod/api', type: 'Normal', reason: 'nodeAssigned', message: 'announcing from node "a" with protocol "layer2"' },
    ]);
    expect(announcementEvents(decision, decision)).toEqual([]);
  });
});

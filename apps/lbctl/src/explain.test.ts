import { describe, expect, it } from 'vitest';
import { explainService } from './explain.js';
import { renderExplanation } from './render-explain.js';
import * as f from '../test/fixtures.js';

const cluster = [f.node('node-a'), f.node('node-b'), f.speaker('node-a'), f.speaker('node-b'), f.namespace('a'), f.namespace('b', { team: 'b' })];
const ann = (key: string, value: string): Record<string, string> => ({ [`metallb.io/${key}`]: value });

interface Case {
  readonly name: string;
  readonly objects: Array<Record<string, unknown>>;
  readonly verdict: string;
  /** The real reason, as the summary must name it. */
  readonly summary: RegExp;
  /** The refusal kind the pool table names for pool `one`, when there is one. */
  readonly poolKind?: string;
}

// One case per way a Service can go without an address; the target is always a/web.
const cases: Case[] = [
  {
    name: 'pool exhausted',
    objects: [f.pool('one', ['10.0.0.1/32']), f.l2('l2'), f.service('a/holder', { ips: ['10.0.0.1'] }), f.service('a/web')],
    verdict: 'pending',
    summary: /NoAddressAvailable: no pool that serves a\/web has a free IPv4 address/,
    poolKind: 'PoolExhausted',
  },
  {
    name: 'requested address held by another Service',
    objects: [f.pool('one', ['10.0.0.0/30']), f.service('a/holder', { ips: ['10.0.0.1'] }), f.service('a/web', { annotations: ann('loadBalancerIPs', '10.0.0.1') })],
    verdict: 'pending',
    summary: /AddressInUse.*a\/holder/,
  },
  {
    name: 'unknown pool',
    objects: [f.pool('one', ['10.0.0.0/30']), f.service('a/web', { annotations: ann('address-pool', 'missing') })],
    verdict: 'pending',
    summary: /UnknownPool.*missing/,
  },
  {
    name: 'pool not allowed for the namespace',
    objects: [f.pool('one', ['10.0.0.0/30'], { serviceAllocation: { namespaces: ['b'] } }), f.service('a/web')],
    verdict: 'pending',
    summary: /NoAddressAvailable|PoolNotAllowed/,
    poolKind: 'PoolNotAllowed',
  },
  {
    name: 'pool not allowed for the Service labels, asked by name',
    objects: [f.pool('one', ['10.0.0.0/30'], { serviceAllocation: { serviceSelectors: [{ matchLabels: { tier: 'edge' } }] } }), f.service('a/web', { annotations: ann('address-pool', 'one') })],
    verdict: 'pending',
    summary: /PoolNotAllowed/,
    poolKind: 'PoolNotAllowed',
  },
  {
    name: 'requested address in no pool',
    objects: [f.pool('one', ['10.0.0.0/30']), f.service('a/web', { annotations: ann('loadBalancerIPs', '192.168.9.9') })],
    verdict: 'pending',
    summary: /AddressNotInAnyPool.*192\.168\.9\.9/,
  },
  {
    name: 'requested address outside the requested pool',
    objects: [f.pool('one', ['10.0.0.0/30']), f.pool('two', ['10.0.1.0/30']), f.service('a/web', { annotations: { ...ann('loadBalancerIPs', '10.0.1.1'), ...ann('address-pool', 'one') } })],
    verdict: 'pending',
    summary: /AddressNotInRequestedPool/,
  },
  {
    name: 'sharing key mismatch',
    objects: [
      f.pool('one', ['10.0.0.0/30']),
      f.service('a/holder', { ips: ['10.0.0.1'], annotations: { ...ann('allow-shared-ip', 'k1'), ...ann('loadBalancerIPs', '10.0.0.1') } }),
      f.service('a/web', { annotations: { ...ann('allow-shared-ip', 'k2'), ...ann('loadBalancerIPs', '10.0.0.1') } }),
    ],
    verdict: 'pending',
    summary: /SharingKeyMismatch/,
  },
  {
    name: 'port in use on a shared address',
    objects: [
      f.pool('one', ['10.0.0.0/30']),
      f.service('a/holder', { ips: ['10.0.0.1'], annotations: { ...ann('allow-shared-ip', 'k'), ...ann('loadBalancerIPs', '10.0.0.1') } }),
      f.service('a/web', { annotations: { ...ann('allow-shared-ip', 'k'), ...ann('loadBalancerIPs', '10.0.0.1') } }),
    ],
    verdict: 'pending',
    summary: /PortInUse.*80/,
  },
  {
    name: 'only pool has autoAssign false',
    objects: [f.pool('one', ['10.0.0.0/30'], { autoAssign: false }), f.service('a/web')],
    verdict: 'pending',
    summary: /NoAddressAvailable|autoAssign/,
  },
  {
    name: 'another load balancer class',
    objects: [f.pool('one', ['10.0.0.0/30']), f.service('a/web', { loadBalancerClass: 'other.io/lb' })],
    verdict: 'not-ours',
    summary: /other\.io\/lb.*another load balancer/,
  },
  {
    name: 'malformed annotation',
    objects: [f.pool('one', ['10.0.0.0/30']), f.service('a/web', { annotations: ann('loadBalancerIPs', 'not-an-ip') })],
    verdict: 'invalid-service',
    summary: /not-an-ip/,
  },
  {
    name: 'invalid configuration',
    objects: [f.pool('one', ['10.0.0.9-10.0.0.1']), f.service('a/web')],
    verdict: 'invalid-configuration',
    summary: /configuration is invalid.*starts after it ends/,
  },
  {
    name: 'no pool at all',
    objects: [f.service('a/web')],
    verdict: 'no-configuration',
    summary: /no IPAddressPool in namespace metallb-system/,
  },
  {
    name: 'not type LoadBalancer',
    objects: [f.pool('one', ['10.0.0.0/30']), f.service('a/web', { type: 'ClusterIP' })],
    verdict: 'not-load-balancer',
    summary: /ClusterIP, not LoadBalancer/,
  },
  {
    name: 'no such Service',
    objects: [f.pool('one', ['10.0.0.0/30'])],
    verdict: 'not-found',
    summary: /no Service a\/web/,
  },
  {
    name: 'a pool could serve it: the controller is not running',
    objects: [f.pool('one', ['10.0.0.0/30']), f.service('a/web')],
    verdict: 'pending',
    summary: /could give it 10\.0\.0\.0.*controller running/,
  },
];

describe('explainService names the real reason', () => {
  expect(cases.length).toBeGreaterThan(0);
  it.each(cases)('$name', ({ objects, verdict, summary, poolKind }) => {
    const e = explainService(f.snapshot(...cluster, ...objects), 'a/web');
    expect(e.verdict, renderExplanation(e)).toBe(verdict);
    expect(e.summary).toMatch(summary);
    if (poolKind) expect(e.pools.find((p) => p.pool === 'one')?.kind).toBe(poolKind);
    // The human form never throws and always leads with the summary.
    expect(renderExplanation(e).split('\n')[0]).toContain(e.summary);
  });
});

describe('explainService: who announces, and who may not', () => {
  const objects = [
    f.node('node-c', { 'node.kubernetes.io/exclude-from-external-load-balancers': '' }),
    f.node('node-d', { zone: 'far' }),
    f.speaker('node-c'),
    f.speaker('node-d'),
    f.node('node-e'),
    f.pool('one', ['10.0.0.0/30']),
    f.l2('l2', { ipAddressPools: ['one'], nodeSelectors: [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['far'] }] }] }),
    f.service('a/web', { ips: ['10.0.0.1'], pool: 'one', local: true }),
    f.endpointSlice('a/web', ['node-a', 'node-c', 'node-d']),
    f.l2Status('node-a', 'a/web'),
    f.event('a/web', 'IPAllocated', 'Assigned IP ["10.0.0.1"]', 'Normal'),
    f.event('a/web', 'nodeAssigned', 'announcing from node "node-a" with protocol "layer2"', 'Normal', '2026-12-04T10:00:01Z'),
  ];
  const e = explainService(f.snapshot(...cluster, ...objects), 'a/web');

  it('says which node announces it', () => {
    expect(e.verdict).toBe('assigned');
    expect(e.announcers).toEqual([{ protocol: 'layer2', node: 'node-a', interfaces: [] }]);
    expect(e.summary).toMatch(/announced by node-a \(layer2\)/);
  });

  it('gives every other node its reason', () => {
    const reasons = Object.fromEntries((e.nodes[0]?.verdicts ?? []).map((v) => [v.node, v.refusals.map((r) => r.kind)]));
    expect(reasons).toEqual({
      'node-a': [],
      'node-b': ['no-local-endpoint'],
      'node-c': ['excluded'],
      'node-d': ['not-selected'],
      'node-e': ['no-local-endpoint', 'speaker-not-alive'],
    });
  });

  it('lists the Events, oldest first', () => {
    expect(e.events.map((x) => x.reason)).toEqual(['IPAllocated', 'nodeAssigned']);
  });

  it('renders the human report (snapshot)', () => {
    expect(renderExplanation(e)).toMatchSnapshot();
  });
});

describe('explainService over BGP', () => {
  const objects = [
    f.pool('one', ['10.0.0.0/30']),
    f.bgpAdvertisement('adv', { ipAddressPools: ['one'] }),
    f.peer('router', '172.30.0.1', { nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': 'node-a' } }] }),
    f.service('a/web', { ips: ['10.0.0.1'], pool: 'one' }),
    f.bgpStatus('node-a', 'a/web', ['router']),
    f.sessionState('node-a', 'router', 'Established', 'Up'),
  ];
  const e = explainService(f.snapshot(...cluster, ...objects), 'a/web');

  it('names the peers and their session state', () => {
    expect(e.announcers).toEqual([{ protocol: 'bgp', node: 'node-a', peers: [{ peer: 'router', bgp: 'Established', bfd: 'Up' }] }]);
    const verdicts = e.nodes.find((n) => n.protocol === 'bgp')?.verdicts ?? [];
    expect(verdicts.map((v) => [v.node, v.refusals.map((r) => r.kind), v.peers])).toEqual([
      ['node-a', [], ['router']],
      ['node-b', ['no-peer'], []],
    ]);
    expect(renderExplanation(e)).toMatchSnapshot();
  });
});

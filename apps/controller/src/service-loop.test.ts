import { describe, expect, it } from 'vitest';
import { compile, type CompiledConfig } from '@lb/config-schema';
import { ServiceLoop, type ServiceContext } from './service-loop.js';
import { type ServiceState } from './service-outcome.js';

function config(yaml: string): CompiledConfig {
  const result = compile(yaml);
  if (!result.ok) throw new Error(result.error.issues.map((e) => e.message).join('\n'));
  return result.value;
}

const POOLS = `
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: main, namespace: metallb-system}
spec:
  addresses: [10.0.0.0/30, fd00::/126]
---
apiVersion: network.deckhouse.io/v1alpha1
kind: MetalLoadBalancerClass
metadata: {name: edge}
spec:
  type: L2
  addressPool: [192.168.2.100-192.168.2.110]
  nodeSelector: {role: edge}
`;

const ONE_ADDRESS = `
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: tiny, namespace: metallb-system}
spec:
  addresses: [10.9.0.1/32]
`;

const NOW = '2026-12-04T10:00:00Z';

interface Extra {
  spec?: Record<string, unknown>;
  annotations?: Record<string, string>;
  ingress?: string[];
  namespace?: string;
}

const service = (name: string, extra: Extra = {}): ServiceState => ({
  metadata: { name, namespace: extra.namespace ?? 'default', ...(extra.annotations ? { annotations: extra.annotations } : {}) },
  spec: { type: 'LoadBalancer', ports: [{ protocol: 'TCP', port: 80 }], ...extra.spec },
  ...(extra.ingress ? { status: { loadBalancer: { ingress: extra.ingress.map((ip) => ({ ip })) } } } : {}),
});

const context = (edgeNodes = 3): ServiceContext => ({ namespaceLabels: {}, nodes: Array.from({ length: edgeNodes }, () => ({ role: 'edge' })) });

/** A loop with a configuration, and a way to run a Service through it the way the adapter does. */
function loopWith(yaml: string): { loop: ServiceLoop; handle: (svc: ServiceState | string, ctx?: ServiceContext) => ReturnType<ServiceLoop['handle']> } {
  const loop = new ServiceLoop();
  loop.setConfig(config(yaml));
  const handle = (svc: ServiceState | string, ctx = context()): ReturnType<ServiceLoop['handle']> =>
    typeof svc === 'string' ? loop.handle(svc, undefined, ctx, NOW) : loop.handle(`${svc.metadata?.namespace}/${svc.metadata?.name}`, svc, ctx, NOW);
  return { loop, handle };
}

describe('ServiceLoop: Services waiting for an address come back when there is room', () => {
  it('a stranded Service: one address, A holds it, B is refused, A is deleted: B is re-queued and gets it', () => {
    const { loop, handle } = loopWith(ONE_ADDRESS);
    expect(handle(service('a')).outcome).toMatchObject({ kind: 'assigned', addresses: ['10.9.0.1'] });
    const refused = handle(service('b'));
    expect(refused.outcome).toMatchObject({ kind: 'failed' });
    expect(refused.requeue).toEqual([]);
    expect(loop.waiting()).toEqual(['default/b']);

    const deleted = handle('default/a');
    expect(deleted.outcome).toEqual({ kind: 'deleted' });
    expect(deleted.freed).toEqual(['10.9.0.1']);
    expect(deleted.requeue).toEqual(['default/b']);
    const served = handle(service('b'));
    expect(served.outcome).toMatchObject({ kind: 'assigned', addresses: ['10.9.0.1'] });
    expect(served.status).toEqual({ loadBalancer: { ingress: [{ ip: '10.9.0.1' }] } });
    expect(loop.waiting()).toEqual([]);
  });

  const freeing: Array<[string, ServiceState]> = [
    ['stops being a LoadBalancer', service('a', { spec: { type: 'ClusterIP' } })],
    ['asks for an address outside the pool', service('a', { annotations: { 'metallb.io/loadBalancerIPs': '10.200.0.1' } })],
    ['moves to another load balancer class', service('a', { spec: { loadBalancerClass: 'someone-else' } })],
    ['gets an annotation wrong', service('a', { annotations: { 'metallb.io/loadBalancerIPs': 'not-an-ip' } })],
  ];
  it.each(freeing)('the holder %s: its address is freed and the waiting Service re-queued', (_what, changed) => {
    const { handle } = loopWith(ONE_ADDRESS);
    handle(service('a'));
    handle(service('b'));
    const step = handle(changed);
    expect(step.freed).toEqual(['10.9.0.1']);
    expect(step.requeue).toEqual(['default/b']);
    expect(handle(service('b')).outcome).toMatchObject({ kind: 'assigned', addresses: ['10.9.0.1'] });
  });
  it('ran every freeing case', () => expect(freeing.length).toBeGreaterThan(0));

  it("a holder's changed request (its sharing key) re-queues the Services it kept out, though nothing is freed", () => {
    const { handle } = loopWith(ONE_ADDRESS);
    const shared = (name: string, key: string, port: number): ServiceState =>
      service(name, { annotations: { 'metallb.io/allow-shared-ip': key }, spec: { ports: [{ protocol: 'TCP', port }] } });
    handle(shared('a', 'red', 80));
    expect(handle(shared('b', 'blue', 81)).outcome).toMatchObject({ kind: 'failed' });
    const rekeyed = handle(shared('a', 'blue', 80));
    expect(rekeyed.freed).toEqual([]);
    expect(rekeyed.requeue).toEqual(['default/b']);
    expect(handle(shared('b', 'blue', 81)).outcome).toMatchObject({ kind: 'assigned', addresses: ['10.9.0.1'] });
  });

  it('a new pool lets a waiting Service in on its next pass (the configuration loop looks at every Service again)', () => {
    const { loop, handle } = loopWith(ONE_ADDRESS);
    handle(service('a'));
    handle(service('b'));
    loop.setConfig(config(`${ONE_ADDRESS}---\n${ONE_ADDRESS.replace('tiny', 'more').replace('10.9.0.1/32', '10.9.0.2/32')}`));
    expect(handle(service('b')).outcome).toMatchObject({ kind: 'assigned', addresses: ['10.9.0.2'] });
  });

  it('re-queues each waiting Service once until it has been looked at, and nobody when nothing was freed', () => {
    const { handle } = loopWith(ONE_ADDRESS.replace('10.9.0.1/32', '10.9.0.1-10.9.0.2'));
    handle(service('a'));
    handle(service('c'));
    handle(service('b'));
    expect(handle(service('new')).requeue).toEqual([]);
    // A waiting Service deleted frees nothing.
    expect(handle('default/new').requeue).toEqual([]);
    expect(handle('default/a').requeue).toEqual(['default/b']);
    // Already handed out: a second release in the same burst does not name it again.
    expect(handle('default/c').requeue).toEqual([]);
    handle(service('b'));
    expect(handle('default/b').requeue).toEqual([]);
  });
});

describe('ServiceLoop: what it decides', () => {
  it('waits for a configuration before touching any Service', () => {
    const loop = new ServiceLoop();
    expect(loop.handle('default/a', service('a'), context(), NOW).outcome).toEqual({ kind: 'waiting', reason: 'no valid configuration yet' });
  });

  it('assigns, keeps on a second pass, and releases a Service that stops being LoadBalancer', () => {
    const { loop, handle } = loopWith(POOLS);
    expect(handle(service('a')).outcome).toMatchObject({ kind: 'assigned', pool: 'main', addresses: ['10.0.0.0'], changed: true, wanted: 1 });
    expect(handle(service('a')).outcome).toMatchObject({ kind: 'assigned', addresses: ['10.0.0.0'], changed: false });
    // The metrics' Services per pool come from the allocator itself, no copy of its state.
    expect(loop.servicesPerPool()).toEqual(new Map([['main', 1]]));
    expect(handle(service('a', { spec: { type: 'ClusterIP' } })).outcome).toMatchObject({ kind: 'not-ours', clear: true });
    expect(loop.held('default/a')).toEqual([]);
    expect(loop.servicesPerPool()).toEqual(new Map());
  });

  it('leaves Services of another load balancer class alone without clearing them', () => {
    const { handle } = loopWith(POOLS);
    const step = handle(service('other', { spec: { loadBalancerClass: 'someone-else' } }));
    expect(step.outcome).toMatchObject({ kind: 'not-ours', clear: false });
    expect([step.status, step.annotations, step.events]).toEqual([undefined, undefined, []]);
  });

  it('restores the addresses a Service shows, before anything new is handed out', () => {
    const { loop, handle } = loopWith(POOLS);
    expect(loop.restore(service('old', { ingress: ['10.0.0.2'] }), context())).toBe(true);
    expect(handle(service('new')).outcome).toMatchObject({ addresses: ['10.0.0.0'] });
    const again = handle(service('old', { ingress: ['10.0.0.2'] }));
    expect(again.outcome).toMatchObject({ addresses: ['10.0.0.2'], changed: false });
    // Restored as it was asked for: no change of request, nobody re-queued.
    expect(again.requeue).toEqual([]);
    // An address outside every pool cannot be restored; the Service will be handled anew.
    expect(loop.restore(service('lost', { ingress: ['172.16.0.1'] }), context())).toBe(false);
  });

  it('caps a class Service at one address per node, and says how many were asked for', () => {
    const { handle } = loopWith(POOLS);
    const web = service('web', { spec: { loadBalancerClass: 'edge' }, annotations: { 'network.deckhouse.io/l2-load-balancer-external-ips-count': '3' } });
    expect(handle(web, context(2)).outcome).toMatchObject({
      kind: 'assigned',
      className: 'edge',
      addresses: ['192.168.2.100', '192.168.2.101'],
      wanted: 3,
    });
    expect(handle(web, context(3)).outcome).toMatchObject({ addresses: ['192.168.2.100', '192.168.2.101', '192.168.2.102'], wanted: 3 });
  });

  it("refuses a plain Service asking for a class's address, up front", () => {
    const { loop, handle } = loopWith(POOLS);
    const outcome = handle(service('sneaky', { annotations: { 'metallb.io/loadBalancerIPs': '192.168.2.105' } })).outcome;
    expect(outcome).toMatchObject({ kind: 'failed' });
    expect(outcome.kind === 'failed' && outcome.message).toBe("192.168.2.105 belongs to MetalLoadBalancerClass 'edge'; set spec.loadBalancerClass to use it");
    expect(loop.held('default/sneaky')).toEqual([]);
    expect(loop.statistics().find((s) => s.pool === 'class:edge' && s.family === 'IPv4')?.inUse).toBe(0);
  });

  it('reports annotation errors as a failure naming the annotation', () => {
    const { loop, handle } = loopWith(POOLS);
    const outcome = handle(service('bad', { annotations: { 'metallb.io/loadBalancerIPs': 'not-an-ip' } })).outcome;
    expect(outcome.kind).toBe('failed');
    expect(outcome.kind === 'failed' && outcome.message).toMatch(/^metallb\.io\/loadBalancerIPs: /);
    // No address can fix an annotation: it does not wait for one.
    expect(loop.waiting()).toEqual([]);
  });

  it('reports what a configuration change released', () => {
    const { loop, handle } = loopWith(POOLS);
    handle(service('a'));
    const { released } = loop.setConfig(config(POOLS.replace('[10.0.0.0/30, fd00::/126]', '[10.0.1.0/30]')));
    expect(released.map((r) => [r.service, r.reason])).toEqual([['default/a', '10.0.0.0 is no longer in any pool']]);
  });

  const dualStack: Array<[string, Record<string, unknown>]> = [
    ['one family and one cluster IP', { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4'], clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] }],
    ['two families but one cluster IP', { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'], clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] }],
  ];
  it.each(dualStack)('refuses RequireDualStack with %s, as MetalLB, and clears what the Service had', (_what, spec) => {
    const { loop, handle } = loopWith(POOLS);
    const step = handle(service('dual', { spec, ingress: ['10.0.0.3'], annotations: { 'metallb.io/ip-allocated-from-pool': 'main' } }));
    expect(step.outcome.kind).toBe('failed');
    expect(step.outcome.kind === 'failed' && step.outcome.message).toMatch(/^spec\.ipFamilyPolicy: requires dual stack but not enough clusterips: /);
    expect(step.status).toEqual({ loadBalancer: {} });
    expect(step.annotations).toEqual({ 'metallb.io/ip-allocated-from-pool': null });
    expect(step.events.map((e) => e.reason)).toEqual(['AllocationFailed']);
    expect(loop.held('default/dual')).toEqual([]);
  });
  it('ran every dual-stack case', () => expect(dualStack.length).toBeGreaterThan(0));

  it('gives RequireDualStack with two families and two cluster IPs both', () => {
    const { handle } = loopWith(POOLS);
    const spec = { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'], clusterIPs: ['10.96.0.10', 'fd00:10:96::a'] };
    expect(handle(service('dual', { spec })).outcome).toMatchObject({ kind: 'assigned', addresses: ['10.0.0.0', 'fd00::'] });
  });
});

describe('ServiceLoop: Events', () => {
  it('puts the reason first and stays within 1,024 bytes for a 1,000-address annotation, counting right', () => {
    const { handle } = loopWith(POOLS);
    const many = Array.from({ length: 1000 }, (_, i) => `10.1.${Math.floor(i / 256)}.${i % 256}`).join(',');
    const [event] = handle(service('bulk', { annotations: { 'metallb.io/loadBalancerIPs': many } })).events;
    expect(event?.reason).toBe('AllocationFailed');
    const message = event?.message ?? '';
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(1024);
    expect(message).toMatch(/^metallb\.io\/loadBalancerIPs: '10\.1\.0\.0,10\.1\.0\.1,/);
    expect(message).toContain('(1,000 entries) has 1,000 IPv4 addresses; give at most one per family');
    expect(message).not.toContain('two IPv4');
    expect(message.endsWith('. Failed to allocate IP for "default/bulk"')).toBe(true);
  });

  it('cuts a reason that is too long at its end, keeping its start and the Service it is about', () => {
    const { handle } = loopWith(POOLS);
    const longPool = `p${'x'.repeat(1100)}`;
    const [event] = handle(service('far', { annotations: { 'metallb.io/address-pool': longPool } })).events;
    const message = event?.message ?? '';
    expect(Buffer.byteLength(message)).toBe(1024);
    expect(message).toMatch(/^metallb\.io\/address-pool: 'px+\.\.\.\. Failed to allocate IP for "default\/far"$/);
  });

  it("never names another namespace's Service, and does name one of the same namespace", () => {
    const { handle } = loopWith(ONE_ADDRESS);
    handle(service('s000', { namespace: 'bulk2', annotations: { 'metallb.io/loadBalancerIPs': '10.9.0.1' } }));
    const foreign = handle(service('x', { namespace: 'faults', annotations: { 'metallb.io/loadBalancerIPs': '10.9.0.1' } }));
    expect(foreign.events[0]?.message).toBe('10.9.0.1 is in use by another Service, which does not allow sharing. Failed to allocate IP for "faults/x"');
    expect(foreign.events[0]?.message).not.toContain('bulk2');
    // The log still may: the outcome carries who holds it.
    expect(foreign.outcome).toMatchObject({ kind: 'failed', holders: ['bulk2/s000'] });
    const neighbour = handle(service('y', { namespace: 'bulk2', annotations: { 'metallb.io/loadBalancerIPs': '10.9.0.1' } }));
    expect(neighbour.events[0]?.message).toContain('in use by bulk2/s000');
  });

  it('reports a refusal once per reason while the Service waits, and annotation warnings once per change', () => {
    const { handle } = loopWith(ONE_ADDRESS);
    handle(service('a'));
    const legacy = { 'metallb.universe.tf/allow-shared-ip': 'k' };
    expect(handle(service('b', { annotations: legacy })).events.map((e) => e.reason)).toEqual(['DeprecatedAnnotation', 'AllocationFailed']);
    expect(handle(service('b', { annotations: legacy })).events).toEqual([]);
    expect(handle(service('b', { annotations: { 'metallb.io/allow-shared-ip': 'k' } })).events).toEqual([]);
    expect(handle(service('b', { annotations: { 'metallb.io/loadBalancerIPs': '10.9.0.7' } })).events.map((e) => e.message)).toEqual([
      '10.9.0.7 is not in any pool. Failed to allocate IP for "default/b"',
    ]);
  });
});
